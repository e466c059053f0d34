"""Kubernetes manifests (YAML or JSON, multi-document, ``List``).

Every document with a string ``apiVersion`` and ``kind`` is an object; a
``List`` (or any ``*List`` kind with ``items``) contributes its items.  In
each object, a generic walk finds:

* ``image:`` keys and camel-case ``*Image:`` keys (``sidecarImage``,
  ``initImage``) with a string value.  This covers the containers,
  initContainers and ephemeralContainers of Pods and of every pod template
  (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob,
  ReplicationController, PodTemplate, DeploymentConfig) and the CRDs that
  use the same shape: Argo Workflows/WorkflowTemplates/Rollouts, Tekton
  steps/sidecars/stepTemplate, Knative Services, KServe, Seldon, KubeRay,
  Katib;
* image volumes: ``volumes[].image.reference``.

What is deliberately *not* read (it is not a container image reference):

* ``metadata`` (annotations, labels, managedFields) and ``status`` (the
  observed state, e.g. ``containerStatuses[].image``);
* object-valued image keys (``image: {repository: ..}`` in a CRD spec is
  left to that CRD's own semantics), non-string values (``image: true``);
* known schemas whose image keys are not container images, listed as data
  in ``taglint/data/not_container_images.yaml``
  (:mod:`taglint.extract.not_container_images`): ConfigMap and Secret data
  and CustomResourceDefinition schemas; Ceph RBD volumes (``rbd.image``);
  machine and VM images (``osImage``, ``backingImage``... keys, machine
  provider specs, and whole API groups that manage machines: Cluster API
  providers, CDI, Metal3, Harvester, Crossplane and Config Connector
  compute, OpenShift and Gardener machines, Rancher node drivers); API
  groups whose image keys are not references (Flux image automation,
  Kyverno and Gatekeeper patterns);
* ``ko://`` references (``image: ko://github.com/org/app/cmd/app``): ko
  builds that image from the repository's own Go code and substitutes it
  when it deploys; it is not pulled;
* outside the container lists (``containers``, ``initContainers``,
  ``ephemeralContainers``, ``steps``, ``sidecars``), values that are URLs
  (``https://…/disk.img``) or contain white space.

Each :class:`ImageRef` has ``context`` = the key path from the object root
(``spec.template.spec.containers[0].image``; inside a ``List``:
``items[2].spec…``), followed by `` (container NAME)`` when the mapping
holding the key has a ``name``; and ``stage`` = ``Kind/metadata.name``.
Values are what the file says: placeholders (``${IMAGE}``,
``$(params.image)``, ``{{workflow.parameters.image}}``) stay as written.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from taglint.extract import broken_yaml
from taglint.extract.kubernetes.object_readers import reader_for
from taglint.extract.not_container_images import api_group, skips_for
from taglint.model import FileFacts, ImageRef, Span
from taglint.source import ExtractContext, SourceFile
from taglint.yamlnodes import (
    STR_TAG,
    MappingNode,
    Node,
    Path_,
    ScalarNode,
    SequenceNode,
    YamlError,
    format_path,
    load_documents,
    mapping_get,
    node_span,
    scalar_str,
    span_text,
    split_lines,
)

KIND = "kubernetes"

KO_SCHEME = "ko://"
CONTAINER_LISTS = frozenset({"containers", "initContainers", "ephemeralContainers", "steps", "sidecars"})
_SKIPPED_ROOT_KEYS = ("metadata", "status")
_MAX_LIST_DEPTH = 8
MAX_NODES = 1_000_000  # collections read per object, at most


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    facts = FileFacts(source.path, KIND)
    text = source.text
    if "mage" not in text:  # cheap prefilter: no image key can be here
        return facts
    from taglint.extract.kubernetes.bundle import images_by_document

    lines = Lines(text)
    # One document at a time, skipping those that cannot hold an image
    # (release bundles); None: the file is read whole, as it always was.
    refs = images_by_document(text, lambda documents: images_of(documents, source.path, text, lines))
    if refs is not None:
        facts.images.extend(refs)
    else:
        try:
            documents = load_documents(text)
        except YamlError as error:
            _read_unparsed(source, facts, error)
        else:
            facts.images.extend(images_of(documents, source.path, text, lines))
    facts.images.sort(key=lambda ref: ref.span)
    return facts


def images_of(documents: list[Node], path: str, text: str, lines: Lines | None = None) -> list[ImageRef]:
    """The images of a file's documents (``text`` is what they were read
    from; ``lines``, its lines when the caller has them)."""
    lines = lines if lines is not None else Lines(text)
    return [
        ref
        for document in documents
        for obj, prefix in objects(document)
        for ref in object_images(obj, prefix, path, lines, text)
    ]


# --------------------------------------------------------------------------
# A file that does not parse (taglint.extract.broken_yaml)


def _read_unparsed(source: SourceFile, facts: FileFacts, error: YamlError) -> None:
    """An unrendered template (problems only from ``{{ … }}``) is read as
    usual, no TL001; anything else is TL001, and its ``image:`` lines are
    still checked."""
    if broken_yaml.read_unrendered_template(source.text, facts, lambda docs, masked: images_of(docs, source.path, masked)):
        return
    broken_yaml.recover_image_lines(facts, error, _recovered_images(source.text, source.path))


_DOCUMENT_KIND = re.compile(r"(apiVersion|kind):[ \t]*[\"']?([^\s\"'#]+)")


def _recovered_images(text: str, path: str) -> list[ImageRef]:
    """The ``image:`` lines of a broken manifest, minus the places the
    walker leaves out: ``metadata``/``status``, and the keys and objects
    the list of non-container schemas names (by the document's own
    ``apiVersion``/``kind`` lines)."""
    kinds = [_api_kind(lines) for lines in broken_yaml.documents(text)]
    refs: list[ImageRef] = []
    for line in broken_yaml.image_lines(text):
        api_version, kind = kinds[line.document] if line.document < len(kinds) else ("", "")
        if line.parents[:1] and line.parents[0] in _SKIPPED_ROOT_KEYS:
            continue
        group = api_group(api_version)
        skips = skips_for(group, kind)
        if skips.whole or "image" in skips.keys or any(parent in skips.under for parent in line.parents):
            continue
        if line.value.startswith(KO_SCHEME) or "://" in line.value:
            continue  # a ko build, a URL: not a container image to check (as the walker decides)
        context = ".".join(line.parents + ("image",))
        refs.append(broken_yaml.recovered_ref(line, path, KIND, context, stage=kind or None))
    return refs


def _api_kind(lines: list[str]) -> tuple[str, str]:
    """The top-level ``apiVersion`` and ``kind`` a document's lines write."""
    found: dict[str, str] = {}
    for line in lines:
        match = _DOCUMENT_KIND.match(line)
        if match is not None:
            found.setdefault(match.group(1), match.group(2))
    return found.get("apiVersion", ""), found.get("kind", "")


