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
