"""Kubernetes extractor: which keys are images, spans, contexts, problems."""
from __future__ import annotations

from taglint.extract.kubernetes.manifests import extract
from taglint.model import Span
from taglint.source import ExtractContext, SourceFile


def refs(text: str, path: str = "deploy.yaml"):
    return extract(SourceFile.from_text(path, text), ExtractContext()).images


def facts(text: str, path: str = "deploy.yaml"):
    return extract(SourceFile.from_text(path, text), ExtractContext())


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      initContainers:
      - name: init
        image: "busybox:1.36"
      containers:
      - name: app
        image: localhost:5000/app   # untagged
"""


def test_deployment_containers_with_spans_and_context() -> None:
    init, app = refs(DEPLOYMENT)
    assert init.value == init.written == "busybox:1.36"
    assert init.span == Span(10, 17, 10, 29)
    assert init.context == "spec.template.spec.initContainers[0].image (container init)"
    assert app.value == "localhost:5000/app"
    assert app.span == Span(13, 16, 13, 34)
    assert app.stage == "Deployment/web"
    assert app.kind == "kubernetes" and app.literal


def test_multi_document_and_list_items() -> None:
    text = "---\n" + DEPLOYMENT + "---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n  spec:\n    containers: [{name: c, image: nginx}]\n"
    found = refs(text)
    assert [r.value for r in found] == ["busybox:1.36", "localhost:5000/app", "nginx"]
    assert found[-1].context == "items[0].spec.containers[0].image (container c)"
    assert found[-1].stage == "Pod/p"


def test_nested_lists() -> None:
    text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: PodList\n  items:\n  - apiVersion: v1\n    kind: Pod\n    spec: {containers: [{image: a:1}]}\n"
    assert [r.context for r in refs(text)] == ["items[0].items[0].spec.containers[0].image"]


def test_image_volume_reference() -> None:
    text = "apiVersion: v1\nkind: Pod\nspec:\n  volumes:\n  - name: w\n    image:\n      reference: quay.io/m/w:1.0.0\n"
    (ref,) = refs(text)
    assert ref.context == "spec.volumes[0].image.reference"
    assert ref.span == Span(7, 18, 7, 35)


def test_crd_image_keys_and_camel_case_keys() -> None:
    text = """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata: {name: m}
spec:
  predictor:
    model:
      image: ${SIDECAR_IMAGE}
    sidecarImage: busybox
"""
    found = refs(text)
    assert [(r.context, r.value) for r in found] == [
        ("spec.predictor.model.image", "${SIDECAR_IMAGE}"),
        ("spec.predictor.sidecarImage", "busybox"),
    ]


def test_not_container_images() -> None:
    text = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data: {image: nginx}
---
apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
kind: OpenStackMachineTemplate
spec: {template: {spec: {image: ubuntu-2204}}}
---
apiVersion: example.com/v1
kind: Thing
metadata:
  annotations: {image: nginx}
spec:
  osImage: ubuntu
  diskImage: https://example.com/disk.img
  image: {repository: x}
  flag:
    image: true
  nothing:
    image: ""
  empty:
    image:
status:
  image: nginx
---
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImageRepository
spec: {image: ghcr.io/acme/app, interval: 5m}
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
spec:
  rules:
  - validate:
      pattern:
        spec:
          containers:
          - image: "!*:latest"
---
kind: Pod
spec: {containers: [{image: no-api-version}]}
"""
    assert refs(text) == []


def test_urls_are_still_reported_in_container_lists() -> None:
    text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: https://example.com/x\n"
    assert [r.value for r in refs(text)] == ["https://example.com/x"]


def test_placeholders_stay_as_written() -> None:
    text = """\
apiVersion: tekton.dev/v1
kind: Task
spec:
  steps:
  - image: $(params.image)
  - image: "{{workflow.parameters.image}}"
"""
    assert [r.value for r in refs(text)] == ["$(params.image)", "{{workflow.parameters.image}}"]


def test_json_manifest() -> None:
    text = '{"apiVersion": "v1", "kind": "Pod",\n "spec": {"containers": [{"name": "a", "image": "nginx:1.27.3"}]}}'
    (ref,) = refs(text, "pod.json")
    assert ref.span == Span(2, 50, 2, 62)


def test_anchors_are_reported_once_where_written() -> None:
    text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - &c {name: a, image: nginx}\n  - *c\n"
    assert len(refs(text)) == 1


def test_parse_error_is_a_problem_with_position() -> None:
    result = facts("apiVersion: v1\nkind: Pod\nspec:\n  image: [unclosed\n")
    (problem,) = result.problems
    assert problem.span.line == 5
    assert "invalid YAML" in problem.message
    assert result.images == []


def test_prefilter_skips_files_without_image_keys() -> None:
    assert facts("apiVersion: v1\nkind: Service\nspec: {ports: [{port: 80}]\n").problems == []


def test_escaped_double_quoted_value_keeps_written_text() -> None:
    (ref,) = refs('apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: "ngin\\x78:1"\n')
    assert ref.value == "nginx:1"
    assert ref.written == "ngin\\x78:1"
    assert not ref.literal