def api_kind(node: Node) -> tuple[str, str] | None:
    """``(apiVersion, kind)`` of a manifest object, or None."""
    if not isinstance(node, MappingNode):
        return None
    api = scalar_str(mapping_get(node, "apiVersion"))
    kind = scalar_str(mapping_get(node, "kind"))
    if not api or not kind:
        return None
    return api, kind


def objects(document: Node) -> Iterator[tuple[MappingNode, Path_]]:
    """The manifest objects of a document: itself, or the items of a List."""
    stack: list[tuple[Node, Path_, int]] = [(document, (), 0)]
    seen: set[int] = set()
    while stack:
        node, prefix, depth = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        found = api_kind(node)
        if found is None:
            continue
        items = mapping_get(node, "items")
        if found[1].endswith("List") and isinstance(items, SequenceNode) and depth < _MAX_LIST_DEPTH:
            for index in range(len(items.value) - 1, -1, -1):
                stack.append((items.value[index], prefix + ("items", index), depth + 1))
            continue
        assert isinstance(node, MappingNode)
        yield node, prefix


def object_images(obj: MappingNode, prefix: Path_, path: str, lines: Lines, text: str) -> list[ImageRef]:
    found = api_kind(obj)
    if found is None:
        return []
    api_version, kind = found
    group = api_group(api_version)
    reader = reader_for(group, kind)
    special = reader(obj, prefix, path, text) if reader is not None else []
    skips = skips_for(group, kind)
    if skips.whole:
        return special
    skipped_under, skipped_keys = skips.under, skips.keys
    name = scalar_str(mapping_get(mapping_get(obj, "metadata"), "name"))
    stage = f"{kind}/{name}" if name else kind
    # Only collections are pushed (scalars are read from their mapping), and
    # each collection node object is read once (aliases, alias bombs).
    refs: list[ImageRef] = []
    seen: set[int] = set()
    stack: list[tuple[Node, Path_]] = [(obj, prefix)]
    budget = MAX_NODES
    root = True
    while stack:
        node, node_path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        budget -= 1
        if budget < 0:
            break
        if isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                if isinstance(item, (MappingNode, SequenceNode)):
                    stack.append((item, node_path + (index,)))
            continue
        for key_node, value in node.value:  # a MappingNode
            key = key_node.value
            if isinstance(value, (MappingNode, SequenceNode)):
                if (root and key in _SKIPPED_ROOT_KEYS) or key in skipped_under:
                    continue
                if key == "image" and isinstance(value, MappingNode):
                    ref = _image_volume(node_path, value, path, stage, lines, text)
                    if ref is not None:
                        refs.append(ref)
                    continue
                stack.append((value, node_path + (str(key),)))
            elif (key == "image" or (type(key) is str and key.endswith("Image"))) and str(key).lower() not in skipped_keys:
                ref = _image_key(node, node_path, str(key), value, path, stage, lines, text)
                if ref is not None:
                    refs.append(ref)
        root = False
    return special + refs if special else refs


