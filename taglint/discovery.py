"""Find the files to scan.

Directories are walked with ``git ls-files`` when they are inside a git
work tree (so ``.gitignore`` is honoured), otherwise with ``os.walk``
(symlinked folders are not followed, so symlink loops cannot trap us).
Files named on the command line are always scanned unless
``force_exclude`` is set and a configured exclude matches them.
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from taglint.globs import matches_any

SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".venv", ".mypy_cache"})


@dataclass(frozen=True)
class Candidate:
    fs_path: Path
    path: str  # display path
    explicit: bool  # named on the command line


def display_path(fs_path: Path, cwd: Path) -> str:
    try:
        rel = os.path.relpath(fs_path, cwd)
    except ValueError:  # another drive on Windows
        rel = str(fs_path)
    if rel.startswith(".." + os.sep) and fs_path.is_absolute():
        rel = str(fs_path)
    return rel.replace(os.sep, "/")


def _git_files(folder: Path) -> list[Path] | None:
    """Tracked and untracked-but-not-ignored files under ``folder``, or None
    when ``folder`` is not in a git work tree (or git is unavailable)."""
    try:
        proc = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            cwd=folder,
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    names = proc.stdout.decode("utf-8", "surrogateescape").split("\0")
    return [folder / name for name in dict.fromkeys(names) if name]


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(files):
            yield Path(root) / name


def _dependents(file: Path) -> list[Path]:
    """Files whose findings depend on ``file`` although it holds no image
    itself: the Compose files beside a ``.env`` (so a pre-commit run on a
    changed ``.env`` re-checks them)."""
    if file.name != ".env":
        return []
    try:
        siblings = sorted(file.parent.iterdir())
    except OSError:
        return []
    return [
        sibling for sibling in siblings
        if sibling.is_file() and sibling.name.lower().startswith(("compose", "docker-compose"))
        and sibling.name.lower().endswith((".yaml", ".yml"))
    ]


def discover(
    paths: Iterable[str], cwd: Path, exclude: tuple[str, ...] = (), force_exclude: bool = False
) -> tuple[list[Candidate], list[str]]:
    """Candidates to scan, and errors (paths that do not exist)."""
    seen: set[str] = set()
    out: list[Candidate] = []
    errors: list[str] = []
    for raw in paths:
        fs_path = (cwd / raw) if not os.path.isabs(raw) else Path(raw)
        if fs_path.is_dir():
            listed = _git_files(fs_path)
            files = listed if listed is not None else _walk(fs_path)
            for file in files:
                shown = display_path(file, cwd)
                if shown in seen or matches_any(shown, exclude):
                    continue
                if file.is_symlink() and not file.exists():
                    continue
                seen.add(shown)
                out.append(Candidate(file, shown, explicit=False))
        elif fs_path.exists():
            for file in (fs_path, *_dependents(fs_path)):
                shown = display_path(file, cwd)
                if shown in seen or (force_exclude and matches_any(shown, exclude)):
                    continue
                seen.add(shown)
                out.append(Candidate(file, shown, explicit=True))
        else:
            errors.append(f"{raw}: no such file or directory")
    return out, errors
