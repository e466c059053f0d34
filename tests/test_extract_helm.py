"""Helm: values image blocks, Chart.yaml appVersion, templates, and the resolver."""
from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

from taglint.extract.kubernetes.helm import (
    _VALUES_KEY,
    VALUES_TABLE,
    ChartInfo,
    chart_info,
    extract,
    extract_template,
    extract_values,
    file_kind,
    helm_value_text,
    parse_action,
    parse_template_value,
    values_table,
    values_table_lookup,
)
from taglint.model import FileFacts, Location, Span
from taglint.resolve import ResolveContext, run_all
from taglint.source import ExtractContext, SourceFile
from taglint.yamlnodes import (
    MappingNode,
    ScalarNode,
    is_null,
    iter_mapping,
    load_documents,
    mapping_get,
    node_span,
    span_text,
    split_lines,
)

CHART = ChartInfo("chart/Chart.yaml", "1.4.2", Span(4, 13, 4, 18))
NO_APP_VERSION = ChartInfo("chart/Chart.yaml", None, None)

VALUES = """\
image:
  registry: ghcr.io
  repository: acme/web
  tag: ""
  pullPolicy: IfNotPresent
db:
  image:
    repository: bitnami/postgresql
    tag: 16.4.0-debian-12-r1
    digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
metrics:
  exporterImage:
    repository: prom/exporter
legacy:
  image: mysql
  imageTag: 5.7
sidecars:
- name: s
  image: busybox:1.36.1
version:
  image:
    name: acme/versioned
    tag: 1.10
"""


def values(text: str, chart: ChartInfo | None = CHART):
    return extract_values(SourceFile.from_text("chart/values.yaml", text), chart)


def test_values_blocks_spans_and_values() -> None:
    found = values(VALUES).images
    by_context = {r.context: r for r in found}
    web = by_context["image"]
    assert web.value == "ghcr.io/acme/web:1.4.2"
    assert web.span == Span(4, 9, 4, 9)  # inside the quotes of tag: ""
    assert [s.name for s in web.via][-1] == "Chart.yaml appVersion"
    assert web.via[-1].location == Location("chart/Chart.yaml", Span(4, 13, 4, 18))
    db = by_context["db.image"]
    assert db.value.startswith("bitnami/postgresql:16.4.0-debian-12-r1@sha256:")
    assert db.span == Span(9, 10, 9, 29) and db.written == "16.4.0-debian-12-r1"
    exporter = by_context["metrics.exporterImage"]
    assert exporter.value == "prom/exporter:1.4.2"
    assert exporter.span == Span(13, 17, 13, 30)  # no tag key: the repository
    legacy = by_context["legacy.imageTag"]
    assert legacy.value == "mysql:5.7" and legacy.span.line == 16
    assert by_context["sidecars[0].image"].value == "busybox:1.36.1"
    versioned = by_context["version.image"]
    assert versioned.value == "acme/versioned:1.1"
    assert "YAML number" in versioned.via[-1].name


def test_image_blocks_in_extras() -> None:
    blocks = values(VALUES).extras["helm_image_blocks"]
    assert [b["path"] for b in blocks] == ["image", "db.image", "metrics.exporterImage", "version.image"]
    assert blocks[0]["tag_span"] == Span(4, 9, 4, 9)


def test_empty_tag_without_app_version_is_untagged_at_the_tag_line() -> None:
    (ref,) = values("image:\n  repository: acme/web\n  tag: \"\"\n", NO_APP_VERSION).images
    assert ref.value == "acme/web"
    assert ref.span.line == 3


def test_null_tag_points_after_the_key() -> None:
    (ref,) = values("image:\n  repository: acme/web\n  tag:\n", NO_APP_VERSION).images
    assert ref.span == Span(3, 7, 3, 7)


def test_no_chart_leaves_app_version_unresolved() -> None:
    (ref,) = values("image:\n  repository: acme/web\n", None).images
    assert ref.value == "acme/web:{{ .Chart.AppVersion }}"


