"""File kinds of deployment manifests: path first, then a cheap look at the text."""
from __future__ import annotations

from pathlib import Path

import pytest

from taglint.classify import classify

POD = "apiVersion: v1\nkind: Pod\nspec: {}\n"


@pytest.mark.parametrize(
    "path, text, kind",
    [
        ("deploy/app.yaml", POD, "kubernetes"),
        ("deploy/app.yml", "---\n# c\napiVersion: apps/v1\nkind: Deployment\n", "kubernetes"),
        ("list.yaml", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n", "kubernetes"),
        ("pod.json", '{\n  "apiVersion": "v1",\n  "kind": "Pod"\n}\n', "kubernetes"),
        ("pod.json", '{"apiVersion":"v1","kind":"Pod"}', "kubernetes"),
        ("package.json", '{"name": "x", "version": "1.0.0"}', None),
        ("notes.yaml", "title: x\nkind: of\n", None),
        ("docker-compose.yml", "services: {}\n", "compose"),
        ("compose.prod.yaml", "services: {}\n", "compose"),
        ("stack.yml", "version: '3.8'\nservices:\n  web:\n    image: nginx\n", "compose"),
        ("ci/include.yml", "image: alpine\nservices:\n  - postgres:16\n", None),
        ("chart/values.yaml", "image: {}\n", "helm-values"),
        ("chart/values-prod.yaml", "image: {}\n", "helm-values"),
        ("chart/Chart.yaml", "name: c\n", "helm-chart"),
        ("chart/templates/deployment.yaml", "apiVersion: v1\nkind: Pod\nimage: {{ .Values.image }}\n", "helm-template"),
        ("chart/templates/sub/cm.yaml", "{{- if .Values.x }}\nkind: ConfigMap\n{{- end }}\n", "helm-template"),
        ("chart/templates/plain.yaml", POD, "kubernetes"),
        ("argo/templates/wf.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nx: \"{{workflow.name}}\"\n", "kubernetes"),
        ("base/kustomization.yaml", "resources: []\n", "kustomization"),
        ("base/kustomization.yml", "resources: []\n", "kustomization"),
    ],
)
def test_manifest_kinds(path: str, text: str, kind: str | None) -> None:
    assert classify(path, lambda: text) == kind


def test_chart_yaml_decides_templates_without_helm_actions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "chart" / "templates").mkdir(parents=True)
    (tmp_path / "chart" / "Chart.yaml").write_text("name: c\n")
    monkeypatch.chdir(tmp_path)
    text = "apiVersion: v1\nkind: Pod\nname: {{ $name }}\n"
    assert classify("chart/templates/pod.yaml", lambda: text) == "helm-template"
    assert classify("other/templates/pod.yaml", lambda: text) == "kubernetes"


def test_text_is_read_only_when_needed() -> None:
    def boom() -> str:
        raise AssertionError("read")

    assert classify("docker-compose.yml", boom) == "compose"
    assert classify("x/kustomization.yaml", boom) == "kustomization"
