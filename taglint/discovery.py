"""Find the files to scan.

Directories are walked with ``git ls-files`` when they are inside a git
work tree (so ``.gitignore`` is honoured), otherwise with ``os.scandir``
(symlinked folders are not followed, so symlink loops cannot trap us).
Folders in SKIPPED_DIRS (dependency folders, virtual environments,
version-control data) are never entered, git checkout or not.  Files named
on the command line are always scanned unless ``force_exclude`` is set and
a configured exclude matches them.

Display paths are what :func:`display_path` gives, but for the files of a
folder they are built as the folder's *prefix* plus the file's name (see
:func:`_display_prefix`): one ``os.path.relpath`` per start path instead of
one per file.
"""
from __future__ import annotations

import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from taglint.globs import matches_any

SKIPPED_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".nox", ".venv", "venv", ".mypy_cache",
})
# A git-listed name with a component in SKIPPED_DIRS (a committed
# node_modules or venv): skipped as the walk skips it.
_SKIPPED_COMPONENT = re.compile("(?:^|/)(?:" + "|".join(map(re.escape, sorted(SKIPPED_DIRS))) + ")/")

# Whether a file (its path and display path) is excluded by configuration.
Excluded = Callable[[Path, str], bool]


@dataclass(frozen=True)
class Candidate:
    fs_path: Path
    path: str  # display path
    explicit: bool  # named on the command line
    # Named only for the files it brings in (a .env: the Compose files
    # beside it); of no kind itself, and not reported as skipped for that.
    trigger: bool = False
    # The kind the user gave the file (``--kind``, ``kinds:`` in the
    # configuration, a GitLab ``include: local:``), None: classify it.
    kind: Optional[str] = None
    # The file's bytes when they do not come from ``fs_path`` (standard
    # input read as ``--stdin-filename PATH``).
    content: Optional[bytes] = None
    # What the file inherits from the file that brought it in (the
    # variables of a GitLab pipeline that includes it), for its extractor.
    context: tuple[Any, ...] = ()


# Outside cwd, a file more than this many folders up is shown by its
# absolute path.
_MAX_UP = 3


def display_path(fs_path: str | os.PathLike[str], cwd: Path) -> str:
    """How a file is named in reports: relative to ``cwd`` and normalised
    (``../ba/Dockerfile``: no ``./``, no ``a/../b``), or absolute and
    normalised when it is more than ``_MAX_UP`` folders up or on another drive.

    The one spelling of a file in a scan: discovery names the scanned files
    with it, and resolvers name the files they read or report on (Helm
    values, Kustomize bases, Compose ``.env``, build tool files) with
    ``ResolveContext.display_path``, which calls it, so a finding reached
    two ways is one finding."""
    try:
        rel = os.path.relpath(fs_path, cwd)
    except ValueError:  # another drive on Windows
        rel = os.path.normpath(fs_path)
    if _too_far_up(rel):
        rel = os.path.normpath(os.path.join(cwd, fs_path))
    return rel.replace(os.sep, "/")


def _too_far_up(rel: str) -> bool:
    return rel.count(os.pardir + os.sep) > _MAX_UP


def _display_prefix(folder: str, cwd: Path) -> str | None:
    """A string P such that ``display_path(Path(folder) / name, cwd) == P + name``
    for every plain relative ``name`` (no empty, ``.`` or ``..`` component);
    ``folder`` is ``str()`` of a Path.  None when there is no such prefix:
    ``folder`` is a proper ancestor of ``cwd`` (``..`` names lead back into
    it) or on another drive.

    ``os.path.relpath`` of ``folder/name`` is relpath of ``folder`` plus
    ``name`` whenever the common part of both paths with ``cwd`` is the same,
    i.e. when ``folder`` is ``cwd``, below it, or off to the side of it (then
    every such path starts with the same ``../``, or is absolute when it is too far up)."""
    try:
        rel = os.path.relpath(folder, cwd)
    except ValueError:  # another drive on Windows
        return None
    if rel == os.curdir:
        return ""
    parts = rel.split(os.sep)
    if parts[0] != os.pardir:  # at or below cwd
        return rel.replace(os.sep, "/") + "/"
    if all(part == os.pardir for part in parts):  # an ancestor of cwd
        return None
    if _too_far_up(rel + os.sep):
        rel = os.path.normpath(folder)
    return rel.replace(os.sep, "/") + "/"


def _plain(name: str) -> bool:
    """True when the '/'-separated relative path ``name`` has no empty, ``.``
    or ``..`` component (so ``Path`` and ``relpath`` keep it as it is)."""
    if name[0] == "/" or name[-1] == "/" or "//" in name:
        return False
    if name[0] != "." and "/." not in name:
        return True
    return not any(part in (".", "..") for part in name.split("/"))


