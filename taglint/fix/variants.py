"""Tags split into a version and a variant, so a fix keeps the variant.

``python:3-alpine`` pinned to the team's ``3.12.7`` must become
``python:3.12.7-alpine``: writing ``python:3.12.7`` would turn an Alpine
build into a Debian one.  :func:`split_tag` tells the two parts apart
(``3.12-slim`` -> ``3.12`` + ``slim``, ``slim-bookworm`` -> no version +
``slim-bookworm``, ``lts-alpine`` -> no version + ``alpine``);
:func:`versioned_tag` combines a configured version with the variant of
the tag written, or answers None when the variant cannot be kept.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    from taglint.tags import Vocabulary

_VERSION = re.compile(r"[vV]?(\d+(?:\.\d+)*)")


@dataclass(frozen=True)
class TagParts:
    """``version`` as written (``3.12``, ``v2``, ``""`` for none) and the
    variant after it (``slim-bookworm``, ``""`` for none)."""

    version: str
    variant: str


def split_tag(tag: str | None, vocab: Vocabulary) -> TagParts | None:
    """The version and variant of ``tag``; None when the tag is neither
    ``VERSION[-VARIANT]`` nor made of floating words and variants only
    (``jdk-17``, ``release-candidate``): its variant cannot be told apart."""
    if not tag or tag.lower() == "latest":
        return TagParts("", "")
    tokens = tag.split("-")
    if _VERSION.fullmatch(tokens[0]):
        return TagParts(tokens[0], "-".join(tokens[1:]))
    kept: list[str] = []
    for token in tokens:
        lowered = token.lower()
        if vocab.is_variant(lowered):  # a distribution codename (bookworm) is a variant here
            kept.append(token)
        elif lowered not in vocab.floating and lowered != "latest":
            return None
    return TagParts("", "-".join(kept))


def _numbers(version: str) -> tuple[int, ...]:
    match = _VERSION.fullmatch(version)
    return tuple(int(p) for p in match.group(1).split(".")) if match else ()


def versioned_tag(written_tag: str | None, configured: str, vocab: Vocabulary) -> str | None:
    """The tag that pins ``written_tag`` to the ``configured`` version with
    its variant kept, or None when that cannot be done: the variants differ
    (``3-alpine`` and ``3.12.7-slim``), the configured version is of another
    line (``3.12-slim`` and ``3.11.9``), or a tag's parts cannot be told."""
    written = split_tag(written_tag, vocab)
    wanted = split_tag(configured, vocab)
    if written is None:
        return None
    if wanted is None:  # a configured tag of no known shape: only where there is no variant to keep
        return configured if not written.variant else None
    if written.version and wanted.version:
        have, want = _numbers(written.version), _numbers(wanted.version)
        if want[: len(have)] != have:
            return None
    if wanted.variant:
        return configured if written.variant in ("", wanted.variant) else None
    return f"{configured}-{written.variant}" if written.variant else configured


def configured_version(versions: Mapping[str, str], familiar: str, canonical: str) -> str | None:
    """The ``fix.versions`` entry for an image: its familiar or canonical
    name exactly, else the first glob key (``ghcr.io/acme/*``) that matches
    either, in the order the configuration lists them."""
    from taglint.globs import matches_exact

    for name in (familiar, canonical):
        if name in versions:
            return versions[name]
    for pattern, version in versions.items():
        if any(c in pattern for c in "*?[") and (
            matches_exact(familiar, pattern) or matches_exact(canonical, pattern)
        ):
            return version
    return None
