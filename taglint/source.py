"""A file as the extractors see it: its display path and decoded text;
and the one way taglint reads a file (:func:`read_file_bytes`) and decodes
it (:func:`decode`), with the short, stable reasons a file is skipped."""
from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Mapping


# Where a line ends, for positions, code frames, suppressions and fixes
# alike: a line feed, with the carriage return before it (CRLF files).
LINE_BREAK = re.compile(r"\r?\n")


def line_starts(text: str) -> list[int]:
    """The offset where each line of ``text`` starts (lines counted at
    ``\\n`` only, as :func:`split_lines` counts them; a final line break
    starts one more, empty line): for turning offsets into positions."""
    starts = [0]
    find = text.find
    index = find("\n")
    while index >= 0:
        starts.append(index + 1)
        index = find("\n", index + 1)
    return starts


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as taglint counts them everywhere: split at
    ``\\n`` only (a ``\\r`` before it dropped), as Docker, make and shells
    split a file, and as editors number lines.  Other characters that
    Python's ``str.splitlines`` or YAML 1.1 take for line breaks (a lone
    ``\\r``, VT, FF, U+001C–U+001E, NEL, U+2028, U+2029) stay inside their
    line.  A final line break ends the last line (no empty line after it)."""
    lines = LINE_BREAK.split(text)
    if lines[-1] == "":
        lines.pop()
    return lines


def marked_lines(text: str) -> list[str]:
    """The lines of ``text`` as YAML marks and finding spans count them:
    split at ``\\n``, a ``\\r`` before it dropped; a final line break is
    followed by an empty last line."""
    if "\r" not in text:
        return text.split("\n")  # the same lines, several times faster than the pattern
    return LINE_BREAK.split(text)


# :func:`marked_lines`, split once per text however many readers ask (a
# str caches its hash, so the lookup does not rescan the text): a release
# bundle's ConfigMaps and the span check of its findings share one split.
# Read the list, never change it.
shared_lines = lru_cache(maxsize=2)(marked_lines)


@dataclass(frozen=True)
class SourceFile:
    path: str  # display path: relative to the working directory, '/'-separated
    fs_path: Path  # where to read it (and its neighbours) on disk
    text: str  # decoded text (BOM removed, newlines as in the file)

    @cached_property
    def lines(self) -> list[str]:
        """Lines without their line endings (:func:`split_lines`)."""
        return split_lines(self.text)

    @classmethod
    def from_text(cls, path: str, text: str) -> SourceFile:
        """For tests and in-memory use: a file that exists only as text."""
        return cls(path=path, fs_path=Path(path), text=text)


@dataclass(frozen=True)
class ExtractContext:
    """Settings that change what extractors produce."""

    build_args: Mapping[str, str] = field(default_factory=dict)  # --build-arg NAME=VALUE
    # What the file that brought this one in defines for it: the variables
    # (``Step`` values) of a GitLab pipeline that includes it (taglint.gitlab_includes).
    inherited: tuple[Any, ...] = ()


BINARY_SNIFF = 8192  # a NUL byte in the first 8 KiB: a binary file


@dataclass(frozen=True)
class Decoded:
    """File bytes as text, the one way taglint reads every file."""

    text: str | None  # None: not text (``skipped`` says why)
    skipped: str | None = None  # BINARY, "undecodable UTF-16"
    bad_byte: tuple[int, int] | None = None  # (offset, line) of the first byte that is not UTF-8


def decode(data: bytes) -> Decoded:
    """A UTF-8 BOM is dropped, a UTF-16 BOM decodes UTF-16, a NUL byte early
    on means binary, undecodable UTF-8 bytes become U+FFFD (and are noted)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return Decoded(data.decode("utf-16"))
        except UnicodeDecodeError:
            return Decoded(None, "undecodable UTF-16")
    if b"\0" in data[:BINARY_SNIFF]:
        return Decoded(None, BINARY)
    try:
        return Decoded(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return Decoded(data.decode("utf-8", "replace"), bad_byte=(exc.start, line))


# --------------------------------------------------------------------------
# Reading files, and why a file is not read

BINARY = "binary"
NOT_REGULAR = "not a regular file"
NO_KNOWN_KIND = "not a known file kind"
_MIB = 1024 * 1024


def too_large(max_size: int) -> str:
    """The reason for a file over ``max-file-size``."""
    return f"larger than max-file-size ({format_size(max_size)})"


def unreadable(exc: OSError) -> str:
    return f"unreadable: {exc.strerror or exc}"


def format_size(size: int) -> str:
    """``64 MiB``, ``512 KiB``, ``1000 bytes``: whole units only."""
    if size >= _MIB and size % _MIB == 0:
        return f"{size // _MIB} MiB"
    if size >= 1024 and size % 1024 == 0:
        return f"{size // 1024} KiB"
    return f"{size} bytes"


@dataclass(frozen=True)
class Skipped:
    """A file the scan did not check, and why (a short, stable reason)."""

    path: str  # display path
    reason: str
    explicit: bool = False  # named on the command line


class SkippedFile(Exception):
    """:func:`read_file_bytes` does not read this file; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def read_file_bytes(path: str | os.PathLike[str], max_size: int) -> bytes:
    """The bytes of the regular file at ``path`` (symlinks followed).

    Raises :class:`SkippedFile` for what is not a regular file (a FIFO, a
    socket or a device: opening one could block forever or act on a
    device, so it is never opened) and for a file over ``max_size``
    bytes; :class:`OSError` when it cannot be read.  The file is opened
    non-blocking and checked again once open, so a file swapped for a FIFO
    in between cannot block the read either, and never more than
    ``max_size`` bytes are read.
    """
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise SkippedFile(NOT_REGULAR)
    fd = os.open(path, _OPEN_FLAGS)
    with open(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SkippedFile(NOT_REGULAR)
        if info.st_size > max_size:
            raise SkippedFile(too_large(max_size))
        data = handle.read(max_size + 1)
    if len(data) > max_size:  # it grew while we read it
        raise SkippedFile(too_large(max_size))
    return data
