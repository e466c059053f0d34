"""The engine as a library: what ``scan`` promises whatever its caller passes."""
from __future__ import annotations

from pathlib import Path

import pytest

from taglint.config import Config
from taglint.engine import scan

FIXTURES = Path(__file__).parent / "fixtures"


def _summary(cwd: Path) -> list[tuple[str, str, int, int, str]]:
    return [(f.rule, f.path, f.span.line, f.span.column, f.message) for f in scan(["."], Config(), cwd=cwd).findings]


def test_a_relative_working_directory_gives_the_findings_of_the_absolute_one(monkeypatch: pytest.MonkeyPatch) -> None:
    absolute = _summary(FIXTURES)
    monkeypatch.chdir(FIXTURES.parent)
    assert _summary(Path(FIXTURES.name)) == absolute
    monkeypatch.chdir(FIXTURES)
    assert _summary(Path(".")) == absolute


def test_the_result_keeps_the_resolved_facts_of_every_scanned_file() -> None:
    result = scan(["."], Config(), cwd=FIXTURES)
    assert len(result.files) == result.files_scanned > 300
    assert {facts.kind for facts in result.files} >= {"dockerfile", "kubernetes", "helm-values", "kustomization"}
