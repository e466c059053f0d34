"""Flux ``HelmRelease`` (``helm.toolkit.fluxcd.io``): ``spec.values`` are
Helm values overrides, read as a values file is
(:func:`taglint.extract.kubernetes.value_overrides.values_images`):
``image: {repository: nginx, tag: latest}`` is ``nginx:latest`` reported
on the tag.  ``spec.postRenderers[].kustomize.images`` entries that set a
tag or digest are read as a kustomization's ``images:`` (reported on
``newTag``).

Flux applies the manifests of a Flux ``Kustomization`` after substituting
``${VAR}`` (``${VAR:=default}``, ``${VAR:-default}``) from its
``spec.postBuild.substitute`` map.  A ``${VAR}`` in a reference is
resolved from such a map written in the same file (in the object itself,
or in a ``kustomize.toolkit.fluxcd.io`` ``Kustomization`` beside it), else
from its default; with neither it stays as written, with a step saying
that no value is known here (TL108 reports it).
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from taglint.extract.kubernetes.value_overrides import values_images
from taglint.model import ImageRef, Location, Step
from taglint.yamlnodes import (
    MappingNode,
    Node,
    Path_,
    ScalarNode,
    SequenceNode,
    YamlError,
    format_path,
    iter_mapping,
    load_documents,
    mapping_get,
    node_span,
    scalar_str,
    yaml_number_text,
)

KIND = "flux-helmrelease"
KUSTOMIZE_GROUP = "kustomize.toolkit.fluxcd.io"
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[=-]([^}]*))?\}")
NO_VALUE = "a Flux post-build substitution with no `substitute:` value in this file"

Substitutes = dict[str, tuple[str, Location]]


def read(obj: MappingNode, prefix: Path_, path: str, text: str) -> list[ImageRef]:
    spec = mapping_get(obj, "spec")
    name = scalar_str(mapping_get(mapping_get(obj, "metadata"), "name"))
    stage = f"HelmRelease/{name}" if name else "HelmRelease"
    base = format_path(prefix) + "." if prefix else ""
    refs = values_images(mapping_get(spec, "values"), path, text, kind=KIND, context=f"{base}spec.values", stage=stage)
    refs.extend(_post_renderer_images(mapping_get(spec, "postRenderers"), f"{base}spec.postRenderers", path, text, stage))
    if not any("${" in ref.value for ref in refs):
        return refs
    known = dict(file_substitutes(path, text)) if "postBuild" in text else {}
    known.update(_substitutes(obj, path, text))
    return [substituted(ref, known) if "${" in ref.value else ref for ref in refs]


def _post_renderer_images(renderers: Node | None, base: str, path: str, text: str, stage: str) -> list[ImageRef]:
    """``postRenderers[].kustomize.images[]`` entries that set a tag or a
    digest, read as a kustomization's ``images:`` are: the reference is
    ``(newName or name)[:newTag][@digest]``, reported on ``newTag``
    (else ``digest``)."""
    refs: list[ImageRef] = []
    for index, renderer in enumerate(renderers.value if isinstance(renderers, SequenceNode) else []):
        images = mapping_get(mapping_get(renderer, "kustomize"), "images")
        for position, entry in enumerate(images.value if isinstance(images, SequenceNode) else []):
            name = scalar_str(mapping_get(entry, "name"))
            tag_node, digest_node = mapping_get(entry, "newTag"), mapping_get(entry, "digest")
            tag = yaml_number_text(tag_node) or scalar_str(tag_node)
            digest = scalar_str(digest_node)
            if not name or not (tag or digest):
                continue
            new_name_node = mapping_get(entry, "newName")
            new_name = scalar_str(new_name_node)
            value = (new_name or name) + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")
            deciding = tag_node if tag else digest_node
            assert deciding is not None
            span = node_span(deciding, text)
            steps = (Step(f"{base}[{index}].kustomize.images[{position}].newName", new_name, Location(path, node_span(new_name_node, text))),) if new_name and new_name_node is not None else ()
            written = str(deciding.value) if isinstance(deciding, ScalarNode) else (tag or digest or "")
            context = f"{base}[{index}].kustomize.images[{position}]" + (".newTag" if tag else ".digest") + f" (name {name})"
            refs.append(ImageRef(path, span, written, value, KIND, context, via=steps, stage=stage))
    return refs


def substituted(ref: ImageRef, known: Substitutes) -> ImageRef:
    """``ref`` with its ``${VAR}`` placeholders replaced where a value is known."""
    steps: list[Step] = []

    def one(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in known:
            value, where = known[name]
            steps.append(Step(f"Flux postBuild.substitute {name}", value, where))
            return value
        if default is not None:
            steps.append(Step(f"${{{name}}} default", default))
            return default
        steps.append(Step(f"${{{name}}}", None, note=NO_VALUE))
        return match.group(0)

    value = _VARIABLE.sub(one, ref.value)
    return replace(ref, value=value, via=ref.via + tuple(steps))


def _substitutes(obj: Node | None, path: str, text: str) -> Substitutes:
    found: Substitutes = {}
    substitute = mapping_get(mapping_get(mapping_get(obj, "spec"), "postBuild"), "substitute")
    for key, _key_node, value in iter_mapping(substitute):
        written = scalar_str(value)
        if written is not None:
            found[key] = (written, Location(path, node_span(value, text)))
    return found


@lru_cache(maxsize=4)
def file_substitutes(path: str, text: str) -> tuple[tuple[str, tuple[str, Location]], ...]:
    """The ``postBuild.substitute`` values of the Flux Kustomizations in a file."""
    from taglint.extract.kubernetes.manifests import api_kind, objects

    try:
        documents = load_documents(text)
    except YamlError:
        return ()
    found: Substitutes = {}
    for document in documents:
        for obj, _prefix in objects(document):
            api = api_kind(obj)
            if api is not None and api[1] == "Kustomization" and api[0].startswith(KUSTOMIZE_GROUP + "/"):
                found.update(_substitutes(obj, path, text))
    return tuple(found.items())
