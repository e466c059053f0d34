"""Check kinds over image references (any file kind): TL101–TL112 (TL104:
:mod:`taglint.checks.partial_versions`, TL113: :mod:`taglint.checks.consistency`)."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Iterator

from taglint.globs import matches_exact
from taglint.limits import TOO_LARGE
from taglint.model import Edit, FileFacts, Hit, ImageRef
from taglint.origin_notes import substitution_notes
from taglint.tags import TagClass

if TYPE_CHECKING:
    from taglint.project import Project
    from taglint.ruleset import Rule
    from taglint.tags import Classification


def written_name(ref: ImageRef, classification: Classification) -> str:
    """The image name as the author wrote it (an explicit ``docker.io/`` or
    ``docker.io/library/`` kept), without tag or digest."""
    reference = classification.reference
    if reference is None:
        return ref.value
    return ref.value[: reference.name_end] or reference.familiar_name


def image_hit(ref: ImageRef, classification: Classification | None = None, **fields: Any) -> Hit:
    base: dict[str, Any] = {
        "reference": ref.value,
        "written": ref.written,
        "context": ref.context,
    }
    if classification is not None:
        base["reason"] = classification.reason
        base["source"] = classification.source or "unknown"
        if classification.tag_class is TagClass.UNRESOLVED:  # ARG A=$A$A, forty times
            base["source"] = next((s.note for s in ref.via if s.note == TOO_LARGE), base["source"])
        base["variables"] = ", ".join(classification.variables)
        base["name"] = written_name(ref, classification)
        if classification.reference is not None:
            base["tag"] = classification.reference.tag or ""
    base.update(fields)
    # How the value came to be (ARG BASE=…, $TAG) goes on notes, not in the headline.
    related = ref.related + substitution_notes(ref.path, ref.span, ref.value, ref.via)
    # The format read, unless a resolver moved the finding to the file that decides the value.
    kind = ref.kind if ref.origin is None else None
    return Hit(path=ref.path, span=ref.span, fields=base, reference=ref.value, related=related, kind=kind)


def _applies(rule: Rule, ref: ImageRef) -> bool:
    kinds = rule.params.get("kinds")
    return not kinds or ref.kind in kinds


# Tag classes a configured `fix.versions` entry may replace.
_PINNABLE = ("none", "latest", "floating", "partial-version")

def facts_of(project: Project, path: str) -> FileFacts | None:
    """The facts of the file at ``path`` (indexed once per project, kept
    beside its other cached values)."""
    table = project.__dict__.get("_facts_by_path")
    if table is None:
        table = project.__dict__["_facts_by_path"] = {facts.path: facts for facts in project.files}
    return table.get(path)


def _version_fix(ref: ImageRef, found: Classification, project: Project) -> tuple[str, tuple[Edit, ...]]:
    """The standard version of the image (``fix.versions``, exact names
    first, then glob keys) with the variant of the tag written kept
    (``python:3-alpine`` -> ``python:3.12.7-alpine``), and the edit that
    writes it where the value is decided (:mod:`taglint.fix.placement`).
    No suggestion when the variant cannot be kept."""
    reference = found.reference
    versions = project.config.fix_versions
    if reference is None or not versions or found.tag_class.value not in _PINNABLE:
        return "", ()
    from taglint.fix.placement import Target, pin_edits
    from taglint.fix.variants import configured_version, versioned_tag

    version = configured_version(versions, reference.familiar_name, reference.canonical_name)
    tag = versioned_tag(reference.tag, version, project.vocabulary) if version else None
    if not tag:
        return "", ()
    name = written_name(ref, found)
    if reference.digest:
        return f"{name}:{tag}", ()
    edits = pin_edits(ref, reference.tag, Target(name, tag), facts_of(project, ref.path))
    return f"{name}:{tag}", edits


def tag_class_hit(ref: ImageRef, found: Classification, project: Project) -> Hit:
    """A hit for an image whose tag class a rule reports, with the pin its
    fix suggests: the ``fix.versions`` entry, ``name:<version>``, or (for a
    publisher with no version tags) the ``unversioned`` fix variant."""
    from taglint.publishers import publishers

    suggestion, edits = _version_fix(ref, found, project)
    name = written_name(ref, found)
    pin = f"`{suggestion}` as `fix.versions` says" if suggestion else f"`{name}:<version>`"
    extra: dict[str, Any] = {"pin": pin}
    reference = found.reference
    publisher = publishers().unversioned_publisher(reference.canonical_name) if reference else None
    if publisher and not suggestion:
        extra.update(fix_variant="unversioned", publisher=publisher)
    hit = image_hit(ref, found, **extra)
    return replace(hit, edits=edits, applicability="unsafe") if edits else hit


def check_tag_class(rule: Rule, project: Project) -> Iterator[Hit]:
    """Images whose tag class is one of ``params.classes``."""
    classes = set(rule.params["classes"])
    for ref in project.images():
        if not _applies(rule, ref):
            continue
        found = project.classify(ref.value)
        if found.tag_class.value in classes:
            yield tag_class_hit(ref, found, project)


def check_invalid(rule: Rule, project: Project) -> Iterator[Hit]:
    """Images that break the reference grammar; the message says why."""
    for ref in project.images():
        if not ref.value.strip():
            yield image_hit(ref, project.classify(ref.value), hint=_empty_consequence(ref),
                            message_variant="empty", fix_variant="empty")
            continue
        found = project.classify(ref.value)
        if found.tag_class.value == "invalid" and found.error is not None:
            hint = found.error.hint or ""
            hint = f"; {hint}" if hint and hint not in found.error.message else ""
            yield image_hit(ref, found, error=found.error.message, hint=hint)


def _empty_consequence(ref: ImageRef) -> str:
    if ref.kind == "dockerfile":
        return f"`{ref.context}` names no image"
    if ref.kind in ("kubernetes", "helm-template", "compose"):
        return "the container names no image to run"
    return "no image is named"


def check_policy(rule: Rule, project: Project) -> Iterator[Hit]:
    """Images matched by a configured ``images`` policy that do not meet its ``require``."""
    from taglint.image_policy import allowed_tag, meets, policy_for

    if not project.config.images:
        return
    for ref in project.images():
        found = project.classify(ref.value)
        if found.tag_class.value in ("unresolved", "invalid"):
            continue
        policy = policy_for(project.config, found)
        if policy is None or policy.require is None or allowed_tag(policy, found):
            continue
        if not meets(policy.require, found):
            yield image_hit(ref, found, policy=policy.match, require=policy.require)


def registry_location(classification: Classification) -> str | None:
    reference = classification.reference
    return None if reference is None else f"{reference.domain}/{reference.path}"


def registry_allowed(location: str, allow: tuple[str, ...], deny: tuple[str, ...]) -> bool:
    def hit(patterns: tuple[str, ...]) -> bool:
        host = location.split("/", 1)[0]
        return any(
            matches_exact(location, p) or ("/" not in p and matches_exact(host, p)) for p in patterns
        )

    if deny and hit(deny):
        return False
    return not allow or hit(allow)


def check_registry(rule: Rule, project: Project) -> Iterator[Hit]:
    """Images from a registry outside ``registries.allow`` or inside ``registries.deny``."""
    allow, deny = project.config.registries_allow, project.config.registries_deny
    if not (allow or deny):
        return
    for ref in project.images():
        found = project.classify(ref.value)
        location = registry_location(found)
        if location is None or found.tag_class.value == "unresolved" or _templated_name(ref.value):
            continue
        if not registry_allowed(location, allow, deny):
            yield image_hit(ref, found, location=location)


def _templated_name(value: str) -> bool:
    """The registry/repository part holds a placeholder: it cannot be judged."""
    name = value.split("@", 1)[0]
    return "$" in name.rsplit(":", 1)[0] or "{{" in name


def check_missing_digest(rule: Rule, project: Project) -> Iterator[Hit]:
    for ref in project.images():
        found = project.classify(ref.value)
        if found.tag_class.value in ("unresolved", "invalid", "digest-pinned"):
            continue
        if found.reference is not None and found.reference.digest is None:
            yield image_hit(ref, found)


def check_tag_and_digest(rule: Rule, project: Project) -> Iterator[Hit]:
    for ref in project.images():
        found = project.classify(ref.value)
        reference = found.reference
        if reference is not None and reference.tag and reference.digest:
            hit = image_hit(ref, found, digest=reference.digest)
            edits, applicability = _pin_style_fix(ref, found, project)
            yield replace(hit, edits=edits, applicability=applicability) if edits else hit


def _pin_style_fix(ref: ImageRef, found: Classification, project: Project) -> tuple[tuple[Edit, ...], str]:
    """``name:tag@digest`` rewritten in the configured ``fix.pin-style``:
    ``digest # tag`` keeps the digest and moves the tag to a comment (safe:
    Docker pulls by the digest and ignores the tag), ``tag`` drops the digest
    (unsafe: the tag may point elsewhere now); ``tag@digest`` is the form
    itself, so no edit.  A digest pin is written only with its comment."""
    from taglint.fix.placement import Target, pin_edits

    reference = found.reference
    style = project.config.pin_style
    if reference is None or style == "tag@digest":
        return (), "none"
    name = written_name(ref, found)
    facts = facts_of(project, ref.path)
    if style == "tag":
        return pin_edits(ref, reference.tag, Target(name, reference.tag), facts), "unsafe"
    target = Target(name, None, reference.digest, comment=reference.tag)
    edits = pin_edits(ref, reference.tag, target, facts)
    return (edits, "safe") if len(edits) == 2 else ((), "none")


def short_digest(digest: str) -> str:
    """``sha256:3f1a9c2e7b4d…``: enough of a digest to tell two apart."""
    algorithm, _, hexes = digest.partition(":")
    return f"{algorithm}:{hexes[:12]}…" if len(hexes) > 12 else digest


def check_stale_pin(rule: Rule, project: Project) -> Iterator[Hit]:
    """TL115 offline: one ``name:tag`` pinned to different digests in one
    file, so the tag was re-pushed between the pins.  (``--resolve`` asks
    the registry about every pin: :mod:`taglint.resolve_pins`.)"""
    groups: dict[tuple[str, str, str], list[tuple[ImageRef, Classification]]] = {}
    for ref in project.images():
        found = project.classify(ref.value)
        reference = found.reference
        if reference is None or not reference.tag or not reference.digest:
            continue
        groups.setdefault((ref.path, reference.canonical_name, reference.tag), []).append((ref, found))
    for (_path, _name, tag), members in groups.items():
        if len({found.reference.digest for _, found in members if found.reference}) < 2:
            continue
        for ref, found in members:
            mine = found.reference.digest if found.reference else None
            other_ref, other = next((o, f) for o, f in members if f.reference and f.reference.digest != mine)
            yield image_hit(
                ref, found, tag=tag, digest=short_digest(mine or ""),
                other=short_digest(other.reference.digest if other.reference else ""),
                elsewhere=f"line {other_ref.span.line}",
            )
