"""``--format text``: compiler-style lines, a code frame with a caret under
the span, the fix hint, and a summary line.  Text taken from scanned files
never reaches the terminal with raw control characters."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any, Callable, Iterable, Iterator, TextIO

from taglint.model import Finding, severity_rank
from taglint.report import write_lines
from taglint.report.source_lines import masked_source_line, read_lines

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


def _display_width(text: str) -> int:
    """Terminal columns of ``text``: East Asian wide and full-width
    characters take two, combining marks none (so carets line up)."""
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text
    )


def _frame(finding: Finding, lines: list[str] | None, paint: _Painter) -> list[str]:
    span = finding.span
    line = masked_source_line(lines, span.line, finding.masks)
    if line is None:
        return []
    raw = line.text.expandtabs(1)  # secrets masked: columns mapped through the masks
    column = line.column(span.column)
    shown = clean(raw)
    if len(shown) > 200:  # keep frames readable: show a window around the span
        start = max(0, column - 60)
        shown = ("…" if start else "") + shown[start : start + 160] + "…"
        offset = _display_width(shown[: column - 1 - start + (1 if start else 0)])
    else:
        # columns count characters of the raw line; escaped characters widen it
        offset = _display_width(clean(raw[: column - 1]))
    end = line.column(span.end_column, end=True) if span.end_line == span.line else len(raw) + 1
    width = max(1, _display_width(clean(raw[column - 1 : end - 1])))
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


def fix_marker(findings: Iterable[Finding]) -> str:
    """``[*]``: ``--fix`` changes some of these findings; ``[-]``: only
    ``--unsafe-fixes`` does; blank: no edit is made."""
    kinds = {f.fix.applicability for f in findings if f.fix and f.fix.edits}
    return "[*]" if "safe" in kinds else "[-]" if "unsafe" in kinds else "   "


def _severities(findings: Iterable[Finding]) -> str:
    return "/".join(sorted({f.severity for f in findings}, key=severity_rank, reverse=True))


def statistics(findings: Iterable[Finding]) -> list[str]:
    """One row per rule, most findings first: count, code, fixable marker
    (:func:`fix_marker`), name and severity, as ``ruff --statistics``."""
    by_rule: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault((finding.rule, finding.name), []).append(finding)
    rows = sorted(by_rule.items(), key=lambda i: (-len(i[1]), i[0]))
    width = max((len(name) for (_, name), _ in rows), default=0)
    return [f"{len(group):>5}  {code}  {fix_marker(group)} {name:<{width}}  {_severities(group)}"
            for (code, name), group in rows]


def _folder(path: str) -> str:
    head, sep, _ = path.rpartition("/")
    return head + sep if sep else "./"


def statistics_by_place(findings: Iterable[Finding], by: str) -> list[str]:
    """``--statistics --by file|folder``: findings counted per file or per
    folder, most first, with their severities."""
    places: dict[str, Counter[str]] = {}
    for finding in findings:
        place = finding.path if by == "file" else _folder(finding.path)
        places.setdefault(place, Counter())[finding.severity] += 1
    rows = sorted(places.items(), key=lambda i: (-sum(i[1].values()), i[0]))
    width = max((len(clean(place)) for place, _ in rows), default=0)
    out = []
    for place, counts in rows:
        parts = ", ".join(f"{counts[s]} {s}" for s in ("error", "warning", "info") if counts[s])
        out.append(f"{sum(counts.values()):>5}  {clean(place):<{width}}  ({parts})")
    return out


def _block(finding: Finding, options: Any, paint: _Painter, cache: dict[str, list[str] | None]) -> list[str]:
    """The lines of one finding: location and message, code frame, fix, a blank line."""
    span = finding.span
    location = paint("path", f"{clean(finding.path)}:{span.line}:{span.column}:")
    severity = paint(finding.severity, finding.severity)
    out = [f"{location} {paint('code', finding.rule)} [{severity}] {clean(finding.message)}"]
    if options.quiet or getattr(options, "style", "full") != "full":
        return out
    if options.show_frames:
        out.extend(_frame(finding, _source_lines(finding.path, cache), paint))
    for related in finding.related:
        where = f"{related.location.path}:{related.location.span.line}:{related.location.span.column}"
        out.append(f"  {paint('dim', '=')} note: {clean(where)}: {clean(related.message)}")
    fix_line = _fix_line(finding, paint)
    if fix_line is not None:
        out.append(fix_line)
    out.append("")
    return out


def _fix_line(finding: Finding, paint: _Painter, as_above: bool = False) -> str | None:
    """``= fix: …`` (``= fix: as above`` for a text already shown)."""
    if not (finding.fix and finding.fix.description):
        return None
    label = "fix" if not finding.fix.edits else f"fix ({finding.fix.applicability})"
    return f"  {paint('dim', '=')} {label}: {'as above' if as_above else clean(finding.fix.description)}"


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


# Info findings are folded away by default when there are more than this
# many and they outnumber the others (``--min-severity info`` shows them).
FOLD_INFO_OVER = 20


def folded_info(findings: list[Finding], options: Any) -> int:
    """How many info findings the report leaves out by default: none with
    an explicit ``--min-severity``, with ``-q``, or on a scan with few."""
    if getattr(options, "min_severity", None) is not None or options.quiet:
        return 0
    info = sum(1 for f in findings if f.severity == "info")
    return info if info > FOLD_INFO_OVER and info > len(findings) - info else 0


def _blocks(shown: list[Finding], result: Any, options: Any, paint: _Painter) -> Iterator[str]:
    """Each finding's block (pre-rendered where the engine made it), one
    at a time; a fix text already given for the same rule says ``as above``."""
    cache: dict[str, list[str] | None] = {}
    rendered = getattr(result, "rendered", lambda finding: None)
    fold_fixes = not options.quiet and getattr(options, "style", "full") == "full"
    seen_fixes: set[tuple[str, str]] = set()
    for finding in shown:
        text = rendered(finding)
        if text is None:
            if finding.path not in cache:
                cache.clear()  # findings come file by file: only the last file read is kept
            text = "\n".join(_block(finding, options, paint, cache))
        if fold_fixes and finding.fix and finding.fix.description:
            key = (finding.rule, finding.fix.description)
            if key in seen_fixes:
                text = text.replace(str(_fix_line(finding, paint)), str(_fix_line(finding, paint, as_above=True)), 1)
            seen_fixes.add(key)
        yield text


def _grouped(shown: list[Finding], paint: _Painter) -> list[str]:
    """``--output-format grouped``: a heading per file, its findings under it."""
    by_path: dict[str, list[Finding]] = {}
    for finding in shown:
        by_path.setdefault(finding.path, []).append(finding)
    out: list[str] = []
    for path, findings in by_path.items():
        out.append(paint("path", clean(path)))
        for f in findings:
            where = f"{f.span.line}:{f.span.column}"
            out.append(f"  {where:<8} {paint('code', f.rule)} [{paint(f.severity, f.severity)}] {clean(f.message)}")
        out.append("")
    return out


def fixable_line(findings: list[Finding]) -> str | None:
    """``N fixable with --fix (M more with --unsafe-fixes)``, when any is."""
    kinds = Counter(f.fix.applicability for f in findings if f.fix and f.fix.edits)
    safe, unsafe = kinds["safe"], kinds["unsafe"]
    if not safe:
        return f"{unsafe} fixable with --fix --unsafe-fixes." if unsafe else None
    more = f" ({unsafe} more with --unsafe-fixes)" if unsafe else ""
    return f"{safe} fixable with --fix{more}."


def fixed_line(fixed: int, remaining: int, files_scanned: int) -> str:
    """``--fix``: what was found, fixed and is left (after a re-scan)."""
    return (f"Found {_plural(fixed + remaining, 'finding')} ({fixed} fixed, {remaining} remaining); "
            f"{_plural(files_scanned, 'file')} scanned.")


def _lines(result: Any, options: Any) -> Iterator[str]:
    """The report's lines (a finding's block is one item), one at a time."""
    if options.quiet >= 2:
        return
    paint = _Painter(options.color)
    findings: list[Finding] = list(result.findings)
    if options.statistics:
        by = getattr(options, "statistics_by", "rule")
        yield from statistics(findings) if by == "rule" else statistics_by_place(findings, by)
        yield from (f"error: {clean(error)}" for error in result.errors)
        return
    hidden_info = folded_info(findings, options)
    shown = [f for f in findings if f.severity != "info"] if hidden_info else findings
    style = getattr(options, "style", "full")
    yield from _grouped(shown, paint) if style == "grouped" else _blocks(shown, result, options, paint)
    for error in result.errors:
        yield f"error: {clean(error)}"
    if options.quiet:
        return
    fixed = getattr(options, "fixed", None)
    if fixed is None:
        yield summary_line(findings, result.files_scanned)
    else:
        yield fixed_line(fixed, len(findings), result.files_scanned)
    if hidden_info:
        yield f"+{hidden_info} info findings hidden; --min-severity info to show."
    hidden = getattr(options, "hidden", 0)
    if hidden:
        yield f"+{_plural(hidden, 'finding')} below --min-severity {options.min_severity} hidden."
    fixable = fixable_line(findings)
    if fixable:
        yield fixable
    baseline = getattr(options, "baseline", None)
    if baseline is not None:
        yield baseline_line(baseline)
    yield from skipped_lines(getattr(result, "skipped", []), getattr(options, "verbose", False))


def write(result: Any, options: Any, out: TextIO) -> None:
    """The report, written to ``out`` a line (or a finding's block) at a
    time: a large scan's report is never held whole in memory."""
    write_lines(_lines(result, options), out)
