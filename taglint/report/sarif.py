"""``--format sarif``: SARIF 2.1.0, as GitHub code scanning and other SARIF
viewers read it.

One run.  ``tool.driver.rules`` lists every rule taglint knows, with its
docs (text and markdown), ``helpUri``, tags, precision and, for the push and
login rules, ``security-severity``.  Each result names its rule, level,
message and place (a path relative to ``%SRCROOT%``, the working directory;
the region in SARIF's 1-based columns, counted in Unicode code points as
taglint counts them), related places, ``partialFingerprints`` that survive
line moves (:mod:`taglint.fingerprint`), and ``fixes`` when the finding has
edits.  Suppressed and baselined findings are not in the result list, as in
every other format."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable, Iterator, TextIO
from urllib.parse import quote

from taglint import __version__
from taglint.docs import SECTIONS, rule_markdown
from taglint.fingerprint import SARIF_KEY, result_fingerprints
from taglint.model import Finding, Span
from taglint.report import rule_info

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"


def artifact_location(path: str) -> dict[str, str]:
    """A relative path as a URI reference (``%20`` for a space…) under ``%SRCROOT%``."""
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def region(span: Span) -> dict[str, int]:
    return {"startLine": span.line, "startColumn": span.column, "endLine": span.end_line, "endColumn": span.end_column}


def _help_text(rule: Any) -> str:
    parts = [rule.summary]
    for key, title in SECTIONS:
        value = rule.docs.get(key)
        if not value:
            continue
        if key == "references":
            parts.append(f"{title}:\n" + "\n".join(f"  {ref}" for ref in value))
        elif key in ("example", "use-instead"):
            body = "\n".join(f"    {line}" for line in str(value).rstrip("\n").splitlines())
            parts.append(f"{title}:\n{body}")
        else:
            parts.append(f"{title}\n{str(value).strip()}")
    return "\n\n".join(parts)


def rule_descriptor(rule: Any) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": str(rule.docs.get("what-it-does") or rule.summary).strip()},
        "help": {"text": _help_text(rule), "markdown": rule_markdown(rule)},
        "defaultConfiguration": {"enabled": bool(rule.enabled), "level": rule_info.SARIF_LEVEL[rule.severity]},
        "properties": rule_info.properties(rule.code),
    }
    uri = rule_info.rule_help_uri(rule)
    if uri is not None:
        descriptor["helpUri"] = uri
    return descriptor


def _fixes(finding: Finding) -> list[dict[str, Any]]:
    fix = finding.fix
    if fix is None or not fix.edits or any(edit.unmasked is not None for edit in fix.edits):
        return []  # (a fix that writes a secret is shown masked: not a change a tool could apply)
    replacements = [
        {"deletedRegion": region(edit.span), "insertedContent": {"text": edit.text}}
        for edit in sorted(fix.edits, key=lambda e: e.span)
    ]
    return [{
        "description": {"text": f"{fix.description} ({fix.applicability} fix)"},
        "artifactChanges": [{"artifactLocation": artifact_location(finding.path), "replacements": replacements}],
    }]


def result_object(finding: Finding, rule_index: int | None, fingerprint: str) -> dict[str, Any]:
    out: dict[str, Any] = {"ruleId": finding.rule}
    if rule_index is not None:
        out["ruleIndex"] = rule_index
    out["level"] = rule_info.SARIF_LEVEL.get(finding.severity, "warning")
    message = finding.message
    if finding.fix is not None and finding.fix.description:
        message = f"{message}\nFix: {finding.fix.description}"
    out["message"] = {"text": message}
    out["locations"] = [{"physicalLocation": {
        "artifactLocation": artifact_location(finding.path), "region": region(finding.span),
    }}]
    if finding.related:
        out["relatedLocations"] = [
            {
                "id": number,
                "physicalLocation": {
                    "artifactLocation": artifact_location(related.location.path),
                    "region": region(related.location.span),
                },
                "message": {"text": related.message},
            }
            for number, related in enumerate(finding.related, start=1)
        ]
    out["partialFingerprints"] = {SARIF_KEY: fingerprint}
    fixes = _fixes(finding)
    if fixes:
        out["fixes"] = fixes
    return out


def _srcroot() -> str:
    """The working directory as a ``file:`` URI ending in ``/`` (paths in
    the report are relative to it)."""
    uri = Path(os.getcwd()).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def sarif_log(result: Any, options: Any, *, lazy: bool = False) -> dict[str, Any]:
    """The log; ``lazy``: its ``results`` made one at a time as the
    encoder reads them (:class:`_Lazy`), never all in memory at once."""
    rules = list(getattr(result, "rules", {}).values())
    notifications = [
        {"level": "error", "message": {"text": error}, "descriptor": {"id": "taglint-error"}}
        for error in result.errors
    ]
    notifications += [
        {"level": "note", "message": {"text": f"{skipped.path}: skipped ({skipped.reason})"},
         "descriptor": {"id": "taglint-skipped-file"}}
        for skipped in getattr(result, "skipped", [])
    ]
    invocation: dict[str, Any] = {"executionSuccessful": not result.errors}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "taglint",
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": rule_info.PROJECT_URL,
            "rules": [rule_descriptor(rule) for rule in rules],
        }},
        "invocations": [invocation],
        "originalUriBaseIds": {SRCROOT: {"uri": _srcroot()}},
        "columnKind": "unicodeCodePoints",
        "results": _Lazy(lambda: _results(result, rules), len(result.findings)) if lazy else list(_results(result, rules)),
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _results(result: Any, rules: list[Any]) -> Iterator[dict[str, Any]]:
    """The result objects of the findings, one at a time."""
    index = {rule.code: number for number, rule in enumerate(rules)}
    for finding, fingerprint in zip(list(result.findings), result_fingerprints(result)):
        yield result_object(finding, index.get(finding.rule), fingerprint)


class _Lazy(list):  # type: ignore[type-arg]
    """A list whose items come from ``make()`` as they are read, for the
    JSON encoder: it reads a list with ``len`` and ``for`` (the pure-Python
    encoder, which ``indent`` selects), so the text is the one the full
    list gives, with one item in memory at a time."""

    def __init__(self, make: Callable[[], Iterator[Any]], count: int) -> None:
        super().__init__()
        self._make = make
        self._count = count

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Any]:
        return self._make()


def write(result: Any, options: Any, out: TextIO) -> None:
    """The log, written to ``out`` in pieces as it is encoded, the results
    made one at a time (the same text as ``json.dumps(..., indent=2)``).
    One encoding of the whole log: each ``iterencode`` call builds
    functions that refer to each other, a reference cycle that a scan's
    paused collector would keep."""
    from taglint.report import write_chunks

    encoder = json.JSONEncoder(indent=2, ensure_ascii=False)
    write_chunks(encoder.iterencode(sarif_log(result, options, lazy=True)), out)
    out.write("\n")
