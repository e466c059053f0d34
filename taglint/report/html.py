"""``--format html``: one self-contained page for an ad hoc scan of a big
repository.

Totals by severity, rule and file kind as inline SVG bar charts; the
findings grouped by file, each with its code frame, notes and fix (with the
suggested change when the fix has edits); filters by rule and severity
(a few lines of plain JavaScript, driven by the address's fragment:
``report.html#rule=TL101&severity=warning``).  The CSS and the script are
inline (``assets/``), and a Content-Security-Policy that allows only them,
by hash, keeps the page from loading anything: it works offline and cannot
leak what it shows.  The only URLs are links to the rules' docs."""
from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from dataclasses import replace
from functools import cache
from html import escape
from importlib import resources
from typing import Any, Iterable, TextIO

from taglint import __version__
from taglint.model import SEVERITIES, Finding, Span, severity_rank
from taglint.report import rule_info
from taglint.report.source_lines import SourceLines, masked_source_line
from taglint.report.text import clean, summary_line

CONTEXT_LINES = 2  # lines shown above and below a finding
LONG_LINE = 240  # longer lines are shown as a window around the span
SEVERITY_COLOR = {"error": "#cf222e", "warning": "#d4a72c", "info": "#0969da"}
BAR_COLOR = "#6e7781"
OTHER_KIND = "other"


