"""Kustomize ``kustomization.yaml`` files.

Each ``images:`` entry that sets ``newTag`` or ``digest`` decides an image
reference and becomes an :class:`ImageRef` whose value is
``(newName or name)[:newTag][@digest]`` (``newTag: latest`` → ``app:latest``),
reported on the ``newTag`` value (else the ``digest`` value).  An entry with
only ``newName`` keeps the tag of the resources it applies to, so it names
no reference of its own (the resolver applies it to those resources).

A ``newTag`` that YAML reads as a number (``newTag: 2.5``, ``newTag: 1.10``)
is what kustomize gets: ``1.10`` becomes ``1.1``.  The value uses the
number as kustomize renders it, ``via`` carries a step saying so, and
``extras["kustomize_numeric_tags"]`` lists ``{"span", "written", "value",
"name"}`` for a check to flag (the fix is to quote the tag).
``extras["kustomize_tag_and_digest"]`` lists ``{"span", "name", "tag",
"digest"}`` for entries that set both.

``extras["kustomize"]`` keeps what the resolver (``taglint.resolve.kustomize``)
needs: ``{"images": [entry…], "resources": [paths], "components": [paths]}``
where an entry is ``{"name", "new_name", "new_tag", "digest", "span",
"written", "index"}`` (``span``/``written``: the deciding value) and the paths are the local
``resources``/``bases``/``components`` and patch files as written.

Inline patches (``patches[].patch``, ``patchesStrategicMerge`` and
``patchesJson6902[].patch`` strings holding strategic-merge YAML or JSON
6902 operations) are read by :mod:`taglint.extract.kubernetes.inline_patches`:
their images are references of the kustomization, spanned in it, and
``extras["kustomize"]["patches"]`` says which resources' containers they
set, for the resolver.
"""
from __future__ import annotations

from typing import Any

from taglint.extract.kubernetes import inline_patches
from taglint.model import FileFacts, ImageRef, Location, Step
from taglint.source import ExtractContext, SourceFile
from taglint.yamlnodes import (
    documents_or_problem,
    MappingNode,
    Node,
    SequenceNode,
    mapping_get,
    node_span,
    scalar_str,
    span_text,
    split_lines,
    yaml_number_text,
)

KIND = "kustomization"


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    facts = FileFacts(source.path, KIND)
    documents = documents_or_problem(source.text, facts)
    if documents is None:
        return facts
    if not documents or not isinstance(documents[0], MappingNode):
        return facts
    doc = documents[0]
    lines = split_lines(source.text)
    entries: list[dict[str, Any]] = []
    numeric: list[dict[str, Any]] = []
    both: list[dict[str, Any]] = []
    images = mapping_get(doc, "images")
    for index, entry in enumerate(images.value if isinstance(images, SequenceNode) else []):
        if not isinstance(entry, MappingNode):
            continue
        name = scalar_str(mapping_get(entry, "name"))
        if not name:
            continue
        new_name_node = mapping_get(entry, "newName")
        new_name = scalar_str(new_name_node)
        tag_node = mapping_get(entry, "newTag")
        tag = yaml_number_text(tag_node) or scalar_str(tag_node)
        digest_node = mapping_get(entry, "digest")
        digest = scalar_str(digest_node)
        deciding = tag_node if tag else digest_node if digest else new_name_node
        span = node_span(deciding, source.text) if deciding is not None else node_span(mapping_get(entry, "name"), source.text)  # type: ignore[arg-type]
        entries.append(
            {
                "name": name,
                "new_name": new_name,
                "new_tag": tag or None,
                "digest": digest or None,
                "span": span,
                "written": span_text(lines, span),
                "index": index,
            }
        )
        if not tag and not digest:
            continue
        steps: list[Step] = []
        if new_name:
            steps.append(Step(f"kustomize images[{index}].newName", new_name, Location(source.path, node_span(new_name_node, source.text))))  # type: ignore[arg-type]
        value = new_name or name
        if tag:
            assert tag_node is not None
            tag_span = node_span(tag_node, source.text)
            if yaml_number_text(tag_node) is not None:
                numeric.append({"span": tag_span, "written": str(tag_node.value), "value": tag, "name": name})
                steps.append(Step(f"newTag {tag_node.value} read as a YAML number", tag, Location(source.path, tag_span)))
            value += f":{tag}"
        if digest:
            value += f"@{digest}"
        if tag and digest:
            both.append({"span": span, "name": name, "tag": tag, "digest": digest})
        written = span_text(lines, span)
        context = f"images[{index}]" + (".newTag" if tag else ".digest") + f" (name {name})"
        facts.images.append(
            ImageRef(
                path=source.path,
                span=span,
                written=written if written is not None else (tag or digest or ""),
                value=value,
                kind=KIND,
                context=context,
                via=tuple(steps),
            )
        )
    paths: list[str] = []
    for key in ("resources", "bases"):
        paths.extend(_strings(mapping_get(doc, key)))
    for key in ("patchesStrategicMerge",):
        paths.extend(p for p in _strings(mapping_get(doc, key)) if not inline_patches.is_inline(p))
    patches = mapping_get(doc, "patches")
    for patch in patches.value if isinstance(patches, SequenceNode) else []:
        patch_path = scalar_str(mapping_get(patch, "path"))
        if patch_path:
            paths.append(patch_path)
    first_patched = len(facts.images)
    patched = inline_patches.read(doc, source.path, source.text, facts) if "patch" in source.text else []
    if entries and len(facts.images) > first_patched:
        facts.images[first_patched:] = inline_patches.after_images(facts.images[first_patched:], entries, source.path)
    facts.extras["kustomize"] = {
        "images": entries,
        "patches": patched,
        "resources": [p for p in paths if _local(p)],
        "components": [p for p in _strings(mapping_get(doc, "components")) if _local(p)],
    }
    if numeric:
        facts.extras["kustomize_numeric_tags"] = numeric
    if both:
        facts.extras["kustomize_tag_and_digest"] = both
    return facts


def _strings(node: Node | None) -> list[str]:
    if not isinstance(node, SequenceNode):
        return []
    return [value for value in (scalar_str(item) for item in node.value) if value]


def _local(path: str) -> bool:
    return "://" not in path and not path.startswith(("github.com/", "git@", "gitlab.com/", "bitbucket.org/"))

