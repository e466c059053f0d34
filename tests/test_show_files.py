"""``taglint --show-files``: what a scan would read and as which kind (with
``--verbose`` what it would not, and why); nothing is scanned; exit 0."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from taglint.cli import main


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)

    def _run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path / "Dockerfile", "FROM python\n")  # a finding, if it were scanned
    write(tmp_path / "k8s/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nspec: {}\n")
    write(tmp_path / "workflow-templates/ci.yml", "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n")
    write(tmp_path / ".gitlab-ci.yml", "include:\n  - local: /pipeline/push.yml\n")
    write(tmp_path / "pipeline/push.yml", "push:\n  script: [make push]\n")
    write(tmp_path / "README.md", "# project\n")
    write(tmp_path / "config/app.yml", "port: 8080\n")
    write(tmp_path / "vendor/Dockerfile", "FROM alpine\n")
    write(tmp_path / "logo.yaml", b"\x00\x01binary")
    write(tmp_path / ".taglint.yaml", "exclude: ['vendor/**']\n")
    return tmp_path


READ = [
    ("gitlab-ci", ".gitlab-ci.yml"),
    ("dockerfile", "Dockerfile"),
    ("kubernetes", "k8s/deploy.yaml"),
    ("gitlab-ci", "pipeline/push.yml  (included by .gitlab-ci.yml)"),
    ("github-workflow", "workflow-templates/ci.yml"),
]


def rows(out: str) -> list[tuple[str, str]]:
    return [tuple(line.split(None, 1)) for line in out.splitlines()]  # type: ignore[misc]


def test_lists_what_would_be_read_and_as_which_kind(project: Path, run) -> None:
    code, out, err = run("--show-files")
    assert code == 0  # the Dockerfile would have a finding: nothing was scanned
    assert rows(out) == READ
    assert "TL101" not in out + err
    assert "taglint: 5 files would be read, 5 not (--verbose lists them)" in err
    # the kinds line up in one column
    assert len({line.index(line.split(None, 1)[1]) for line in out.splitlines()}) == 1


def test_verbose_lists_what_would_not_be_read_and_why(project: Path, run) -> None:
    code, out, _ = run("--show-files", "--verbose")
    assert code == 0
    assert rows(out) == sorted(READ + [
        ("skipped", ".taglint.yaml  (not a known file kind)"),
        ("skipped", "README.md  (not a known file kind)"),
        ("skipped", "config/app.yml  (not a known file kind)"),
        ("skipped", "logo.yaml  (binary)"),
        ("skipped", "vendor/Dockerfile  (excluded by configuration or --exclude)"),
    ], key=lambda row: row[1])


def test_json(project: Path, run) -> None:
    code, out, err = run("--show-files", "--format", "json", "--verbose")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["files"] == [
        {"path": ".gitlab-ci.yml", "kind": "gitlab-ci"},
        {"path": "Dockerfile", "kind": "dockerfile"},
        {"path": "k8s/deploy.yaml", "kind": "kubernetes"},
        {"path": "pipeline/push.yml", "kind": "gitlab-ci", "included-by": ".gitlab-ci.yml"},
        {"path": "workflow-templates/ci.yml", "kind": "github-workflow"},
    ]
    assert {"path": "logo.yaml", "reason": "binary"} in data["skipped"]
    code, out, _ = run("--show-files", "--format", "json")
    assert "skipped" not in json.loads(out)


def test_kind_and_kinds_are_shown(project: Path, run) -> None:
    write(project / ".taglint.yaml", "kinds:\n  'config/*.yml': gitlab-ci\n")
    code, out, _ = run("--show-files", "config", "README.md", "--kind", "shell")
    assert code == 0
    assert rows(out) == [("shell", "README.md"), ("gitlab-ci", "config/app.yml")]


def test_too_large_files_and_named_paths(project: Path, run) -> None:
    write(project / ".taglint.yaml", "max-file-size: 12\n")
    code, out, _ = run("--show-files", "-v", "Dockerfile", "k8s")
    assert code == 0
    assert rows(out) == [("dockerfile", "Dockerfile"), ("skipped", "k8s/deploy.yaml  (larger than max-file-size (12 bytes))")]


def test_a_missing_path_is_an_error(project: Path, run) -> None:
    code, out, err = run("--show-files", "nope", "Dockerfile")
    assert code == 2
    assert rows(out) == [("dockerfile", "Dockerfile")]
    assert "nope: no such file or directory" in err


def test_standard_input(project: Path, run, monkeypatch) -> None:
    import io

    class Stdin:
        buffer = io.BytesIO(b"FROM python\n")

    monkeypatch.setattr("sys.stdin", Stdin())
    code, out, _ = run("--show-files", "-", "--stdin-filename", "svc/Containerfile")
    assert code == 0 and rows(out) == [("dockerfile", "svc/Containerfile")]
