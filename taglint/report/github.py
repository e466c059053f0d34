"""``--format github``: GitHub Actions workflow commands, one per finding,
which GitHub shows as annotations on the lines of the pull request::

    ::warning file=app/Dockerfile,line=5,endLine=5,col=13,endColumn=26,title=TL101 untagged-image::`example/tools` has no tag…

Errors are ``::error``, warnings ``::warning``, info ``::notice``.  Values
are escaped as the Actions runner unescapes them: in the message ``%``,
``\\r`` and ``\\n``; in a property also ``:`` and ``,``.  The last line
is the usual summary, plain text in the log."""
from __future__ import annotations

from typing import Any, Iterator, TextIO

from taglint.model import Finding
from taglint.report import write_lines
from taglint.report.text import baseline_line, summary_line

LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, properties: dict[str, object]) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{level}{' ' + props if props else ''}::{escape_data(message)}"


def annotation(finding: Finding) -> str:
    span = finding.span
    properties: dict[str, object] = {"file": finding.path, "line": span.line, "endLine": span.end_line}
    if span.end_line == span.line:  # GitHub takes columns only for a span on one line
        properties["col"] = span.column
        properties["endColumn"] = span.end_column
    properties["title"] = f"{finding.rule} {finding.name}"
    message = finding.message
    if finding.fix is not None and finding.fix.description:
        message = f"{message}\nFix: {finding.fix.description}"
    return command(LEVEL.get(finding.severity, "warning"), message, properties)


def _lines(result: Any, options: Any) -> Iterator[str]:
    yield from (annotation(finding) for finding in result.findings)
    yield from (command("error", error, {"title": "taglint"}) for error in result.errors)
    yield summary_line(result.findings, result.files_scanned)
    if options.baseline is not None:
        yield baseline_line(options.baseline)


def write(result: Any, options: Any, out: TextIO) -> None:
    """The workflow commands, written to ``out`` one line at a time."""
    write_lines(_lines(result, options), out)
