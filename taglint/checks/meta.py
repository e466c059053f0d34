"""Check kinds about the scan itself: TL001 parse errors, TL002 unused suppressions."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from taglint.model import Hit, Span
from taglint.suppress import unused

if TYPE_CHECKING:
    from taglint.project import Project
    from taglint.ruleset import Rule


def check_parse_errors(rule: Rule, project: Project) -> Iterator[Hit]:
    for facts in project.files:
        # A broken Kubernetes or Compose file still has the images of its
        # `image:` lines read (taglint.extract.broken_yaml.RECOVERED).
        consequence = rule.params["some-checked" if facts.extras.get("image-lines-recovered") else "none-checked"]
        for problem in facts.problems:
            fields = {"problem": problem.message, "kind": facts.kind, "consequence": consequence}
            yield Hit(path=problem.path, span=problem.span, fields=fields)


def check_unused_suppressions(rule: Rule, project: Project) -> Iterator[Hit]:
    """Suppressions that matched nothing (on the comment), trailing ones in
    Dockerfiles (arguments to Docker, moved above by the fix), blanket
    ``ignore-file`` comments (a warning), and codes or names in them that no
    rule has (on the code as written)."""
    for suppression in project.suppressions:
        what = "ignore-file" if suppression.whole_file else "ignore"
        codes = unused(suppression, project.active_codes)
        if suppression.docker_argument and suppression.report_unused:
            yield Hit(
                path=suppression.path,
                span=suppression.span,
                fields={
                    "codes": ", ".join(suppression.codes) or "every rule", "what": what,
                    "problem": rule.params["docker-argument"], "fix_variant": "docker-argument",
                    "severity": "warning",  # it suppresses nothing, and breaks the build after FROM
                },
                edits=suppression.move_above,
                applicability="safe",
            )
        elif suppression.blanket_file and suppression.report_unused:
            problem = rule.params["unused"] if codes else rule.params["blanket-file"]
            yield Hit(
                path=suppression.path,
                span=suppression.span,
                fields={"codes": "no rule", "what": what, "problem": problem, "severity": "warning",
                        "fix_variant": "blanket-file"},
            )
        elif codes:
            yield Hit(
                path=suppression.path,
                span=suppression.span,
                fields={"codes": ", ".join(codes), "what": what, "problem": rule.params["unused"]},
            )
        if not suppression.report_unused:
            continue
        line = suppression.span.line
        for unknown in suppression.unknown:
            hint = f" (did you mean {unknown.suggestion}?)" if unknown.suggestion else ""
            yield Hit(
                path=suppression.path,
                span=Span(line, unknown.column, line, unknown.column + len(unknown.written)),
                fields={"codes": unknown.written, "what": what, "problem": rule.params["unknown"] + hint},
            )
