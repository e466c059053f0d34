"""A file as the extractors see it: its display path and decoded text."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Mapping


@dataclass(frozen=True)
class SourceFile:
    path: str  # display path: relative to the working directory, '/'-separated
    fs_path: Path  # where to read it (and its neighbours) on disk
    text: str  # decoded text (BOM removed, newlines as in the file)

    @cached_property
    def lines(self) -> list[str]:
        """Lines without their line endings (``\\r\\n``, ``\\n`` or ``\\r``)."""
        return self.text.splitlines()

    @classmethod
    def from_text(cls, path: str, text: str) -> SourceFile:
        """For tests and in-memory use: a file that exists only as text."""
        return cls(path=path, fs_path=Path(path), text=text)


@dataclass(frozen=True)
class ExtractContext:
    """Settings that change what extractors produce."""

    build_args: Mapping[str, str] = field(default_factory=dict)  # --build-arg NAME=VALUE


BINARY_SNIFF = 8192  # a NUL byte in the first 8 KiB: a binary file


@dataclass(frozen=True)
class Decoded:
    """File bytes as text, the one way taglint reads every file."""

    text: str | None  # None: not text (``skipped`` says why)
    skipped: str | None = None  # "binary file", "undecodable UTF-16"
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
        return Decoded(None, "binary file")
    try:
        return Decoded(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return Decoded(data.decode("utf-8", "replace"), bad_byte=(exc.start, line))
