"""Image settings inside ConfigMap data written as JSON or YAML documents.

Operators keep their images in ConfigMaps: KServe's
``inferenceservice-config`` holds ``storageInitializer: |- {"image" :
"kserve/storage-initializer:v0.16.0", …}``.  A ``data`` entry whose string
looks like a document (it starts with ``{`` or ``[``, its key ends in
``.json``/``.yaml``/``.yml``, or it has an ``image:``-style line) and
mentions an image is parsed (:mod:`taglint.extract.kubernetes.embedded`,
positions in the manifest); in it, ``image`` keys and camel-case
``*Image`` keys with a string value are references, spanned exactly.  An
image without a tag with a version written beside it (KServe's
``"defaultImageVersion"``, ``tag``, ``<key>Tag``) is one reference,
reported on the version.

Everything else in a ConfigMap stays unread (a single value such as
``queue-sidecar-image: gcr.io/…`` is configuration text, not a document),
as do entries that do not parse: they are data, not taglint's to judge.
"""
from __future__ import annotations

import re

from taglint.model import ImageRef, Location, Step
from taglint.yamlnodes import (
    STR_TAG,
    MappingNode,
    Node,
    Path_,
    ScalarNode,
    YamlError,
    format_path,
    iter_mapping,
    mapping_get,
    node_span,
    scalar_str,
    span_text,
    split_lines,
    walk,
)

KIND = "kubernetes"
_DOCUMENT_SUFFIXES = (".json", ".yaml", ".yml")
_IMAGE_LINE = re.compile(r"""^[ \t]*(?:-[ \t]+)?["']?[A-Za-z_-]*[iI]mage["']?[ \t]*:""", re.MULTILINE)
_IMAGE_KEY = re.compile(r"""["']?[A-Za-z_-]*[iI]mage["']?[ \t]*:""")  # an image key anywhere (JSON)
_VERSION_KEYS = ("defaultImageVersion", "tag")
MAX_INNER_NODES = 100_000


def read(obj: MappingNode, prefix: Path_, path: str, text: str) -> list[ImageRef]:
    from taglint.extract.kubernetes.embedded import load_in_scalar

    data = mapping_get(obj, "data")
    name = scalar_str(mapping_get(mapping_get(obj, "metadata"), "name"))
    stage = f"ConfigMap/{name}" if name else "ConfigMap"
    base = (format_path(prefix) + "." if prefix else "") + "data"
    refs: list[ImageRef] = []
    lines: list[str] | None = None
    for key, _key_node, value in iter_mapping(data):
        if not isinstance(value, ScalarNode) or not _looks_like_a_document(key, str(value.value)):
            continue
        try:
            documents = load_in_scalar(value, text)
        except YamlError:
            continue  # data, not a document taglint can read
        if lines is None:
            lines = split_lines(text)
        for document in documents:
            refs.extend(_images(document, f"{base}.{key}", path, text, lines, stage))
    refs.sort(key=lambda ref: ref.span)
    return refs


def _looks_like_a_document(key: str, value: str) -> bool:
    if "mage" not in value:
        return False
    head = value.lstrip()[:1]
    if head in ("{", "[") or key.lower().endswith(_DOCUMENT_SUFFIXES):
        return _IMAGE_KEY.search(value) is not None  # a large JSON document without one is never parsed
    return _IMAGE_LINE.search(value) is not None


def _images(root: Node, base: str, path: str, text: str, lines: list[str], stage: str) -> list[ImageRef]:
    refs: list[ImageRef] = []
    seen: set[int] = set()  # an aliased value is one reference, where it is written
    for node_path, node in walk(root, max_nodes=MAX_INNER_NODES):
        if not isinstance(node, MappingNode):
            continue
        for key_node, value in node.value:
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else ""
            if not (key == "image" or (len(key) > 5 and key.endswith("Image") and key[0].islower())):
                continue
            if not isinstance(value, ScalarNode) or value.tag != STR_TAG or id(value) in seen:
                continue
            seen.add(id(value))
            written = str(value.value).strip()
            if not written or "://" in written or any(c.isspace() for c in written):
                continue
            context = f"{base}: {format_path(node_path + (key,))}"
            refs.append(_reference(node, key, value, written, context, path, text, lines, stage))
    return refs


def _reference(
    parent: MappingNode, key: str, value: ScalarNode, image: str, context: str, path: str, text: str, lines: list[str], stage: str
) -> ImageRef:
    span = node_span(value, text)
    written = span_text(lines, span) or str(value.value)
    version = None if _has_tag_or_digest(image) else _version_beside(parent, key)
    if version is None:
        return ImageRef(path, span, written, image, KIND, context, stage=stage)
    version_key, version_node = version
    version_span = node_span(version_node, text)
    tag = str(version_node.value).strip()
    steps = (
        Step(context, image, Location(path, span)),
        Step(f"{context.rsplit('.', 1)[0]}.{version_key}" if "." in context else version_key, tag, Location(path, version_span)),
    )
    return ImageRef(
        path,
        version_span,
        span_text(lines, version_span) or tag,
        f"{image}:{tag}",
        KIND,
        context,
        via=steps,
        stage=stage,
    )


def _version_beside(parent: MappingNode, key: str) -> tuple[str, ScalarNode] | None:
    for name in (key + "Tag", key + "Version") + _VERSION_KEYS:
        node = mapping_get(parent, name)
        if isinstance(node, ScalarNode) and scalar_str(node) and str(node.value).strip():
            return name, node
    return None


def _has_tag_or_digest(reference: str) -> bool:
    return "@" in reference or ":" in reference.rsplit("/", 1)[-1]