def test_non_image_keys_and_values() -> None:
    text = "imagePullSecrets: []\nimage:\n  pullPolicy: Always\nuseImage: true\nbaseImage: ''\nenabled: {image: ~}\n"
    assert values(text).images == []


def test_values_parse_error() -> None:
    result = values("image:\n  repository: [x\n")
    assert result.problems and result.problems[0].span.line == 3


def test_chart_info() -> None:
    info = chart_info("apiVersion: v2\nname: c\nappVersion: \"1.4.2\"\n", "Chart.yaml")
    assert info == ChartInfo("Chart.yaml", "1.4.2", Span(3, 14, 3, 19))
    assert chart_info("name: c\n", "Chart.yaml") == ChartInfo("Chart.yaml", None, None)
    assert chart_info("appVersion: 1.10\n", "Chart.yaml").app_version == "1.1"
    assert chart_info("[", "Chart.yaml") is None


@pytest.mark.parametrize(
    "action, expected",
    [
        (".Values.image.tag", {"operand": ("values", "image.tag"), "default": None}),
        ("$.Values.image.tag", {"operand": ("values", "image.tag"), "default": None}),
        (".Values.image.tag | default .Chart.AppVersion", {"operand": ("values", "image.tag"), "default": ("chart", "AppVersion")}),
        ("default .Chart.AppVersion .Values.image.tag", {"operand": ("values", "image.tag"), "default": ("chart", "AppVersion")}),
        ('.Values.tag | default "1.0" | quote', {"operand": ("values", "tag"), "default": ("text", "1.0")}),
        (".Chart.AppVersion", {"operand": ("chart", "AppVersion"), "default": None}),
        ('include "x.image" .', None),
        (".image.repository", None),
        ("printf \"%s\" .Values.x", None),
    ],
)
def test_parse_action(action: str, expected: object) -> None:
    assert parse_action(action) == expected


def test_parse_template_value() -> None:
    parts = parse_template_value("{{ .Values.image.repository }}:{{- .Values.image.tag -}}")
    assert parts == [
        ("action", {"operand": ("values", "image.repository"), "default": None}),
        ("literal", ":"),
        ("action", {"operand": ("values", "image.tag"), "default": None}),
    ]
    assert parse_template_value('{{ include "x" . }}') is None


TEMPLATE = """\
{{- if .Values.enabled }}
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
        - name: helper
          image: {{ include "chart.helper" . }}  # resolved elsewhere
        - name: plain
          image: busybox:1.36.1
        - name: flow
          image: {repository: x}
{{- end }}
"""


def test_template_lines_never_parse_errors() -> None:
    result = extract_template(SourceFile.from_text("chart/templates/deploy.yaml", TEMPLATE))
    assert result.problems == []
    assert [(r.span, r.value) for r in result.images] == [
        (Span(9, 19, 9, 101), "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"),
        (Span(11, 18, 11, 48), '{{ include "chart.helper" . }}'),
        (Span(13, 18, 13, 32), "busybox:1.36.1"),
    ]
    assert [r["parts"] is None for r in result.extras["helm_template_refs"]] == [False, True]


def test_file_kind_dispatch() -> None:
    assert file_kind(SourceFile.from_text("c/Chart.yaml", "name: c\n")) == "helm-chart"
    assert file_kind(SourceFile.from_text("c/templates/x.yaml", "a: {{ .Values.a }}\n")) == "helm-template"
    assert file_kind(SourceFile.from_text("c/values.yaml", "a: 1\n")) == "helm-values"


def _chart(tmp_path: Path, values_text: str, chart_text: str, template_text: str) -> Path:
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(chart_text)
    (chart / "values.yaml").write_text(values_text)
    (chart / "templates" / "deploy.yaml").write_text(template_text)
    return chart


def _extract(tmp_path: Path, rel: str) -> FileFacts:
    path = tmp_path / rel
    return extract(SourceFile(rel, path, path.read_text()), ExtractContext())


