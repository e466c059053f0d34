"""The lines of scanned files, for the reports that show code (the text
format's code frames, the HTML report's frames and suggested changes).

Every report that quotes a scanned file gets its lines here, and only here,
so whatever must happen to source text before it is shown (escaping,
masking) happens in one place.  Files are read and decoded the way the scan
read them (:func:`taglint.source.read_file_bytes`, :func:`taglint.source.decode`),
so line numbers and columns agree with the findings."""
from __future__ import annotations

from typing import Sequence

from taglint.model import Span
from taglint.secrets import MaskedLine, masked_line
from taglint.source import SkippedFile, decode, read_file_bytes, split_lines

# A file with a finding was read by the scan under its max-file-size; read
# again, it is only refused when it is absurdly large (it changed since).
_REREAD_LIMIT = 1 << 31


# Files the scan read from elsewhere than their path (standard input read
# as ``--stdin-filename PATH``): display path -> the bytes it read.
_READ_ELSEWHERE: dict[str, bytes] = {}


def remember_bytes(path: str, data: bytes) -> None:
    """The file named ``path`` in reports holds ``data``, whatever is on
    disk at ``path`` (taglint.stdin_input)."""
    _READ_ELSEWHERE[path] = data


def read_lines(path: str) -> list[str] | None:
    """The lines of the file at ``path`` (without line endings), or None
    when it cannot be read as text now."""
    if path in _READ_ELSEWHERE:
        text = decode(_READ_ELSEWHERE[path]).text
        return None if text is None else split_lines(text)
    try:
        data = read_file_bytes(path, _REREAD_LIMIT)
    except (OSError, SkippedFile):
        return None
    text = decode(data).text
    return None if text is None else split_lines(text)  # the scan's lines: split at \n only


class SourceLines:
    """:func:`read_lines` with a cache: each file is read once per report."""

    def __init__(self) -> None:
        self._cache: dict[str, list[str] | None] = {}

    def __call__(self, path: str) -> list[str] | None:
        if path not in self._cache:
            self._cache[path] = read_lines(path)
        return self._cache[path]

    def line(self, path: str, number: int) -> str | None:
        """Line ``number`` (1-based) of ``path``, when it exists."""
        lines = self(path)
        return lines[number - 1] if lines is not None and 1 <= number <= len(lines) else None


def masked_source_line(lines: Sequence[str] | None, number: int, masks: Sequence[Span] = ()) -> MaskedLine | None:
    """Line ``number`` (1-based) of ``lines`` as a report may show it: the
    secrets at ``masks`` (a finding's ``masks``, the secret spans of its
    file) and any URL password replaced by ``***``
    (:func:`taglint.secrets.masked_line`; map the finding's columns with
    :meth:`MaskedLine.column`).  None when there is no such line."""
    if not lines or not 1 <= number <= len(lines):
        return None
    return masked_line(lines[number - 1], number, masks)
