"""Plain manifests in a chart that the chart's templates patch.

Some charts ship a generated manifest bundle as a file (KServe's
``files/kserve/resources.yaml``) and a template that loads it and merges
templated patches over it (``files/kserve/deployment-patch.yaml``).  The
images of the bundle that a patch sets again are not what the chart
deploys: the patch decides them, and it is checked as a template.

A container's image in a plain Kubernetes file inside a chart folder (not
under ``templates/``) is *patched* when a templated file of the same chart
has a document of the same ``kind`` and ``metadata.name`` whose container
of the same name sets ``image``.  Templates are read leniently for this:
lines that hold only template actions are dropped and the other actions
replaced by a placeholder, so that most templates read as YAML.
"""
from __future__ import annotations

import posixpath
import re
from typing import Iterator

from taglint.model import FileFacts, Span
from taglint.resolve import ResolveContext
from taglint.yamlnodes import YamlError, load_documents, mapping_get, node_span, scalar_str, walk

_ACTION_ONLY = re.compile(r"^[ \t]*(?:\{\{.*?\}\}[ \t]*)+$")
_ACTION = re.compile(r"\{\{.*?\}\}")
_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
MAX_DEPTH = 8  # folders between a manifest and its chart's folder

Target = tuple[str, str, str]  # (kind, metadata.name, container name)


def lenient_yaml(text: str) -> str:
    """A template's text as YAML a parser accepts more often: action-only
    lines dropped, other actions replaced by ``x``."""
    out: list[str] = []
    for line in text.split("\n"):
        if _ACTION_ONLY.match(line):
            continue
        out.append(_ACTION.sub("x", line))
    return "\n".join(out)


def _documents(text: str) -> list[object]:
    try:
        return list(load_documents(text))
    except YamlError:
        pass
    documents: list[object] = []
    for part in re.split(r"(?m)^---[ \t]*$", text):
        try:
            documents.extend(load_documents(part))
        except YamlError:
            continue
    return documents


def _containers(document: object) -> Iterator[tuple[str, str, str, object]]:
    """``(kind, name, container name, image node)`` of a manifest document."""
    kind = scalar_str(mapping_get(document, "kind"))  # type: ignore[arg-type]
    name = scalar_str(mapping_get(mapping_get(document, "metadata"), "name"))  # type: ignore[arg-type]
    if not kind or not name:
        return
    for path, node in walk(document):  # type: ignore[arg-type]
        if not path or path[-1] not in _CONTAINER_LISTS:
            continue
        for item in getattr(node, "value", ()) if isinstance(getattr(node, "value", None), list) else ():
            container = scalar_str(mapping_get(item, "name"))
            image = mapping_get(item, "image")
            if container and image is not None:
                yield kind, name, container, image


def patched_targets(texts: list[str]) -> set[Target]:
    """The containers whose image templated files set."""
    targets: set[Target] = set()
    for text in texts:
        for document in _documents(lenient_yaml(text)):
            for kind, name, container, _ in _containers(document):
                targets.add((kind, name, container))
    return targets


def patched_image_spans(text: str, targets: set[Target]) -> set[Span]:
    """Spans of the image values in a plain manifest that ``targets`` patch."""
    spans: set[Span] = set()
    for document in _documents(text):
        for kind, name, container, image in _containers(document):
            if (kind, name, container) in targets:
                spans.add(node_span(image, text))  # type: ignore[arg-type]
    return spans


def drop_patched(charts: dict[str, list[str]], files: list[FileFacts], ctx: ResolveContext) -> None:
    """Drop the images of plain manifests in each chart folder (keys of
    ``charts``) that the chart's templated files (the display paths it
    maps to) patch."""
    bases: dict[str, list[FileFacts]] = {}
    for facts in files:
        if facts.kind != "kubernetes" or not facts.images:
            continue
        folder = posixpath.dirname(facts.path)
        inside_templates = False
        for _ in range(MAX_DEPTH):
            if folder in charts:
                if not inside_templates:
                    bases.setdefault(folder, []).append(facts)
                break
            if posixpath.basename(folder) == "templates":
                inside_templates = True
            parent = posixpath.dirname(folder)
            if parent == folder:
                break
            folder = parent
    for folder, plain in bases.items():
        texts = [source.text for source in (ctx.read(path) for path in charts[folder]) if source is not None]
        targets = patched_targets(texts)
        if not targets:
            continue
        for facts in plain:
            source = ctx.read(facts.path)
            if source is None:
                continue
            spans = patched_image_spans(source.text, targets)
            if spans:
                facts.images[:] = [ref for ref in facts.images if ref.span not in spans]