def test_resolver_reports_values_blocks_once_on_the_values_line(tmp_path: Path) -> None:
    values_text = "enabled: true\nimage:\n  repository: acme/web\n  tag: \"\"\n"
    _chart(tmp_path, values_text, "name: c\nappVersion: 1.4.2\n", TEMPLATE)
    files = [_extract(tmp_path, "chart/values.yaml"), _extract(tmp_path, "chart/templates/deploy.yaml")]
    run_all(files, ResolveContext(cwd=tmp_path))
    values_facts, template_facts = files
    (web,) = values_facts.images  # the rendered reference, on the empty tag the default replaced
    assert (web.value, web.span.line, web.origin) == ("acme/web:1.4.2", 4, Location("chart/templates/deploy.yaml", Span(9, 19, 9, 101)))
    # An undefined named template renders as unknown (TL108); literal lines stay.
    assert [r.value for r in template_facts.images] == ['{{ include "chart.helper" . }}', "busybox:1.36.1"]


def test_resolver_renders_nothing_a_false_condition_guards(tmp_path: Path) -> None:
    # `{{- if .Values.enabled }}` around the whole template: not rendered by
    # default, so only the values extractor's reading of the block is left.
    _chart(tmp_path, "image:\n  repository: acme/web\n  tag: \"\"\n", "name: c\nappVersion: 1.4.2\n", TEMPLATE)
    files = [_extract(tmp_path, "chart/values.yaml"), _extract(tmp_path, "chart/templates/deploy.yaml")]
    run_all(files, ResolveContext(cwd=tmp_path))
    values_facts, template_facts = files
    assert [(r.value, r.origin) for r in values_facts.images] == [("acme/web:1.4.2", None)]
    assert template_facts.images == []


def test_resolver_moves_template_refs_to_the_values_line(tmp_path: Path) -> None:
    values_text = "controller:\n  repo: acme/controller\n  version: latest\n"
    template = "spec:\n  containers:\n  - image: {{ .Values.controller.repo }}:{{ .Values.controller.version }}\n  - image: {{ .Values.missing.repo }}:{{ .Values.missing.tag | default .Chart.AppVersion }}\n"
    _chart(tmp_path, values_text, "name: c\n", template)
    files = [_extract(tmp_path, "chart/templates/deploy.yaml")]  # values.yaml not scanned
    run_all(files, ResolveContext(cwd=tmp_path))
    (template_facts,) = files  # no facts are invented for files outside the scan
    # Not in values.yaml: supplied at install time, stays unresolved on the template.
    unresolved, moved = sorted(template_facts.images, key=lambda r: r.path)
    assert (unresolved.path, unresolved.span.line) == ("chart/templates/deploy.yaml", 4)
    assert moved.path == "chart/values.yaml"
    assert moved.value == "acme/controller:latest"
    assert moved.span == Span(3, 12, 3, 18)
    assert moved.origin == Location("chart/templates/deploy.yaml", Span(3, 12, 3, 74))


def test_resolver_keeps_unresolvable_template_refs(tmp_path: Path) -> None:
    template = "spec:\n  containers:\n  - image: {{ .Values.image.repository }}:{{ .Values.image.tag }}\n"
    _chart(tmp_path, "image: [unparsable\n", "name: c\n", template)
    files = [_extract(tmp_path, "chart/templates/deploy.yaml")]
    run_all(files, ResolveContext(cwd=tmp_path))
    assert [r.value for r in files[0].images] == ["{{ .Values.image.repository }}:{{ .Values.image.tag }}"]


def test_aliased_blocks_are_reported_once() -> None:
    text = "base: &img\n  image:\n    repository: acme/web\n    tag: 1.0.0\nother:\n  <<: *img\ncopy: *img\n"
    assert [r.span.line for r in values(text).images] == [4]


@pytest.mark.parametrize(
    "written,rendered",
    [("1.10", "1.1"), ("20230615", "2.0230615e+07"), ("3", "3"), ('"20230615"', "20230615"), ("010", "8")],
)
def test_numeric_tags_take_the_value_helm_renders(written: str, rendered: str) -> None:
    # Helm reads values through JSON: every number is a float64 printed the Go way.
    (ref,) = values(f"image:\n  repository: org/app\n  tag: {written}\n").images
    assert ref.value == f"org/app:{rendered}"


