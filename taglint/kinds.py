"""Kinds the user names: ``--kind KIND`` for the files named on the
command line, ``kinds:`` in the configuration (path glob → kind).

A kind is one a file can be checked as: a kind with an extractor, built in
(``taglint.extract.EXTRACTORS``) or registered by a family package
(``taglint.extract.families``).  A name that is none of them is an error
(a configuration error or a usage error, exit 2) with the nearest known
kind, as an unknown rule code is (:mod:`taglint.codes`).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    from taglint.config import Anchors, Config


def known_kinds() -> tuple[str, ...]:
    """Every kind a file can be checked as, sorted."""
    from taglint.extract import EXTRACTORS, families

    return tuple(sorted({*EXTRACTORS, *families.extractors()}))


def is_known_kind(kind: str) -> bool:
    from taglint.extract import has_extractor

    return has_extractor(kind)


def kind_problem(kind: str) -> str | None:
    """Why ``kind`` cannot be used, with the nearest known kind; None when it can."""
    if is_known_kind(kind):
        return None
    from taglint.suggest import closest

    known = known_kinds()
    nearest = closest(kind.strip().lower(), known)
    hint = f" (did you mean {nearest}?)" if nearest else f" (known kinds: {', '.join(known)})"
    return f'unknown kind "{kind}"{hint}'


def configured_kind(config: Config, anchors: Anchors, fs_path: Path, shown: str) -> str | None:
    """The kind ``kinds:`` of ``config`` gives the file: the first pattern
    (in the order written) that matches its path relative to the config
    file's folder, as ``exclude`` patterns see it; None when none matches."""
    if not config.kinds:
        return None
    from taglint.globs import matches

    path = anchors.path(config, fs_path, shown)
    for pattern, kind in config.kinds.items():
        if matches(path, pattern):
            return kind
    return None


def kinds_problem(kinds: Mapping[str, object]) -> tuple[str, str] | None:
    """The first ``kinds:`` entry whose kind is unknown, as (pattern, reason)."""
    for pattern, kind in kinds.items():
        problem = kind_problem(str(kind))
        if problem is not None:
            return pattern, problem
    return None
