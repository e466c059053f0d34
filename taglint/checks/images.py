"""Check kinds over image references (any file kind): TL101–TL113."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Iterator

from taglint.globs import matches_exact
from taglint.model import Edit, Hit, ImageRef

if TYPE_CHECKING:
    from taglint.project import Project
    from taglint.ruleset import Rule
    from taglint.tags import Classification


def describe_origin(ref: ImageRef) -> str:
    """' (written `${BASE}`, via ARG BASE=ubuntu)' — how the value came to be."""
    parts = []
    if ref.written != ref.value and ref.written:
        parts.append(f"written `{ref.written}`")
    if ref.via:
        parts.append("via " + ", ".join(step.describe() for step in ref.via))
    return f" ({'; '.join(parts)})" if parts else ""


def image_hit(ref: ImageRef, classification: Classification | None = None, **fields: Any) -> Hit:
    base: dict[str, Any] = {
        "reference": ref.value,
        "written": ref.written,
        "via": describe_origin(ref),
        "context": ref.context,
    }
    if classification is not None:
        base["reason"] = classification.reason
        base["source"] = classification.source or "unknown"
        base["variables"] = ", ".join(classification.variables)
        base["name"] = ref.value
        if classification.reference is not None:
            base["tag"] = classification.reference.tag or ""
            base["name"] = classification.reference.familiar_name
    base.update(fields)
    return Hit(path=ref.path, span=ref.span, fields=base, reference=ref.value, related=ref.related)


def _applies(rule: Rule, ref: ImageRef) -> bool:
    kinds = rule.params.get("kinds")
    return not kinds or ref.kind in kinds


# Tag classes a configured `fix.versions` entry may replace.
_PINNABLE = ("none", "latest", "floating", "partial-version")


def _version_fix(ref: ImageRef, found: Classification, project: Project) -> tuple[str, tuple[Edit, ...]]:
    """The standard version of the image (``fix.versions``) and, when the
    reference is written literally, the edit that sets it as the tag."""
    reference = found.reference
    versions = project.config.fix_versions
    if reference is None or not versions or found.tag_class.value not in _PINNABLE:
        return "", ()
    version = versions.get(reference.familiar_name) or versions.get(reference.canonical_name)
    if not version:
        return "", ()
    name = ref.written[: reference.name_end]
    if not ref.literal or reference.digest:
        return f"{reference.familiar_name}:{version}", ()
    return f"{reference.familiar_name}:{version}", (Edit(ref.span, f"{name}:{version}"),)


def check_tag_class(rule: Rule, project: Project) -> Iterator[Hit]:
    """Images whose tag class is one of ``params.classes``."""
    classes = set(rule.params["classes"])
    for ref in project.images():
        if not _applies(rule, ref):
            continue
        found = project.classify(ref.value)
        if found.tag_class.value in classes:
            suggestion, edits = _version_fix(ref, found, project)
            name = found.reference.familiar_name if found.reference else ref.value
            pin = f"`{suggestion}` as `fix.versions` says" if suggestion else f"`{name}:<version>`"
            hit = image_hit(ref, found, pin=pin)
            yield replace(hit, edits=edits, applicability="unsafe") if edits else hit


def check_invalid(rule: Rule, project: Project) -> Iterator[Hit]:
    """Images that break the reference grammar; the message says why."""
    for ref in project.images():
        found = project.classify(ref.value)
        if found.tag_class.value == "invalid" and found.error is not None:
            hint = found.error.hint or ""
            hint = f"; {hint}" if hint and hint not in found.error.message else ""
            yield image_hit(ref, found, error=found.error.message, hint=hint)


def _policy_for(project: Project, classification: Classification) -> Any:
    reference = classification.reference
    if reference is None:
        return None
    names = (reference.familiar_name, reference.canonical_name)
    for policy in project.config.images:
        if any(matches_exact(name, policy.match) for name in names):
            return policy
    return None


def _meets(requirement: str, classification: Classification) -> bool:
    reference = classification.reference
    assert reference is not None
    if requirement == "digest":
        return reference.digest is not None
    tag = reference.tag
    if tag is None:
        return reference.digest is not None and requirement != "semver"
    if requirement == "version":
        return classification.tag_class.value in ("version", "digest-pinned") and tag is not None
    import semver

    candidate = tag[1:] if tag[:1] in "vV" else tag
    return semver.Version.is_valid(candidate)


def check_policy(rule: Rule, project: Project) -> Iterator[Hit]:
    """Images matched by a configured ``images`` policy that do not meet its ``require``."""
    if not project.config.images:
        return
    for ref in project.images():
        found = project.classify(ref.value)
        if found.tag_class.value in ("unresolved", "invalid"):
            continue
        policy = _policy_for(project, found)
        if policy is None or policy.require is None:
            continue
        tag = found.reference.tag if found.reference else None
        if tag is not None and any(matches_exact(tag, glob) for glob in policy.allow_tags):
            continue
        if not _meets(policy.require, found):
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
            yield image_hit(ref, found, digest=reference.digest)


def _matrix_variant(ref: ImageRef) -> bool:
    """One value of a CI build matrix: the versions differ on purpose."""
    return any(step.name.startswith("matrix.") for step in ref.via)


_VERSIONED = ("version", "partial-version", "prerelease", "commit", "latest", "floating")


def check_inconsistent_tags(rule: Rule, project: Project) -> Iterator[Hit]:
    """One repository used at different tags across the scanned files."""
    from taglint.tags import TagClass

    groups: dict[str, list[tuple[ImageRef, str]]] = defaultdict(list)
    versioned = {TagClass(name) for name in _VERSIONED}
    for ref in project.images():
        if ref.built or (ref.via and _matrix_variant(ref)):
            continue
        found = project.classify(ref.value)
        reference = found.reference
        if found.tag_class not in versioned or reference is None or reference.tag is None:
            continue
        groups[reference.canonical_name].append((ref, reference.tag))
    for uses in groups.values():
        counts = Counter(tag for _, tag in uses)
        if len(counts) < 2:
            continue
        majority = max(counts.items(), key=lambda item: (item[1], item[0]))[0]
        example = next(ref for ref, tag in uses if tag == majority)
        others = ", ".join(f"`{tag}` ({n}×)" for tag, n in sorted(counts.items()))
        for ref, tag in uses:
            if tag != majority:
                yield image_hit(
                    ref,
                    project.classify(ref.value),
                    majority=majority,
                    tags=others,
                    elsewhere=f"{example.path}:{example.span.line}",
                )