# --------------------------------------------------------------------------
# The values lookup table: the resolver uses the one the scan kept, or builds
# the same from the file; both must answer as the YAML nodes do.

TRICKY_VALUES = """\
# image settings (the word makes the values extractor parse this file)
base: &base
  repository: acme/base
  tag: 1.10
  extra: &extra
    deep: "x"
over: &over
  tag: "2.0"
  only: over
  repository: acme/over
merged: &merged
  <<: [*over, *base]
  repository: acme/merged
  <<: {late: "yes", tag: never}
chain:
  <<: *merged
  own: chain
deep_c: &deep_c
  order: from-c
deep_a: &deep_a
  <<: *deep_c
  a_only: a
deep_b: &deep_b
  order: from-b
ordered:
  <<: [*deep_a, *deep_b]
dup:
  tag: first
  tag: second
  nested: {a: 1}
  nested: {b: 2}
nulls:
  a:
  b: ~
  c: null
  d: ""
  e: ''
  f: "null"
  g: Null
numbers:
  int: 20230615
  float: 1.10
  octal: 010
  hex: 0x1F
  exp: 1e3
  zero: -0.0
  big: 123456789012345678901234
  inf: .inf
  nan: .nan
  bool: true
  quoted: "1.10"
  time: 1:30
  under: 1_000
strings:
  escaped: "a\\tb\\u00e9"
  single: 'it''s'
  spaced: "  padded  "
  flow: {inner: [x, y], k: v}
  colon: "repo:tag"
lists:
  items: [a, b]
  nested:
    - name: x
      tag: y
    - [deeper, list]
block:
  literal: |
    line1
    line2
  folded: >-
    folded text
  keep: |+
    kept

  empty: |
multi: "two
  lines"
plainmulti: word1
  word2
recursive: &rec
  self: *rec
  leaf: ok
"weird key": v
"dotted.key": v
1: one
top_alias: *extra
tagged: !!str 123
explicit_int: !!int "42"
"""


def _node_lookup(text: str, dotted: str) -> tuple[str | None, Span | None, str | None, bool]:
    """What the resolver looked up before the table existed, on YAML nodes."""
    documents = load_documents(text)
    node = documents[0] if documents else None
    if node is None:
        return None, None, None, False
    for part in dotted.split("."):
        if not isinstance(node, MappingNode):
            return None, None, None, True
        node = mapping_get(node, part)
        if node is None:
            return None, None, None, True
    if not isinstance(node, ScalarNode):
        return None, None, None, False
    span = node_span(node, text)
    written = span_text(split_lines(text), span)
    if is_null(node):
        return None, span, written, True
    rendered = helm_value_text(node)
    return (rendered if rendered else None), span, written, True


def _lookup_paths(text: str) -> list[str]:
    """Every dotted path a template could name in ``text`` (through merges,
    four levels deep), each with a missing child and a missing sibling."""
    documents = load_documents(text)
    paths: list[str] = ["missing", "missing.deeper"]
    queue = [("", documents[0])] if documents else []
    while queue:
        prefix, node = queue.pop(0)
        for name, _, value in iter_mapping(node):
            if not re.fullmatch(_VALUES_KEY, name):
                continue
            path = f"{prefix}{name}"
            paths += [path, f"{path}.missing", f"{path}.image.tag"]
            if prefix.count(".") < 4:
                queue.append((path + ".", value))
    return paths


