"""Helm charts as Helm renders them, end to end: where findings go, what
they say about undecided conditions, subcharts, files/ templates, patched
manifests, and the fallback for templates that cannot be rendered."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from taglint.classify import classify
from taglint.config import Config
from taglint.engine import scan
from taglint.model import Finding
from taglint.report import json as json_report
from taglint.report import text as text_report
from taglint.resolve.helm_patches import lenient_yaml, patched_targets


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _findings(root: Path, select: str = "TL101,TL102,TL103,TL104,TL107,TL108") -> list[Finding]:
    config = Config().with_overrides(select=tuple(select.split(",")))
    result = scan(["."], config, cwd=root)
    assert not result.errors, result.errors
    return sorted(result.findings, key=Finding.sort_key)


def _where(findings: list[Finding]) -> list[tuple[str, str, int, int]]:
    return [(f.rule, f.path, f.span.line, f.span.column) for f in findings]


CHART = "apiVersion: v2\nname: web\nversion: 0.1.0\nappVersion: \"1.4.2\"\n"


def test_a_tag_from_values_is_reported_on_the_values_line_with_the_template_as_a_note(tmp_path: Path) -> None:
    _write(tmp_path, {
        "chart/Chart.yaml": CHART,
        "chart/values.yaml": "proxy:\n  image: envoyproxy/envoy\n  tag: latest\n",
        "chart/templates/d.yaml": "spec:\n  containers:\n    - image: \"{{ .Values.proxy.image }}:{{ .Values.proxy.tag }}\"\n",
    })
    (finding,) = _findings(tmp_path)
    assert _where([finding]) == [("TL102", "chart/values.yaml", 3, 8)]
    notes = [(r.location.path, r.location.span.line, r.message) for r in finding.related]
    assert notes[0] == ("chart/templates/d.yaml", 3, "the image is written here, in the template")
    # The values that built it: one note each, where they are set.
    assert [(path, line) for path, line, message in notes[1:] if ".Values.proxy" in message] == [
        ("chart/values.yaml", 2), ("chart/values.yaml", 3)
    ]


def test_a_tag_written_in_the_template_is_reported_there_with_the_values_line_as_a_note(tmp_path: Path) -> None:
    _write(tmp_path, {
        "chart/Chart.yaml": CHART,
        "chart/values.yaml": "nginx:\n  repository: nginx\n",
        "chart/templates/d.yaml": "spec:\n  containers:\n    - image: \"{{ .Values.nginx.repository }}:latest\"\n    - image: busybox:latest\n",
    })
    first, second = _findings(tmp_path)
    assert _where([first, second]) == [("TL102", "chart/templates/d.yaml", 3, 15), ("TL102", "chart/templates/d.yaml", 4, 14)]
    ((path, line, message),) = [(r.location.path, r.location.span.line, r.message) for r in first.related]
    assert (path, line) == ("chart/values.yaml", 2) and "image name comes from .Values.nginx.repository" in message
    assert second.related == ()
    assert second.fix is not None  # a literal template value keeps its fixable span


def test_a_tag_written_in_a_named_template_is_reported_in_the_helper(tmp_path: Path) -> None:
    _write(tmp_path, {
        "chart/Chart.yaml": CHART,
        "chart/values.yaml": "x: 1\n",
        "chart/templates/_helpers.tpl": "{{/* the shipper */}}\n{{- define \"web.shipper\" -}}\nfluent/fluent-bit:latest\n{{- end -}}\n",
        "chart/templates/d.yaml": "spec:\n  containers:\n    - image: {{ include \"web.shipper\" . }}\n",
    })
    (finding,) = _findings(tmp_path)
    assert (finding.path, finding.span.line, finding.span.column, finding.span.end_column) == ("chart/templates/_helpers.tpl", 3, 19, 25)
    assert [(r.location.path, r.location.span.line) for r in finding.related] == [("chart/templates/d.yaml", 3)]


def test_an_app_version_tag_without_a_values_entry_is_reported_in_chart_yaml(tmp_path: Path) -> None:
    _write(tmp_path, {
        "chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\nappVersion: latest\n",
        "chart/values.yaml": "image:\n  repository: acme/web\n  tag: \"\"\n",
        "chart/templates/d.yaml": (
            "spec:\n  containers:\n"
            "    - image: {{ .Values.image.repository }}:{{ .Chart.AppVersion }}\n"
            "    - image: {{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}\n"
        ),
    })
    # The second line's empty tag is where a user sets it: the values line.
    assert _where(_findings(tmp_path)) == [("TL102", "chart/Chart.yaml", 4, 13), ("TL102", "chart/values.yaml", 3, 9)]


def test_an_undecided_condition_keeps_the_finding_and_names_the_condition(tmp_path: Path) -> None:
    _write(tmp_path, {
        "chart/Chart.yaml": CHART,
        "chart/values.yaml": "global:\n  imageRegistry: \"\"\n",
        "chart/templates/d.yaml": (
            "{{- if .Values.global.imageRegistry }}\n"
            "image: {{ .Values.global.imageRegistry }}/busybox\n"
            "{{- end }}\n"
            "{{- if semverCompare \">=1.25-0\" .Capabilities.KubeVersion.Version }}\n"
            "image: busybox\n"
            "{{- end }}\n"
        ),
    })
    (finding,) = _findings(tmp_path)  # the global registry guard is decided: false
    assert _where([finding]) == [("TL101", "chart/templates/d.yaml", 5, 8)]
    condition = 'semverCompare ">=1.25-0" .Capabilities.KubeVersion.Version'
    (note,) = finding.related
    assert note.location.span.line == 4
    assert note.message.startswith(f"rendered only if `{condition}` is true")
    text = text_report._block(finding, type("O", (), {"quiet": False, "show_frames": False})(), text_report._Painter(False), {})
    assert any(line.startswith("  = note: chart/templates/d.yaml:4:") for line in text)
    data = json.loads(json_report.render_finding(finding))
    assert data["related"][0]["line"] == 4 and data["related"][0]["message"] == note.message


def test_image_and_tag_side_by_side_with_the_templates_default(tmp_path: Path) -> None:
    _write(tmp_path, {
        "chart/Chart.yaml": "apiVersion: v2\nname: kserve\nversion: v0.15.2\nappVersion: v0.15.2\n",
        "chart/values.yaml": (
            "kserve:\n  version: v0.15.2\n  controller:\n    image: kserve/kserve-controller\n    tag: \"\"\n"
            "  agent:\n    image: kserve/agent\n    tag: latest\n"
        ),
        "chart/templates/d.yaml": (
            "spec:\n  containers:\n"
            "    - image: \"{{ .Values.kserve.controller.image }}:{{ .Values.kserve.controller.tag | default .Values.kserve.version }}\"\n"
        ),
    })
    result = scan(["."], Config(), cwd=tmp_path)
    values = next(f for f in result.files if f.path == "chart/values.yaml")
    assert sorted(r.value for r in values.images) == ["kserve/agent:latest", "kserve/kserve-controller:v0.15.2"]
    assert _where(_findings(tmp_path)) == [("TL102", "chart/values.yaml", 8, 10)]


def test_subchart_values_and_named_templates_of_the_library_chart(tmp_path: Path) -> None:
    _write(tmp_path, {
        "app/Chart.yaml": CHART,
        "app/values.yaml": "global:\n  imageRegistry: mirror.example.com\nredis:\n  image:\n    tag: latest\n",
        "app/charts/common/Chart.yaml": "apiVersion: v2\nname: common\nversion: 2.0.0\ntype: library\n",
        "app/charts/common/templates/_images.tpl": (
            "{{- define \"common.images.image\" -}}\n"
            "{{- $registry := default .imageRoot.registry ((.global).imageRegistry) -}}\n"
            "{{- printf \"%s/%s:%s\" $registry .imageRoot.repository (.imageRoot.tag | toString) -}}\n"
            "{{- end -}}\n"
        ),
        "app/charts/redis/Chart.yaml": "apiVersion: v2\nname: redis\nversion: 19.0.0\nappVersion: 7.2.4\n",
        "app/charts/redis/values.yaml": "image:\n  registry: docker.io\n  repository: bitnami/redis\n  tag: 7.2.4-debian-12-r0\n",
        "app/charts/redis/templates/sts.yaml": (
            "spec:\n  containers:\n"
            "    - image: {{ include \"common.images.image\" (dict \"imageRoot\" .Values.image \"global\" .Values.global) }}\n"
        ),
    })
    result = scan(["."], Config(), cwd=tmp_path)
    rendered = [r for f in result.files for r in f.images if r.origin is not None]
    # The parent's values win over the subchart's; its global registry too.
    assert [(r.value, r.path, r.span.line) for r in rendered] == [("mirror.example.com/bitnami/redis:latest", "app/values.yaml", 5)]


def test_a_template_that_does_not_parse_keeps_its_image_lines(tmp_path: Path) -> None:
    _write(tmp_path, {
        "chart/Chart.yaml": CHART,
        "chart/values.yaml": "image:\n  repository: acme/web\n  tag: latest\n",
        "chart/templates/d.yaml": "{{ if .Values.x }}\nspec:\n  containers:\n    - image: {{ .Values.image.repository }}:{{ .Values.image.tag }}\n",
    })
    # No `end`: Helm would refuse the chart; the image line is still evaluated on its own.
    assert _where(_findings(tmp_path)) == [("TL102", "chart/values.yaml", 3, 8)]


def test_yaml_with_template_actions_inside_a_chart_is_a_template(tmp_path: Path) -> None:
    _write(tmp_path, {
        "chart/Chart.yaml": CHART,
        "chart/files/job.yaml": "apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n{{- include \"x\" . | nindent 6 }}\n",
        "chart/ci/workflow.yaml": "apiVersion: v1\nkind: ConfigMap\ndata:\n  ref: ${{ github.sha }}\n",
        "elsewhere/job.yaml": "apiVersion: batch/v1\nkind: Job\nspec:\n{{- include \"x\" . | nindent 2 }}\n",
    })

    def kind(rel: str) -> str | None:
        path = tmp_path / rel
        return classify(rel, path.read_text, path)

    assert kind("chart/files/job.yaml") == "helm-template"
    assert kind("chart/ci/workflow.yaml") == "kubernetes"  # GitHub's ${{ }} is no Go template
    assert kind("elsewhere/job.yaml") == "kubernetes"  # outside a chart: another helper's business
    assert [f.rule for f in _findings(tmp_path, "TL001") if f.path.startswith("chart/")] == []


def test_patches_of_a_generated_bundle() -> None:
    patch = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ctrl\n  labels:\n"
        "    {{- toYaml .Values.labels | nindent 4 }}\nspec:\n  template:\n    spec:\n      containers:\n"
        "      - name: manager\n        image: \"{{ .Values.image }}:{{ .Values.tag }}\"\n      - name: proxy\n        args: [--v=2]\n"
    )
    assert "{{" not in lenient_yaml(patch)
    assert patched_targets([patch]) == {("Deployment", "ctrl", "manager")}  # proxy sets no image
    assert patched_targets(["kind: [broken\n"]) == set()


@pytest.mark.parametrize("app_version, tag", [("v1.2.3", "v1.2.3"), ("1.2.3", "1.2.3")])
def test_v_prefixed_app_versions_are_kept(tmp_path: Path, app_version: str, tag: str) -> None:
    _write(tmp_path, {
        "chart/Chart.yaml": f"apiVersion: v2\nname: web\nversion: 0.1.0\nappVersion: {app_version}\n",
        "chart/values.yaml": "image:\n  repository: acme/web\n  tag: \"\"\n",
        "chart/templates/d.yaml": "spec:\n  containers:\n    - image: {{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}\n",
    })
    result = scan(["."], Config(), cwd=tmp_path)
    assert [r.value for f in result.files for r in f.images] == [f"acme/web:{tag}"]


@pytest.mark.parametrize("repository, library", [
    ("oci://registry-1.docker.io/bitnamicharts", "charts-repo/bitnami/common"),  # a sibling folder of that name
    ("file://../../libs/common", "charts-repo/libs/common"),
])
def test_named_templates_of_a_dependency_kept_elsewhere_in_the_repository(tmp_path: Path, repository: str, library: str) -> None:
    _write(tmp_path, {
        "charts-repo/bitnami/nginx/Chart.yaml": (
            "apiVersion: v2\nname: nginx\nversion: 18.0.0\nappVersion: 1.27.3\n"
            f"dependencies:\n- name: common\n  repository: {repository}\n  version: 2.x.x\n"
        ),
        "charts-repo/bitnami/nginx/values.yaml": "image:\n  registry: docker.io\n  repository: bitnami/nginx\n  tag: latest\n",
        "charts-repo/bitnami/nginx/templates/deployment.yaml": (
            "spec:\n  containers:\n    - image: {{ include \"common.images.image\" (dict \"imageRoot\" .Values.image) }}\n"
        ),
        f"{library}/Chart.yaml": "apiVersion: v2\nname: common\nversion: 2.27.0\ntype: library\n",
        f"{library}/templates/_images.tpl": (
            "{{- define \"common.images.image\" -}}\n"
            "{{- printf \"%s/%s:%s\" .imageRoot.registry .imageRoot.repository .imageRoot.tag -}}\n"
            "{{- end -}}\n"
        ),
    })
    assert _where(_findings(tmp_path)) == [("TL102", "charts-repo/bitnami/nginx/values.yaml", 4, 8)]
