"""TL113: one image used at different versions within one deployable unit.

References are grouped by deployable unit (:mod:`taglint.units`: a chart, a
Kustomize tree, one workflow, one folder of manifests, never across release
folders or vendored copies) and by repository.  Only tags that name a
version count, read without their variants (``v3.14.0`` and
``v3.14.0-distroless`` are the same version).  The recommendation is the
newest exact release in the unit; only uses older than it are reported
(never an older or a floating tag as the advice), in one finding per image
at the first such use, with the other uses as related locations.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterator

from taglint.checks.images import image_hit
from taglint.model import Location, Related

if TYPE_CHECKING:
    from taglint.model import Hit, ImageRef
    from taglint.project import Project
    from taglint.ruleset import Rule
    from taglint.tags import ReleaseVersion
    from taglint.units import Units


@dataclass(frozen=True)
class _Use:
    ref: ImageRef
    tag: str
    version: ReleaseVersion

    def place(self) -> tuple[str, int, int]:
        return (self.ref.path, self.ref.span.line, self.ref.span.column)


def _matrix_variant(ref: ImageRef) -> bool:
    """One value of a CI build matrix: the versions differ on purpose."""
    return any(step.name.startswith("matrix.") for step in ref.via)


def _uses_by_unit(project: Project, units: Units) -> dict[tuple[str, str], list[_Use]]:
    from taglint.tags import release_version

    groups: dict[tuple[str, str], list[_Use]] = defaultdict(list)
    for ref in project.images():
        if ref.built or _matrix_variant(ref):
            continue
        reference = project.classify(ref.value).reference
        if reference is None or reference.tag is None or reference.digest is not None:
            continue
        version = release_version(reference.tag, project.vocabulary)
        if version is not None:
            unit = units.unit_of(ref.path, ref.kind)
            groups[(unit, reference.canonical_name)].append(_Use(ref, reference.tag, version))
    return groups


def _newest(uses: list[_Use]) -> _Use | None:
    """The use at the newest exact release (the most used tag of it, then the first place)."""
    releases = [u for u in uses if u.version.exact and not u.version.prerelease]
    if not releases:
        return None
    top = max(u.version.key() for u in releases)
    at_top = [u for u in releases if u.version.key() == top]
    counts = Counter(u.tag for u in at_top)
    return min(at_top, key=lambda u: (-counts[u.tag], u.place()))


def check_inconsistent_tags(rule: Rule, project: Project) -> Iterator[Hit]:
    """Uses of an image older than the newest exact version in their unit."""
    from taglint.units import Units

    units = Units.of_scan((facts.path, facts.kind) for facts in project.files)
    for (unit, _name), uses in sorted(_uses_by_unit(project, units).items()):
        newest = _newest(uses)
        if newest is None:
            continue
        behind = sorted((u for u in uses if u.version.older_than(newest.version)), key=_Use.place)
        if not behind:
            continue
        first = behind[0]
        counts = Counter(u.tag for u in uses)
        others = [u for u in sorted(uses, key=_Use.place) if u is not first]
        related = tuple(
            Related(Location(u.ref.path, u.ref.span), _note(u, newest)) for u in others
        )
        hit = image_hit(
            first.ref,
            project.classify(first.ref.value),
            newest=newest.tag,
            version=newest.version.text or newest.tag,
            unit=units.describe(unit, first.ref.kind),
            tags=", ".join(f"`{tag}` ({n}×)" for tag, n in sorted(counts.items())),
            elsewhere=f"{newest.ref.path}:{newest.ref.span.line}",
        )
        yield replace(hit, related=hit.related + related)


def _note(use: _Use, newest: _Use) -> str:
    if use.version.key() == newest.version.key():
        return f"`{use.ref.value}`: the newest version in use"
    if use.version.older_than(newest.version):
        return f"`{use.ref.value}`: also older than `{newest.tag}`"
    return f"`{use.ref.value}` is used here"
