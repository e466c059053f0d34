"""Pins for GitHub Actions (TL301/TL302): the commit a ref names, by ``git ls-remote``.

``uses: actions/checkout@v4`` becomes ``actions/checkout@<40-hex> # v4.2.2``:
the commit ``v4`` names now, and the most specific version tag at that
commit.  The refs come from ``git ls-remote <base_url>/<owner>/<repo>``,
run without a shell, with a timeout, with terminal prompts off (a private
repository fails instead of asking for a password).  Answers are kept for
the run, per repository URL.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading

from taglint.registry.versions import version_parts

LS_REMOTE_TIMEOUT = 60.0
_SHA = re.compile(r"[0-9a-f]{40}")
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_refs_cache: dict[str, dict[str, str]] = {}
_cache_lock = threading.Lock()


class RefLookupError(Exception):
    """The refs of an action repository could not be listed, or ``ref`` is not among them."""

    def __init__(self, reference: str, message: str) -> None:
        super().__init__(f"{reference}: {message}")
        self.reference = reference
        self.message = message


def action_pin(repository: str, ref: str, *, base_url: str = "https://github.com") -> tuple[str, str | None]:
    """(40-hex commit that ``ref`` names now, most specific version tag at that commit or None).

    ``repository`` is ``owner/repo`` (a path after it, as in
    ``github/codeql-action/init``, is ignored).  ``ref`` is a tag, a branch
    or a commit.  ``base_url`` may be a ``file://`` URL (tests use a local
    bare repository).  Raises :class:`RefLookupError` on failure.
    """
    owner_repo = "/".join(repository.split("/")[:2])
    written = f"{repository}@{ref}"
    if not _REPOSITORY.fullmatch(owner_repo) or owner_repo.startswith("-"):
        raise RefLookupError(written, "not an owner/repository name")
    refs = _list_refs(f"{base_url.rstrip('/')}/{owner_repo}", written)
    commit = _commit_for(refs, ref)
    if commit is None:
        raise RefLookupError(written, f"no tag, branch or commit '{ref}' in {owner_repo}")
    return commit, most_specific_tag(refs, commit)


def _commit_for(refs: dict[str, str], ref: str) -> str | None:
    for name in (f"refs/tags/{ref}", f"refs/heads/{ref}"):
        if name in refs:
            return refs[name]
    if _SHA.fullmatch(ref):
        return ref
    return None


def most_specific_tag(refs: dict[str, str], commit: str) -> str | None:
    """The version tag at ``commit`` with the most numbers, newest first (``v4.2.2`` over ``v4``)."""
    best: tuple[tuple[int, tuple[int, ...], int], str] | None = None
    for name, target in refs.items():
        if target != commit or not name.startswith("refs/tags/"):
            continue
        tag = name[len("refs/tags/"):]
        parts = version_parts(tag)
        if parts is None or parts.variant:
            continue
        key = (len(parts.version), parts.version, -len(tag))
        if best is None or key > best[0]:
            best = (key, tag)
    return best[1] if best else None


def _list_refs(url: str, written: str) -> dict[str, str]:
    """ref name -> commit, annotated tags peeled (``refs/tags/v1^{}`` wins over the tag object)."""
    with _cache_lock:
        if url in _refs_cache:
            return _refs_cache[url]
    git = shutil.which("git")
    if git is None:
        raise RefLookupError(written, "git is not installed")
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "SSH_ASKPASS": "", "LC_ALL": "C"}
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [git, "ls-remote", "--tags", "--heads", url],
            capture_output=True, timeout=LS_REMOTE_TIMEOUT, env=env, check=False, stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise RefLookupError(written, f"git ls-remote timed out after {LS_REMOTE_TIMEOUT:.0f} s") from None
    except OSError as error:
        raise RefLookupError(written, f"git could not run ({error.strerror})") from None
    if done.returncode != 0:
        raise RefLookupError(written, "git ls-remote failed: the repository could not be listed")
    refs: dict[str, str] = {}
    peeled: dict[str, str] = {}
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        sha, _, name = line.partition("\t")
        if not _SHA.fullmatch(sha):
            continue
        if name.endswith("^{}"):
            peeled[name[:-3]] = sha
        else:
            refs[name] = sha
    refs.update(peeled)
    with _cache_lock:
        _refs_cache[url] = refs
    return refs
