"""Shipped YAML data (the built-in rule files, ``taglint/data/*.yaml``)
parsed once and kept compiled in the user's cache folder.

Parsing some thirty YAML files at every start costs more than the rest of
a one-file run (issue 13): the parsed values are stored with
:mod:`marshal` (read by C code, no YAML library imported) in a file whose
name carries a hash of everything the values depend on: the files' names
and bytes, taglint's version, the Python version (marshal's format) and
the installed PyYAML (its ``__init__.py`` size and time).  Any change to
one of them names another file, so a stale entry is never read.  A cache
file also carries a SHA-256 of its payload: a truncated or damaged file
is parsed afresh and rewritten, never trusted.  When nothing can be
written (a read-only home, ``TAGLINT_CACHE_DIR=""``) the files are simply
parsed each time.

The cache folder: ``$TAGLINT_CACHE_DIR`` when set (empty: no cache),
else ``$XDG_CACHE_HOME/taglint``, else the platform's user cache folder
(``~/.cache/taglint``, ``~/Library/Caches/taglint``,
``%LOCALAPPDATA%\\taglint\\Cache``).
"""
from __future__ import annotations

import marshal
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from taglint import __version__

FORMAT = b"taglint-compiled-yaml 1\n"
_DIGEST_SIZE = 32
_DATA_DIR = Path(__file__).resolve().parent / "data"


def cache_dir() -> Path | None:
    """Where compiled data is kept, or None when caching is off."""
    configured = os.environ.get("TAGLINT_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "taglint"
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        return Path(local) / "taglint" / "Cache" if local else None
    home = os.path.expanduser("~")
    if home == "~":  # no home folder to speak of
        return None
    if sys.platform == "darwin":
        return Path(home) / "Library" / "Caches" / "taglint"
    return Path(home) / ".cache" / "taglint"


def parse_yaml_bytes(data: bytes) -> Any:
    """One YAML file's value, parsed as taglint reads its own data: UTF-8,
    universal newlines, the safe loader (libyaml's when available)."""
    import yaml

    text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _yaml_library_stamp() -> str:
    """The installed PyYAML, without importing it: where its package is,
    and the size and time of its ``__init__.py`` (an upgrade rewrites it)."""
    from importlib.util import find_spec

    try:
        spec = find_spec("yaml")
        origin = spec.origin if spec is not None else None
        if origin is None:
            return "yaml:none"
        stat = os.stat(origin)
    except (ImportError, OSError, ValueError):
        return "yaml:unknown"
    return f"yaml:{origin}:{stat.st_size}:{stat.st_mtime_ns}"


def _key(paths: Sequence[Path], contents: Sequence[bytes]) -> str:
    """A hash of everything the parsed values depend on."""
    from taglint.fasthash import sha256_hex

    stamp = f"{__version__}\0{sys.version}\0{marshal.version}\0{_yaml_library_stamp()}\0{len(paths)}\0"
    parts = [FORMAT, stamp.encode("utf-8", "surrogateescape")]
    for path, data in zip(paths, contents):
        parts.append(f"{path.name}\0{len(data)}\0".encode("utf-8", "surrogateescape"))
        parts.append(data)
    return sha256_hex(b"".join(parts))[:40]


def _read_entry(path: Path, expected_count: int) -> list[Any] | None:
    """The values stored in ``path``, or None when it is missing, damaged
    or not what was asked for."""
    from taglint.fasthash import sha256

    try:
        with open(path, "rb") as handle:
            blob = handle.read()
    except OSError:
        return None
    header = len(FORMAT) + _DIGEST_SIZE
    if len(blob) < header or not blob.startswith(FORMAT):
        return None
    payload = blob[header:]
    if sha256(payload).digest() != blob[len(FORMAT):header]:
        return None
    try:
        values = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(values, list) or len(values) != expected_count:
        return None
    return values


def _write_entry(folder: Path, group: str, path: Path, values: list[Any]) -> None:
    """Store ``values`` in ``path`` (a temporary file renamed over it, so a
    reader never sees half a file) and drop the group's older entries.
    Values marshal cannot hold, or a folder that cannot be written, leave
    the cache as it was."""
    from taglint.fasthash import sha256

    try:
        payload = marshal.dumps(values)
    except ValueError:  # e.g. a date: parse the file each time instead
        return
    blob = FORMAT + sha256(payload).digest() + payload
    temporary = folder / f".{path.name}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as handle:
            handle.write(blob)
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        return
    prefix = f"{group}-"
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.startswith(prefix) and name.endswith(".marshal") and name != path.name:
            try:
                os.unlink(folder / name)
            except OSError:
                pass


def load_yaml_files(paths: Sequence[Path], group: str) -> list[Any]:
    """The parsed value of each file of ``paths``, in order: from the cache
    when an entry for exactly these bytes exists, else parsed (and the
    entry written).  ``group`` names the set in the cache folder
    (``rules``, ``data-precedence``); an older entry of the group is
    replaced.  Errors are those of reading and parsing the files."""
    contents = [Path(path).read_bytes() for path in paths]
    folder = cache_dir()
    entry = None if folder is None else folder / f"{group}-{_key(paths, contents)}.marshal"
    if entry is not None:
        values = _read_entry(entry, len(paths))
        if values is not None:
            return values
    values = [parse_yaml_bytes(data) for data in contents]
    if entry is not None and folder is not None:
        _write_entry(folder, group, entry, values)
    return values


def shipped_data(file_name: str) -> Any:
    """The parsed value of ``taglint/data/<file_name>`` (through the cache)."""
    path = _DATA_DIR / file_name
    return load_yaml_files([path], "data-" + path.stem)[0]
