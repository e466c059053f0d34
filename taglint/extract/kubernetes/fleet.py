"""Rancher Fleet bundles (``fleet.yaml``): the Helm values a bundle
passes to its chart, ``helm.values``, and the per-cluster overrides
``targetCustomizations[].helm.values``, read as Helm values overrides
(:func:`taglint.extract.kubernetes.value_overrides.values_images`).

Fleet's ``kustomize:`` options only name an overlay folder (``dir``); the
images it sets are in that kustomization, read where it is.  Values files
(``helm.valuesFiles``) are read as values files when they are scanned.
"""
from __future__ import annotations

from taglint.extract.kubernetes import value_overrides
from taglint.model import FileFacts
from taglint.source import ExtractContext, SourceFile
from taglint.yamlnodes import MappingNode, SequenceNode, documents_or_problem, mapping_get, scalar_str, split_lines

KIND = "fleet"


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    facts = FileFacts(source.path, KIND)
    text = source.text
    if "mage" not in text:
        return facts
    documents = documents_or_problem(text, facts)
    if not documents or not isinstance(documents[0], MappingNode):
        return facts
    bundle = documents[0]
    lines = split_lines(text)
    places = [(bundle, "", None)]
    customizations = mapping_get(bundle, "targetCustomizations")
    for index, item in enumerate(customizations.value if isinstance(customizations, SequenceNode) else []):
        name = scalar_str(mapping_get(item, "name"))
        places.append((item, f"targetCustomizations[{index}].", f"target {name}" if name else None))
    for node, base, stage in places:
        values = mapping_get(mapping_get(node, "helm"), "values")
        facts.images.extend(
            value_overrides.values_images(values, source.path, text, kind=KIND, context=f"{base}helm.values", stage=stage, lines=lines)
        )
    facts.images.sort(key=lambda ref: ref.span)
    return facts
