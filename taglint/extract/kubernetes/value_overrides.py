"""Helm values written outside a values file: the overrides GitOps tools
pass to a chart (Flux ``HelmRelease`` ``spec.values``, Argo CD
``helm.valuesObject`` and inline ``helm.values``, helmfile ``values:``,
Fleet ``helm.values``) and ``--set``-style ``name``/``value`` pairs
(Argo CD ``helm.parameters``, helmfile ``set:``, helmsman ``set``).

A values tree is read as :mod:`taglint.extract.kubernetes.helm` reads a
values file (:func:`~taglint.extract.kubernetes.helm.values_key_image`:
``image: {registry, repository, tag, digest}`` blocks reported on the tag,
``image: repo`` strings with a ``tag:`` beside them), with one
difference: an override that sets no tag (``image: {repository: mirror/app}``)
keeps the chart's own tag, which is not here, so it names no reference.

Set pairs are grouped by their dotted prefix: ``image.tag`` with
``image.repository`` (or ``image.name``; ``controller.tag`` with
``controller.image``, as the Jenkins chart writes them; and
``image.registry``) beside it is one reference,
reported on the tag's value; a name whose last part ends in ``image``
with a whole reference as its value is that reference.  A tag set without
its repository overrides a chart default that is not here: no reference.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from taglint.model import ImageRef, Location, Span, Step
from taglint.source import SourceFile
from taglint.yamlnodes import (
    MappingNode,
    Node,
    ScalarNode,
    node_span,
    scalar_str,
    span_text,
    split_lines,
    yaml_number_text,
)

_TAG_KEYS = ("tag", "version", "digest")


def values_images(
    root: Node | None,
    path: str,
    text: str,
    *,
    kind: str,
    context: str,
    stage: str | None = None,
    lines: list[str] | None = None,
) -> list[ImageRef]:
    """The references an override values tree ``root`` names (nodes of the
    file ``text``, or relocated into it); ``context`` prefixes each key path."""
    if root is None or not isinstance(root, MappingNode):
        return []
    from taglint.extract.kubernetes.helm import image_keys, values_key_image

    source = SourceFile.from_text(path, text)
    if lines is None:
        lines = split_lines(text)
    refs: list[ImageRef] = []
    for node, key, value, key_path in image_keys(root):
        if isinstance(value, MappingNode) and not any(_has_key(value, name) for name in _TAG_KEYS):
            continue  # the chart's own tag stays: not here
        ref = values_key_image(source, lines, node, key, value, key_path, None)
        if ref is not None:
            refs.append(replace(ref, kind=kind, context=_join(context, ref.context), stage=stage))
    return refs


def _has_key(node: MappingNode, name: str) -> bool:
    return any(isinstance(key, ScalarNode) and key.value == name for key, _ in node.value)


def _join(context: str, inner: str) -> str:
    if not context:
        return inner
    return f"{context}.{inner}" if inner and not inner.startswith("[") else context + inner


class SetValue:
    """One ``name``/``value`` pair: the value's node, and where the pair is."""

    __slots__ = ("name", "node", "context")

    def __init__(self, name: str, node: ScalarNode, context: str) -> None:
        self.name = name
        self.node = node
        self.context = context


def set_images(pairs: Iterable[SetValue], path: str, text: str, *, kind: str, stage: str | None = None) -> list[ImageRef]:
    """The references that ``--set``-style pairs name (see the module docstring)."""
    by_name: dict[str, SetValue] = {}
    for pair in pairs:
        by_name[pair.name] = pair  # a later pair wins, as a later --set does
    lines: list[str] | None = None
    refs: list[ImageRef] = []
    for name, pair in by_name.items():
        head, _, last = name.rpartition(".")
        value = _text(pair.node)
        if value is None or not value.strip():
            continue
        if lines is None:
            lines = split_lines(text)
        if last == "tag" and head:
            repository = by_name.get(f"{head}.repository") or by_name.get(f"{head}.name") or by_name.get(f"{head}.image")
            repo_text = _text(repository.node) if repository is not None else None
            if repository is None or not repo_text or _names_a_tag(repo_text):
                continue  # the chart's repository: not here
            steps: list[Step] = []
            reference = repo_text.strip()
            registry = by_name.get(f"{head}.registry")
            registry_text = _text(registry.node) if registry is not None else None
            if registry is not None and registry_text:
                reference = f"{registry_text.strip().rstrip('/')}/{reference}"
                steps.append(_step(registry, path, text))
            steps.append(_step(repository, path, text))
            steps.append(_step(pair, path, text))
            reference = f"{reference}:{value.strip()}"
            refs.append(_ref(pair, path, text, lines, reference, kind, stage, tuple(steps)))
        elif last.lower().endswith("image") and _names_a_tag(value):
            refs.append(_ref(pair, path, text, lines, value.strip(), kind, stage, ()))
    refs.sort(key=lambda ref: ref.span)
    return refs


def _names_a_tag(value: str) -> bool:
    """A whole reference (``app:1.2``, ``app@sha256:…``), not a bare name
    that a ``tag`` pair completes."""
    return "@" in value or ":" in value.rsplit("/", 1)[-1]


def _text(node: Node | None) -> str | None:
    return yaml_number_text(node) or scalar_str(node)


def _step(pair: SetValue, path: str, text: str) -> Step:
    return Step(pair.context, _text(pair.node), Location(path, node_span(pair.node, text)))


def _ref(
    pair: SetValue, path: str, text: str, lines: list[str], value: str, kind: str, stage: str | None, via: tuple[Step, ...]
) -> ImageRef:
    span: Span = node_span(pair.node, text)
    written = span_text(lines, span) or str(pair.node.value)
    return ImageRef(path, span, written, value, kind, pair.context, via=via, stage=stage)


def pair_context(base: str, index: int, name: str) -> str:
    """``spec.source.helm.parameters[2] (image.tag)``."""
    return f"{base}[{index}] ({name})"

