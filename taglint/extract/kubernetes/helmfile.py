"""helmfile (``helmfile.yaml``, ``helmfile.d/*.yaml``): the values each
release passes to its chart.

* ``releases[].values[]``: an inline mapping is a values tree, read as
  Helm values overrides
  (:func:`taglint.extract.kubernetes.value_overrides.values_images`);
  a string names a values file (read as such when it is scanned).
* ``releases[].set[]``: ``name``/``value`` pairs, as ``--set``
  (:func:`~taglint.extract.kubernetes.value_overrides.set_images`);
  ``setString`` likewise.

Each release is the stage (``release prometheus``).  A helmfile with Go
template actions (``{{ .Values.x }}``) that does not parse as YAML is
rendered by helmfile before it is YAML: it is left unread, never TL001.
"""
from __future__ import annotations

from taglint.extract.kubernetes import value_overrides
from taglint.model import FileFacts, ImageRef, Problem
from taglint.source import ExtractContext, SourceFile
from taglint.yamlnodes import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    YamlError,
    load_documents,
    mapping_get,
    scalar_str,
    split_lines,
)

KIND = "helmfile"


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    facts = FileFacts(source.path, KIND)
    text = source.text
    if "releases" not in text:
        return facts
    try:
        documents = load_documents(text)
    except YamlError as error:
        if "{{" not in text:
            facts.problems.append(Problem(source.path, error.span, f"invalid YAML: {error.message}"))
        return facts
    lines = split_lines(text)
    for document in documents:
        releases = mapping_get(document, "releases")
        for index, release in enumerate(releases.value if isinstance(releases, SequenceNode) else []):
            if isinstance(release, MappingNode):
                facts.images.extend(release_images(release, f"releases[{index}]", source.path, text, lines))
    facts.images.sort(key=lambda ref: ref.span)
    return facts


def release_images(release: MappingNode, base: str, path: str, text: str, lines: list[str]) -> list[ImageRef]:
    """The references one release's ``values`` and ``set`` name."""
    name = scalar_str(mapping_get(release, "name"))
    stage = f"release {name}" if name else base
    refs: list[ImageRef] = []
    values = mapping_get(release, "values")
    for index, item in enumerate(values.value if isinstance(values, SequenceNode) else []):
        refs.extend(
            value_overrides.values_images(item, path, text, kind=KIND, context=f"{base}.values[{index}]", stage=stage, lines=lines)
        )
    for key in ("set", "setString"):
        refs.extend(value_overrides.set_images(_pairs(mapping_get(release, key), f"{base}.{key}"), path, text, kind=KIND, stage=stage))
    return refs


def _pairs(node: Node | None, base: str) -> list[value_overrides.SetValue]:
    pairs: list[value_overrides.SetValue] = []
    for index, item in enumerate(node.value if isinstance(node, SequenceNode) else []):
        name = scalar_str(mapping_get(item, "name"))
        value = mapping_get(item, "value")
        if name and isinstance(value, ScalarNode):
            pairs.append(value_overrides.SetValue(name, value, value_overrides.pair_context(base, index, name)))
    return pairs