@pytest.mark.parametrize(
    "text",
    [
        TRICKY_VALUES,
        "",  # no document
        "# image: only a comment\n",
        "just a scalar image\n",
        "- image: a list at the top\n",
        "---\nimage: {tag: 1}\n---\nimage: {tag: 2}\n",  # the first document counts
        "a: &a\n  <<: *a\n  image: {tag: self-merge}\nb:\n  <<: [*a, *a]\n",
        "img: &x [*x]\nimage: *x\n",
        "k: \ufeffv\r\nimage:\r\n  tag: crlf\r\n  other: \"q\"\r\n",
    ],
    ids=["tricky", "empty", "comment", "scalar", "list", "documents", "self-merge", "recursive-list", "crlf"],
)
def test_values_table_answers_as_the_yaml_nodes_do(text: str) -> None:
    documents = load_documents(text)
    table = values_table(documents[0] if documents else None, text)
    for copy in (table, pickle.loads(pickle.dumps(table))):  # as the scan hands it over
        for path in _lookup_paths(text) + ["image.tag", "image.other", "img", "a.image.tag", "b.image.tag"]:
            assert values_table_lookup(copy, path) == _node_lookup(text, path), path


def test_values_table_renders_numbers_and_nulls_as_helm_does() -> None:
    documents = load_documents(TRICKY_VALUES)
    table = values_table(documents[0], TRICKY_VALUES)

    def lookup(path: str) -> str | None:
        return values_table_lookup(table, path)[0]

    assert lookup("numbers.int") == "2.0230615e+07"
    assert lookup("numbers.float") == "1.1"
    assert lookup("numbers.octal") == "8"
    assert lookup("numbers.quoted") == "1.10"
    assert lookup("merged.tag") == "2.0"  # the first merge source wins over the later ones
    assert lookup("merged.late") == "yes"
    assert lookup("chain.repository") == "acme/merged"
    assert lookup("chain.only") == "over"
    assert lookup("ordered.order") == "from-c"  # depth first: a merged mapping's own merges come next
    assert lookup("dup.tag") == "first"  # as mapping_get: the first of duplicate keys
    assert values_table_lookup(table, "dup.nested.b")[3] is True and lookup("dup.nested.a") == "1"
    assert [lookup(f"nulls.{k}") for k in "abcdefg"] == [None, None, None, None, None, "null", None]
    _, span, written, known = values_table_lookup(table, "nulls.a")  # `a:` with nothing after it
    assert (span.end_line - span.line, span.end_column - span.column, written, known) == (0, 0, "", True)
    assert values_table_lookup(table, "lists.items")[3] is False  # a list: cannot tell
    assert lookup("recursive.self.self.leaf") == "ok"
    # Only keys a `.Values` path can name are kept.
    assert set(table) >= {"base", "merged", "top_alias"} and "weird key" not in table and "1" not in table


def test_values_table_is_small() -> None:
    documents = load_documents(TRICKY_VALUES)
    table = values_table(documents[0], TRICKY_VALUES)
    assert len(pickle.dumps(table)) < 1.5 * len(TRICKY_VALUES)


def test_values_extractor_keeps_the_table() -> None:
    facts = values(TRICKY_VALUES)
    documents = load_documents(TRICKY_VALUES)
    assert pickle.dumps(facts.extras[VALUES_TABLE]) == pickle.dumps(values_table(documents[0], TRICKY_VALUES))
    assert values("image: [unparsable\n").extras[VALUES_TABLE] is None
    assert VALUES_TABLE not in values("replicas: 1\n").extras  # not parsed: the resolver reads it


