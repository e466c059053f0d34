"""Inline suppressions: ``# taglint: ignore[TL101,TL102] reason`` on the
finding's line or alone on the line above, ``# taglint: ignore-file[...]``
anywhere in a file (``//`` comments work too, for Jenkinsfiles).  A bare
``ignore`` (no brackets) suppresses every rule.  Codes are prefixes; a
rule name stands for its code (``ignore[untagged-image]``); a code or name
no rule has suppresses nothing and is reported (TL002).

In a Dockerfile only a comment line counts: ``#`` after an instruction is
not a comment to Docker but more arguments (``FROM ubuntu # taglint: …``
fails to build), so such a suppression suppresses nothing and TL002 reports
it with a fix that moves it to its own line above."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from taglint.model import Edit, Finding, Span
from taglint.source import split_lines

if TYPE_CHECKING:
    from taglint.ruleset import Rule

_COMMENT = re.compile(
    r"(?P<lead>^\s*)?(?:#|//)\s*taglint:\s*(?P<what>ignore-file|ignore)\b(?:\[(?P<codes>[^\]]*)\])?"
)


@dataclass(frozen=True)
class UnknownCode:
    """A code or name in a suppression that no rule has."""

    written: str
    column: int  # 1-based, on the suppression's line
    suggestion: str | None  # the nearest known code or name


@dataclass
class Suppression:
    path: str
    span: Span
    codes: tuple[str, ...]  # code prefixes; as written until resolve_suppression_codes
    whole_file: bool
    own_line: bool  # the comment is alone on its line: it also covers the next line
    used: set[str] = field(default_factory=set)
    report_unused: bool = True  # False for files read only because a finding moved there
    columns: tuple[int, ...] = ()  # where each code is written (1-based), by code
    unknown: tuple[UnknownCode, ...] = ()  # codes and names no rule has
    # After a Dockerfile instruction: arguments to Docker, not a comment.  It
    # suppresses nothing; ``move_above`` puts it on its own line above.
    docker_argument: bool = False
    move_above: tuple[Edit, ...] = ()

    @property
    def every_rule(self) -> bool:
        """No codes written (``ignore``, ``ignore[]``): every rule."""
        return not self.codes and not self.unknown

    @property
    def blanket_file(self) -> bool:
        """``ignore-file`` with no codes: every rule off for the whole file."""
        return self.whole_file and self.every_rule

    def covers(self, finding: Finding) -> bool:
        if finding.path != self.path or self.docker_argument:
            return False
        if not self.whole_file:
            lines = {self.span.line, self.span.line + 1} if self.own_line else {self.span.line}
            if finding.span.line not in lines:
                return False
        return self.every_rule or _matches(finding.rule, self.codes)


def _matches(code: str, prefixes: tuple[str, ...]) -> bool:
    return any(prefix == "ALL" or code.startswith(prefix) for prefix in prefixes)


def parse_suppressions(path: str, text: str, kind: str | None = None) -> list[Suppression]:
    """The suppression comments of a file; ``kind`` is the file's kind
    (in a ``dockerfile`` a comment after an instruction is an argument)."""
    if "taglint:" not in text:
        return []
    found = []
    newline = "\r\n" if "\r\n" in text else "\n"
    for number, line in enumerate(split_lines(text), start=1):  # as findings count lines
        if "taglint:" not in line:
            continue
        match = _COMMENT.search(line)
        if not match:
            continue
        codes, columns = _written_codes(match)
        start = match.start() + (len(match.group("lead")) if match.group("lead") else 0)
        own_line = match.group("lead") is not None
        docker_argument = kind == "dockerfile" and not own_line and line[start] == "#"
        found.append(
            Suppression(
                path=path,
                span=Span(number, start + 1, number, len(line.rstrip()) + 1),
                codes=codes,
                whole_file=match.group("what") == "ignore-file",
                own_line=own_line,
                columns=columns,
                docker_argument=docker_argument,
                move_above=_move_above(line, number, start, newline) if docker_argument else (),
            )
        )
    return found


def _move_above(line: str, number: int, start: int, newline: str) -> tuple[Edit, ...]:
    """Edits that move the trailing comment at ``start`` (0-based) of
    ``line`` to a line of its own above, at the line's indentation."""
    comment = line[start:].rstrip()
    before = line[:start].rstrip()
    indent = line[: len(line) - len(line.lstrip())]
    end = len(line.rstrip()) + 1
    return (
        Edit(Span(number, 1, number, 1), f"{indent}{comment}{newline}"),
        Edit(Span(number, len(before) + 1, number, end), ""),
    )


def _written_codes(match: re.Match[str]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The codes between the brackets as written, and the column of each."""
    text = match.group("codes")
    if not text:
        return (), ()
    codes: list[str] = []
    columns: list[int] = []
    offset = match.start("codes")
    for part in text.split(","):
        token = part.strip()
        if token:
            codes.append(token)
            columns.append(offset + len(part) - len(part.lstrip()) + 1)
        offset += len(part) + 1
    return tuple(codes), tuple(columns)


def resolve_suppression_codes(suppressions: list[Suppression], rules: Mapping[str, Rule]) -> None:
    """Each suppression's codes as code prefixes (a rule name becomes its
    code); codes and names no rule has move to ``unknown``: they suppress
    nothing, and TL002 reports them."""
    from taglint.codes import RuleCodes

    known = RuleCodes(rules)
    for suppression in suppressions:
        codes: list[str] = []
        kept_columns: list[int] = []
        unknown: list[UnknownCode] = []
        columns = suppression.columns or (suppression.span.column,) * len(suppression.codes)
        for token, column in zip(suppression.codes, columns):
            code = known.lookup(token)
            if code is None:
                unknown.append(UnknownCode(token, column, known.suggestion(token)))
            else:
                codes.append(code)
                kept_columns.append(column)
        suppression.codes = tuple(codes)
        suppression.columns = tuple(kept_columns)
        suppression.unknown = (*suppression.unknown, *unknown)


def apply_suppressions(findings: list[Finding], suppressions: list[Suppression]) -> list[Finding]:
    """The findings no suppression covers; marks the suppressions that were used."""
    by_path: dict[str, list[Suppression]] = {}
    for suppression in suppressions:
        by_path.setdefault(suppression.path, []).append(suppression)
    kept = []
    for finding in findings:
        covering = [s for s in by_path.get(finding.path, ()) if s.covers(finding)]
        for suppression in covering:
            suppression.used.add(finding.rule)
        if not covering:
            kept.append(finding)
    return kept


def unused(suppression: Suppression, active_codes: set[str]) -> list[str]:
    """Codes of a suppression that matched nothing (only codes of rules that ran)."""
    if not suppression.report_unused:
        return []
    if suppression.every_rule:
        return [] if suppression.used else ["all rules"]
    out = []
    for code in suppression.codes:
        ran = any(_matches(active, (code,)) for active in active_codes)
        hit = any(_matches(used, (code,)) for used in suppression.used)
        if ran and not hit:
            out.append(code)
    return out
