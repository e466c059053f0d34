"""Action pins by ``git ls-remote`` against a local bare repository (a ``file://`` base URL)."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from taglint.registry.git_refs import RefLookupError, action_pin, most_specific_tag


def git(cwd: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(cwd), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True, timeout=30)
    return done.stdout.strip()


@pytest.fixture
def actions(tmp_path: Path) -> tuple[str, dict[str, str]]:
    """``<base>/actions/checkout.git``-style bare repository with releases v3.6.0, v4.2.1, v4.2.2 (= v4)."""
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    commits = {}
    for version in ("v3.6.0", "v4.2.1", "v4.2.2"):
        (work / "action.yml").write_text(f"name: checkout {version}\n")
        git(work, "add", "action.yml")
        git(work, "commit", "-q", "-m", version)
        commits[version] = git(work, "rev-parse", "HEAD")
        git(work, "tag", "-a", "-m", version, version)  # annotated, as actions/checkout tags its releases
    git(work, "tag", "v3", commits["v3.6.0"])  # lightweight major tags, moved on each release
    git(work, "tag", "v4", commits["v4.2.2"])
    git(work, "tag", "v4.2", commits["v4.2.2"])
    git(work, "tag", "not-a-version", commits["v4.2.2"])
    (work / "action.yml").write_text("name: checkout next\n")
    git(work, "commit", "-q", "-am", "unreleased")
    commits["main"] = git(work, "rev-parse", "HEAD")
    base = tmp_path / "remote"
    (base / "actions").mkdir(parents=True)
    git(tmp_path, "clone", "-q", "--bare", str(work), str(base / "actions" / "checkout"))
    return base.as_uri(), commits


def test_a_major_tag_pins_to_its_commit_and_most_specific_version(actions: tuple[str, dict[str, str]]) -> None:
    base, commits = actions
    assert action_pin("actions/checkout", "v4", base_url=base) == (commits["v4.2.2"], "v4.2.2")
    assert action_pin("actions/checkout", "v3", base_url=base) == (commits["v3.6.0"], "v3.6.0")
    assert action_pin("actions/checkout", "v4.2.1", base_url=base) == (commits["v4.2.1"], "v4.2.1")


def test_annotated_tags_are_peeled_to_their_commit(actions: tuple[str, dict[str, str]]) -> None:
    base, commits = actions
    sha, _tag = action_pin("actions/checkout", "v4.2.2", base_url=base)
    assert sha == commits["v4.2.2"]  # not the tag object's sha


def test_a_branch_or_commit_without_a_version_tag(actions: tuple[str, dict[str, str]]) -> None:
    base, commits = actions
    assert action_pin("actions/checkout", "main", base_url=base) == (commits["main"], None)
    assert action_pin("actions/checkout", commits["v4.2.2"], base_url=base) == (commits["v4.2.2"], "v4.2.2")


def test_a_path_after_the_repository_is_ignored(actions: tuple[str, dict[str, str]]) -> None:
    base, commits = actions
    assert action_pin("actions/checkout/sub/dir", "v4", base_url=base)[0] == commits["v4.2.2"]


@pytest.mark.parametrize(("repository", "ref", "message"), [
    ("actions/checkout", "v9", "no tag, branch or commit 'v9'"),
    ("actions/missing", "v4", "could not be listed"),
    ("-u/evil", "v4", "not an owner/repository"),
    ("actions", "v4", "not an owner/repository"),
])
def test_failures_are_ref_lookup_errors(actions: tuple[str, dict[str, str]], repository: str, ref: str,
                                        message: str) -> None:
    base, _commits = actions
    with pytest.raises(RefLookupError, match=message) as caught:
        action_pin(repository, ref, base_url=base)
    assert caught.value.reference == f"{repository}@{ref}"


def test_most_specific_tag_prefers_more_numbers_then_newer() -> None:
    sha = "a" * 40
    refs = {"refs/tags/v1": sha, "refs/tags/v1.2": sha, "refs/tags/v1.2.3": sha, "refs/tags/v1.10.0": "b" * 40,
            "refs/tags/release": sha, "refs/heads/v9.9.9.9": sha}
    assert most_specific_tag(refs, sha) == "v1.2.3"
    assert most_specific_tag(refs, "c" * 40) is None
