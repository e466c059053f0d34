"""Fix texts fit the file they are written for: the commit variable of its
CI system, the image name as written, no version a publisher never made."""
from __future__ import annotations

from pathlib import Path

import pytest

from taglint.config import Config
from taglint.engine import scan
from taglint.fix.suggestions import commit_expression

PUSH = "docker push registry.example.com/team/app"

FILES = {
    "github-workflow": (
        ".github/workflows/release.yml",
        f"on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {PUSH}\n",
        "${{ github.sha }}",
    ),
    "gitlab-ci": (".gitlab-ci.yml", f"image-push:\n  script:\n    - {PUSH}\n", "$CI_COMMIT_SHORT_SHA"),
    "makefile": ("Makefile", f"push:\n\t{PUSH}\n", "$(shell git rev-parse --short HEAD)"),
    "cloudbuild": (
        "cloudbuild.yaml",
        "steps:\n  - name: gcr.io/cloud-builders/docker:24.0.9\n    args: [push, registry.example.com/team/app]\n",
        "$SHORT_SHA",
    ),
    "shell": ("scripts/release.sh", f"#!/bin/sh\nset -e\n{PUSH}\n", "$(git rev-parse --short HEAD)"),
    "azure-pipelines": (
        "azure-pipelines.yml",
        f"steps:\n  - script: {PUSH}\n",
        "$(Build.SourceVersion)",
    ),
}


@pytest.mark.parametrize("kind", sorted(FILES))
def test_the_commit_tag_a_fix_suggests_is_the_one_of_the_file_kind(kind: str, tmp_path: Path) -> None:
    path, text, expected = FILES[kind]
    target = tmp_path / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    findings = [f for f in scan(["."], Config(select=("TL201",)), cwd=tmp_path).findings if f.rule == "TL201"]
    assert [f.path for f in findings] == [path]
    fix = findings[0].fix
    assert fix is not None
    assert f"`registry.example.com/team/app:{expected}`" in fix.description
    if kind != "gitlab-ci":
        assert "CI_COMMIT" not in fix.description


@pytest.mark.parametrize(
    "kind,expected",
    [
        ("circleci", "$CIRCLE_SHA1"),
        ("bitbucket-pipelines", "$BITBUCKET_COMMIT"),
        ("drone", "$DRONE_COMMIT_SHA"),
        ("jenkinsfile", "$GIT_COMMIT"),
        ("github-action", "${{ github.sha }}"),
        ("dockerfile", "$(git rev-parse --short HEAD)"),
    ],
)
def test_commit_expression_table(kind: str, expected: str) -> None:
    assert commit_expression(kind) == expected


def _fixes(tmp_path: Path, dockerfile: str, code: str) -> list[str]:
    (tmp_path / "Dockerfile").write_text(dockerfile, encoding="utf-8")
    findings = scan(["."], Config(select=(code,)), cwd=tmp_path).findings
    return [f.fix.description for f in findings if f.rule == code and f.fix is not None]


def test_the_suggestion_keeps_an_explicit_docker_io(tmp_path: Path) -> None:
    (fix,) = _fixes(tmp_path, "FROM docker.io/library/python:3.12-slim\n", "TL104")
    assert "`docker.io/library/python:<version>`" in fix
    assert "`docker.io/library/python@sha256:…`" in fix


def test_no_version_is_suggested_where_the_publisher_has_none(tmp_path: Path) -> None:
    (fix,) = _fixes(tmp_path, "FROM gcr.io/distroless/static:nonroot\n", "TL103")
    assert "`gcr.io/distroless/static@sha256:…`" in fix
    assert "crane digest gcr.io/distroless/static:nonroot" in fix
    assert "<version>" not in fix and "exact version that keeps the variant" not in fix


def test_an_empty_image_gets_its_own_fix(tmp_path: Path) -> None:
    (tmp_path / "job.yaml").write_text(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: main\n          image: \"\"\n",
        encoding="utf-8",
    )
    (finding,) = [f for f in scan(["."], Config(select=("TL107",)), cwd=tmp_path).findings if f.rule == "TL107"]
    assert finding.message == "Empty image reference: the container names no image to run"
    assert (finding.span.line, finding.span.column, finding.span.end_column) == (10, 18, 20)
    assert finding.fix is not None and finding.fix.description.startswith("Name the image the container runs")
