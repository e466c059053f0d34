"""``--format json``: the stable, versioned report of SPEC §6
(schema: ``taglint/schemas/output.schema.json``)."""
from __future__ import annotations

import json
from collections import Counter
from functools import cache
from typing import Any, Callable, TextIO

from taglint import __version__
from taglint.model import Finding, Span

FORMAT_VERSION = 1
# The report renders 18,000 findings in about 0.3 s at the end: pre-rendering
# them in the workers would save a tenth of a second and hold ten megabytes
# of texts through a large scan (taglint.report.prerender_pays).
PRERENDER_PAYS = False


def _span(span: Span) -> dict[str, int]:
    return {"line": span.line, "column": span.column, "end_line": span.end_line, "end_column": span.end_column}


def finding_dict(finding: Finding) -> dict[str, Any]:
    span = finding.span
    fix = finding.fix
    out: dict[str, Any] = {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity,
        "path": finding.path,
        "kind": finding.kind,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "message": finding.message,
        "reference": finding.reference,
        "fix": None
        if fix is None
        else {
            "description": fix.description,
            "applicability": fix.applicability,
            "edits": [{**_span(edit.span), "text": edit.text} for edit in fix.edits],
        },
    }
    if finding.related:  # only when there are any: reports without notes stay as they were
        out["related"] = [
            {"path": r.location.path, **_span(r.location.span), "message": r.message} for r in finding.related
        ]
    return out


@cache
def _compact_encoder() -> Callable[[Any], str]:
    """``json.dumps(value, ensure_ascii=False)`` for many small values: the
    C encoder built once (``json.dumps`` builds one per call, which was a
    third of rendering a large report), checked against ``json.dumps`` on
    a sample; ``json.dumps`` itself where the C encoder is unavailable."""

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    try:
        from json.encoder import c_make_encoder, encode_basestring

        encode = c_make_encoder(None, None, encode_basestring, None, ": ", ", ", False, False, True)
        sample = {"a": [1, 2.5, None, True], "b": {"c": "é \" \n \u2028"}, "d": []}
        if "".join(encode(sample, 0)) != dumps(sample):
            return dumps
    except (ImportError, TypeError):
        return dumps

    def fast(value: Any) -> str:
        return "".join(encode(value, 0))

    return fast


def summary_dict(result: Any, options: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "files_scanned": result.files_scanned,
        "findings": len(result.findings),
        "by_rule": dict(sorted(Counter(f.rule for f in result.findings).items())),
        "errors": list(result.errors),
        "skipped": [{"path": s.path, "reason": s.reason} for s in getattr(result, "skipped", ())],
    }
    baseline = getattr(options, "baseline", None)
    if baseline is not None:  # only with --baseline: reports without one stay as they were
        out["baseline"] = {"matched": baseline.matched, "new": baseline.new, "stale": baseline.stale}
    return out


def render_finding(finding: Finding) -> str:
    """One finding's line of the report."""
    return _compact_encoder()(finding_dict(finding))


def finding_renderer(options: Any) -> Callable[[Finding], str]:
    """:func:`render_finding`, for the engine to run in parallel."""
    return render_finding


def write(result: Any, options: Any, out: TextIO) -> None:
    """The report, written to ``out`` a finding at a time: a large scan's
    report is never held whole in memory.  One finding per line: readable,
    diffable, and fast (``indent`` would force the pure-Python encoder,
    which dominated large scans).  Lines the engine pre-rendered are used
    as they are."""
    rendered = getattr(result, "rendered", lambda finding: None)
    tool = {"name": "taglint", "version": __version__}
    out.write(
        "{\n"
        f'  "version": {json.dumps(FORMAT_VERSION)},\n'
        f'  "tool": {json.dumps(tool, ensure_ascii=False)},\n'
        '  "findings": '
    )
    separator = "[\n    "
    for finding in result.findings:
        out.write(separator)
        out.write(rendered(finding) or render_finding(finding))
        separator = ",\n    "
    out.write("[]" if separator.startswith("[") else "\n  ]")
    out.write(f',\n  "summary": {json.dumps(summary_dict(result, options), ensure_ascii=False)}\n}}\n')
