"""The hook, run through the real ``pre-commit try-repo`` against a temporary
git repository: a bad Dockerfile fails it, a good one passes; cross-file
rules read the files the hook was not given (Helm values, Kustomize
overlays), and TL113 says it compared only the named files."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "taglint tests", "GIT_AUTHOR_EMAIL": "tests@taglint.invalid",
    "GIT_COMMITTER_NAME": "taglint tests", "GIT_COMMITTER_EMAIL": "tests@taglint.invalid",
}


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    return tmp_path_factory.mktemp("pre-commit-home")


def _try_repo(repo: Path, home: Path, *files: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_IDENTITY, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "taglint", "--verbose", "--files", *files],
        cwd=repo, env=env, capture_output=True, text=True, timeout=900,
    )


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    return repo


def test_bad_dockerfile_fails_the_hook(tmp_path, pre_commit_home):
    repo = _repo(tmp_path, {"prod.dockerfile": "FROM python\n", "README.md": "FROM python\n"})
    proc = _try_repo(repo, pre_commit_home, "prod.dockerfile", "README.md")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "prod.dockerfile:1:6: TL101" in proc.stdout
    assert "README.md" not in proc.stdout.split("- hook id: taglint")[-1]


def test_good_dockerfile_passes_the_hook(tmp_path, pre_commit_home):
    repo = _repo(tmp_path, {"Containerfile.dev": "FROM python:3.12.7-slim-bookworm\n"})
    proc = _try_repo(repo, pre_commit_home, "Containerfile.dev")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout


def test_hook_file_pattern_matches_every_kind_and_nothing_else():
    import re

    import yaml

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    pattern = re.compile(hook["files"])
    wanted = [
        "Dockerfile", "app/prod.dockerfile", "Containerfile.dev", "build.Dockerfile", "deploy/app.yaml",
        "k8s/list.json", ".github/workflows/ci.yml", "scripts/push.sh", "Makefile", "mk/rules.mk",
        "Jenkinsfile", "ci/release.Jenkinsfile", "compose/.env",
    ]
    unwanted = ["README.md", "src/app.py", "docs/guide.md", "environment.txt", ".envrc"]
    assert [name for name in wanted if not pattern.search(name)] == []
    assert [name for name in unwanted if pattern.search(name)] == []


def test_hook_runs_once_with_check_first():
    import yaml

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["require_serial"] is True  # one process: one report, one summary
    assert hook["entry"].split()[:2] == ["taglint", "check"]  # a file named like a command is a file


HELM_CHART = {
    "chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    "chart/values.yaml": "image:\n  repository: nginx\n  tag: latest\n",
    "chart/templates/deployment.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: web\n"
        '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n'
    ),
}
KUSTOMIZE = {
    "k/base/kustomization.yaml": "resources: [deploy.yaml]\n",
    "k/base/deploy.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: api\n          image: example.com/api:1.2.3\n"
    ),
    "k/overlays/prod/kustomization.yaml": (
        "resources: [../../base]\nimages:\n  - name: example.com/api\n    newTag: latest\n"
    ),
}


def _deployment(name: str, image: str) -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n"
        f"      containers:\n        - name: {name}\n          image: {image}\n"
    )


def test_cross_file_rules_see_the_files_the_hook_was_not_given(tmp_path, pre_commit_home):
    repo = _repo(tmp_path, {
        **HELM_CHART, **KUSTOMIZE,
        "deploy/a.yaml": _deployment("a", "nginx:1.25.3"), "deploy/b.yaml": _deployment("b", "nginx:1.27.2"),
    })
    # only the template, the base and one manifest changed
    proc = _try_repo(repo, pre_commit_home, "chart/templates/deployment.yaml", "k/base/deploy.yaml", "deploy/a.yaml")
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    # the Helm values and the Kustomize overlay were read from disk
    assert "chart/values.yaml:3:8: TL102" in out
    assert "k/overlays/prod/kustomization.yaml:4:13: TL102" in out
    # TL113 compared only the named files, and says so
    assert "TL113" not in out.replace("TL113 (inconsistent-tags) compared", "")
    assert "note: TL113 (inconsistent-tags) compared image versions only among the files named" in out


def test_a_file_named_like_a_command_is_scanned_by_the_hook_entry(tmp_path):
    import yaml

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    script = Path(sys.executable).with_name("taglint")
    if not script.is_file():
        pytest.skip("the console script is not installed")
    (tmp_path / "rules").write_text("FROM python\n", encoding="utf-8")
    entry = hook["entry"].split()
    proc = subprocess.run([str(script), *entry[1:], "--no-config", "--format", "json", "rules"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    assert '"files_scanned"' in proc.stdout  # a scan report, not the rules table
