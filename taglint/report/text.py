"""``--format text``: compiler-style lines, a code frame with a caret under
the span, the fix hint, and a summary line.  Text taken from scanned files
never reaches the terminal with raw control characters."""
from __future__ import annotations

import re
from collections import Counter
from typing import Any, Callable, Iterable

from taglint.model import Finding
from taglint.report.source_lines import read_lines

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_COLORS = {"error": "31", "warning": "33", "info": "36", "code": "1", "dim": "2", "caret": "35", "path": "1"}


def clean(text: str) -> str:
    """Visible form of text from a scanned file: control characters escaped."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 0x100 else f"\\u{ord(m.group(0)):04x}", text)


class _Painter:
    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __call__(self, style: str, text: str) -> str:
        return f"\x1b[{_COLORS[style]}m{text}\x1b[0m" if self.enabled else text


def _source_lines(path: str, cache: dict[str, list[str] | None]) -> list[str] | None:
    if path not in cache:
        cache[path] = read_lines(path)
    return cache[path]


def _frame(finding: Finding, lines: list[str] | None, paint: _Painter) -> list[str]:
    span = finding.span
    if not lines or span.line > len(lines):
        return []
    raw = lines[span.line - 1].expandtabs(1)
    shown = clean(raw)
    if len(shown) > 200:  # keep frames readable: show a window around the span
        start = max(0, span.column - 60)
        shown = ("…" if start else "") + shown[start : start + 160] + "…"
        offset = span.column - 1 - start + (1 if start else 0)
    else:
        # columns count characters of the raw line; escaped characters widen it
        offset = len(clean(raw[: span.column - 1]))
    end = span.end_column if span.end_line == span.line else len(raw) + 1
    width = max(1, len(clean(raw[span.column - 1 : end - 1])))
    gutter = str(span.line)
    pad = " " * len(gutter)
    return [
        f"{pad} {paint('dim', '|')}",
        f"{paint('dim', gutter)} {paint('dim', '|')} {shown}",
        f"{pad} {paint('dim', '|')} {' ' * offset}{paint('caret', '^' * width)}",
    ]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(findings: list[Finding], files_scanned: int) -> str:
    if not findings:
        return f"No findings in {_plural(files_scanned, 'file')}."
    by_severity = Counter(f.severity for f in findings)
    parts = [f"{by_severity[s]} {s}" if s == "info" else _plural(by_severity[s], s)
             for s in ("error", "warning", "info") if by_severity[s]]
    files = len({f.path for f in findings})
    return (
        f"Found {_plural(len(findings), 'finding')} ({', '.join(parts)}) in {_plural(files, 'file')}; "
        f"{_plural(files_scanned, 'file')} scanned."
    )


def baseline_line(summary: Any) -> str:
    """How the findings met ``--baseline``: how many it recorded (not
    shown), how many are new, and its stale entries (findings since fixed)."""
    line = f"Baseline: {_plural(summary.matched, 'known finding')} not shown, {summary.new} new"
    if summary.stale:
        entries = "stale entry" if summary.stale == 1 else "stale entries"
        line += f"; {summary.stale} {entries} matched nothing (fixed? --write-baseline refreshes the file)"
    return line + "."


def skipped_lines(skipped: list[Any], verbose: bool) -> list[str]:
    """``Skipped N files (reasons…)``, after one line per file with ``verbose``."""
    if not skipped:
        return []
    out = [f"skipped: {clean(s.path)}: {clean(s.reason)}" for s in skipped] if verbose else []
    counts = Counter(s.reason for s in skipped)
    reasons = ", ".join(f"{n} {clean(reason)}" for reason, n in sorted(counts.items(), key=lambda i: (-i[1], i[0])))
    hint = "" if verbose else "; --verbose lists them"
    out.append(f"Skipped {_plural(len(skipped), 'file')} ({reasons}){hint}.")
    return out


def statistics(findings: Iterable[Finding]) -> list[str]:
    counts = Counter((f.rule, f.name) for f in findings)
    return [f"{n:>5}  {code}  {name}" for (code, name), n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))]


def _block(finding: Finding, options: Any, paint: _Painter, cache: dict[str, list[str] | None]) -> list[str]:
    """The lines of one finding: location and message, code frame, fix, a blank line."""
    span = finding.span
    location = paint("path", f"{clean(finding.path)}:{span.line}:{span.column}:")
    severity = paint(finding.severity, finding.severity)
    out = [f"{location} {paint('code', finding.rule)} [{severity}] {clean(finding.message)}"]
    if options.quiet:
        return out
    if options.show_frames:
        out.extend(_frame(finding, _source_lines(finding.path, cache), paint))
    for related in finding.related:
        where = f"{related.location.path}:{related.location.span.line}:{related.location.span.column}"
        out.append(f"  {paint('dim', '=')} note: {clean(where)}: {clean(related.message)}")
    if finding.fix and finding.fix.description:
        label = "fix" if not finding.fix.edits else f"fix ({finding.fix.applicability})"
        out.append(f"  {paint('dim', '=')} {label}: {clean(finding.fix.description)}")
    out.append("")
    return out


class _FindingRenderer:
    """One finding's block of the report, for the engine to run in
    parallel; one per scan.  Findings come file by file, so only the last
    file read is kept."""

    def __init__(self, options: Any) -> None:
        self.options = options
        self._paint = _Painter(options.color)
        self._source: dict[str, list[str] | None] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_source": {}}

    def __call__(self, finding: Finding) -> str:
        if finding.path not in self._source:
            self._source.clear()
        return "\n".join(_block(finding, self.options, self._paint, self._source))


def finding_renderer(options: Any) -> Callable[[Finding], str]:
    return _FindingRenderer(options)


def render(result: Any, options: Any) -> str:
    paint = _Painter(options.color)
    out: list[str] = []
    cache: dict[str, list[str] | None] = {}
    rendered = getattr(result, "rendered", lambda finding: None)
    for finding in result.findings:
        text = rendered(finding)
        if text is not None:
            out.append(text)
        else:
            out.extend(_block(finding, options, paint, cache))
    for error in result.errors:
        out.append(f"error: {clean(error)}")
    if options.statistics and result.findings:
        out.extend(statistics(result.findings))
    if not options.quiet or result.findings:
        out.append(summary_line(result.findings, result.files_scanned))
    baseline = getattr(options, "baseline", None)
    if baseline is not None and not options.quiet:
        out.append(baseline_line(baseline))
    if not options.quiet:
        out.extend(skipped_lines(getattr(result, "skipped", []), getattr(options, "verbose", False)))
    return "\n".join(out) + "\n"
