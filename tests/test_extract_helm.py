"""Helm: values image blocks, Chart.yaml appVersion, templates, and the resolver."""
from __future__ import annotations

from pathlib import Path

import pytest

from taglint.extract.helm import (
    ChartInfo,
    chart_info,
    extract,
    extract_template,
    extract_values,
    file_kind,
    parse_action,
    parse_template_value,
)
from taglint.model import FileFacts, Location, Span
from taglint.resolve import ResolveContext, run_all
from taglint.source import ExtractContext, SourceFile

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


def test_resolver_drops_template_refs_the_values_file_reports(tmp_path: Path) -> None:
    _chart(tmp_path, "image:\n  repository: acme/web\n  tag: \"\"\n", "name: c\nappVersion: 1.4.2\n", TEMPLATE)
    files = [_extract(tmp_path, "chart/values.yaml"), _extract(tmp_path, "chart/templates/deploy.yaml")]
    run_all(files, ResolveContext(cwd=tmp_path))
    values_facts, template_facts = files
    assert [r.value for r in values_facts.images] == ["acme/web:1.4.2"]
    assert [r.value for r in template_facts.images] == ['{{ include "chart.helper" . }}', "busybox:1.36.1"]


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
