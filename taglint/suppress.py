"""Inline suppressions: ``# taglint: ignore[TL101,TL102] reason`` on the
finding's line or alone on the line above, ``# taglint: ignore-file[...]``
anywhere in a file (``//`` comments work too, for Jenkinsfiles).  A bare
``ignore`` (no brackets) suppresses every rule.  Codes are prefixes."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from taglint.model import Finding, Span

_COMMENT = re.compile(
    r"(?P<lead>^\s*)?(?:#|//)\s*taglint:\s*(?P<what>ignore-file|ignore)\b(?:\[(?P<codes>[^\]]*)\])?"
)


@dataclass
class Suppression:
    path: str
    span: Span
    codes: tuple[str, ...]  # empty: every rule
    whole_file: bool
    own_line: bool  # the comment is alone on its line: it also covers the next line
    used: set[str] = field(default_factory=set)
    report_unused: bool = True  # False for files read only because a finding moved there

    def covers(self, finding: Finding) -> bool:
        if finding.path != self.path:
            return False
        if not self.whole_file:
            lines = {self.span.line, self.span.line + 1} if self.own_line else {self.span.line}
            if finding.span.line not in lines:
                return False
        return not self.codes or any(finding.rule.startswith(code) for code in self.codes)


def parse_suppressions(path: str, text: str) -> list[Suppression]:
    if "taglint:" not in text:
        return []
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if "taglint:" not in line:
            continue
        match = _COMMENT.search(line)
        if not match:
            continue
        codes = tuple(c.strip().upper() for c in (match.group("codes") or "").split(",") if c.strip())
        start = match.start() + (len(match.group("lead")) if match.group("lead") else 0)
        found.append(
            Suppression(
                path=path,
                span=Span(number, start + 1, number, len(line.rstrip()) + 1),
                codes=codes,
                whole_file=match.group("what") == "ignore-file",
                own_line=match.group("lead") is not None,
            )
        )
    return found


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
    if not suppression.codes:
        return [] if suppression.used else ["all rules"]
    out = []
    for code in suppression.codes:
        ran = any(active.startswith(code) for active in active_codes)
        hit = any(used.startswith(code) for used in suppression.used)
        if ran and not hit:
            out.append(code)
    return out
