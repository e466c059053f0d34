"""``--format gitlab``: a GitLab Code Quality report (the JSON array of
issues a job publishes as ``artifacts:reports:codequality``), shown in the
merge request widget and diff.

Each issue has ``description`` (the message), ``check_name`` (the rule
code), a ``fingerprint`` independent of line numbers (:mod:`taglint.fingerprint`,
so GitLab sees a moved finding as the same one and only new findings as
new), ``severity`` and ``location.path``/``location.lines.begin``."""
from __future__ import annotations

import json
from typing import Any, TextIO

from taglint.fingerprint import result_fingerprints
from taglint.model import Finding
from taglint.report import rule_info

# GitLab's severities are info, minor, major, critical and blocker.  An error
# is major, or critical for the rules that expose credentials or turn TLS
# off (a high security-severity).
SEVERITY = {"info": "info", "warning": "minor", "error": "major"}


def severity(finding: Finding) -> str:
    if finding.severity == "error" and rule_info.security_severity(finding.rule) == rule_info.HIGH:
        return "critical"
    return SEVERITY.get(finding.severity, "minor")


def issue(finding: Finding, fingerprint: str) -> dict[str, Any]:
    description = finding.message
    if finding.fix is not None and finding.fix.description:
        description = f"{description} Fix: {finding.fix.description}"
    return {
        "type": "issue",
        "description": description,
        "check_name": finding.rule,
        "categories": ["Security"] if rule_info.security_severity(finding.rule) else ["Bug Risk"],
        "fingerprint": fingerprint,
        "severity": severity(finding),
        "location": {"path": finding.path, "lines": {"begin": finding.span.line, "end": finding.span.end_line}},
    }


def write(result: Any, options: Any, out: TextIO) -> None:
    """The report, written to ``out`` in pieces as it is encoded (the same
    text as ``json.dumps(..., indent=2)``)."""
    from taglint.report import write_chunks

    issues = [issue(f, fp) for f, fp in zip(result.findings, result_fingerprints(result))]
    write_chunks(json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(issues), out)
    out.write("\n")
