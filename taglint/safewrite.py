"""Writing files safely: the report (``--output``, ``--output-format
FORMAT=FILE``), the baseline (``--write-baseline``) and fixed files
(``--fix``).

- A symbolic link at the target is never followed, and never replaced:
  the write is refused (:class:`UnsafeWrite`).  A link planted where the
  report goes (``report.json -> ~/.bashrc``) would otherwise have taglint
  overwrite the file it points to.  The one exception is the standard
  streams a user names on purpose (``/dev/stdout``, ``/dev/stderr``,
  ``/dev/fd/N``, ``/proc/self/fd/N``): they are written like a pipe, a
  FIFO or a device (``/dev/null``), by opening them, with no temporary
  file.  A fixed file (``expected``) must be a regular file.
- The data goes to a new temporary file in the target's folder (created
  exclusively, so no file already there is opened), which then replaces
  the target in one ``os.replace``: a reader sees the old file or the new
  one, never half of either; and a link planted in between is itself
  replaced, not followed (``rename`` never follows the link it replaces).
- An existing file keeps its permission bits; a new one gets those the
  umask allows, as ``open`` would give it.
- With ``expected`` (``--fix``), the target must still hold the bytes the
  scan read (:func:`digest`): a file changed since is not written
  (:class:`ChangedSinceScan`).
"""
from __future__ import annotations

import io
import os
import re
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator, TextIO

# Links a user names on purpose to write to a stream (not planted in a repository).
_STREAM_LINKS = re.compile(r"/dev/(?:stdout|stderr|fd/[0-9]+)|/proc/self/fd/[0-9]+")


class UnsafeWrite(OSError):
    """The target cannot be written safely (a symbolic link, not a file)."""


class ChangedSinceScan(OSError):
    """The file no longer holds the bytes the scan read."""


def digest(data: bytes) -> str:
    """The digest by which taglint recognises the content of a file
    (SHA-256; :mod:`taglint.fasthash` spares a short run loading OpenSSL)."""
    from taglint.fasthash import sha256_hex

    return sha256_hex(data)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def refuse_link(path: Path) -> os.stat_result | None:
    """The status of ``path`` (None when it does not exist); raises
    :class:`UnsafeWrite` for a symbolic link or anything but a regular file."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        raise UnsafeWrite(f"{path} is a symbolic link; taglint does not write through links (remove it or name its target)")
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeWrite(f"{path} is not a regular file")
    return info


def _is_stream(path: Path) -> bool:
    """A stream the user names to write to: a standard stream's link, a
    FIFO or a character device (``/dev/null``)."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if stat.S_ISLNK(info.st_mode):
        return bool(_STREAM_LINKS.fullmatch(os.path.abspath(path)))
    return stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode)


def write_file(path: Path, data: bytes, *, expected: str | None = None) -> None:
    """Write ``data`` to ``path`` as the module says; ``expected``, when
    given, is the :func:`digest` the file must still have."""
    with replacing(path, expected=expected) as out:
        out.write(data)


@contextmanager
def replacing(path: Path, *, expected: str | None = None) -> Iterator[BinaryIO]:
    """A binary stream whose bytes become ``path``, as the module says,
    once the ``with`` block ends without an exception (a large report is
    written piece by piece, never held whole in memory); after an
    exception the target is left as it was.  ``expected``, when given, is
    the :func:`digest` the file must still have."""
    if expected is None and _is_stream(path):
        with open(path, "wb") as stream:
            yield stream
        return
    info = refuse_link(path)
    if expected is not None:
        if info is None:
            raise ChangedSinceScan(f"{path} was removed since the scan")
        current = _read_regular(path)
        if digest(current) != expected:
            raise ChangedSinceScan(f"{path} changed since the scan")
    mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask()
    folder = path.parent if str(path.parent) else Path(".")
    import tempfile  # here: a scan only reads (digest), it never writes

    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".taglint")
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        if expected is not None:  # the last look, just before the swap
            refuse_link(path)
            if digest(_read_regular(path)) != expected:
                raise ChangedSinceScan(f"{path} changed since the scan")
        else:
            refuse_link(path)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


@contextmanager
def replacing_text(path: Path) -> Iterator[TextIO]:
    """:func:`replacing` as a UTF-8 text stream (no newline translation:
    the bytes are those :func:`write_text` writes)."""
    with replacing(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
        try:
            yield text
            text.flush()
        finally:
            text.detach()  # the binary stream stays open for replacing to finish


def write_text(path: Path, text: str) -> None:
    """:func:`write_file` of ``text`` in UTF-8."""
    write_file(path, text.encode("utf-8"))


def _read_regular(path: Path) -> bytes:
    """The bytes of the regular file at ``path``, opened without following
    a link (a link planted since the last look is refused)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if os.path.islink(path):
            raise UnsafeWrite(f"{path} is a symbolic link; taglint does not write through links") from exc
        raise
    with open(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UnsafeWrite(f"{path} is not a regular file")
        return handle.read()
