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


def kind_from_path(path: PurePosixPath, lower_name: str) -> str | None:
    for package in packages():
        decide = getattr(package, "kind_from_path", None)
        if decide is not None:
            kind = decide(path, lower_name)
            if kind is not None:
                return kind
    return None


def kind_from_text(path: str, text: str) -> str | None:
    for package in packages():
        decide = getattr(package, "kind_from_text", None)
        if decide is not None:
            kind = decide(path, text)
            if kind is not None:
                return kind
    return None
