"""TL114 numeric-tag: image tags written as bare YAML numbers."""
from __future__ import annotations

from pathlib import Path

import pytest

from taglint.yamlnodes import go_float_text
from taglint.config import Config
from taglint.engine import scan
from taglint.model import Edit, Finding, Span


def findings(tmp_path: Path, files: dict[str, str]) -> list[Finding]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = scan(["."], Config(select=("TL114",)), cwd=tmp_path)
    assert not result.errors, result.errors
    return [f for f in result.findings if f.rule == "TL114"]


def kustomization(tag: str) -> dict[str, str]:
    return {"kustomization.yaml": f"images:\n- name: app\n  newTag: {tag}\n"}


def test_float_tag_loses_its_trailing_zero(tmp_path: Path) -> None:
    [found] = findings(tmp_path, kustomization("1.10"))
    assert found.span == Span(3, 11, 3, 15)
    assert found.reference == "app:1.1"
    assert "`1.10`" in found.message and "kustomize turns it into `1.1`" in found.message
    assert found.fix is not None and found.fix.applicability == "safe"
    assert found.fix.edits == (Edit(Span(3, 11, 3, 15), '"1.10"'),)
    assert 'newTag: "1.10"' in found.fix.description


@pytest.mark.parametrize("tag", ['"1.10"', "'1.10'", "v1.10", "1.10.0", '"010"'])
def test_quoted_or_non_numeric_tag_is_fine(tmp_path: Path, tag: str) -> None:
    assert findings(tmp_path, kustomization(tag)) == []


def test_float_that_survives_is_still_reported(tmp_path: Path) -> None:
    [found] = findings(tmp_path, kustomization("2.5"))
    assert found.reference == "app:2.5"
    assert "only by luck" in found.message
    assert found.fix is not None and found.fix.edits == (Edit(Span(3, 11, 3, 14), '"2.5"'),)


def test_small_plain_integer_is_not_reported(tmp_path: Path) -> None:
    # Typed as a number, but the tag the tool uses is exactly what is written.
    assert findings(tmp_path, kustomization("3")) == []
    assert findings(tmp_path, kustomization("20230615")) == []  # kustomize keeps integer text


@pytest.mark.parametrize("tag,used", [("010", "8"), ("1_000", "1000"), ("+5", "5"), ("0x1F", "31")])
def test_integer_written_differently_is_reported(tmp_path: Path, tag: str, used: str) -> None:
    [found] = findings(tmp_path, kustomization(tag))
    assert found.reference == f"app:{used}"
    assert found.fix is not None and found.fix.edits[0].text == f'"{tag}"'


def test_one_finding_per_scalar_when_resources_use_the_override(tmp_path: Path) -> None:
    deployment = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  template:\n    spec:\n"
        "      containers:\n      - name: a\n        image: app\n      - name: b\n        image: app:0.9\n"
    )
    files = {
        "kustomization.yaml": "resources:\n- deployment.yaml\nimages:\n- name: app\n  newTag: 1.10\n",
        "deployment.yaml": deployment,
    }
    [found] = findings(tmp_path, files)
    assert (found.path, found.span.line) == ("kustomization.yaml", 5)


CHART = "apiVersion: v2\nname: web\nversion: 0.1.0\nappVersion: '1.0.0'\n"


def test_helm_values_float_tag(tmp_path: Path) -> None:
    values = "image:\n  registry: ghcr.io\n  repository: acme/web\n  tag: 1.10\n"
    [found] = findings(tmp_path, {"chart/Chart.yaml": CHART, "chart/values.yaml": values})
    assert (found.path, found.span) == ("chart/values.yaml", Span(4, 8, 4, 12))
    assert found.reference == "ghcr.io/acme/web:1.1"
    assert "Helm turns it into `1.1`" in found.message
    assert found.fix is not None and found.fix.edits == (Edit(Span(4, 8, 4, 12), '"1.10"'),)


def test_helm_values_quoted_and_small_integer_tags_are_fine(tmp_path: Path) -> None:
    values = "image:\n  repository: acme/web\n  tag: '1.10'\nother:\n  image:\n    repository: acme/o\n    tag: 3\n"
    assert findings(tmp_path, {"chart/Chart.yaml": CHART, "chart/values.yaml": values}) == []


def test_helm_values_large_integer_and_image_tag_sibling(tmp_path: Path) -> None:
    values = "image:\n  repository: acme/web\n  tag: 20230615\ndb:\n  image: mysql\n  imageTag: 5.7\n"
    found = findings(tmp_path, {"chart/Chart.yaml": CHART, "chart/values.yaml": values})
    assert [(f.span.line, f.reference) for f in found] == [
        (3, "acme/web:2.0230615e+07"),
        (6, "mysql:5.7"),
    ]
    assert "imageTag: \"5.7\"" in found[1].fix.description  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "number,text",
    [(1.1, "1.1"), (2.5, "2.5"), (3.0, "3"), (100.0, "100"), (999999.0, "999999"), (1e6, "1e+06"),
     (20230615.0, "2.0230615e+07"), (0.0001, "0.0001"), (0.00001, "1e-05"), (-2.5, "-2.5"), (0.0, "0")],
)
def test_go_float_text(number: float, text: str) -> None:
    assert go_float_text(number) == text
