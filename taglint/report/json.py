"""``--format json``: the stable, versioned report of SPEC §6
(schema: ``taglint/schemas/output.schema.json``)."""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

from taglint import __version__
from taglint.model import Finding, Span

FORMAT_VERSION = 1


def _span(span: Span) -> dict[str, int]:
    return {"line": span.line, "column": span.column, "end_line": span.end_line, "end_column": span.end_column}


def finding_dict(finding: Finding) -> dict[str, Any]:
    fix = finding.fix
    return {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity,
        "path": finding.path,
        **_span(finding.span),
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


def report_dict(result: Any) -> dict[str, Any]:
    return {
        "version": FORMAT_VERSION,
        "tool": {"name": "taglint", "version": __version__},
        "findings": [finding_dict(f) for f in result.findings],
        "summary": {
            "files_scanned": result.files_scanned,
            "findings": len(result.findings),
            "by_rule": dict(sorted(Counter(f.rule for f in result.findings).items())),
            "errors": list(result.errors),
        },
    }


def render(result: Any, options: Any) -> str:
    """One finding per line: readable, diffable, and fast (``indent`` would
    force the pure-Python encoder, which dominated large scans)."""
    report = report_dict(result)
    findings = ",\n    ".join(json.dumps(f, ensure_ascii=False) for f in report["findings"])
    body = f"[\n    {findings}\n  ]" if findings else "[]"
    return (
        "{\n"
        f'  "version": {json.dumps(report["version"])},\n'
        f'  "tool": {json.dumps(report["tool"], ensure_ascii=False)},\n'
        f'  "findings": {body},\n'
        f'  "summary": {json.dumps(report["summary"], ensure_ascii=False)}\n'
        "}\n"
    )
