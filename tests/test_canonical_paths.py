"""One spelling per file, one finding per place (issue 14 item 6).

A project outside the working directory, scanned as ``../proj`` and as its
absolute path: findings that come through a resolver (Helm values reached
from a template, a Kustomize base from an overlay, a Compose ``.env``, the
files of a Skaffold project) and findings made on the scanned files name
each file the same way (``discovery.display_path``, which
``ResolveContext.display_path`` calls), so no finding is reported twice
and both scans give the same report.  More than three folders up, every
path is absolute — again one spelling, whichever way the project was named.
The project is built from the rule fixtures.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from taglint.discovery import display_path
from taglint.resolve import ResolveContext

FIXTURES = Path(__file__).parent / "fixtures"
PARTS = {
    "chart": "TL102/helm-values/fail/chart",
    "deploy": "TL102/kustomization/fail",
    "app": "TL102/compose/fail",
    "dev": "TL102/skaffold/fail",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    for name, fixture in PARTS.items():
        shutil.copytree(FIXTURES / fixture, root / name)
    return root


def _findings(cwd: Path, *paths: str) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "taglint", "--no-config", "--format", "json", *paths],
        cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["findings"]


def _places(findings: list[dict]) -> list[tuple[str, str, int, int]]:
    return [(f["rule"], f["path"], f["line"], f["column"]) for f in findings]


def _paths(findings: list[dict]) -> set[str]:
    """Every path a finding names: its own and its notes'."""
    named = {f["path"] for f in findings}
    named |= {note["path"] for f in findings for note in f.get("related", [])}
    return named


def _assert_once_each(findings: list[dict]) -> None:
    repeated = [place for place, count in Counter(_places(findings)).items() if count > 1]
    assert not repeated, repeated
    by_file = Counter((f["rule"], Path(f["path"]).name, f["line"], f["column"]) for f in findings)
    assert not [place for place, count in by_file.items() if count > 1], "one place named two ways"


def test_a_project_beside_the_working_directory(project: Path) -> None:
    other = project.parent / "other"
    other.mkdir()
    relative = _findings(other, "../proj")
    absolute = _findings(other, str(project))
    assert relative, "the fixtures give findings"
    _assert_once_each(relative)
    assert relative == absolute  # the same report, whichever way the project was named
    assert all(path.startswith("../proj/") for path in _paths(relative)), sorted(_paths(relative))
    rules_by_part = {(f["path"].split("/")[2], f["rule"]) for f in relative}
    for part in PARTS:  # every resolver's files are in the report
        assert any(name == part for name, _ in rules_by_part), (part, sorted(rules_by_part))
    values = [f for f in relative if f["path"] == "../proj/chart/values.yaml"]
    assert values and len(values) == len({(f["line"], f["column"]) for f in values})


def test_a_project_far_above_the_working_directory(project: Path) -> None:
    deep = project.parent / "a" / "b" / "c" / "d"
    deep.mkdir(parents=True)
    relative = _findings(deep, "../../../../proj")
    absolute = _findings(deep, str(project))
    _assert_once_each(relative)
    assert relative == absolute
    assert all(path.startswith(str(project) + "/") for path in _paths(relative)), sorted(_paths(relative))


def test_part_of_a_project_names_its_neighbours_the_same_way(project: Path) -> None:
    """Only the overlay and the chart's templates are scanned: the base and
    the values file a resolver reads are named as a scan of them would."""
    other = project.parent / "other"
    other.mkdir()
    overlay = _findings(other, "../proj/deploy/overlays/dev", "../proj/chart/templates")
    whole = _findings(other, "../proj")
    assert overlay
    assert set(_places(overlay)) <= set(_places(whole))
    assert all(path.startswith("../proj/") for path in _paths(overlay))


@pytest.mark.parametrize("up", [0, 1, 3, 4, 6])
def test_discovery_and_resolvers_spell_a_path_alike(tmp_path: Path, up: int) -> None:
    cwd = tmp_path.joinpath(*[f"d{i}" for i in range(up)]) if up else tmp_path
    cwd.mkdir(parents=True, exist_ok=True)
    ctx = ResolveContext(cwd=cwd)
    for target in (tmp_path / "proj" / "chart" / "values.yaml", cwd / "x" / ".." / "Dockerfile"):
        spelled = display_path(target, cwd)
        assert ctx.display_path(target) == spelled
        assert ctx.display_path(str(target)) == spelled
        assert ctx.display_path(ctx.fs_path(spelled)) == spelled
        assert ".." not in spelled.split("/")[up:]  # normalised: no a/../b
