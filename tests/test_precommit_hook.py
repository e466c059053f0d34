"""The hook, run through the real ``pre-commit try-repo`` against a temporary
git repository: a bad Dockerfile fails it, a good one passes."""
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
