"""Helm charts: values files, templates and ``Chart.yaml`` (kinds
``helm-values``, ``helm-template``, ``helm-chart``).

**Values** (``values*.yaml``).  Under any key whose name ends in ``image``
(any case: ``image``, ``initImage``, ``controllerImage``):

* a mapping with ``repository`` (or ``name`` next to a ``tag``), optional
  ``registry``, ``tag`` or ``version``, and ``digest`` is an image block.
  Its value is ``[registry/]repository[:tag][@digest]``.  The reference is
  reported on the ``tag:`` value (``written`` is the tag text, ``value`` the
  whole reference, ``via`` the values that built it); without a ``tag:``
  key, on the ``repository:`` value.  A tag that is empty, null or missing
  means the chart's ``appVersion`` (read from ``Chart.yaml`` beside the
  values file, or one folder up): a ``Chart.yaml appVersion`` step in
  ``via``.  A ``Chart.yaml`` without ``appVersion`` leaves the reference
  untagged; no ``Chart.yaml`` at all (values for a chart that is not here)
  leaves it unresolved (``repo:{{ .Chart.AppVersion }}``).
* a string is a whole reference, unless it has no tag or digest and a tag
  is written beside it: ``image: bitnami/redis`` with ``tag: 7.2.4`` in
  the same mapping (also ``imageTag``, and ``fooTag`` beside ``fooImage``)
  is one reference, reported on the tag; an empty tag means the chart's
  ``appVersion``, as in an image block.  (When the chart's templates are
  scanned, the Helm resolver renders them and its reading wins.)
* A tag YAML reads as a number (``tag: 1.10``) is rendered the way Helm
  renders it (``1.1``), with a step saying so.
* ``extras["helm_numeric_tags"]`` lists each tag YAML reads as a number
  (``tag: 1.10``, ``imageTag: 2``): ``{"span", "written", "value", "name",
  "key"}`` (``value`` as :func:`yaml_number_text` renders it, ``name`` the
  image the tag belongs to), for a check to flag (the fix is to quote it).
* ``extras["helm_image_blocks"]`` lists every image block:
  ``{"path": key path, "span": span of the reported value, "tag_span": span
  of the tag value or None, "repository", "registry", "tag", "digest"}``.
* ``extras["helm_values_table"]`` is what the template resolver needs of
  the file, so that it need not read and parse it again: the first
  document as a compact lookup table (see :func:`values_table`), or None
  when the file is not YAML or holds no document.

**Templates** (``templates/**`` with ``{{``, and any YAML file with template
actions inside a chart: see :mod:`taglint.classify`) are Go templates, not
YAML: they are never parsed as YAML and never give TL001.  Each ``image:``
line is an :class:`ImageRef` with the value as written (template actions
kept, which the classifier reports as unresolved).  The Helm resolver
(``taglint.resolve.helm``) renders the template with the chart's values and
replaces them; when it cannot, it falls back on
``extras["helm_template_refs"]``: per reference, the parsed parts (literal
text and template actions naming ``.Values`` paths, ``.Chart.AppVersion``
and ``default``), evaluated line by line.

**Chart.yaml** gives no references; ``extras["helm_chart"]`` holds its
``name``, ``version`` and ``appVersion`` (with spans).
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from taglint.model import FileFacts, ImageRef, Location, Span, Step
from taglint.source import ExtractContext, SourceFile
from taglint.yamlnodes import (
    FLOAT_TAG,
    INT_TAG,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    YamlError,
    _is_merge_key,
    documents_or_problem,
    format_path,
    go_float_text,
    is_null,
    load_documents,
    mapping_get,
    node_span,
    scalar_str,
    span_text,
    split_lines,
    walk,
    yaml_number_text,
)

VALUES = "helm-values"
TEMPLATE = "helm-template"
CHART = "helm-chart"
APP_VERSION_PLACEHOLDER = "{{ .Chart.AppVersion }}"


def file_kind(source: SourceFile) -> str:
    """Which of the three Helm kinds ``source`` is (same rules as classify):
    its name says ``Chart.yaml`` or ``values*.yaml``; otherwise a file with
    ``{{`` is a template (under ``templates/``, or anywhere in a chart)."""
    from taglint.classify import kind_from_path

    by_path = kind_from_path(source.path)
    if by_path in (CHART, VALUES):
        return by_path
    if "{{" in source.text:
        return TEMPLATE
    return VALUES


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    kind = file_kind(source)
    if kind == CHART:
        return extract_chart(source)
    if kind == TEMPLATE:
        return extract_template(source)
    return extract_values(source, find_chart(source))


# --------------------------------------------------------------------------
# Chart.yaml


class ChartInfo(NamedTuple):
    path: str  # display path of Chart.yaml
    app_version: str | None
    span: Span | None  # of the appVersion value


def chart_info(text: str, path: str) -> ChartInfo | None:
    """The ``appVersion`` of a ``Chart.yaml`` text; None when it is not YAML."""
    try:
        documents = load_documents(text)
    except YamlError:
        return None
    node = mapping_get(documents[0], "appVersion") if documents else None
    value = yaml_number_text(node) or scalar_str(node)
    if node is None or not value:
        return ChartInfo(path, None, None)
    return ChartInfo(path, value, node_span(node, text))


def find_chart(source: SourceFile) -> ChartInfo | None:
    """``Chart.yaml`` beside the values file or one folder up, read from disk."""
    folder = Path(source.fs_path).parent
    display_folder = posixpath.dirname(source.path)
    for _ in range(2):
        for name in ("Chart.yaml", "Chart.yml"):
            candidate = folder / name
            try:
                if candidate.is_file():
                    text = candidate.read_text(encoding="utf-8-sig", errors="replace")
                    display = posixpath.normpath(posixpath.join(display_folder, name))
                    return chart_info(text, display)
            except OSError:
                return None
        folder = folder.parent
        display_folder = posixpath.join(display_folder, "..")
    return None


def extract_chart(source: SourceFile) -> FileFacts:
    facts = FileFacts(source.path, CHART)
    documents = documents_or_problem(source.text, facts)
    if documents is None:
        return facts
    doc = documents[0] if documents else None
    info: dict[str, Any] = {}
    for key in ("name", "version", "appVersion"):
        node = mapping_get(doc, key)
        value = yaml_number_text(node) or scalar_str(node)
        if value:
            info[key] = value
            info[key + "_span"] = node_span(node, source.text) if node is not None else None
    facts.extras["helm_chart"] = info
    return facts


# --------------------------------------------------------------------------
# values*.yaml


def helm_value_text(node: Node | None) -> str | None:
    """A values scalar as a Helm template renders it, or None.  Helm reads
    values through JSON, so every number is a float64 printed the Go way:
    `1.10` renders `1.1`, `20230615` renders `2.0230615e+07`."""
    number = yaml_number_text(node)
    if number is not None:
        try:
            return go_float_text(float(number))
        except (ValueError, OverflowError):
            return number
    return scalar_str(node)


def extract_values(source: SourceFile, chart: ChartInfo | None) -> FileFacts:
    facts = FileFacts(source.path, VALUES)
    if "mage" not in source.text:
        return facts  # no table: the resolver reads the file if a template needs it
    documents = documents_or_problem(source.text, facts)
    if documents is None:
        facts.extras[VALUES_TABLE] = None
        return facts
    lines = split_lines(source.text)
    facts.extras[VALUES_TABLE] = values_table(documents[0] if documents else None, source.text, lines)
    blocks: list[dict[str, Any]] = []
    numeric: list[dict[str, Any]] = []
    for document in documents[:1]:
        for node, key, value, key_path in image_keys(document):
            if isinstance(value, MappingNode):
                ref = _image_block(source, lines, value, key_path, chart, blocks, numeric)
            elif isinstance(value, ScalarNode) and value.tag == "tag:yaml.org,2002:str" and value.value.strip():
                ref = _image_string(source, lines, node, key, value, key_path, chart, numeric)
            else:
                ref = None
            if ref is not None:
                facts.images.append(ref)
    facts.images.sort(key=lambda ref: ref.span)
    if blocks:
        facts.extras["helm_image_blocks"] = blocks
    if numeric:
        facts.extras["helm_numeric_tags"] = numeric
    return facts


# --------------------------------------------------------------------------
# The values lookup table (what the template resolver needs of a values file)

VALUES_TABLE = "helm_values_table"
BOOL_TAG = "tag:yaml.org,2002:bool"
_NUMBER_TAGS = (INT_TAG, FLOAT_TAG)  # a numeric entry's last item indexes this
_TYPED_TAGS = (INT_TAG, FLOAT_TAG, BOOL_TAG)  # ... or a boolean entry's (2)
_VALUES_KEY = r"[A-Za-z_][A-Za-z0-9_-]*"  # a key a `.Values` path can name (see parse_action)
_LOOKUP_KEY = re.compile(_VALUES_KEY)

# A table entry is, for a
#
# * mapping: a dict from each key to the entry of its value, as
#   :func:`mapping_get` finds it (the first of duplicate keys wins; merge keys
#   are not in it), keeping only the keys a ``.Values`` path can name; when
#   the mapping has merge keys, ``None`` maps to the list of the merged
#   mappings' entries, in the order :func:`iter_mapping` reads them.
#   Aliased nodes share one entry, so aliases and recursive anchors stay small.
# * sequence: a list of its items' entries (lookups by ``.Values`` path
#   never look inside one; templates ``range`` over them).
# * scalar: a tuple ``(value, line, column, end_line, end_column, written)``:
#   ``value`` as a template renders it (:func:`helm_value_text`; None for a
#   null or empty value), the span :func:`node_span` gives, and ``written``,
#   the text at that span (:func:`span_text`; None for a span over several
#   lines).  Most scalars are written on one line as they read: for them
#   the entry is ``(value, line, column)``, the span ending ``len(value)``
#   columns later and ``written`` being ``value``.
# * scalar YAML reads as a number (plain, int or float tag): the same with
#   the text as written in place of ``value``, and the index of its tag in
#   :data:`_NUMBER_TAGS` appended (``(text, line, column, tag)`` or
#   ``(text, line, column, end_line, end_column, written, tag)``).  The value
#   is rendered when it is looked up: rendering numbers is slow, and few are
#   ever looked up.  A scalar YAML reads as a boolean likewise ends with 2,
#   the index of its tag in :data:`_TYPED_TAGS` (templates test its truth).
#
# Rendered to a :class:`ScalarNode` again, an entry gives the same
# :func:`helm_value_text` and :func:`is_null` answers as the node it was
# made from, and the same span and written text.


def values_table(root: Node | None, text: str, lines: list[str] | None = None) -> Any:
    """The lookup table of a values document (see above); None for no document."""
    if root is None:
        return None
    if lines is None:
        lines = split_lines(text)
    memo: dict[int, Any] = {}  # node id → its entry: aliases share one
    pending: list[tuple[MappingNode, dict[Any, Any]]] = []

    def entry(node: Node) -> Any:
        found = memo.get(id(node))
        if found is not None:
            return found
        if isinstance(node, ScalarNode):
            out: Any = _scalar_entry(node, text, lines)
        elif isinstance(node, MappingNode):
            out = {}
            pending.append((node, out))
        else:
            out = []
            pending.append((node, out))
        memo[id(node)] = out
        return out

    lookup_key = _LOOKUP_KEY.fullmatch
    top = entry(root)
    while pending:
        node, out = pending.pop()
        if isinstance(node, SequenceNode):
            out.extend(entry(item) for item in node.value)
            continue
        sources: list[Any] = []
        for key_node, value in node.value:
            if _is_merge_key(key_node):
                if isinstance(value, MappingNode):
                    sources.append(entry(value))
                elif isinstance(value, SequenceNode):
                    sources.extend(entry(item) for item in value.value if isinstance(item, MappingNode))
                continue
            if not isinstance(key_node, ScalarNode):
                continue
            name = str(key_node.value)
            if name not in out and lookup_key(name):
                out[name] = entry(value)
        if sources:
            out[None] = sources
    return top


def _scalar_entry(node: ScalarNode, text: str, lines: list[str]) -> tuple[Any, ...]:
    style = node.style
    number = not style and node.tag in _TYPED_TAGS
    start, end = node.start_mark, node.end_mark
    line = start.line + 1
    if not style and start.line == end.line and line <= len(lines):
        # A plain scalar on one line: node_span and span_text, inlined.
        column, end_line, end_column = start.column + 1, line, end.column + 1
        written: str | None = lines[line - 1][column - 1 : end_column - 1]
    else:
        span = node_span(node, text)
        line, column, end_line, end_column = span.line, span.column, span.end_line, span.end_column
        written = span_text(lines, span)
    value: str | None
    if number:
        value = str(node.value)
    else:
        value = helm_value_text(node) or None  # None for a null too
    if written is not None and written == value and line == end_line and end_column == column + len(written):
        entry: tuple[Any, ...] = (value, line, column)
    else:
        entry = (value, line, column, end_line, end_column, written)
    return entry + (_TYPED_TAGS.index(node.tag),) if number else entry


def table_scalar(entry: tuple[Any, ...]) -> tuple[str | None, Span, str | None, str]:
    """A scalar entry of the table as ``(value, span, written, kind)``:
    ``value`` as a template renders it (None: null or empty), ``kind`` one
    of ``string``, ``number``, ``bool``."""
    size = len(entry)
    if size < 6:
        written = value = entry[0]
        span = Span(entry[1], entry[2], entry[1], entry[2] + len(written))
    else:
        value, written = entry[0], entry[5]
        span = Span(entry[1], entry[2], entry[3], entry[4])
    kind = "string"
    if size in (4, 7):
        if entry[-1] == 2:
            kind = "bool"
        else:
            kind = "number"
            rendered = helm_value_text(ScalarNode(_NUMBER_TAGS[entry[-1]], entry[0]))
            value = rendered if rendered else None
    return value, span, written, kind


def values_table_lookup(table: Any, dotted: str) -> tuple[str | None, Span | None, str | None, bool]:
    """``.Values.<dotted>`` in a table: ``(value, span, written, known)``.

    ``value`` None = empty or missing; ``span``: where the scalar is written
    (None when there is no such scalar); ``written``: the text at ``span``
    (None also when it spans several lines); ``known`` False = cannot tell
    (no table, or a mapping or list)."""
    if table is None:
        return None, None, None, False
    node = table
    for part in dotted.split("."):
        if type(node) is not dict:
            return None, None, None, True
        found = node.get(part)
        if found is None and None in node:
            found = _merged_get(node, part)
        if found is None:
            return None, None, None, True
        node = found
    if type(node) is not tuple:
        return None, None, None, False  # a mapping or list: not a string
    value, span, written, _ = table_scalar(node)
    return value, span, written, True


def _merged_get(mapping: dict[Any, Any], key: str) -> Any:
    """``key`` in a mapping with merge keys, as :func:`iter_mapping` finds it."""
    visited: set[int] = set()
    queue: list[dict[Any, Any]] = [mapping]
    while queue:
        current = queue.pop(0)
        if id(current) in visited:
            continue
        visited.add(id(current))
        found = current.get(key)
        if found is not None:
            return found
        queue[0:0] = current.get(None, ())
        if len(visited) > 10_000:  # as iter_mapping: pathological merge chains
            return None
    return None


def _sibling_tag(parent: MappingNode, key: str) -> tuple[str, Node] | None:
    """The key and value of the tag written beside a string image: ``imageTag``
    (``<key>Tag``), ``tag`` beside ``image``, ``fooTag`` beside ``fooImage``."""
    names = [key + "Tag"]
    if key == "image":
        names.append("tag")
    elif key.endswith("Image") and len(key) > 5:
        names.append(key[:-5] + "Tag")
    for name in names:
        node = mapping_get(parent, name)
        if isinstance(node, ScalarNode):
            return name, node
    return None


def _has_tag_or_digest(reference: str) -> bool:
    last = reference.rsplit("/", 1)[-1]
    return ":" in last or "@" in reference


def _image_string(
    source: SourceFile,
    lines: list[str],
    parent: MappingNode,
    key: str,
    value: ScalarNode,
    key_path: tuple,
    chart: ChartInfo | None,
    numeric: list[dict[str, Any]],
) -> ImageRef:
    """``image: repo`` with the tag written beside it (``tag:``,
    ``imageTag:``) is one reference, reported on the tag; an empty tag
    means the chart's appVersion, as in an image block."""
    span = node_span(value, source.text)
    written = span_text(lines, span) or str(value.value)
    image = str(value.value).strip()
    sibling = None if _has_tag_or_digest(image) else _sibling_tag(parent, key)
    if sibling is None:
        return ImageRef(source.path, span, written, str(value.value), VALUES, format_path(key_path))
    tag_key, tag_node = sibling
    steps = [Step(f"values {format_path(key_path)}", image, Location(source.path, span))]
    tag_context = format_path(key_path[:-1] + (tag_key,))
    reference, tag, tag_span = _with_tag(source, image, tag_node, tag_key, tag_context, chart, steps, numeric)
    where = tag_span or span
    return ImageRef(
        source.path,
        where,
        span_text(lines, where) or tag or written,
        reference,
        VALUES,
        tag_context,
        via=tuple(steps),
    )


def _with_tag(
    source: SourceFile,
    reference: str,
    tag_node: Node | None,
    tag_key: str,
    context: str,
    chart: ChartInfo | None,
    steps: list[Step],
    numeric: list[dict[str, Any]],
) -> tuple[str, str | None, Span | None]:
    """``reference`` with its tag: the tag value, else (empty, null or
    missing) the chart's appVersion.  Returns the reference, the tag and
    where the tag is written (None without a one-line ``tag`` value);
    appends the steps that built it."""
    here = source.path
    tag = helm_value_text(tag_node)
    tag_span = node_span(tag_node, source.text) if tag_node is not None else None
    if tag_node is not None and tag_node.start_mark.line != tag_node.end_mark.line:
        tag_span = None
    if tag_node is not None and is_null(tag_node):
        # `tag:` with nothing after it: point just after the colon's space.
        tag_span = Span(tag_node.start_mark.line + 1, tag_node.start_mark.column + 1, tag_node.start_mark.line + 1, tag_node.start_mark.column + 1)
    if tag:
        tag = tag.strip()
        if tag_span is not None:
            _note_number(numeric, tag_node, tag_span, reference, tag_key)
        if yaml_number_text(tag_node) is not None and yaml_number_text(tag_node) != str(tag_node.value):  # type: ignore[union-attr]
            steps.append(Step(f"values {context} {tag_node.value} read as a YAML number", tag, Location(here, tag_span) if tag_span else None))  # type: ignore[union-attr]
        else:
            steps.append(Step(f"values {context}", tag, Location(here, tag_span) if tag_span else None))
        return f"{reference}:{tag}", tag, tag_span
    if chart is None:
        steps.append(Step(f"values {context} empty: the chart's appVersion (no Chart.yaml found)", None))
        return f"{reference}:{APP_VERSION_PLACEHOLDER}", tag, tag_span
    if chart.app_version:
        steps.append(Step("Chart.yaml appVersion", chart.app_version, Location(chart.path, chart.span) if chart.span else None))
        return f"{reference}:{chart.app_version}", tag, tag_span
    steps.append(Step("Chart.yaml appVersion", None, Location(chart.path, Span(1, 1, 1, 1))))
    return reference, tag, tag_span


def _image_block(
    source: SourceFile,
    lines: list[str],
    block: MappingNode,
    key_path: tuple,
    chart: ChartInfo | None,
    blocks: list[dict[str, Any]],
    numeric: list[dict[str, Any]],
) -> ImageRef | None:
    repository_node = mapping_get(block, "repository")
    tag_key = "tag" if mapping_get(block, "tag") is not None else "version"
    tag_node = mapping_get(block, tag_key)
    if repository_node is None and tag_node is not None and mapping_get(block, "tag") is not None:
        repository_node = mapping_get(block, "name")
    repository = scalar_str(repository_node)
    if repository_node is None or not repository or not isinstance(repository_node, ScalarNode):
        return None
    context = format_path(key_path)
    here = source.path
    steps: list[Step] = []
    registry_node = mapping_get(block, "registry")
    registry = helm_value_text(registry_node)
    reference = repository.strip()
    if registry:
        registry = registry.strip().rstrip("/")
        reference = f"{registry}/{reference}"
        steps.append(Step(f"values {context}.registry", registry, Location(here, node_span(registry_node, source.text))))  # type: ignore[arg-type]
    repo_span = node_span(repository_node, source.text)
    steps.append(Step(f"values {context}.{_key_name(block, repository_node)}", repository, Location(here, repo_span)))
    reference, tag, tag_span = _with_tag(source, reference, tag_node, tag_key, f"{context}.{tag_key}", chart, steps, numeric)
    digest_node = mapping_get(block, "digest")
    digest = helm_value_text(digest_node)
    if digest:
        reference += f"@{digest.strip()}"
        steps.append(Step(f"values {context}.digest", digest, Location(here, node_span(digest_node, source.text))))  # type: ignore[arg-type]
    span = tag_span or repo_span
    written = span_text(lines, span)
    blocks.append(
        {
            "path": context,
            "span": span,
            "tag_span": tag_span,
            "registry": registry,
            "repository": repository,
            "tag": tag,
            "digest": digest,
        }
    )
    return ImageRef(
        path=here,
        span=span,
        written=written if written is not None else (tag or repository),
        value=reference,
        kind=VALUES,
        context=context,
        via=tuple(steps),
    )


def image_keys(root: Node) -> Iterator[tuple[MappingNode, str, Node, tuple]]:
    """The ``*image`` keys of a values tree (``image``, ``sidecarImage``…):
    (the mapping holding one, the key, its value, the key's path); an
    aliased mapping is read once, where it is written."""
    seen: set[int] = set()
    for path, node in walk(root):
        if not isinstance(node, MappingNode) or id(node) in seen:
            continue
        seen.add(id(node))
        for key_node, value in node.value:
            if isinstance(key_node, ScalarNode) and str(key_node.value).lower().endswith("image"):
                key = str(key_node.value)
                yield node, key, value, path + (key,)


def values_key_image(
    source: SourceFile, lines: list[str], parent: MappingNode, key: str, value: Node, key_path: tuple, chart: ChartInfo | None
) -> ImageRef | None:
    """The reference one ``*image`` key of a values tree names (an image
    block or a string, read as :func:`extract_values` reads them), or None.
    For values written elsewhere than a values file (GitOps overrides:
    Flux ``HelmRelease`` values, Argo CD ``valuesObject``, helmfile)."""
    if isinstance(value, MappingNode):
        return _image_block(source, lines, value, key_path, chart, [], [])
    if isinstance(value, ScalarNode) and value.tag == "tag:yaml.org,2002:str" and value.value.strip():
        return _image_string(source, lines, parent, key, value, key_path, chart, [])
    return None


def _note_number(numeric: list[dict[str, Any]], node: Node | None, span: Span, name: str, key: str) -> None:
    """Record a tag written as a bare YAML number (see the module docstring)."""
    number = yaml_number_text(node)
    if number is not None and node is not None:
        numeric.append({"span": span, "written": str(node.value), "value": number, "name": name, "key": key})


def _key_name(block: MappingNode, value: Node) -> str:
    for key, item in block.value:
        if item is value and isinstance(key, ScalarNode):
            return str(key.value)
    return "repository"


# --------------------------------------------------------------------------
# templates/**


_IMAGE_LINE = re.compile(r"""^(?P<lead>[ \t]*(?:-[ \t]+)?["']?image["']?[ \t]*:[ \t]*)(?P<value>.*?)[ \t]*$""")
_ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.DOTALL)
_VALUES_PATH = re.compile(rf"^\$?\.Values((?:\.{_VALUES_KEY})+)$")
_PASS_THROUGH = frozenset({"quote", "squote", "toString", "trim", "toYaml", "lower", "nospace"})


def parse_action(action: str) -> dict[str, Any] | None:
    """A template action we can evaluate, or None.

    Understood: ``.Values.a.b``, ``.Chart.AppVersion``, ``X | default Y``,
    ``default Y X`` (Y, X operands: ``.Values…``, ``.Chart.AppVersion``,
    a quoted string), optionally piped through quote/trim/toString.
    Returns ``{"operand": op, "default": op | None}`` where op is
    ``("values", "a.b")``, ``("chart", "AppVersion")`` or ``("text", s)``.
    """
    stages = [part.strip() for part in action.split("|")]
    stages = [s for s in stages if s not in _PASS_THROUGH]
    if not stages or len(stages) > 2:
        return None
    first = stages[0].split()
    if len(first) == 3 and first[0] == "default":
        operand, fallback = _operand(first[2]), _operand(first[1])
        if operand is None or fallback is None or len(stages) != 1:
            return None
        return {"operand": operand, "default": fallback}
    if len(first) != 1:
        return None
    operand = _operand(first[0])
    if operand is None:
        return None
    if len(stages) == 1:
        return {"operand": operand, "default": None}
    second = stages[1].split()
    if len(second) == 2 and second[0] == "default":
        fallback = _operand(second[1])
        if fallback is None:
            return None
        return {"operand": operand, "default": fallback}
    return None


def _operand(word: str) -> tuple[str, str] | None:
    match = _VALUES_PATH.match(word)
    if match:
        return ("values", match.group(1)[1:])
    if word in (".Chart.AppVersion", "$.Chart.AppVersion"):
        return ("chart", "AppVersion")
    if len(word) >= 2 and word[0] == word[-1] and word[0] in "\"`":
        return ("text", word[1:-1])
    return None


def parse_template_value(value: str) -> list[Any] | None:
    """Literal text and evaluable actions of a templated value, or None when
    some action cannot be evaluated statically."""
    parts: list[Any] = []
    position = 0
    for match in _ACTION.finditer(value):
        if match.start() > position:
            parts.append(("literal", value[position : match.start()]))
        parsed = parse_action(match.group(1))
        if parsed is None:
            return None
        parts.append(("action", parsed))
        position = match.end()
    if position < len(value):
        parts.append(("literal", value[position:]))
    return parts


def image_value(line: str) -> tuple[int, int] | None:
    """Where the value of an ``image: <value>`` line is (0-based start and
    end indexes in ``line``): inside its quotes, without a comment; None
    when the line is no such line or its value is a block, a flow
    collection or empty."""
    if "image" not in line:
        return None
    match = _IMAGE_LINE.match(line)
    if match is None:
        return None
    start = match.start("value")
    raw = _strip_comment(match.group("value"))
    if raw[:1] in ("'", '"') and raw.endswith(raw[0] + ","):
        raw = raw[:-1]  # a JSON member in a block: `"image" : "app:1.0",`
    end = start + len(raw)
    if raw[:1] in ("'", '"') and len(raw) >= 2 and raw[-1] == raw[0]:
        raw = raw[1:-1]
        start, end = start + 1, end - 1
    if not raw or raw in ("|", ">", "|-", ">-") or raw.startswith("{{-") and raw.endswith("}}") and "toYaml" in raw:
        return None
    if raw.startswith(("{", "[")) and "{{" not in raw:
        return None  # a flow mapping: `image: {repository: …}`
    return start, end


def extract_template(source: SourceFile) -> FileFacts:
    facts = FileFacts(source.path, TEMPLATE)
    if "image" not in source.text:
        return facts
    refs: list[dict[str, Any]] = []
    for number, line in enumerate(source.lines, start=1):
        found = image_value(line)
        if found is None:
            continue
        raw = line[found[0] : found[1]]
        span = Span(number, found[0] + 1, number, found[1] + 1)
        ref = ImageRef(source.path, span, raw, raw, TEMPLATE, "image")
        facts.images.append(ref)
        if "{{" in raw:
            refs.append({"span": span, "parts": parse_template_value(raw)})
    if refs:
        facts.extras["helm_template_refs"] = refs
    return facts


def _strip_comment(raw: str) -> str:
    if "#" not in raw:
        return raw
    quote = None
    depth = 0
    for index, char in enumerate(raw):
        if quote:
            if char == quote:
                quote = None
        elif char in ("'", '"') and depth == 0:
            quote = char
        elif raw.startswith("{{", index):
            depth += 1
        elif raw.startswith("}}", index) and depth:
            depth -= 1
        elif char == "#" and depth == 0 and index and raw[index - 1] in " \t":
            return raw[:index].rstrip()
    return raw
