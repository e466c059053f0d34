"""One finding per construct (issue 10, item 12): rules of one precedence
group on one span become one finding with the others as notes; nothing
else is reported on the line of a Dockerfile parse error."""
from __future__ import annotations

from pathlib import Path

import pytest

from taglint.config import Config
from taglint.engine import scan
from taglint.model import Finding, Span
from taglint.precedence import drop_inside_parse_errors, merge_same_construct, precedence_groups
from taglint.ruleset import load_rules

_PIPELINE = """\
stages: [release]

release:
  stage: release
  image: docker:27.3.1
  services: [docker:27.3.1-dind]
  script:
    - docker build -t myapp:1.0 .
    - docker push myapp{comment}
"""


def _push_findings(tmp_path: Path, comment: str = "", **config: object) -> list[Finding]:
    (tmp_path / ".gitlab-ci.yml").write_text(_PIPELINE.format(comment=comment))
    result = scan(["."], Config().with_overrides(**config), cwd=tmp_path)
    assert not result.errors
    return [f for f in result.findings if f.span.line == 9]


def _notes(finding: Finding) -> list[str]:
    return [r.message.split(" ", 2)[1] for r in finding.related]


def test_a_push_that_three_rules_judge_is_one_finding_with_two_notes(tmp_path: Path) -> None:
    findings = _push_findings(tmp_path)
    assert [f.rule for f in findings] == ["TL205"]
    assert _notes(findings[0]) == ["TL201", "TL209"]
    assert all(r.location.span == findings[0].span for r in findings[0].related)
    assert "never logs in" in findings[0].related[1].message


@pytest.mark.parametrize("how", ["ignore", "comment"])
def test_ignoring_the_winner_lets_the_next_one_through(tmp_path: Path, how: str) -> None:
    if how == "ignore":
        findings = _push_findings(tmp_path, ignore=("TL205",))
    else:
        findings = _push_findings(tmp_path, comment="  # taglint: ignore[TL205]")
    assert [f.rule for f in findings] == ["TL201"]
    assert _notes(findings[0]) == ["TL209"]


def test_selecting_one_rule_of_a_group_gives_it_without_notes(tmp_path: Path) -> None:
    findings = _push_findings(tmp_path, select=("TL209",))
    assert [(f.rule, f.related) for f in findings] == [("TL209", ())]


def test_suppressing_a_folded_rule_is_not_an_unused_suppression(tmp_path: Path) -> None:
    (tmp_path / ".gitlab-ci.yml").write_text(_PIPELINE.format(comment="  # taglint: ignore[TL209]"))
    result = scan(["."], Config().with_overrides(extend_select=("TL002",)), cwd=tmp_path)
    assert [f.rule for f in result.findings if f.span.line == 9] == ["TL205"]
    assert _notes(next(f for f in result.findings if f.span.line == 9)) == ["TL201"]


def _finding(rule: str, severity: str = "warning", line: int = 3, path: str = "Dockerfile") -> Finding:
    return Finding(rule, rule.lower(), severity, path, Span(line, 6, line, 12), f"{rule} says so")


def test_the_most_severe_wins_and_ties_go_to_the_first_listed() -> None:
    groups = (("TL101", "TL110"),)
    merged = merge_same_construct([_finding("TL110", "error"), _finding("TL101")], groups)
    assert [(f.rule, _notes(f)) for f in merged] == [("TL110", ["TL101"])]
    merged = merge_same_construct([_finding("TL110"), _finding("TL101")], groups)
    assert [(f.rule, _notes(f)) for f in merged] == [("TL101", ["TL110"])]


def test_rules_of_different_groups_or_spans_never_merge() -> None:
    groups = (("TL101",), ("TL201",))
    findings = [_finding("TL101"), _finding("TL201"), _finding("TL101", line=4), _finding("TL113")]
    assert merge_same_construct(findings, groups) == findings


def test_every_code_in_the_precedence_data_is_a_rule_and_appears_once() -> None:
    codes = [code for group in precedence_groups() for code in group]
    assert codes and len(codes) == len(set(codes))
    assert set(codes) <= set(load_rules())
    assert ("TL205", "TL201", "TL209") == tuple(c for c in precedence_groups()[1] if c in ("TL201", "TL205", "TL209"))


def test_a_parse_error_hides_the_other_findings_of_its_line_only() -> None:
    broken = _finding("TL001", line=2)
    same_line, next_line = _finding("TL107", line=2), _finding("TL101", line=3)
    assert drop_inside_parse_errors([broken, same_line, next_line]) == [broken, next_line]
    elsewhere = _finding("TL107", line=2, path="other/Dockerfile")
    assert drop_inside_parse_errors([broken, elsewhere]) == [broken, elsewhere]


def test_recovered_image_lines_of_broken_yaml_keep_their_findings(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
        "    - name: [web\n    - image: redis:latest\n"
    )
    result = scan(["."], Config(), cwd=tmp_path)
    rules = {(f.rule, f.span.line) for f in result.findings}
    assert ("TL001", 8) in rules and ("TL102", 8) in rules
