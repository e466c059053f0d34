"""Which tags are candidates for a pin, and in which order (taglint/registry/versions.py)."""
from __future__ import annotations

import pytest

from taglint.registry.versions import TagParts, candidates, floating_parts, version_parts

PYTHON = ["latest", "3", "3.13", "3.13.1", "3.13.0", "3.12", "3.12.7", "3.14.0a1", "3.14.0rc1",
          "3.12-slim", "3.12.7-slim", "3.12.6-slim", "3.12.7-slim-bookworm", "3.12-slim-bookworm",
          "3.13.1-slim", "3.12.7-alpine", "3.12.7-alpine3.20", "slim", "alpine", "20241201", "4711", "v3.13.2"]
NODE = ["lts-alpine", "22.11.0-alpine3.20", "22.11-alpine3.20", "22-alpine3.20", "22.11.0-alpine",
        "22-alpine", "23.3.0-alpine3.20", "22.11.0", "22.11.0-bookworm", "lts"]


@pytest.mark.parametrize(("tag", "parts"), [
    ("3.12.7-slim", TagParts((3, 12, 7), "slim")),
    ("v2.4.1", TagParts((2, 4, 1), "", v_prefix=True)),
    ("22.11.0-alpine3.20", TagParts((22, 11, 0), "alpine3.20")),
    ("21.0.5_11-jre", TagParts((21, 0, 5, 11), "jre")),
    ("3", TagParts((3,), "")),
    ("latest", None), ("3.14.0a1", None), ("1.0-rc1", TagParts((1, 0), "rc1")), ("20241201", None),
    ("4711", None), ("sha-1a2b3c", None),
])
def test_version_parts(tag: str, parts: TagParts | None) -> None:
    assert version_parts(tag) == parts


@pytest.mark.parametrize(("tag", "parts"), [
    ("latest", TagParts((), "")), ("lts-alpine", TagParts((), "alpine")), ("alpine", TagParts((), "alpine")),
    ("slim-bookworm", TagParts((), "slim-bookworm")), ("3.12-slim", TagParts((3, 12), "slim")),
])
def test_floating_parts(tag: str, parts: TagParts) -> None:
    assert floating_parts(tag) == parts


@pytest.mark.parametrize(("floating", "tags", "expected"), [
    ("latest", PYTHON, ["v3.13.2", "3.13.1", "3.13.0", "3.13", "3.12.7", "3.12", "3"]),
    ("3.12-slim", PYTHON, ["3.12.7-slim", "3.12.6-slim"]),
    ("3.12", PYTHON, ["3.12.7"]),
    ("alpine", PYTHON, ["3.12.7-alpine3.20", "3.12.7-alpine"]),
    ("slim", PYTHON, ["3.13.1-slim", "3.12.7-slim", "3.12.6-slim", "3.12-slim"]),
    ("lts-alpine", NODE, ["23.3.0-alpine3.20", "22.11.0-alpine3.20", "22.11.0-alpine", "22.11-alpine3.20",
                          "22-alpine3.20", "22-alpine"]),
    ("22-alpine", NODE, ["22.11.0-alpine3.20", "22.11.0-alpine", "22.11-alpine3.20"]),
    ("lts", NODE, ["22.11.0"]),
    ("v2", ["v2.4.1", "2.5.0", "v2.4", "v3.0.0"], ["v2.4.1", "v2.4"]),
    ("21-jre-alpine", ["21.0.5_11-jre-alpine", "21.0.5-jre-alpine", "21-jre-alpine", "21.0.5_11-jdk-alpine"],
     ["21.0.5_11-jre-alpine", "21.0.5-jre-alpine"]),
    # a release-line name: the variant after it, else none
    ("iron-alpine", NODE, ["23.3.0-alpine3.20", "22.11.0-alpine3.20", "22.11.0-alpine", "22.11-alpine3.20",
                           "22-alpine3.20", "22-alpine"]),
    ("iron", NODE, ["22.11.0"]),
    ("slim-bookworm", PYTHON, ["3.12.7-slim-bookworm", "3.12-slim-bookworm"]),
])
def test_candidates_newest_and_most_specific_first(floating: str, tags: list[str], expected: list[str]) -> None:
    assert candidates(floating, tags, limit=50) == expected


def test_candidates_are_bounded() -> None:
    tags = [f"1.{minor}.{patch}" for minor in range(30) for patch in range(30)]
    chosen = candidates("latest", tags, limit=20)
    assert len(chosen) == 20 and chosen[0] == "1.29.29" and chosen[-1] == "1.29.10"