@cache
def _asset(name: str) -> str:
    return resources.files("taglint.report").joinpath("assets", name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _e(text: object) -> str:
    """Text from findings and scanned files: escaped for HTML, control
    characters made visible."""
    return escape(clean(str(text)), quote=True)


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def _prose(text: str) -> str:
    """A message or fix sentence: escaped, its `code` spans as ``<code>``."""
    return _CODE_SPAN.sub(lambda m: f"<code>{m.group(1)}</code>", _e(text))


# -- charts -----------------------------------------------------------------


def bar_chart(title: str, rows: list[tuple[str, int, str, str | None]]) -> str:
    """A horizontal bar chart: rows of (label, count, colour, fragment link)."""
    if not rows:
        return f'<svg viewBox="0 0 320 24" role="img" aria-label="{_e(title)}: none"><text x="0" y="16" font-size="12">none</text></svg>'
    longest = max(len(label) for label, _, _, _ in rows)
    label_width, bar_width, row_height = min(280, max(60, 7 * longest + 12)), 110, 22
    width = label_width + bar_width + 40
    top = max(count for _, count, _, _ in rows) or 1
    parts = [
        f'<svg width="{width}" height="{row_height * len(rows)}" viewBox="0 0 {width} {row_height * len(rows)}" '
        f'role="img" aria-label="{_e(title)}">'
    ]
    for number, (label, count, color, link) in enumerate(rows):
        y = number * row_height
        length = max(2, round(bar_width * count / top))
        text = f'<text x="0" y="{y + 15}" font-size="12" fill="#1f2328">{_e(label)}</text>'
        if link is not None:
            text = f'<a href="#{_e(link)}">{text}</a>'
        parts.append(
            f'<g class="bar"><title>{_e(label)}: {count}</title>{text}'
            f'<rect x="{label_width}" y="{y + 4}" width="{length}" height="14" rx="2" fill="{color}"/>'
            f'<text x="{label_width + length + 6}" y="{y + 15}" font-size="12" fill="#59636e">{count}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _charts(findings: list[Finding], kinds: dict[str, str]) -> str:
    by_severity = Counter(f.severity for f in findings)
    severity_rows = [
        (severity, by_severity[severity], SEVERITY_COLOR[severity], f"severity={severity}")
        for severity in SEVERITIES if by_severity[severity]
    ]
    by_rule = Counter(f.rule for f in findings)
    names = {f.rule: f.name for f in findings}
    rule_rows = [
        (f"{code} {names[code]}", count, _rule_color(code, findings), f"rule={code}")
        for code, count in sorted(by_rule.items(), key=lambda item: (-item[1], item[0]))
    ]
    by_kind = Counter(kinds.get(f.path, OTHER_KIND) for f in findings)
    kind_rows = [
        (kind, count, BAR_COLOR, None) for kind, count in sorted(by_kind.items(), key=lambda item: (-item[1], item[0]))
    ]
    figures = [("Findings by severity", severity_rows), ("Findings by rule", rule_rows), ("Findings by file kind", kind_rows)]
    return "".join(
        f'<figure class="chart"><figcaption>{_e(title)}</figcaption>{bar_chart(title, rows)}</figure>'
        for title, rows in figures
    )


def _rule_color(code: str, findings: list[Finding]) -> str:
    """The colour of the most severe finding of the rule."""
    worst = max((f.severity for f in findings if f.rule == code), key=severity_rank, default="info")
    return SEVERITY_COLOR.get(worst, BAR_COLOR)


# -- findings -----------------------------------------------------------------


def _window(line: str, start: int, end: int) -> tuple[str, int, int, bool, bool]:
    """A long line cut to a window around [start, end) (0-based columns):
    the text, the new start and end, and whether it was cut before/after."""
    if len(line) <= LONG_LINE:
        return line, start, end, False, False
    begin = max(0, min(start - 60, len(line) - LONG_LINE))
    stop = min(len(line), begin + LONG_LINE)
    return line[begin:stop], start - begin, end - begin, begin > 0, stop < len(line)


def _marked(line: str, start: int, end: int) -> str:
    """``line`` escaped, with [start, end) in a ``<mark>``."""
    text, start, end, cut_before, cut_after = _window(line, max(0, start), max(start, end))
    start, end = min(start, len(text)), min(max(end, start), len(text))
    body = _e(text[:start]) + (f"<mark>{_e(text[start:end])}</mark>" if end > start else "") + _e(text[end:])
    return ("…" if cut_before else "") + body + ("…" if cut_after else "")


def code_frame(span: Span, lines: list[str] | None, masks: Iterable[Span] = ()) -> str:
    """The lines around ``span``, the span marked; the secrets at ``masks``
    (the finding's) masked, columns mapped through the masks."""
    if not lines or span.line > len(lines):
        return ""
    masks = tuple(masks)
    first = max(1, span.line - CONTEXT_LINES)
    last = min(len(lines), max(span.line, min(span.end_line, len(lines))) + CONTEXT_LINES)
    width = len(str(last))
    rows = []
    for number in range(first, last + 1):
        masked = masked_source_line(lines, number, masks)
        if masked is None:
            continue
        line = masked.text
        if span.line <= number <= span.end_line:
            start = masked.index(span.column - 1) if number == span.line else 0
            end = masked.index(span.end_column - 1, end=True) if number == span.end_line else len(line)
            shown = _marked(line, start, end)
        else:
            shown = _marked(line, 0, 0)
        rows.append(f'<span class="gutter">{number:>{width}} │ </span>{shown}')
    return '<pre class="frame"><code>' + "\n".join(rows) + "</code></pre>"


def _applied(line: str, edits: Iterable[Any]) -> str:
    """``line`` with the single-line edits on it applied (right to left)."""
    for edit in sorted(edits, key=lambda e: e.span.column, reverse=True):
        line = line[: edit.span.column - 1] + edit.text + line[edit.span.end_column - 1 :]
    return line


def suggested_change(finding: Finding, source: SourceLines) -> str:
    """The fix's edits as a small diff of the lines they change."""
    fix = finding.fix
    if fix is None or not fix.edits:
        return ""
    rows: list[str] = []
    one_line = [e for e in fix.edits if e.span.line == e.span.end_line and "\n" not in e.text]
    for number in sorted({e.span.line for e in one_line}):
        masked = masked_source_line(source(finding.path), number, finding.masks)  # secrets masked, columns mapped
        if masked is None:
            continue
        line = masked.text
        edits = [
            replace(e, span=Span(number, masked.column(e.span.column), number, masked.column(e.span.end_column, end=True)))
            for e in one_line if e.span.line == number
        ]
        rows.append(f'<span class="del">- {_e(_window(line, 0, 0)[0])}</span>')
        rows.append(f'<span class="add">+ {_e(_window(_applied(line, edits), 0, 0)[0])}</span>')
    for edit in fix.edits:
        if edit not in one_line:
            rows.append(f'<span class="add">+ {_e(edit.text)}</span>')
    return '<pre class="diff"><code>' + "".join(rows) + "</code></pre>" if rows else ""


def finding_html(finding: Finding, number: int, rules: dict[str, Any], source: SourceLines) -> str:
    span = finding.span
    rule = rules.get(finding.rule)
    uri = rule_info.rule_help_uri(rule) if rule is not None else None
    title = f"{finding.rule} {finding.name}"
    rule_html = (
        f'<a class="rule" href="{_e(uri)}" rel="noreferrer">{_e(title)}</a>' if uri else f'<span class="rule">{_e(title)}</span>'
    )
    parts = [
        f'<article class="finding {_e(finding.severity)}" id="finding-{number}" '
        f'data-rule="{_e(finding.rule)}" data-severity="{_e(finding.severity)}">',
        f'<header><span class="badge {_e(finding.severity)}">{_e(finding.severity)}</span>{rule_html}'
        f'<span class="where">{span.line}:{span.column}</span></header>',
        f'<p class="message">{_prose(finding.message)}</p>',
        code_frame(span, source(finding.path), finding.masks),
    ]
    if finding.related:
        notes = "".join(
            f'<li><span class="label">note:</span> {_e(r.location.path)}:{r.location.span.line}:{r.location.span.column}: '
            f"{_prose(r.message)}</li>"
            for r in finding.related
        )
        parts.append(f'<ul class="notes">{notes}</ul>')
    fix = finding.fix
    if fix is not None and fix.description:
        label = "fix" if not fix.edits else f"fix ({fix.applicability})"
        parts.append(
            f'<div class="fix"><p><span class="label">{_e(label)}:</span> {_prose(fix.description)}</p>'
            f"{suggested_change(finding, source)}</div>"
        )
    parts.append("</article>")
    return "".join(parts)


def _filters(findings: list[Finding]) -> str:
    by_rule = Counter(f.rule for f in findings)
    names = {f.rule: f.name for f in findings}
    rule_options = "".join(
        f'<option value="{_e(code)}">{_e(code)} {_e(names[code])} ({count})</option>'
        for code, count in sorted(by_rule.items())
    )
    by_severity = Counter(f.severity for f in findings)
    severity_options = "".join(
        f'<option value="{s}">{s} ({by_severity[s]})</option>' for s in SEVERITIES if by_severity[s]
    )
    total = len(findings)
    return (
        '<section class="filters" aria-label="Filters">'
        f'<label>Rule <select id="filter-rule"><option value="">all rules</option>{rule_options}</select></label>'
        f'<label>Severity <select id="filter-severity"><option value="">all severities</option>{severity_options}</select></label>'
        f'<output id="shown">Showing {total} of {total} finding{"" if total == 1 else "s"}</output>'
        "</section>"
    )


def _footer(result: Any) -> str:
    parts = []
    if result.errors:
        items = "".join(f"<li>{_e(error)}</li>" for error in result.errors)
        parts.append(f'<h2>Errors</h2><ul class="errors">{items}</ul>')
    skipped = getattr(result, "skipped", [])
    if skipped:
        items = "".join(f"<li>{_e(s.path)}: {_e(s.reason)}</li>" for s in skipped)
        parts.append(f'<h2>Skipped files</h2><ul class="skipped">{items}</ul>')
    parts.append(f"<p>taglint {_e(__version__)}</p>")
    return "<footer>" + "".join(parts) + "</footer>"


def write(result: Any, options: Any, out: TextIO) -> None:
    """The page, written to ``out`` a file's section at a time, with one
    file's lines in memory at a time (a large scan's page is never held
    whole)."""
    findings: list[Finding] = list(result.findings)
    rules: dict[str, Any] = dict(getattr(result, "rules", {}))
    kinds = {facts.path: facts.kind for facts in getattr(result, "files", [])}
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    summary = [summary_line(findings, result.files_scanned)]
    baseline = getattr(options, "baseline", None)
    if baseline is not None:
        from taglint.report.text import baseline_line

        summary.append(baseline_line(baseline))
    style, script = _asset("report.css"), _asset("report.js")
    policy = (
        f"default-src 'none'; style-src {_csp_hash(style)}; script-src {_csp_hash(script)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    out.write(
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        "<title>taglint report</title>\n"
        f"<style>{style}</style>\n</head>\n<body>\n"
        '<header class="page"><h1>taglint report</h1>'
        + "".join(f'<p class="summary">{_e(line)}</p>' for line in summary)
        + "</header>\n"
        f'<section class="charts">{_charts(findings, kinds)}</section>\n'
        f"{_filters(findings)}\n"
        "<main>\n"
    )
    if not by_path:
        out.write('<p class="clean">No findings.</p>')
    number = 0
    for path in sorted(by_path):
        source = SourceLines()  # one file's lines at a time
        items = []
        for finding in by_path[path]:
            number += 1
            items.append(finding_html(finding, number, rules, source))
        count = len(by_path[path])
        out.write(
            f'<section class="file" data-path="{_e(path)}"><h2>{_e(path)}'
            f'<span class="kind">{_e(kinds.get(path, OTHER_KIND))}</span>'
            f'<span class="count">{count} finding{"" if count == 1 else "s"}</span></h2>{"".join(items)}</section>'
        )
    out.write(
        "\n</main>\n"
        f"{_footer(result)}\n"
        f"<script>{script}</script>\n"
        "</body>\n</html>\n"
    )
