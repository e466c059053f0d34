"""Shipped YAML data (the built-in rule files, ``taglint/data/*.yaml``)
parsed once and kept compiled in the user's cache folder.

Parsing some thirty YAML files at every start costs more than the rest of
a one-file run (issue 13): the parsed values are stored with
:mod:`marshal` (read by C code, no YAML library imported), together with
the bytes of the files they came from.  An entry is used only when those
bytes equal the files' bytes now (a comparison, no hashing), and its name
carries a hash of the rest the values depend on: the files' paths,
taglint's version, the Python version (marshal's format) and the installed
PyYAML (its ``__init__.py`` size and time).  A cache file carries a CRC-32
of its payload and is read only when it is the user's own and not
writable by anyone: a stale, truncated or damaged entry is parsed afresh
and rewritten, never trusted.  When nothing can be written (a read-only
home, ``TAGLINT_CACHE_DIR=""``) the files are simply parsed each time.

The cache folder: ``$TAGLINT_CACHE_DIR`` when set (empty: no cache),
else ``$XDG_CACHE_HOME/taglint``, else the platform's user cache folder
(``~/.cache/taglint``, ``~/Library/Caches/taglint``,
``%LOCALAPPDATA%\\taglint\\Cache``).
"""
from __future__ import annotations

import marshal
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

from taglint import __version__

FORMAT = b"taglint-cache 2\n"
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


@lru_cache(maxsize=1)
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


def _key(paths: Sequence[Path]) -> str:
    """A hash of what the parsed values depend on besides the files' bytes
    (which an entry holds and is compared with)."""
    from taglint.fasthash import sha256_hex

    stamp = f"{__version__}\0{sys.version}\0{marshal.version}\0{_yaml_library_stamp()}\0"
    names = "\0".join(str(path) for path in paths)
    return sha256_hex(FORMAT + (stamp + names).encode("utf-8", "surrogateescape"))[:40]


def read_cache_file(path: Path) -> bytes | None:
    """The payload of a cache file written by :func:`write_cache_file`, or
    None when it is missing, damaged (its CRC-32 does not match), or not
    this user's own (owned by someone else, or writable by anyone)."""
    from zlib import crc32

    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            getuid = getattr(os, "getuid", None)
            if (getuid is not None and info.st_uid != getuid()) or info.st_mode & 0o002:
                return None
            blob = handle.read()
    except OSError:
        return None
    header = len(FORMAT) + 4
    if len(blob) < header or not blob.startswith(FORMAT):
        return None
    payload = blob[header:]
    if crc32(payload).to_bytes(4, "little") != blob[len(FORMAT):header]:
        return None
    return payload


def write_cache_file(folder: Path, path: Path, payload: bytes, replaces: str | None = None) -> None:
    """Write ``payload`` to ``path`` in ``folder`` through
    :mod:`taglint.safewrite` (a temporary file renamed over it: a reader
    never sees half a file; a planted link is refused), then remove the other files
    whose names start with ``replaces``.  A folder that cannot be written
    leaves the cache as it was."""
    from zlib import crc32

    from taglint.safewrite import UnsafeWrite, write_file

    blob = FORMAT + crc32(payload).to_bytes(4, "little") + payload
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_file(path, blob)  # a temporary file renamed over it, never through a link
    except (OSError, UnsafeWrite):
        return
    if replaces is None:
        return
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.startswith(replaces) and name.endswith(".marshal") and name != path.name:
            try:
                os.unlink(folder / name)
            except OSError:
                pass


def _read_entry(path: Path, contents: list[bytes]) -> list[Any] | None:
    """The values stored in ``path`` for files holding exactly ``contents``,
    or None (no entry, a damaged one, or one for other bytes)."""
    payload = read_cache_file(path)
    if payload is None:
        return None
    try:
        stored = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == contents):
        return None
    values = stored[1]
    if not isinstance(values, list) or len(values) != len(contents):
        return None
    return values


def _write_entry(folder: Path, group: str, path: Path, contents: list[bytes], values: list[Any]) -> None:
    """Store the files' bytes and values in ``path``, replacing the group's
    older entries.  Values marshal cannot hold (a date) are not stored: the
    files are parsed each time instead."""
    try:
        payload = marshal.dumps((contents, values))
    except ValueError:
        return
    write_cache_file(folder, path, payload, replaces=f"{group}-")


def load_yaml_files(paths: Sequence[Path], group: str) -> list[Any]:
    """The parsed value of each file of ``paths``, in order: from the cache
    when an entry for exactly these bytes exists, else parsed (and the
    entry written).  ``group`` names the set in the cache folder
    (``rules``, ``data-precedence``); an older entry of the group is
    replaced.  Errors are those of reading and parsing the files."""
    contents = [Path(path).read_bytes() for path in paths]
    folder = cache_dir()
    entry = None if folder is None else folder / f"{group}-{_key(paths)}.marshal"
    if entry is not None:
        values = _read_entry(entry, contents)
        if values is not None:
            return values
    values = [parse_yaml_bytes(data) for data in contents]
    if entry is not None and folder is not None:
        _write_entry(folder, group, entry, contents, values)
    return values


def shipped_data(file_name: str) -> Any:
    """The parsed value of ``taglint/data/<file_name>`` (through the cache)."""
    path = _DATA_DIR / file_name
    return load_yaml_files([path], "data-" + path.stem)[0]
