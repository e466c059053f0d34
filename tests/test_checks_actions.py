"""TL301 action-unpinned-branch and TL302 action-mutable-tag."""
from __future__ import annotations

from pathlib import Path

import pytest

from taglint.checks.actions import (
    check_mutable_tag,
    check_unpinned_branch,
    mutable_reason,
    unpinned_reason,
)
from taglint.config import Config
from taglint.engine import scan
from taglint.model import ActionRef, FileFacts, Span
from taglint.project import Project
from taglint.ruleset import builtin_rules

SHA = "11bd71901bbe5b1630ceea73d27597364c9af683"


def ref(name: str, version: str | None, kind: str = "github-workflow") -> ActionRef:
    written = name if version is None else f"{name}@{version}"
    return ActionRef("ci.yml", Span(1, 1, 1, 1 + len(written)), kind, name, version, written)


def run(check, refs: list[ActionRef]) -> list[str]:
    rule = builtin_rules()["TL301" if check is check_unpinned_branch else "TL302"]
    project = Project([FileFacts("ci.yml", "github-workflow", actions=refs)], Config())
    return [hit.reference for hit in check(rule, project)]


@pytest.mark.parametrize(
    "version,kind",
    [
        ("main", "github-workflow"), ("master", "github-workflow"), ("HEAD", "github-action"),
        ("develop", "github-workflow"), ("dev", "github-workflow"), ("trunk", "github-workflow"),
        (None, "github-workflow"), ("~latest", "gitlab-ci"), ("volatile", "circleci"),
        ("dev:alpha", "circleci"), ("dev:1.0.0", "circleci"),
    ],
)
def test_unpinned(version: str | None, kind: str) -> None:
    item = ref("owner/repo", version, kind)
    assert run(check_unpinned_branch, [item]) == [item.written]
    assert run(check_mutable_tag, [item]) == []  # one finding per ref: TL301's


@pytest.mark.parametrize(
    "version,kind,mutable",
    [
        ("v4", "github-workflow", True),
        ("v4.2.2", "github-workflow", True),
        ("41dfa10", "github-workflow", True),  # a short SHA is not immutable
        (SHA, "github-workflow", False),
        (SHA.upper(), "github-workflow", False),
        ("1.2.3", "gitlab-ci", True),
        (SHA, "gitlab-ci", False),
        ("5", "circleci", True),
        ("5.2", "circleci", True),
        ("5.2.0", "circleci", False),
        ("main-feature", "github-workflow", True),
    ],
)
def test_mutable(version: str, kind: str, mutable: bool) -> None:
    item = ref("owner/repo", version, kind)
    assert run(check_unpinned_branch, [item]) == []
    assert run(check_mutable_tag, [item]) == ([item.written] if mutable else [])


def test_reasons_name_the_ref() -> None:
    params = builtin_rules()["TL301"].params
    assert "`main`" in (unpinned_reason(ref("a/b", "main"), params) or "")
    assert "no ref" in (unpinned_reason(ref("a/b", None), params) or "")
    assert "`v4`" in (mutable_reason(ref("a/b", "v4")) or "")


def test_branches_are_configurable_through_params() -> None:
    assert unpinned_reason(ref("a/b", "release"), {"branches": ["release"]}) is not None
    assert unpinned_reason(ref("a/b", "main"), {"branches": ["release"]}) is None


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_end_to_end_tl301_and_strict_tl302(tmp_path: Path) -> None:
    _write(
        tmp_path,
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@main\n      - uses: actions/setup-node@v4\n",
    )
    default = scan(["."], Config(), cwd=tmp_path)
    assert [(f.rule, f.span.line, f.span.column) for f in default.findings] == [("TL301", 6, 15)]
    assert default.findings[0].message.startswith("`actions/checkout@main` follows the branch `main`")
    strict = scan(["."], Config(strict=True), cwd=tmp_path)
    assert [(f.rule, f.span.line) for f in strict.findings if f.rule.startswith("TL3")] == [("TL301", 6), ("TL302", 7)]


def test_runs_on_is_never_a_finding(tmp_path: Path) -> None:
    _write(tmp_path, ".github/workflows/ci.yml", "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n")
    assert scan(["."], Config(strict=True), cwd=tmp_path).findings == []