TRICKY_TEMPLATE = """\
spec:
  containers:
  - image: {{ .Values.base.repository }}:{{ .Values.base.tag }}
  - image: "{{ .Values.merged.repository }}:{{ .Values.merged.tag }}"
  - image: {{ .Values.chain.repository }}:{{ .Values.chain.late | default .Chart.AppVersion }}
  - image: {{ .Values.over.repository }}:{{ .Values.dup.tag }}
  - image: acme/app:{{ .Values.nulls.a | default .Chart.AppVersion }}
  - image: acme/app:{{ .Values.nulls.d | default "fallback" }}
  - image: acme/app:{{ .Values.nulls.f }}
  - image: acme/app:{{ .Values.numbers.int }}
  - image: acme/app:{{ .Values.numbers.float | quote }}
  - image: acme/app:{{ .Values.numbers.exp }}
  - image: acme/app:{{ .Values.numbers.zero }}
  - image: acme/app:{{ .Values.numbers.big }}
  - image: acme/app:{{ .Values.numbers.quoted }}
  - image: acme/app:{{ .Values.strings.escaped }}
  - image: acme/app:{{ .Values.strings.single }}
  - image: {{ .Values.strings.colon }}
  - image: acme/app:{{ .Values.block.literal }}
  - image: acme/app:{{ .Values.block.folded }}
  - image: acme/app:{{ .Values.multi }}
  - image: acme/app:{{ .Values.plainmulti }}
  - image: acme/app:{{ .Values.recursive.self.leaf }}
  - image: acme/app:{{ .Values.top_alias.deep }}
  - image: acme/app:{{ .Values.tagged }}
  - image: acme/app:{{ .Values.explicit_int }}
  - image: acme/app:{{ .Values.lists.items }}
  - image: acme/app:{{ .Values.lists.items.x }}
  - image: acme/app:{{ .Values.missing.tag }}
  - image: acme/app:{{ .Values.strings.flow.k }}
  - image: {{ .Values.lists.nested.name }}:1
"""


def _resolved(tmp_path: Path, rels: list[str]) -> list[tuple[object, ...]]:
    files = [_extract(tmp_path, rel) for rel in rels]
    run_all(files, ResolveContext(cwd=tmp_path))
    return sorted((r.path, r.span, r.written, r.value, r.via, r.origin, r.context) for f in files for r in f.images)


@pytest.mark.parametrize(
    "values_text,chart_text",
    [
        (TRICKY_VALUES, "name: c\nappVersion: 3.2.1\n"),
        (TRICKY_VALUES, "name: c\nappVersion: 1.10\n"),  # a number: Helm's Chart.AppVersion text
        (TRICKY_VALUES, "name: c\n"),
        (TRICKY_VALUES, "name: [c\n"),  # Chart.yaml is not YAML
        ("# image\nbase: [unparsable\n", "name: c\nappVersion: 3.2.1\n"),
        ("base: {repository: r, tag: t}\n", "name: c\nappVersion: 3.2.1\n"),  # no "image": not parsed by the scan
    ],
    ids=["tricky", "numeric-app-version", "no-app-version", "bad-chart", "bad-values", "unparsed-values"],
)
def test_resolver_agrees_with_and_without_the_values_file_in_the_scan(
    tmp_path: Path, values_text: str, chart_text: str
) -> None:
    # No image blocks in the values file (the extractor reports none), so
    # whether it is scanned only decides where the moved references live
    # and where the resolver gets the values from.
    _chart(tmp_path, values_text, chart_text, TRICKY_TEMPLATE)
    template_only = _resolved(tmp_path, ["chart/templates/deploy.yaml"])
    everything = _resolved(tmp_path, ["chart/Chart.yaml", "chart/values.yaml", "chart/templates/deploy.yaml"])
    with_values = _resolved(tmp_path, ["chart/values.yaml", "chart/templates/deploy.yaml"])
    assert everything == template_only
    assert with_values == template_only


def test_resolver_values_from_the_scan_and_from_disk(tmp_path: Path) -> None:
    _chart(tmp_path, TRICKY_VALUES, "name: c\nappVersion: 3.2.1\n", TRICKY_TEMPLATE)
    refs = {
        ref[5].span.line if ref[5] else ref[1].line: (ref[0], ref[2], ref[3])
        for ref in _resolved(tmp_path, ["chart/values.yaml", "chart/templates/deploy.yaml"])
    }
    assert refs[3] == ("chart/values.yaml", "1.10", "acme/base:1.1")
    assert refs[4] == ("chart/values.yaml", "2.0", "acme/merged:2.0")
    assert refs[5] == ("chart/values.yaml", "yes", "acme/merged:yes")
    assert refs[6] == ("chart/values.yaml", "first", "acme/over:first")
    assert refs[7] == ("chart/values.yaml", "", "acme/app:3.2.1")  # null tag: at the key, the appVersion
    assert refs[10] == ("chart/values.yaml", "20230615", "acme/app:2.0230615e+07")
    assert refs[13] == ("chart/values.yaml", "-0.0", "acme/app:0")
    assert refs[17] == ("chart/values.yaml", "it''s", "acme/app:it's")
    # A block scalar renders over two lines: the image line holds the first.
    assert refs[19] == ("chart/values.yaml", "acme/app:line1", "acme/app:line1")
    assert refs[27] == ("chart/templates/deploy.yaml", "acme/app:{{ .Values.lists.items }}", "acme/app:{{ .Values.lists.items }}")
    assert refs[29] == ("chart/templates/deploy.yaml", "acme/app:{{ .Values.missing.tag }}", "acme/app:{{ .Values.missing.tag }}")


