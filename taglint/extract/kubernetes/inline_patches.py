"""Kustomize inline patches: strategic-merge YAML or JSON 6902 operations
written as strings in a ``kustomization.yaml`` (``patches[].patch``,
``patchesStrategicMerge[]``, ``patchesJson6902[].patch``).

Each string is parsed with its positions in the kustomization
(:mod:`taglint.extract.kubernetes.embedded`); the images it sets are
references of the kustomization (kind ``kustomization``), spanned where
they are written:

* a strategic-merge patch is a manifest object, read as manifests are
  (:func:`taglint.extract.kubernetes.manifests.images_of`);
* JSON 6902 operations ``add``/``replace`` whose ``path`` ends in
  ``/image`` set that image; those whose value is a container (or any
  mapping) set the ``image`` keys inside it.

:func:`read` returns, per reference, what the resolver
(:mod:`taglint.resolve.kustomize`) needs to apply it to the resources it
patches: ``{"kind", "name", "container", "path", "value", "span",
"written", "context"}`` (``name`` None: every object of that kind;
``container`` the container name a strategic-merge patch merges by, else
None and ``path`` is the key path it replaces).
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from taglint.model import FileFacts, ImageRef, Location, Problem, Step
from taglint.yamlnodes import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    YamlError,
    format_path,
    mapping_get,
    scalar_str,
    split_lines,
)

KIND = "kustomization"
_CONTAINER = re.compile(r" \(container (?P<name>[^)]*)\)$")
_JSON_OPS = ("add", "replace")


def is_inline(value: str) -> bool:
    """Is a ``patchesStrategicMerge`` item a patch written inline (not a file name)?"""
    head = value.lstrip()[:10]
    return "\n" in value.strip() or head.startswith(("{", "[", "apiVersion", "kind:", "- op"))


def read(doc: MappingNode, path: str, text: str, facts: FileFacts) -> list[dict[str, Any]]:
    """Reads the inline patches of a kustomization document: appends their
    references (and parse errors) to ``facts``; returns the patch entries."""
    entries: list[dict[str, Any]] = []
    for context, node, target in _patch_strings(doc):
        if "mage" not in str(node.value):
            continue
        from taglint.extract.kubernetes.embedded import load_in_scalar

        try:
            documents = load_in_scalar(node, text)
        except YamlError as error:
            facts.problems.append(Problem(path, error.span, f"invalid YAML in the inline patch {context}: {error.message}"))
            continue
        for document in documents:
            if isinstance(document, SequenceNode):
                found = _json6902(document, target, context, path, text)
            else:
                found = _strategic_merge(document, target, context, path, text)
            for ref, entry in found:
                facts.images.append(ref)
                entries.append(entry)
    return entries


def after_images(refs: list[ImageRef], entries: list[dict[str, Any]], path: str) -> list[ImageRef]:
    """The patches' references once the same kustomization's ``images:``
    entries are applied to them (kustomize runs them after the patches):
    one whose tag or digest an entry decides is that entry's reference,
    already reported, and is left out; a ``newName`` renames."""
    from taglint.resolve.kustomize import image_name

    out: list[ImageRef] = []
    for ref in refs:
        name = image_name(ref.value)
        entry = next((e for e in entries if e["name"] == name), None)
        if entry is None:
            out.append(ref)
        elif not (entry.get("new_tag") or entry.get("digest")):
            if entry.get("new_name"):
                step = Step(f"images[{entry['index']}].newName", entry["new_name"], Location(path, entry["span"]))
                ref = replace(ref, value=entry["new_name"] + ref.value[len(name) :], via=ref.via + (step,))
            out.append(ref)
    return out


def _patch_strings(doc: MappingNode) -> list[tuple[str, ScalarNode, dict[str, str | None]]]:
    """``(context, string node, target)`` of each inline patch."""
    found: list[tuple[str, ScalarNode, dict[str, str | None]]] = []
    for key in ("patches", "patchesJson6902"):
        patches = mapping_get(doc, key)
        for index, item in enumerate(patches.value if isinstance(patches, SequenceNode) else []):
            patch = mapping_get(item, "patch")
            if isinstance(patch, ScalarNode) and scalar_str(patch):
                found.append((f"{key}[{index}].patch", patch, _target(mapping_get(item, "target"))))
    merges = mapping_get(doc, "patchesStrategicMerge")
    for index, item in enumerate(merges.value if isinstance(merges, SequenceNode) else []):
        value = scalar_str(item)
        if value and isinstance(item, ScalarNode) and is_inline(value):
            found.append((f"patchesStrategicMerge[{index}]", item, {}))
    return found


def _target(node: Node | None) -> dict[str, str | None]:
    if not isinstance(node, MappingNode):
        return {}
    return {"kind": scalar_str(mapping_get(node, "kind")), "name": scalar_str(mapping_get(node, "name"))}


def _strategic_merge(
    document: Node, target: dict[str, str | None], context: str, path: str, text: str
) -> list[tuple[ImageRef, dict[str, Any]]]:
    from taglint.extract.kubernetes.manifests import api_kind, images_of

    found = api_kind(document)
    if found is None:
        return []
    kind = target.get("kind") or found[1]
    name = target.get("name") if target.get("kind") else scalar_str(mapping_get(mapping_get(document, "metadata"), "name"))
    out: list[tuple[ImageRef, dict[str, Any]]] = []
    for ref in images_of([document], path, text):
        match = _CONTAINER.search(ref.context)
        key_path = ref.context[: match.start()] if match else ref.context
        ref = replace(ref, kind=KIND, context=f"{context}: {ref.context}")
        out.append((ref, _entry(ref, kind, name, match.group("name") if match else None, key_path)))
    return out


def _json6902(
    operations: SequenceNode, target: dict[str, str | None], context: str, path: str, text: str
) -> list[tuple[ImageRef, dict[str, Any]]]:
    kind, name = target.get("kind"), target.get("name")
    lines: list[str] | None = None
    out: list[tuple[ImageRef, dict[str, Any]]] = []
    for index, operation in enumerate(operations.value):
        op = scalar_str(mapping_get(operation, "op"))
        pointer = scalar_str(mapping_get(operation, "path"))
        value = mapping_get(operation, "value")
        if op not in _JSON_OPS or not pointer or value is None:
            continue
        base = _key_path(pointer)
        where = f"{context}[{index}]"
        if isinstance(value, ScalarNode) and base and base[-1] == "image":
            written = scalar_str(value)
            if not written or not written.strip():
                continue
            if lines is None:
                lines = split_lines(text)
            ref = _scalar_ref(value, written, where, format_path(base), path, text, lines)
            out.append((ref, _entry(ref, kind, name, None, format_path(base))))
        elif isinstance(value, MappingNode) and "mage" in text:
            # A container (or a whole spec) set at once: its image keys, as a
            # manifest's (a stand-in object carries the value).
            for ref, key_path in _mapping_refs(value, base, where, path, text):
                out.append((ref, _entry(ref, kind, name, None, key_path)))
    return out


def _mapping_refs(value: MappingNode, base: tuple[str | int, ...], where: str, path: str, text: str) -> list[tuple[ImageRef, str]]:
    """The image keys of a mapping value set at ``base`` (a JSON pointer's
    key path), each with its key path in the patched object."""
    from taglint.extract.kubernetes.manifests import object_images, Lines

    stand_in = MappingNode(
        "tag:yaml.org,2002:map",
        [
            (ScalarNode("tag:yaml.org,2002:str", "apiVersion"), ScalarNode("tag:yaml.org,2002:str", "v1")),
            (ScalarNode("tag:yaml.org,2002:str", "kind"), ScalarNode("tag:yaml.org,2002:str", "Patch")),
        ],
    )
    # Read as if written at `base` of an object, so that a container set
    # in a container list is read as one (its name, an empty image).
    node: Node = value
    for part in reversed(base):
        if isinstance(part, int) or part == "-":
            node = SequenceNode("tag:yaml.org,2002:seq", [node])
        else:
            node = MappingNode("tag:yaml.org,2002:map", [(ScalarNode("tag:yaml.org,2002:str", str(part)), node)])
    if isinstance(node, MappingNode):
        stand_in.value.extend(node.value)
    refs = object_images(stand_in, (), path, Lines(text), text)
    out: list[tuple[ImageRef, str]] = []
    for ref in refs:
        inner = _fix_indexes(ref.context, base)
        match = _CONTAINER.search(inner)
        out.append((replace(ref, kind=KIND, stage=None, context=f"{where}: {inner}"), inner[: match.start()] if match else inner))
    return out


def _fix_indexes(context: str, base: tuple[str | int, ...]) -> str:
    """The stand-in object's paths index each list at 0: name the pointer's indexes."""
    for part in base:
        if isinstance(part, int) and part != 0:
            context = context.replace("[0]", f"[{part}]", 1)
        elif part == "-":
            context = context.replace("[0]", "[-]", 1)
    return context


def _key_path(pointer: str) -> tuple[str | int, ...]:
    """``/spec/template/spec/containers/0/image`` → ``('spec', …, 0, 'image')``."""
    parts: list[str | int] = []
    for raw in pointer.strip("/").split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        parts.append(int(part) if part.isdigit() else part)
    return tuple(parts)


def _scalar_ref(node: ScalarNode, value: str, where: str, key_path: str, path: str, text: str, lines: list[str]) -> ImageRef:
    from taglint.yamlnodes import node_span, span_text

    span = node_span(node, text)
    written = span_text(lines, span) or value
    return ImageRef(path, span, written, value, KIND, f"{where}: {key_path}")


def _entry(ref: ImageRef, kind: str | None, name: str | None, container: str | None, key_path: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "name": name,
        "container": container,
        "path": key_path,
        "value": ref.value,
        "span": ref.span,
        "written": ref.written,
        "context": ref.context,
    }
