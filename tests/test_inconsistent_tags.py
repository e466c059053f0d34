"""TL113 over whole small projects: one finding per image and unit, the
newest exact release as advice, the other uses as related locations."""
from __future__ import annotations

from pathlib import Path

from taglint.config import Config
from taglint.engine import scan


def _deployment(name: str, *images: str) -> str:
    containers = "".join(f"        - name: c{i}\n          image: {image}\n" for i, image in enumerate(images))
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
        f"  name: {name}\nspec:\n  template:\n    spec:\n      containers:\n{containers}"
    )


def _write(root: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def _tl113(root: Path):
    return [f for f in scan(["."], Config(select=("TL113",)), cwd=root).findings if f.rule == "TL113"]


def test_one_finding_per_image_with_the_other_uses_as_related_locations(tmp_path: Path) -> None:
    _write(tmp_path, {
        "k8s/a.yaml": _deployment("a", "nginx:1.27.3"),
        "k8s/b.yaml": _deployment("b", "nginx:1.25.0"),
        "k8s/c.yaml": _deployment("c", "nginx:1.26.2-alpine"),
    })
    (finding,) = _tl113(tmp_path)
    assert (finding.path, finding.span.line) == ("k8s/b.yaml", 10)
    assert "older than `1.27.3`" in finding.message and "the folder `k8s/`" in finding.message
    assert finding.fix is not None and "`1.27.3`" in finding.fix.description
    notes = [(r.location.path, r.location.span.line, r.message) for r in finding.related]
    assert notes == [
        ("k8s/a.yaml", 10, "`nginx:1.27.3`: the newest version in use"),
        ("k8s/c.yaml", 10, "`nginx:1.26.2-alpine`: also older than `1.27.3`"),
    ]


def test_the_advice_is_the_newest_exact_release_never_an_older_or_floating_tag(tmp_path: Path) -> None:
    # the majority uses the older version; a prerelease and a floating tag are newer or unknown
    _write(tmp_path, {
        "k8s/a.yaml": _deployment("a", "redis:7.2.5", "redis:7.2.5", "redis:7.2.5"),
        "k8s/b.yaml": _deployment("b", "redis:7.4.1"),
        "k8s/c.yaml": _deployment("c", "redis:8.0.0-rc1", "redis:latest", "redis:7"),
    })
    (finding,) = _tl113(tmp_path)
    assert finding.path == "k8s/a.yaml"
    assert "older than `7.4.1`" in finding.message


def test_no_exact_release_means_no_advice_and_no_finding(tmp_path: Path) -> None:
    _write(tmp_path, {"k8s/a.yaml": _deployment("a", "node:20", "node:22-alpine", "node:lts")})
    assert _tl113(tmp_path) == []


def test_release_folders_and_vendored_copies_are_never_compared(tmp_path: Path) -> None:
    _write(tmp_path, {
        "install/v1.0.0/install.yaml": _deployment("op", "ghcr.io/example/operator:v1.0.0"),
        "install/v1.1.0/install.yaml": _deployment("op", "ghcr.io/example/operator:v1.1.0"),
        "deploy/app.yaml": _deployment("app", "nginx:1.27.3"),
        "vendor/upstream/deploy/app.yaml": _deployment("app", "nginx:1.21.0"),
        "kustomization.yaml": "resources:\n  - deploy/app.yaml\n",
    })
    assert _tl113(tmp_path) == []


def test_workflows_are_separate_units(tmp_path: Path) -> None:
    job = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    container: {image}\n    steps:\n      - run: make\n"
    _write(tmp_path, {
        ".github/workflows/ci.yml": job.format(image="golang:1.23.2"),
        ".github/workflows/legacy.yml": job.format(image="golang:1.21.13"),
    })
    assert _tl113(tmp_path) == []
