"""``taglint --show-files``: what a scan would read, and as which kind.

The files are found as a scan finds them (:func:`taglint.engine.gather`:
git-aware discovery, excludes, ``--kind``, ``kinds:``, standard input) and
classified as a scan classifies them (the same cheap look at the text);
nothing is extracted, except the GitLab pipelines that include local files
(``include: local:``), whose includes are followed as the scan follows
them.  With ``--verbose`` the files that would not be read are listed too,
with the reason: of no known kind, too large, binary, excluded.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

EXCLUDED = "excluded by configuration or --exclude"


@dataclass(frozen=True)
class Listed:
    """One file: the kind it would be read as, or why it would not be read."""

    path: str
    kind: str | None
    reason: str | None = None  # why it is not read (kind is None then)
    included_by: str | None = None  # the GitLab pipeline that includes it


def list_files(
    paths: Sequence[str], cwd: Path, lookup: Any, *, exclude: tuple[str, ...] = (), force_exclude: bool = False,
    named_kind: str | None = None, stdin: tuple[str, bytes] | None = None,
) -> tuple[list[Listed], list[str]]:
    """Every file the scan would meet, sorted by path, and the errors
    (paths that do not exist)."""
    from taglint.config import Anchors
    from taglint.engine import gather

    anchors = Anchors()
    gathered = gather(
        paths, cwd, lookup, anchors, exclude=exclude, force_exclude=force_exclude, named_kind=named_kind,
        stdin=stdin, record_excluded=True,
    )
    listed: dict[str, Listed] = {}
    for config, members in gathered.groups.values():
        for candidate in members:
            listed[candidate.path] = _classified(candidate, config.max_file_size)
        _follow_includes(members, listed, config, cwd, anchors)
    for path in gathered.excluded:
        listed.setdefault(path, Listed(path, None, EXCLUDED))
    return sorted(listed.values(), key=lambda entry: entry.path), gathered.errors


def _classified(candidate: Any, max_size: int) -> Listed:
    """The kind ``candidate`` would be read as, as :func:`taglint.engine.process_file` decides it."""
    from taglint.classify import classify
    from taglint.engine import read_source
    from taglint.extract import has_extractor
    from taglint.source import NO_KNOWN_KIND

    state: dict[str, Any] = {}

    def read_text() -> str | None:
        if "source" not in state:
            source, _problems, reason = read_source(candidate, max_size)
            state["source"], state["reason"] = source, reason
        return state["source"].text if state["source"] is not None else None

    kind = candidate.kind or classify(candidate.path, read_text, candidate.fs_path)
    if kind is None or not has_extractor(kind):
        return Listed(candidate.path, None, state.get("reason") or NO_KNOWN_KIND)
    read_text()
    if state["source"] is None and state["reason"]:
        return Listed(candidate.path, None, state["reason"])
    return Listed(candidate.path, kind)


def _follow_includes(members: Sequence[Any], listed: dict[str, Listed], config: Any, cwd: Path, anchors: Any) -> None:
    """The files GitLab pipelines among ``members`` include, listed as ``gitlab-ci``."""
    from taglint.engine import process_file
    from taglint.gitlab_includes import follow
    from taglint.globs import matches_any
    from taglint.source import ExtractContext

    pipelines = [c for c in members if listed[c.path].kind == "gitlab-ci"]
    if not pipelines:
        return
    ctx = ExtractContext()
    roots: dict[str, Path] = {}
    followed: set[str] = set()
    new = [process_file(c, ctx, config.max_file_size).facts for c in pipelines]
    while new:
        facts = [f for f in new if f is not None]
        new = []
        for one in facts:
            for candidate in follow([one], cwd, roots, followed):
                if config.exclude and matches_any(anchors.path(config, candidate.fs_path, candidate.path), config.exclude):
                    continue
                listed[candidate.path] = Listed(candidate.path, "gitlab-ci", included_by=one.path)
                new.append(process_file(candidate, ctx, config.max_file_size).facts)


def render(entries: Sequence[Listed], fmt: str, verbose: bool) -> str:
    """The list as text (kind, then path; ``--verbose`` adds what is not
    read and why) or JSON (``{"files": [...], "skipped": [...]}``)."""
    read = [e for e in entries if e.kind is not None]
    skipped = [e for e in entries if e.kind is None] if verbose else []
    if fmt == "json":
        data: dict[str, Any] = {
            "files": [
                {"path": e.path, "kind": e.kind, **({"included-by": e.included_by} if e.included_by else {})}
                for e in read
            ],
        }
        if verbose:
            data["skipped"] = [{"path": e.path, "reason": e.reason} for e in skipped]
        return json.dumps(data, indent=2) + "\n"
    rows = [(e.kind or "", e.path + (f"  (included by {e.included_by})" if e.included_by else "")) for e in read]
    rows += [("skipped", f"{e.path}  ({e.reason})") for e in skipped]
    rows.sort(key=lambda row: row[1])
    width = max((len(kind) for kind, _ in rows), default=0)
    return "".join(f"{kind:<{width}}  {path}\n" for kind, path in rows)


def summary(entries: Sequence[Listed], verbose: bool) -> str:
    """``3 files would be read, 12 not`` (for standard error)."""
    read = sum(1 for e in entries if e.kind is not None)
    hint = " (--verbose lists them)" if not verbose and read < len(entries) else ""
    return f"{read} file{'' if read == 1 else 's'} would be read, {len(entries) - read} not{hint}"
