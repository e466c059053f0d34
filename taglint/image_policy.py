"""Per-image policies (config key ``images``): which policy covers an image,
and whether its reference meets the policy's ``require``.

``require`` values:

- ``semver``: ``[v]MAJOR.MINOR[.PATCH][-prerelease]`` (``v1.0``, ``1.4.2``,
  ``v2.0-rc.1``), read with the ``semver`` package's optional minor/patch
  parsing; a major version alone (``v2``) is not enough;
- ``semver-strict``: a full ``[v]MAJOR.MINOR.PATCH[-prerelease]``;
- ``version``: any exact version tag (the tag classifier's ``version``), or a
  digest;
- ``digest``: a digest pin.

A tag that meets its image's policy names the release the team agreed on,
so it is an exact release for the other rules too (no TL104).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from taglint.globs import matches_exact

if TYPE_CHECKING:
    from taglint.config import Config, ImagePolicy
    from taglint.tags import Classification

REQUIREMENTS = ("semver", "semver-strict", "version", "digest")


def policy_for(config: Config, classification: Classification) -> ImagePolicy | None:
    """The first configured policy whose ``match`` fits the image's familiar
    or canonical name."""
    reference = classification.reference
    if reference is None or not config.images:
        return None
    names = (reference.familiar_name, reference.canonical_name)
    for policy in config.images:
        if any(matches_exact(name, policy.match) for name in names):
            return policy
    return None


def allowed_tag(policy: ImagePolicy, classification: Classification) -> bool:
    """The tag is one of the policy's ``allow-tags`` exceptions."""
    reference = classification.reference
    tag = reference.tag if reference is not None else None
    return tag is not None and any(matches_exact(tag, glob) for glob in policy.allow_tags)


def meets(requirement: str, classification: Classification) -> bool:
    """The reference satisfies ``require: <requirement>``."""
    from taglint.tags import semantic_version

    reference = classification.reference
    if reference is None:
        return False
    if requirement == "digest":
        return reference.digest is not None
    tag = reference.tag
    if requirement == "version":
        return classification.tag_class.value in ("version", "digest-pinned")
    if tag is None:  # a digest alone carries no version to read
        return False
    return semantic_version(tag, require_patch=requirement == "semver-strict")


def exact_by_policy(config: Config, classification: Classification) -> bool:
    """The reference's tag meets the ``require`` of the policy covering its
    image: the team's own definition of an exact release."""
    policy = policy_for(config, classification)
    if policy is None or policy.require is None:
        return False
    reference = classification.reference
    return reference is not None and reference.tag is not None and meets(policy.require, classification)