def _image_volume(
    node_path: Path_, value: MappingNode, path: str, stage: str, lines: Lines, text: str
) -> ImageRef | None:
    """Image volumes: ``volumes[].image.reference``."""
    reference = mapping_get(value, "reference")
    if len(node_path) >= 2 and node_path[-2] == "volumes" and _is_string(reference):
        assert reference is not None
        return _ref(path, reference, node_path + ("image", "reference"), None, stage, lines, text)
    return None


def _image_key(
    node: MappingNode, node_path: Path_, key: str, value: Node, path: str, stage: str, lines: Lines, text: str
) -> ImageRef | None:
    if key != "image" and (len(key) <= 5 or not key[0].islower()):
        return None
    if not _is_string(value):
        return None
    written = str(value.value)
    in_container_list = len(node_path) >= 2 and isinstance(node_path[-1], int) and node_path[-2] in CONTAINER_LISTS
    if not written.strip():
        if key != "image" or not in_container_list:
            return None  # an empty optional image setting, not a container's image
        # `image: ""` in a workload's container: it names no image (TL107)
        return _empty_ref(_ref(path, value, node_path + (key,), scalar_str(mapping_get(node, "name")), stage, lines, text), lines)
    if written.startswith(KO_SCHEME):
        return None  # ko builds it from the repository's Go code when it deploys
    if not in_container_list and ("://" in written or any(c.isspace() for c in written.strip())):
        return None
    container = scalar_str(mapping_get(node, "name"))
    return _ref(path, value, node_path + (key,), container, stage, lines, text)


def _empty_ref(ref: ImageRef, lines: Lines) -> ImageRef:
    """An empty quoted image spans its quotes (``""``), not the nothing between them."""
    span = ref.span
    line = lines.get()[span.line - 1] if span.line <= len(lines.get()) else ""
    quote = line[span.column - 2 : span.column - 1] if span.column >= 2 else ""
    if span.end_line != span.line or quote not in ("'", '"') or line[span.end_column - 1 : span.end_column] != quote:
        return ref
    wide = Span(span.line, span.column - 1, span.line, span.end_column + 1)
    return replace(ref, span=wide, written=line[wide.column - 1 : wide.end_column - 1])


class Lines:
    """The file's lines, split on first use (most references need none)."""

    __slots__ = ("_lines", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: list[str] | None = None

    def get(self) -> list[str]:
        if self._lines is None:
            self._lines = split_lines(self.text)
        return self._lines


def _is_string(node: Node | None) -> bool:
    return isinstance(node, ScalarNode) and node.tag == STR_TAG


def _ref(
    path: str, node: Node, key_path: Path_, container: str | None, stage: str, lines: Lines, text: str
) -> ImageRef:
    span = node_span(node, text)
    value = str(node.value)
    if not node.style and span.line == span.end_line:  # type: ignore[attr-defined]
        written: str | None = value  # a one-line plain scalar is its value
    else:
        written = span_text(lines.get(), span)
    if written is None:
        written = value
    context = format_path(key_path)
    if container:
        context += f" (container {container})"
    return ImageRef(
        path=path, span=span, written=written, value=value, kind=KIND, context=context, stage=stage
    )
