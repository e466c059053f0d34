"""``--format junit``: JUnit XML, for CI systems that only show test results.

One test suite per file checked, one test case per finding (named
``TL101 untagged-image at 5:13``); a finding at or above ``fail-on`` is a
``<failure>``, one below it a passing case that says what it found, so the
test view agrees with taglint's exit code.  A file without findings is
one passing case, so the count of tests is the count of files; the errors
of the run are ``<error>`` cases of a ``taglint`` suite.  No timestamps or
host names: the same scan gives the same file."""
from __future__ import annotations

import itertools
import re
from typing import Any, TextIO
from xml.etree import ElementTree as ET

from taglint.model import Finding, severity_rank
from taglint.report.text import clean

CLEAN_CASE = "no findings"
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text XML 1.0 can carry: control characters escaped as ``\\x1b`` (as
    in the text report), lone surrogates and non-characters replaced."""
    return _NOT_XML.sub("\ufffd", clean(text))


def _detail(finding: Finding) -> str:
    span = finding.span
    lines = [f"{finding.path}:{span.line}:{span.column}: {finding.rule} [{finding.severity}] {finding.message}"]
    if finding.fix is not None and finding.fix.description:
        label = "fix" if not finding.fix.edits else f"fix ({finding.fix.applicability})"
        lines.append(f"{label}: {finding.fix.description}")
    for related in finding.related:
        where = related.location
        lines.append(f"note: {where.path}:{where.span.line}:{where.span.column}: {related.message}")
    return xml_text("\n".join(lines))


def _case(suite: ET.Element, finding: Finding, failing: bool) -> None:
    span = finding.span
    case = ET.SubElement(suite, "testcase", {
        "name": f"{finding.rule} {finding.name} at {span.line}:{span.column}",
        "classname": xml_text(finding.path),
        "file": xml_text(finding.path),
        "line": str(span.line),
    })
    if failing:
        failure = ET.SubElement(case, "failure", {"message": xml_text(finding.message), "type": finding.severity})
        failure.text = _detail(finding)
    else:
        ET.SubElement(case, "system-out").text = _detail(finding)


def _count(suite: ET.Element) -> None:
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    suite.set("errors", str(sum(1 for c in cases if c.find("error") is not None)))
    suite.set("skipped", "0")


def _files(result: Any) -> list[tuple[str, list[Finding]]]:
    """Each scanned file (or file with findings) and its findings, by path."""
    by_path: dict[str, list[Finding]] = {}
    for facts in getattr(result, "files", []):
        by_path.setdefault(facts.path, [])
    for finding in result.findings:
        by_path.setdefault(finding.path, []).append(finding)
    return [(path, by_path[path]) for path in sorted(by_path)]


def _file_suite(path: str, findings: list[Finding], threshold: int) -> ET.Element:
    suite = ET.Element("testsuite", {"name": xml_text(path)})
    for finding in findings:
        _case(suite, finding, severity_rank(finding.severity) >= threshold)
    if not findings:
        ET.SubElement(suite, "testcase", {"name": CLEAN_CASE, "classname": xml_text(path), "file": xml_text(path)})
    _count(suite)
    return suite


def _error_suite(errors: list[str]) -> ET.Element:
    suite = ET.Element("testsuite", {"name": "taglint"})
    for number, error in enumerate(errors, start=1):
        case = ET.SubElement(suite, "testcase", {"name": f"error {number}", "classname": "taglint"})
        ET.SubElement(case, "error", {"message": xml_text(error)}).text = xml_text(error)
    _count(suite)
    return suite


def write(result: Any, options: Any, out: TextIO) -> None:
    """The report, written to ``out`` one test suite (one file) at a time:
    the text ``ElementTree`` gives for the whole tree, indented, with one
    file's elements in memory at a time."""
    threshold = severity_rank(getattr(options, "fail_on", "warning"))
    files = _files(result)
    errors = list(result.errors)
    root = ET.Element("testsuites", {"name": "taglint"})
    root.set("tests", str(sum(len(findings) or 1 for _, findings in files) + len(errors)))
    root.set("failures", str(sum(1 for f in result.findings if severity_rank(f.severity) >= threshold)))
    root.set("errors", str(len(errors)))
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    count = len(files) + (1 if errors else 0)
    if not count:
        out.write(ET.tostring(root, encoding="unicode") + "\n")
        return
    root.text = "\0"
    opening = ET.tostring(root, encoding="unicode")
    out.write(opening[: opening.index("\0")] + "\n  ")  # the root's start tag, and its first indentation
    suites = (_file_suite(path, findings, threshold) for path, findings in files)
    for number, suite in enumerate(itertools.chain(suites, [_error_suite(errors)] if errors else []), start=1):
        ET.indent(suite, level=1)
        suite.tail = "\n  " if number < count else "\n"  # as ET.indent of the whole tree sets them
        out.write(ET.tostring(suite, encoding="unicode"))
    out.write("</testsuites>\n")
