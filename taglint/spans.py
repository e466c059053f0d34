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

from collections.abc import Container, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from taglint.model import Finding, Span
from taglint.source import SkippedFile, decode, marked_lines, read_file_bytes, shared_lines

# Files larger than this are not read again to check spans (their spans
# come from the same code as every other file's).
MAX_CHECKED_SIZE = 8 * 1024 * 1024


def inside(span: Span, lines: Sequence[str]) -> Span:
    """``span`` moved inside ``lines`` (at least one, maybe empty): a place
    past the last line is the end of the last line, a column past the end
    of its line is that line's end, and the end never comes before the start."""
    last = max(len(lines), 1)

    def place(line: int, column: int) -> tuple[int, int]:
        if line > last:
            return last, (len(lines[-1]) + 1 if lines else 1)
        line = max(line, 1)
        width = len(lines[line - 1]) if lines else 0
        return line, max(1, min(column, width + 1))

    start = place(span.line, span.column)
    end = max(place(span.end_line, span.end_column), start)
    moved = Span(start[0], start[1], end[0], end[1])
    return span if moved == span else moved


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


def findings_inside(findings: Iterable[Finding], cwd: Path, checked: Container[int] = ()) -> list[Finding]:
    """``findings``, each with its span inside its file (read again, once
    per file with a finding, one file's lines in memory at a time); a
    finding whose file cannot be read now is kept as it is, and so is one
    whose ``id`` is in ``checked`` (placed by :func:`inside_text` already)."""
    out = list(findings)
    by_path: dict[str, list[int]] = {}
    for index, finding in enumerate(out):
        if id(finding) not in checked:
            by_path.setdefault(finding.path, []).append(index)
    for path, indexes in by_path.items():
        lines = _lines_of(cwd / path)
        if lines is None:
            continue
        for index in indexes:
            finding = out[index]
            span = inside(finding.span, lines)
            if span is not finding.span:
                out[index] = replace(finding, span=span)
    return out
