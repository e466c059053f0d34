"""Offline fixes keep the variant of the tag they pin (issue 11, item 1)."""
from __future__ import annotations

import pytest

from taglint.fix.variants import TagParts, configured_version, split_tag, versioned_tag
from taglint.tags import Vocabulary

VOCAB = Vocabulary.default()


@pytest.mark.parametrize(
    "tag,parts",
    [
        ("3.12-slim", TagParts("3.12", "slim")),
        ("3-alpine", TagParts("3", "alpine")),
        ("slim-bookworm", TagParts("", "slim-bookworm")),
        ("lts-alpine", TagParts("", "alpine")),
        ("latest", TagParts("", "")),
        (None, TagParts("", "")),
        ("v2", TagParts("v2", "")),
        ("20-alpine3.20", TagParts("20", "alpine3.20")),
    ],
)
def test_split_tag(tag: str | None, parts: TagParts) -> None:
    assert split_tag(tag, VOCAB) == parts


def test_split_tag_of_unknown_shape_is_none() -> None:
    assert split_tag("release-candidate", VOCAB) is None


@pytest.mark.parametrize(
    "written,configured,expected",
    [
        ("3-alpine", "3.12.7", "3.12.7-alpine"),
        ("slim-bookworm", "3.12.7", "3.12.7-slim-bookworm"),
        ("3.12-slim", "3.12.7", "3.12.7-slim"),
        ("latest", "3.12.7", "3.12.7"),
        (None, "3.12.7", "3.12.7"),
        ("lts-alpine", "22.11.0", "22.11.0-alpine"),
        # the configured tag carries the variant already
        ("latest", "3.12.7-slim-bookworm", "3.12.7-slim-bookworm"),
        ("3.12-slim", "3.12.7-slim", "3.12.7-slim"),
        # no edit: another variant, another version line, a tag of no known shape
        ("3-alpine", "3.12.7-slim", None),
        ("3.11-slim", "3.12.7", None),
        ("release-candidate", "3.12.7", None),
        ("v2", "v2.4.1", "v2.4.1"),
    ],
)
def test_versioned_tag(written: str | None, configured: str, expected: str | None) -> None:
    assert versioned_tag(written, configured, VOCAB) == expected


def test_configured_version_exact_names_before_globs() -> None:
    versions = {"ghcr.io/acme/*": "v2.4.1", "ghcr.io/acme/api": "v3.0.0", "python": "3.12.7"}
    assert configured_version(versions, "ghcr.io/acme/api", "ghcr.io/acme/api") == "v3.0.0"
    assert configured_version(versions, "ghcr.io/acme/web", "ghcr.io/acme/web") == "v2.4.1"
    assert configured_version(versions, "python", "docker.io/library/python") == "3.12.7"
    assert configured_version(versions, "ghcr.io/other/web", "ghcr.io/other/web") is None
    # a glob matches the canonical name too
    assert configured_version({"docker.io/library/*": "1.0.0"}, "redis", "docker.io/library/redis") == "1.0.0"
