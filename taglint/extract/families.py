"""Extractor families: each package under ``taglint/extract/`` groups the
extractors of one family of files (containers, kubernetes, ci, scripts,
ml, infra) and may register kinds of its own.

A family package's ``__init__.py`` may define:

* ``KINDS: dict[str, str]`` — kind → module implementing ``extract``;
* ``kind_from_path(path: PurePosixPath, lower_name: str) -> str | None`` —
  a kind decided by the path alone (``MLproject``, ``*.tf``…);
* ``CONTENT_SUFFIXES: tuple[str, ...]`` — file-name endings (lower case)
  whose text the family wants to look at (``.py``, ``.hcl``…), besides
  YAML and JSON, which are always looked at;
* ``may_hold(path: str, data: bytes) -> bool`` — for a file of one of its
  ``CONTENT_SUFFIXES``, whether the raw bytes could be of one of its kinds
  (a substring test); a file no family may hold is never decoded;
* ``CONTENT_WORDS: tuple[str, ...]`` — words one of which every file of
  its ``CONTENT_SUFFIXES`` it can take holds (``may_hold`` tests the same):
  in a git work tree, one ``git grep`` for them picks the few files worth
  opening (:func:`grep_words`);
* ``kind_from_text(path: str, text: str) -> str | None`` — a kind decided
  by a cheap look at the text (a byte check or the first lines, never a
  parse), asked only when the built-in classification found none.

The family packages are tiny; they are imported on first use, never the
extractors themselves.
"""
from __future__ import annotations

import importlib
from functools import lru_cache
from pathlib import PurePosixPath
from types import ModuleType

FAMILIES = ("containers", "kubernetes", "ci", "scripts", "ml", "infra")


@lru_cache(maxsize=None)
def packages() -> tuple[ModuleType, ...]:
    return tuple(importlib.import_module(f"taglint.extract.{family}") for family in FAMILIES)


@lru_cache(maxsize=None)
def extractors() -> dict[str, str]:
    """Kind → extractor module, from every family's ``KINDS``."""
    found: dict[str, str] = {}
    for package in packages():
        found.update(getattr(package, "KINDS", {}))
    return found


@lru_cache(maxsize=None)
def content_suffixes() -> tuple[str, ...]:
    return tuple(suffix for package in packages() for suffix in getattr(package, "CONTENT_SUFFIXES", ()))


@lru_cache(maxsize=None)
def _hooks(name: str) -> tuple:
    """Every family's function ``name``, in family order."""
    return tuple(hook for package in packages() if (hook := getattr(package, name, None)) is not None)


@lru_cache(maxsize=None)
def _byte_checks() -> tuple[tuple[tuple[str, ...], object], ...]:
    """(suffixes, may_hold or None) of each family that looks at contents."""
    return tuple(
        (tuple(package.CONTENT_SUFFIXES), getattr(package, "may_hold", None))
        for package in packages()
        if getattr(package, "CONTENT_SUFFIXES", ())
    )


@lru_cache(maxsize=None)
def grep_words() -> dict[str, tuple[str, ...]]:
    """For each content suffix that only families with ``CONTENT_WORDS``
    look at: the words a file with that ending must hold to be read."""
    words: dict[str, list[str]] = {}
    unfiltered: set[str] = set()
    for package in packages():
        family_words = getattr(package, "CONTENT_WORDS", None)
        for suffix in getattr(package, "CONTENT_SUFFIXES", ()):
            if family_words is None:
                unfiltered.add(suffix)
            else:
                words.setdefault(suffix, []).extend(family_words)
    return {suffix: tuple(dict.fromkeys(found)) for suffix, found in words.items() if suffix not in unfiltered}


def kind_from_path(path: PurePosixPath, lower_name: str) -> str | None:
    for decide in _hooks("kind_from_path"):
        kind = decide(path, lower_name)
        if kind is not None:
            return kind
    return None


def may_hold(path: str, data: bytes) -> bool:
    """Could a family with ``path``'s ending among its ``CONTENT_SUFFIXES``
    take these bytes?  (A family without ``may_hold`` always may.)"""
    lower = path.lower()
    for suffixes, check in _byte_checks():
        if lower.endswith(suffixes) and (check is None or check(path, data)):  # type: ignore[operator]
            return True
    return False


def kind_from_text(path: str, text: str) -> str | None:
    for decide in _hooks("kind_from_text"):
        kind = decide(path, text)
        if kind is not None:
            return kind
    return None
