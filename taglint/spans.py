"""Every finding's span lies inside its file: the engine's last safeguard.

Extractors place spans exactly (and YAML errors are placed inside the text
by :mod:`taglint.yamlnodes`); this module makes sure of it once more, so
no report, editor or SARIF viewer is ever handed a line past the end of a
file or a column past the end of a line: where a file's own rules found
something, with its text still at hand (:func:`inside_text`), and where
the findings of a scan come together for the rest (:func:`findings_inside`,
which reads such files again).  Lines are counted as everywhere in taglint
(:data:`taglint.source.LINE_BREAK`; the empty line after a final line
break counts, as editors show it).
"""
from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from taglint.model import Finding, Span
from taglint.source import SkippedFile, decode, marked_lines, read_file_bytes, shared_lines

# Files larger than this are not read again to check spans (their spans
# come from the same code as every other file's).
MAX_CHECKED_SIZE = 8 * 1024 * 1024
# Files of at least this many characters are not read again either: the
# worker that read them keeps what the check needs (:class:`KnownLines`).
# Smaller ones cost less to read again than to describe.
KNOWN_LINES_FROM = 64 * 1024


def inside(span: Span, lines: Sequence[str]) -> Span:
    """``span`` moved inside ``lines`` (at least one, maybe empty): a place
    past the last line is the end of the last line, a column past the end
    of its line is that line's end, and the end never comes before the start."""
    return _moved_inside(span, len(lines), lambda line: len(lines[line - 1]))


def _moved_inside(span: Span, count: int, width: Callable[[int], int]) -> Span:
    """:func:`inside` for a file of ``count`` lines whose line ``n`` (1-based)
    has ``width(n)`` characters."""
    last = max(count, 1)

    def place(line: int, column: int) -> tuple[int, int]:
        if line > last:
            return last, (width(last) + 1 if count else 1)
        line = max(line, 1)
        return line, max(1, min(column, (width(line) if count else 0) + 1))

    start = place(span.line, span.column)
    end = max(place(span.end_line, span.end_column), start)
    moved = Span(start[0], start[1], end[0], end[1])
    return span if moved == span else moved


@dataclass(frozen=True)
class KnownLines:
    """What the span check needs of a file whose text is gone (a worker
    read it): how many lines it has, and how wide are its last line and
    the lines where its facts lie (findings of project-wide rules fall on
    those: an image, a command, an ignore comment)."""

    count: int
    widths: dict[int, int]

    @classmethod
    def of(cls, text: str, line_numbers: Iterable[int]) -> KnownLines:
        lines = shared_lines(text)
        count = len(lines)
        wanted = {min(max(n, 1), count) for n in line_numbers} | {count}
        return cls(count, {n: len(lines[n - 1]) for n in wanted})

    def place(self, span: Span) -> Span | None:
        """``span`` inside the file, or None when it lies on a line whose width is not known."""
        last = max(self.count, 1)
        if any(min(max(line, 1), last) not in self.widths for line in (span.line, span.end_line)):
            return None
        return _moved_inside(span, self.count, self.widths.__getitem__)


def inside_text(findings: list[Finding], text: str) -> list[Finding]:
    """``findings`` of one file, each with its span inside ``text``."""
    if not findings:
        return findings
    lines = shared_lines(text)
    out = []
    for finding in findings:
        span = inside(finding.span, lines)
        out.append(finding if span is finding.span else replace(finding, span=span))
    return out


def _lines_of(path: Path) -> list[str] | None:
    try:
        text = decode(read_file_bytes(path, MAX_CHECKED_SIZE)).text
    except (OSError, SkippedFile):
        return None
    if text is None:
        return None
    return marked_lines(text)  # not kept: the files come one after another


def findings_inside(
    findings: Iterable[Finding], cwd: Path, checked: Container[int] = (), known: Mapping[str, KnownLines] | None = None,
) -> list[Finding]:
    """``findings``, each with its span inside its file: as it is when its
    ``id`` is in ``checked`` (placed by :func:`inside_text` already); by
    ``known[path]`` when that knows the lines the span needs; else by
    reading the file again (once per file, one file's lines in memory at a
    time; a finding whose file cannot be read now is kept as it is)."""
    out = list(findings)
    known = known or {}
    by_path: dict[str, list[int]] = {}
    for index, finding in enumerate(out):
        if id(finding) in checked:
            continue
        lines = known.get(finding.path)
        span = lines.place(finding.span) if lines is not None else None
        if span is None:
            by_path.setdefault(finding.path, []).append(index)
        elif span is not finding.span:
            out[index] = replace(finding, span=span)
    for path, indexes in by_path.items():
        text_lines = _lines_of(cwd / path)
        if text_lines is None:
            continue
        for index in indexes:
            finding = out[index]
            span = inside(finding.span, text_lines)
            if span is not finding.span:
                out[index] = replace(finding, span=span)
    return out
