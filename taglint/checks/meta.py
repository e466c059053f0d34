"""Check kinds about the scan itself: TL001 parse errors, TL002 unused suppressions."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from taglint.model import Hit
from taglint.suppress import unused

if TYPE_CHECKING:
    from taglint.project import Project
    from taglint.ruleset import Rule


def check_parse_errors(rule: Rule, project: Project) -> Iterator[Hit]:
    for facts in project.files:
        for problem in facts.problems:
            yield Hit(path=problem.path, span=problem.span, fields={"problem": problem.message, "kind": facts.kind})


def check_unused_suppressions(rule: Rule, project: Project) -> Iterator[Hit]:
    for suppression in project.suppressions:
        codes = unused(suppression, project.active_codes)
        if codes:
            what = "ignore-file" if suppression.whole_file else "ignore"
            yield Hit(
                path=suppression.path,
                span=suppression.span,
                fields={"codes": ", ".join(codes), "what": what},
            )