def test_resolver_prefers_chart_yaml_and_values_yaml_over_yml(tmp_path: Path) -> None:
    chart = _chart(tmp_path, "# image\ntag: from-yaml\n", "name: c\nappVersion: 1.0.0\n", "x:\n  image: a:{{ .Values.tag }}\n  image: b:{{ .Chart.AppVersion }}\n")
    (chart / "values.yml").write_text("# image\ntag: from-yml\n")
    (chart / "Chart.yml").write_text("name: c\nappVersion: 9.9.9\n")
    for rels in (
        ["chart/templates/deploy.yaml"],
        ["chart/Chart.yml", "chart/values.yml", "chart/templates/deploy.yaml"],
        ["chart/Chart.yaml", "chart/values.yaml", "chart/Chart.yml", "chart/values.yml", "chart/templates/deploy.yaml"],
    ):
        assert sorted(ref[3] for ref in _resolved(tmp_path, rels)) == ["a:from-yaml", "b:1.0.0"], rels
    (chart / "Chart.yaml").unlink()
    (chart / "values.yaml").unlink()
    for rels in (["chart/templates/deploy.yaml"], ["chart/Chart.yml", "chart/values.yml", "chart/templates/deploy.yaml"]):
        assert sorted(ref[3] for ref in _resolved(tmp_path, rels)) == ["a:from-yml", "b:9.9.9"], rels


@pytest.mark.parametrize(
    "text, expected",
    [
        # image + tag side by side: one reference, reported on the tag
        ("redis:\n  image: bitnami/redis\n  tag: 7.2.4\n", [("bitnami/redis:7.2.4", 3, "redis.tag")]),
        # an empty (or null) tag is the chart's appVersion, as in an image block
        ("api:\n  image: acme/api\n  tag: \"\"\n", [("acme/api:1.4.2", 3, "api.tag")]),
        ("api:\n  image: acme/api\n  tag:\n", [("acme/api:1.4.2", 3, "api.tag")]),
        # fooImage + fooTag
        ("controllerImage: acme/ctrl\ncontrollerTag: v2\n", [("acme/ctrl:v2", 2, "controllerTag")]),
        # an image that names its own tag or digest is not joined
        ("image: nginx:1.27\ntag: latest\n", [("nginx:1.27", 1, "image")]),
        ("image: nginx@sha256:abc\ntag: latest\n", [("nginx@sha256:abc", 1, "image")]),
        ("image: registry:5000/team/app\ntag: \"1.0\"\n", [("registry:5000/team/app:1.0", 2, "tag")]),
        # a tag that is not a scalar is no tag
        ("image: acme/app\ntag: {name: x}\n", [("acme/app", 1, "image")]),
    ],
)
def test_image_with_a_tag_beside_it(text: str, expected: list[tuple[str, int, str]]) -> None:
    assert [(r.value, r.span.line, r.context) for r in values(text).images] == expected


def test_image_with_a_tag_beside_it_without_app_version_or_chart() -> None:
    (untagged,) = values("api:\n  image: acme/api\n  tag: \"\"\n", NO_APP_VERSION).images
    assert (untagged.value, untagged.span) == ("acme/api", Span(3, 9, 3, 9))
    (unknown,) = values("api:\n  image: acme/api\n  tag: \"\"\n", None).images
    assert unknown.value == "acme/api:{{ .Chart.AppVersion }}"
