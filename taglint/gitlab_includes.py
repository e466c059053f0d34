"""GitLab ``include: local:`` files, followed.

A GitLab pipeline is often split: ``.gitlab-ci.yml`` includes
``ci/build.yml``, ``templates/docker.yml`` or ``configs/*.yml``, files
whose names say nothing and whose text may not look like a pipeline on its
own (a hidden job with a ``script:``).  GitLab reads them as part of the
pipeline, so taglint does too: each local file a ``gitlab-ci`` file
includes is checked as ``gitlab-ci`` (whatever its name, text, or whether
it was among the files named), with the global ``variables:`` of the file
that includes it (GitLab merges them into one configuration), and the
files it includes in turn are followed from the same repository root.

The paths are relative to the repository root (a leading ``/`` or not):
the folder of ``.gitlab-ci.yml`` (the root pipeline lives there), else the
nearest folder upward holding ``.git``, else the including file's folder.
``*`` and ``**`` wildcards are expanded as GitLab does (``configs/*.yml``,
``configs/**.yml``); a path that leaves the root, a missing file or a
remote URL is not followed.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable, Iterator

from taglint.discovery import Candidate, display_path
from taglint.model import FileFacts

KIND = "gitlab-ci"
MAX_FOLLOWED = 150  # GitLab's own limit of included files in one pipeline
_YAML_SUFFIXES = (".yml", ".yaml")


def includes_of(facts: FileFacts) -> list[str]:
    """The local paths (or wildcard patterns) ``facts`` includes."""
    if facts.kind != KIND:
        return []
    return list(facts.extras.get("gitlab-local-includes", ()))


def repository_root(fs_path: Path) -> Path:
    """Where the local includes of the pipeline file ``fs_path`` are read from."""
    folder = fs_path.parent
    if fs_path.name.lower().startswith(".gitlab-ci"):
        return folder
    if folder.name.lower() == ".gitlab-ci":
        return folder.parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


def included_files(pattern: str, root: Path) -> list[Path]:
    """The files ``pattern`` (a local include) names below ``root``, sorted."""
    relative = pattern.strip().lstrip("/")
    if not relative:
        return []
    if "*" in relative:
        # GitLab's `**.yml` is any depth; pathlib wants `**/*.yml`.
        glob = relative.replace("**/", "\0").replace("**", "**/*").replace("\0", "**/")
        try:
            found: Iterable[Path] = sorted(root.glob(glob))
        except (ValueError, OSError):
            return []
    else:
        found = [root / relative]
    real_root = os.path.realpath(root)
    out = []
    for path in found:
        real = os.path.realpath(path)
        inside = real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)
        if inside and path.name.lower().endswith(_YAML_SUFFIXES) and path.is_file():
            out.append(path)
    return out


def follow(
    facts: Iterable[FileFacts], cwd: Path, roots: dict[str, Path], followed: set[str],
) -> Iterator[Candidate]:
    """Candidates for the files ``facts`` include that were not followed yet
    (``followed``: display paths, updated), each of kind ``gitlab-ci`` with
    the including file's variables.  ``roots`` maps a followed file's
    display path to its repository root (updated), so nested includes are
    read from the root of the pipeline that started them."""
    for one in sorted(facts, key=lambda f: f.path):
        patterns = includes_of(one)
        if not patterns:
            continue
        fs_path = Path(one.path) if os.path.isabs(one.path) else cwd / one.path
        root = roots.get(one.path) or repository_root(fs_path)
        variables: tuple[Any, ...] = tuple(one.extras.get("gitlab-variables", ()))
        for pattern in patterns:
            for path in included_files(pattern, root):
                shown = display_path(path, cwd)
                if shown in followed or shown == one.path or len(followed) >= MAX_FOLLOWED:
                    continue
                followed.add(shown)
                roots[shown] = root
                yield Candidate(path, shown, explicit=False, kind=KIND, context=variables)
