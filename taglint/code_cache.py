"""The methods :mod:`dataclasses` writes, compiled once and kept between runs.

For every ``@dataclass`` the standard library writes ``__init__``,
``__repr__``, ``__eq__``, ``__hash__`` and, for frozen classes,
``__setattr__``/``__delattr__`` as source text and compiles it (Python
3.11 and 3.12: one ``exec`` per method).  taglint defines some fifty
dataclasses on a one-file run's path: compiling their methods was about
a quarter of the instructions of ``taglint Dockerfile`` (issue 13).

:func:`install` gives the :mod:`dataclasses` module an ``exec`` of its own
(a module global takes precedence over the built-in) that looks each
source text up in a table of compiled code before compiling it; the CLI
installs it for its run and :func:`save` writes the table to the cache
folder (:mod:`taglint.rule_cache`) when the run compiled something new.
The table is keyed by the exact source text and kept per Python version
(``marshal``'s format and the bytecode are version-specific), so the code
run is the code ``exec`` would have compiled from that text: the classes
are the same.  A damaged, foreign or world-writable file is ignored
(``rule_cache.read_cache_file``), and nothing changes for a library user
who does not call :func:`install`.
"""
from __future__ import annotations

import builtins
import marshal
import sys
from pathlib import Path
from types import CodeType
from typing import Any

_GROUP = "dataclass-code-"
_MAX_ENTRIES = 4000  # past this (many taglint versions), start a fresh table

_table: dict[str, CodeType] = {}
_loaded = 0  # entries read from the cache file
_installed = False


def _entry_path() -> Path | None:
    from importlib.util import MAGIC_NUMBER

    from taglint.fasthash import sha256_hex
    from taglint.rule_cache import cache_dir

    folder = cache_dir()
    if folder is None:
        return None
    key = sha256_hex(f"{sys.version}\0{marshal.version}\0".encode() + MAGIC_NUMBER)[:24]
    return folder / f"{_GROUP}{key}.marshal"


def _load(path: Path) -> dict[str, CodeType]:
    from taglint.rule_cache import read_cache_file

    payload = read_cache_file(path)
    if payload is None:
        return {}
    try:
        table = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(table, dict):
        return {}
    return {source: code for source, code in table.items() if isinstance(source, str) and isinstance(code, CodeType)}


def cached_exec(source: Any, globals: dict[str, Any] | None = None, locals: Any = None, /) -> None:
    """``exec``, with the code of a source text taken from the table (and
    added to it when compiled here)."""
    if globals is None:  # exec's own defaults are the caller's namespaces
        frame = sys._getframe(1)
        globals = frame.f_globals
        if locals is None:
            locals = frame.f_locals
    if isinstance(source, str):
        code = _table.get(source)
        if code is None:
            # dont_inherit: compiled as exec compiles it in dataclasses, not
            # under this module's `from __future__ import annotations`
            code = _table[source] = compile(source, "<string>", "exec", dont_inherit=True)
        source = code
    builtins.exec(source, globals, locals)


def install() -> None:
    """Route :mod:`dataclasses`' compilation through the table, loaded from
    the cache folder (once per process)."""
    global _installed, _loaded
    if _installed:
        return
    import dataclasses

    path = _entry_path()
    if path is not None:
        _table.update(_load(path))
    _loaded = len(_table)
    dataclasses.exec = cached_exec  # type: ignore[attr-defined]
    _installed = True


def uninstall() -> None:
    """Give :mod:`dataclasses` the built-in ``exec`` back."""
    global _installed
    import dataclasses

    if getattr(dataclasses, "exec", None) is cached_exec:
        del dataclasses.exec  # type: ignore[attr-defined]
    _installed = False


def save() -> None:
    """Write the table to the cache folder when this run compiled code it
    did not hold; never an error (a cache that cannot be written is none)."""
    if not _installed or len(_table) == _loaded:
        return
    path = _entry_path()
    if path is None:
        return
    from taglint.rule_cache import write_cache_file

    table = dict(_table) if len(_table) <= _MAX_ENTRIES else {}
    try:
        payload = marshal.dumps(table)
    except ValueError:
        return
    write_cache_file(path.parent, path, payload)
