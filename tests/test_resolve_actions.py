"""``--fix --resolve`` pins GitHub Actions to commits (issue 11, item 4),
end to end: the action repositories are local bare git repositories named
by ``resolve.actions-url`` (a ``file://`` URL), listed by the real ``git
ls-remote``."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

WORKFLOW = """name: ci
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@main  # tracks the branch
      - uses: actions/cache@v3
      - run: make test
"""


def _git(cwd: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com", GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_SYSTEM=os.devnull)
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


def _action_repository(root: Path, name: str, tags: list[list[str]]) -> list[str]:
    """A bare repository ``root/name`` with one commit per tag group (each
    group's tags on that commit; annotated when the tag starts with ``v4``);
    the commits, oldest first."""
    work = root / "work" / name
    work.mkdir(parents=True)
    _git(work, "init", "-q", "-b", "main")
    commits = []
    for number, group in enumerate(tags):
        (work / "action.yml").write_text(f"name: {name} {number}\n")
        _git(work, "add", "action.yml")
        _git(work, "commit", "-q", "-m", f"release {number}")
        commits.append(_git(work, "rev-parse", "HEAD"))
        for tag in group:
            if tag.startswith("v4"):
                _git(work, "tag", "-a", tag, "-m", tag)
            else:
                _git(work, "tag", tag)
    bare = root / "remote" / name
    bare.parent.mkdir(parents=True, exist_ok=True)
    _git(root, "clone", "-q", "--bare", str(work), str(bare))
    return commits


def test_fix_resolve_pins_actions_to_commits_with_the_version_in_a_comment(tmp_path: Path) -> None:
    checkout = _action_repository(tmp_path, "actions/checkout", [["v4.1.0"], ["v4", "v4.2", "v4.2.2"]])
    setup = _action_repository(tmp_path, "actions/setup-python", [["v5.3.0"], []])
    project = tmp_path / "project"
    workflow = project / ".github/workflows/ci.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(WORKFLOW)
    (project / ".taglint.yaml").write_text(
        f"select: [TL301, TL302]\nresolve:\n  actions-url: {(tmp_path / 'remote').as_uri()}\n"
    )
    env = dict(os.environ, TAGLINT_CACHE_DIR=str(tmp_path / "cache"), NO_COLOR="1")
    run = [sys.executable, "-m", "taglint", "--fix", "--resolve", "."]
    proc = subprocess.run(run, cwd=project, env=env, capture_output=True, text=True, timeout=120)
    # actions/cache is not in the local "GitHub": one notice, exit 2, the rest fixed
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "actions/cache@v3" in proc.stdout + proc.stderr
    assert workflow.read_text() == WORKFLOW.replace(
        "actions/checkout@v4\n", f"actions/checkout@{checkout[1]} # v4.2.2\n"
    ).replace(
        # the line had a comment already: it is kept, no second one
        "actions/setup-python@main  # tracks the branch", f"actions/setup-python@{setup[1]}  # tracks the branch"
    )
    again = subprocess.run(run, cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "0 fixed" in again.stdout, again.stdout + again.stderr
    assert f"actions/checkout@{checkout[1]} # v4.2.2\n" in workflow.read_text()
