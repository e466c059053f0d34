"""Which tags may be the version a floating tag points at, newest first.

A tag is read as *version* + *variant*: ``3.12.7-slim`` is version
``(3, 12, 7)`` with variant ``slim``; ``lts-alpine`` and ``alpine`` have no
version and variant ``alpine``; ``latest`` neither.  A candidate for a
floating tag:

* is version-like (``v?N(.N)*``, with an optional ``_N`` build number as in
  ``21.0.5_11``, optionally ``-variant``; pre-releases such as ``3.14.0a1``
  are not);
* has the same variant, or that variant with a version appended
  (``alpine`` -> ``alpine3.20``, a more exact name for the same thing);
  ``slim`` does not accept ``slim-bookworm`` (another variant axis);
* extends the floating tag's version (``3.12-slim`` -> ``3.12.7-slim``),
  written alike (``v2`` -> ``v2.4.1``, not ``2.4.1``).

Candidates are sorted newest version first, then the more specific name
(``22.11.0-alpine3.20`` before ``22.11.0-alpine``), so the first one sharing
the floating tag's digest is the most specific version tag.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_VERSION_TAG = re.compile(
    r"(?P<v>v?)(?P<version>\d+(?:\.\d+)*(?:_\d+)?)(?:-(?P<variant>[A-Za-z][A-Za-z0-9._-]*))?")
_VERSIONED_VARIANT = re.compile(r"(?P<base>[A-Za-z][A-Za-z._-]*?)(?P<version>\d+(?:\.\d+)*)")
FLOATING_WORDS = frozenset({"latest", "lts", "stable", "current", "edge", "mainline", "release", "rolling", "nightly"})
MAX_COMPONENT = 10 ** 9  # a "version" with a bigger number is a date or build id, still sortable


MAX_SINGLE_NUMBER = 999  # `20241201`, `4711`: a date or build number, not a version


@dataclass(frozen=True)
class TagParts:
    version: tuple[int, ...]  # () for a tag without a version
    variant: str  # "" for none
    v_prefix: bool = False  # written `v1.2.3`


def version_parts(tag: str) -> TagParts | None:
    """``3.12.7-slim`` -> ((3, 12, 7), "slim"); None when ``tag`` is not version-like.

    A lone number above :data:`MAX_SINGLE_NUMBER` is a date or build
    number, not a version (it would sort above every release).
    """
    match = _VERSION_TAG.fullmatch(tag)
    if not match:
        return None
    numbers = tuple(min(int(part), MAX_COMPONENT) for part in re.split(r"[._]", match.group("version")))
    if len(numbers) == 1 and numbers[0] > MAX_SINGLE_NUMBER:
        return None
    return TagParts(numbers, match.group("variant") or "", bool(match.group("v")))


def floating_parts(tag: str) -> TagParts:
    """What a floating tag asks for: ``3.12-slim`` -> ((3, 12), "slim"), ``lts-alpine`` -> ((), "alpine")."""
    parsed = version_parts(tag)
    if parsed is not None:
        return parsed
    word, _, rest = tag.partition("-")
    if word.lower() in FLOATING_WORDS:
        return TagParts((), rest)
    return TagParts((), tag)


def _variant_rank(wanted: str, variant: str) -> tuple[int, tuple[int, ...]] | None:
    """How well ``variant`` names ``wanted``: exact (0), versioned (1, its version); None: another variant."""
    if variant == wanted:
        return 0, ()
    if not wanted:
        return None
    match = _VERSIONED_VARIANT.fullmatch(variant)
    if match and match.group("base") == wanted:
        return 1, tuple(int(part) for part in match.group("version").split("."))
    return None


def candidates(floating: str, tags: list[str], limit: int) -> list[str]:
    """The version tags that may share ``floating``'s digest, most specific and newest first, at most ``limit``.

    A floating tag without a version whose variant no version tag carries
    may start with a name for a release line (``iron-alpine``, ``jammy``):
    then the variant after that word is tried, then none (the digest
    comparison decides; these only choose which tags to ask about).
    """
    wanted = floating_parts(floating)
    found = _candidates_for(wanted, floating, tags, limit)
    if found or wanted.version or not wanted.variant:
        return found
    _word, dash, rest = wanted.variant.partition("-")
    if dash:
        found = _candidates_for(TagParts((), rest), floating, tags, limit)
    return found or _candidates_for(TagParts((), ""), floating, tags, limit)


def _candidates_for(wanted: TagParts, floating: str, tags: list[str], limit: int) -> list[str]:
    ranked: list[tuple[tuple, str]] = []
    for tag in tags:
        if tag == floating:
            continue
        parts = version_parts(tag)
        if parts is None:
            continue
        rank = _variant_rank(wanted.variant, parts.variant)
        if rank is None:
            continue
        if wanted.version and (len(parts.version) <= len(wanted.version)
                               or parts.version[: len(wanted.version)] != wanted.version
                               or parts.v_prefix != wanted.v_prefix):
            continue
        ranked.append(((parts.version, rank[0], rank[1], -len(tag), tag), tag))
    ranked.sort(key=lambda item: item[0], reverse=True)
    return [tag for _key, tag in ranked[:limit]]