def _is_symlink(fs: str) -> bool:
    """``Path(fs).is_symlink()`` without building the Path (same answers,
    same exceptions)."""
    try:
        return stat.S_ISLNK(os.lstat(fs).st_mode)
    except (OSError, ValueError):
        return Path(fs).is_symlink()


def _git_names(folder: Path) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files under ``folder`` (relative,
    '/'-separated, no duplicates), or None when ``folder`` is not in a git
    work tree (or git is unavailable)."""
    import subprocess  # here: a run on named files never starts git

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
    return _without_wordless([name for name in dict.fromkeys(names) if name and not _SKIPPED_COMPONENT.search(name)], folder)


# From how many files a family looks for words in (Python files) one
# ``git grep`` of them costs less than opening each of them here.
GREP_AT_LEAST = 200
_GREP_BATCH = 1000  # file names per git command line


def _without_wordless(names: list[str], folder: Path) -> list[str]:
    """``names`` (relative to ``folder``) less :func:`_wordless` ones."""
    drop = _wordless(folder, names)
    return [name for name in names if name not in drop] if drop else names


def _wordless(folder: Path, names: list[str]) -> set[str]:
    """Of ``names`` (relative to ``folder``), the files that only a family
    looking for words in them could take (Python files: an ML SDK import)
    and that hold none of those words, found by ``git grep`` instead of
    opening each file here (a repository of Python code that uses no SDK
    reads as fast as if ``.py`` files were never looked at).  Empty when
    there are few such files or git cannot tell."""
    from taglint.extract.families import grep_words

    by_suffix = grep_words()
    suffixes = tuple(by_suffix)
    wordy = [name for name in names if name.lower().endswith(suffixes)] if suffixes else []
    if len(wordy) < GREP_AT_LEAST:
        return set()  # a few: each one's bytes are looked at, cheaper than starting git
    keep = _grep_files(folder, tuple(dict.fromkeys(w for words in by_suffix.values() for w in words)), wordy)
    return set() if keep is None else set(wordy) - keep


def _grep_files(folder: Path, words: tuple[str, ...], names: list[str]) -> set[str] | None:
    """Which of the files ``names`` (relative to ``folder``) hold one of
    ``words``: ``git grep --no-index`` on exactly those files (git or not,
    nothing else of the tree is walked; names are literal, not patterns);
    None when git is missing or fails."""
    import subprocess

    command = ["git", "--literal-pathspecs", "grep", "--no-index", "-l", "-z", "-I", "-F", "--no-color"]
    for word in words:
        command += ["-e", word]
    found: set[str] = set()
    for start in range(0, len(names), _GREP_BATCH):
        try:
            proc = subprocess.run(
                [*command, "--", *names[start : start + _GREP_BATCH]], cwd=folder, capture_output=True, timeout=60,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        if proc.returncode not in (0, 1):  # 1: no file matched
            return None
        found.update(proc.stdout.decode("utf-8", "surrogateescape").split("\0"))
    found.discard("")
    return found


def _walked_without_wordless(listing: Listing, folder: Path) -> Listing:
    """:func:`_without_wordless` for the files a walk lists (a folder
    outside git); only the names of files a family looks for words in are
    worked out."""
    from taglint.extract.families import grep_words

    suffixes = tuple(grep_words())
    if not suffixes:
        return listing
    entries = list(listing)
    base = str(folder)
    names = {
        index: os.path.relpath(str(file), base).replace(os.sep, "/")
        for index, (file, _shown, _probe) in enumerate(entries)
        if file.name.lower().endswith(suffixes)
    }
    drop = _wordless(folder, list(names.values()))
    return (entry for index, entry in enumerate(entries) if names.get(index) not in drop)


# pathlib's own helper for directory walks (Path.iterdir uses it): the Path
# of a child named by one plain component, without parsing anything, about 7x
# cheaper than Path(str) on CPython 3.10 and 3.11, where it is fixed.  Later
# versions parse Path(str) lazily, which is cheap enough.
_MAKE_CHILD = sys.version_info < (3, 12) and hasattr(Path, "_make_child_relpath")


def _child_maker(folder: Path, base: str) -> Callable[[str], Path]:
    """A function giving ``folder / name`` for a plain file name ``name``;
    ``base`` is ``str(folder)`` ending in a separator."""
    if _MAKE_CHILD:
        return folder._make_child_relpath  # type: ignore[attr-defined, no-any-return]
    return lambda name: Path(base + name)


# Both listings yield (path, display path, probe) for each file, in order.
# The probe tells whether the file is a symlink: a DirEntry (whose
# is_symlink() costs no system call) or the path as a string (lstat'ed, and
# only when it is still needed).
Listing = Iterator[tuple[Path, str, "os.DirEntry[str] | str"]]


def _git_listing(folder: Path, names: list[str], cwd: Path) -> Listing:
    folder_str = str(folder)
    base = folder_str if folder_str.endswith(os.sep) else folder_str + os.sep
    prefix = _display_prefix(folder_str, cwd) if os.sep == "/" else None
    for name in names:
        if prefix is not None and _plain(name):
            path = base + name
            yield Path(path), prefix + name, path
        else:
            file = folder / name
            yield file, display_path(file, cwd), str(file)


def _walk(folder: Path, cwd: Path) -> Listing:
    """The files below ``folder`` like ``os.walk`` (top-down, symlinked
    folders not followed, unreadable folders skipped) with SKIPPED_DIRS
    pruned: each folder's files sorted by name, then its subfolders in
    sorted order."""
    sep = os.sep
    top = str(folder)
    # (folder as a string ending in a separator, as a Path, display prefix)
    stack = [(top if top.endswith(sep) else top + sep, folder, _display_prefix(top, cwd))]
    while stack:
        base, path, prefix = stack.pop()
        files: list[os.DirEntry[str]] = []
        dirs: list[os.DirEntry[str]] = []
        try:
            with os.scandir(base) as scan:
                for entry in scan:
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    if not is_dir:
                        files.append(entry)
                    elif entry.name not in SKIPPED_DIRS:
                        dirs.append(entry)
        except OSError:  # os.walk skips a folder it cannot list, entirely
            continue
        child = _child_maker(path, base)
        if files:
            if len(files) > 1:
                files.sort(key=_name)
            for entry in files:
                name = entry.name
                file = child(name)
                yield file, (prefix + name if prefix is not None else display_path(file, cwd)), entry
        if dirs:
            if len(dirs) > 1:
                dirs.sort(key=_name, reverse=True)  # the stack pops them in sorted order
            for entry in dirs:
                try:
                    if entry.is_symlink():
                        continue
                except OSError:  # os.path.islink() is False then
                    pass
                name = entry.name
                stack.append((
                    f"{base}{name}{sep}",
                    child(name),
                    f"{prefix}{name}/" if prefix is not None else _display_prefix(base + name, cwd),
                ))


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


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
    paths: Iterable[str], cwd: Path, exclude: tuple[str, ...] = (), force_exclude: bool = False,
    excluded: Optional[Excluded] = None, named_kind: Optional[str] = None,
) -> tuple[list[Candidate], list[str]]:
    """Candidates to scan, and errors (paths that do not exist).  A file is
    excluded when its display path matches ``exclude`` or ``excluded(path,
    display path)`` says so (patterns anchored at their config file's folder).
    ``named_kind`` (``--kind``) is the kind of each file named in ``paths``
    (not of the files of a folder, nor of the Compose files a ``.env`` brings in)."""
    if excluded is None:
        excluded = (lambda file, shown: matches_any(shown, exclude)) if exclude else None
    seen: dict[str, int] = {}  # display path -> index in out
    out: list[Candidate] = []
    errors: list[str] = []
    for raw in paths:
        fs_path = (cwd / raw) if not os.path.isabs(raw) else Path(raw)
        if fs_path.is_dir():
            names = _git_names(fs_path)
            listing = _git_listing(fs_path, names, cwd) if names is not None else _walked_without_wordless(_walk(fs_path, cwd), fs_path)
            for file, shown, probe in listing:
                if shown in seen or (excluded is not None and excluded(file, shown)):
                    continue
                link = probe.is_symlink() if isinstance(probe, os.DirEntry) else _is_symlink(probe)
                if link and not file.exists():
                    continue  # a broken symlink
                seen[shown] = len(out)
                out.append(Candidate(file, shown, explicit=False))
        elif fs_path.exists():
            dependents = _dependents(fs_path)
            for file in (fs_path, *dependents):
                shown = display_path(file, cwd)
                if force_exclude and excluded is not None and excluded(file, shown):
                    continue
                named = Candidate(
                    file, shown, explicit=True, trigger=file is fs_path and bool(dependents) and named_kind is None,
                    kind=named_kind if file is fs_path else None,
                )
                if shown in seen:  # also in a folder named before: it is named all the same
                    if file is fs_path and not out[seen[shown]].explicit:
                        out[seen[shown]] = named
                    continue
                seen[shown] = len(out)
                out.append(named)
        else:
            errors.append(f"{raw}: no such file or directory")
    return out, errors
