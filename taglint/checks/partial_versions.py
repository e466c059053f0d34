"""TL104: tags that name only a major or major.minor version.

A partial tag is reported unless the domain makes it an exact release:

- the tag meets the ``images`` policy of its image (``require: semver``
  accepts ``v1.0``: the team's own definition of a release);
- the repository itself pushes or builds the image with that tag, and with
  no more specific tag of the same line (``v1.0.3`` beside ``v1.0`` would
  make ``v1.0`` a moving alias): the tag is one of its own releases;
- the publisher recommends the moving major tag where it is written
  (``# syntax=docker/dockerfile:1``; ``taglint/data/publishers.yaml``).

The second needs every command of the scan, so this check kind is
project-wide (``taglint.checks.PROJECT_WIDE``).
"""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Iterator

from taglint.checks.images import tag_class_hit
from taglint.tags import TagClass

if TYPE_CHECKING:
    from taglint.model import Hit, ImageRef
    from taglint.project import Project
    from taglint.ruleset import Rule
    from taglint.tags import Classification

# Commands that give an image its tags in the repository.
_TAGGING_ACTIONS = ("push", "build", "tag")


def own_releases(project: Project) -> frozenset[tuple[str, str]]:
    """``(canonical name, tag)`` of the partial-version tags the scanned
    repository gives its own images (push, build ``-t`` or ``tag`` targets)
    with no more specific tag of the same line for the same image."""
    from taglint.tags import release_version

    given: dict[str, set[str]] = defaultdict(set)
    for command in project.commands():
        if command.action not in _TAGGING_ACTIONS and not command.attributes.get("push"):
            continue
        for word in command.attributes.get("targets") or ():
            reference = project.classify(word.value).reference
            if reference is not None and reference.tag is not None:
                given[reference.canonical_name].add(reference.tag)
    releases: set[tuple[str, str]] = set()
    for name, tags in given.items():
        versions = {tag: release_version(tag, project.vocabulary) for tag in tags}
        for tag, version in versions.items():
            if version is None or version.exact:
                continue
            if not any(other is not None and other.refines(version) for other in versions.values()):
                releases.add((name, tag))
    return frozenset(releases)


def _exact_by_domain(ref: ImageRef, found: Classification, project: Project, releases: frozenset[tuple[str, str]]) -> bool:
    from taglint.image_policy import exact_by_policy
    from taglint.publishers import publishers

    reference = found.reference
    if reference is None:
        return False
    if publishers().floats_by_design(reference.canonical_name, ref.context):
        return True
    if exact_by_policy(project.config, found):
        return True
    return (reference.canonical_name, reference.tag or "") in releases


def check_partial_version(rule: Rule, project: Project) -> Iterator[Hit]:
    """Images with a partial-version tag that the domain does not make an exact release."""
    kinds = rule.params.get("kinds")
    releases: frozenset[tuple[str, str]] | None = None
    for ref in project.images():
        if kinds and ref.kind not in kinds:
            continue
        found = project.classify(ref.value)
        if found.tag_class is not TagClass.PARTIAL:
            continue
        if releases is None:
            releases = own_releases(project)
        if not _exact_by_domain(ref, found, project, releases):
            yield tag_class_hit(ref, found, project)
