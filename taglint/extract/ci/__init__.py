"""Extractors of CI configurations (GitHub, GitLab, CircleCI, Azure, Bitbucket, Cloud Build, Drone, Jenkins) and their shared helpers."""

from __future__ import annotations

from pathlib import PurePosixPath

KINDS: dict[str, str] = {  # kinds added by this family (taglint.extract.families)
    "buildkite": "taglint.extract.ci.buildkite",
}

_BUILDKITE_NAMES = ("buildkite.yml", "buildkite.yaml")


def kind_from_path(path: PurePosixPath, lower_name: str) -> str | None:
    """Buildkite: YAML under a ``.buildkite/`` folder, ``buildkite.yml`` and
    ``buildkite/pipeline.yml`` (the files the agent's ``pipeline upload``
    looks for)."""
    if not lower_name.endswith((".yml", ".yaml")):
        return None
    folders = [part.lower() for part in path.parts[:-1]]
    if lower_name in _BUILDKITE_NAMES or ".buildkite" in folders:
        return "buildkite"
    if folders[-1:] == ["buildkite"] and lower_name.startswith("pipeline."):
        return "buildkite"
    return None
