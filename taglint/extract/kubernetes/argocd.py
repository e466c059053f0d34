"""Argo CD ``Application`` and ``ApplicationSet`` (``argoproj.io``): the
image overrides of each source (``spec.source``, ``spec.sources[]``; for
an ApplicationSet, under ``spec.template.spec``).

* ``kustomize.images``: strings in ``kustomize edit set image`` form,
  ``name=newName:tag``, ``name:tag`` or ``name@digest``.  The reference is
  the part after ``=`` (the whole string without one), spanned exactly
  inside the string.  A string that sets no tag or digest (``app=mirror/app``)
  only renames, keeping the resources' tags: no reference.
* ``kustomize.patches``: inline patches, read as a kustomization's
  (:mod:`taglint.extract.kubernetes.inline_patches`); a patch that does not
  parse is left alone (Argo CD reports it when it syncs).
* ``helm.parameters``: ``name``/``value`` pairs, read as ``--set`` values
  (:func:`taglint.extract.kubernetes.value_overrides.set_images`).
* ``helm.valuesObject``: a values tree; ``helm.values``: the same written
  as a YAML string, parsed with its positions in the file
  (:mod:`taglint.extract.kubernetes.embedded`).  Read as Helm values
  overrides (:func:`~taglint.extract.kubernetes.value_overrides.values_images`).

Every reference has kind :data:`KIND` (the format), the object as its
stage (``Application/guestbook``) and the key path as its context.
The rest of the object is walked by the manifest reader as usual.
"""
from __future__ import annotations

from taglint.extract.kubernetes import value_overrides
from taglint.model import ImageRef, Span
from taglint.yamlnodes import (
    MappingNode,
    Node,
    Path_,
    ScalarNode,
    SequenceNode,
    YamlError,
    format_path,
    mapping_get,
    scalar_line_map,
    scalar_str,
)

KIND = "argocd-application"
_SOURCE_PLACES = ("spec.source", "spec.sources[]", "spec.template.spec.source", "spec.template.spec.sources[]")


def read(obj: MappingNode, prefix: Path_, path: str, text: str) -> list[ImageRef]:
    from taglint.extract.image_keys import find_all

    kind = scalar_str(mapping_get(obj, "kind")) or "Application"
    name = scalar_str(mapping_get(mapping_get(obj, "metadata"), "name"))
    stage = f"{kind}/{name}" if name else kind
    refs: list[ImageRef] = []
    for where, source in find_all(obj, _SOURCE_PLACES):
        if not isinstance(source, MappingNode):
            continue
        base = _context(prefix, where)
        kustomize = mapping_get(source, "kustomize")
        refs.extend(_kustomize_images(mapping_get(kustomize, "images"), base, path, text, stage))
        if isinstance(kustomize, MappingNode) and mapping_get(kustomize, "patches") is not None:
            refs.extend(_kustomize_patches(kustomize, f"{base}.kustomize", path, text, stage))
        helm = mapping_get(source, "helm")
        if isinstance(helm, MappingNode):
            refs.extend(_helm(helm, base + ".helm", path, text, stage))
    refs.sort(key=lambda ref: ref.span)
    return refs


def _context(prefix: Path_, where: str) -> str:
    return f"{format_path(prefix)}.{where}" if prefix else where


# --------------------------------------------------------------------------
# kustomize.images


def split_image_override(value: str) -> tuple[int, str] | None:
    """``name=newName:tag`` → (offset of the reference, the reference);
    None when the string sets no tag or digest."""
    equals = value.find("=")
    start = equals + 1 if equals >= 0 else 0
    reference = value[start:]
    stripped = reference.strip()
    if not stripped:
        return None
    start += len(reference) - len(reference.lstrip())
    last = stripped.rsplit("/", 1)[-1]
    if ":" not in last and "@" not in stripped:
        return None  # a rename: the resources keep their tags
    return start, stripped


def _kustomize_images(images: Node | None, base: str, path: str, text: str, stage: str) -> list[ImageRef]:
    if not isinstance(images, SequenceNode):
        return []
    refs: list[ImageRef] = []
    for index, item in enumerate(images.value):
        value = scalar_str(item)
        if value is None or not isinstance(item, ScalarNode):
            continue
        found = split_image_override(value)
        if found is None:
            continue
        offset, reference = found
        refs.append(string_part_ref(item, text, offset, reference, path, KIND, f"{base}.kustomize.images[{index}]", stage))
    return refs


def _kustomize_patches(kustomize: MappingNode, base: str, path: str, text: str, stage: str) -> list[ImageRef]:
    """Images set by inline ``kustomize.patches`` (read as a kustomization's,
    :mod:`taglint.extract.kubernetes.inline_patches`)."""
    from dataclasses import replace

    from taglint.extract.kubernetes import inline_patches
    from taglint.model import FileFacts

    found = FileFacts(path, KIND)
    inline_patches.read(kustomize, path, text, found)
    return [replace(ref, kind=KIND, context=f"{base}.{ref.context}", stage=stage) for ref in found.images]


def string_part_ref(
    node: ScalarNode, text: str, offset: int, part: str, path: str, kind: str, context: str, stage: str | None
) -> ImageRef:
    """An :class:`ImageRef` for ``part``, written at ``offset`` of the
    string ``node``: spanned exactly where those characters are in the file."""
    at = scalar_line_map(node, text)
    line, column = at(offset)
    end_line, end_column = at(offset + len(part) - 1)
    span = Span(line, column, end_line, end_column + 1)
    return ImageRef(path, span, part, part, kind, context, stage=stage)


# --------------------------------------------------------------------------
# helm


def _helm(helm: MappingNode, base: str, path: str, text: str, stage: str) -> list[ImageRef]:
    from taglint.extract.kubernetes.embedded import load_in_scalar

    refs: list[ImageRef] = []
    parameters = mapping_get(helm, "parameters")
    if isinstance(parameters, SequenceNode):
        pairs = []
        for index, item in enumerate(parameters.value):
            name = scalar_str(mapping_get(item, "name"))
            value = mapping_get(item, "value")
            if name and isinstance(value, ScalarNode):
                pairs.append(value_overrides.SetValue(name, value, value_overrides.pair_context(f"{base}.parameters", index, name)))
        refs.extend(value_overrides.set_images(pairs, path, text, kind=KIND, stage=stage))
    values_object = mapping_get(helm, "valuesObject")
    refs.extend(value_overrides.values_images(values_object, path, text, kind=KIND, context=f"{base}.valuesObject", stage=stage))
    values = mapping_get(helm, "values")
    if isinstance(values, ScalarNode) and "mage" in str(values.value):
        try:
            documents = load_in_scalar(values, text)
        except YamlError:
            documents = []  # Argo CD refuses it too; nothing to read
        for document in documents[:1]:
            refs.extend(value_overrides.values_images(document, path, text, kind=KIND, context=f"{base}.values", stage=stage))
    elif isinstance(values, MappingNode):  # older manifests write the object here
        refs.extend(value_overrides.values_images(values, path, text, kind=KIND, context=f"{base}.values", stage=stage))
    return refs
