"""Kubernetes and Compose YAML that does not parse: documentation samples
keep TL001 and have their ``image:`` lines checked; unrendered templates
(problems only from ``{{ … }}``) are read through their masked text, with
no TL001.  (Rule behaviour end to end: the ``docs-samples``,
``broken-sample`` and ``unrendered-template`` fixture cases of TL001, TL102
and TL108.)"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taglint.extract import broken_yaml
from taglint.extract.containers import compose
from taglint.extract.kubernetes import manifests as kubernetes
from taglint.extract.containers.compose import EnvValue
from taglint.model import Span
from taglint.source import ExtractContext, SourceFile
from taglint.yamlnodes import load_documents, split_lines


def k8s(text: str, path: str = "k8s/app.yaml"):
    return kubernetes.extract(SourceFile.from_text(path, text), ExtractContext())


def spanned(text: str, span: Span) -> str:
    line = split_lines(text)[span.line - 1]
    return line[span.column - 1 : span.end_column - 1]


KSERVE_SAMPLE = """\
apiVersion: "serving.kserve.io/v1beta1"
kind: "InferenceService"
metadata:
  name: "torchserve-custom"
  annotations:
    image: not/a-container:latest
spec:
  predictor:
    containers:
    - image: {username}/torchserve:latest
      name: torchserve-container
    - name: sidecar
      image: "<your-registry>/sidecar:<tag>"   # fill in
  transformer:
    containers:
    - image: pytorch/torchserve-kfs:latest
      args:
      - |
        image: inside/a-block-scalar:1
"""


def test_a_docs_sample_keeps_tl001_and_its_image_lines() -> None:
    facts = k8s(KSERVE_SAMPLE)
    assert [p.message.split(":")[0] for p in facts.problems] == ["invalid YAML"]
    assert facts.problems[0].span.line == 10
    found = [(r.span, r.written, r.value, r.context, r.stage) for r in facts.images]
    assert found == [
        (Span(10, 14, 10, 42), "{username}/torchserve:latest", "{username}/torchserve:latest",
         "spec.predictor.containers.image", "InferenceService"),
        (Span(13, 15, 13, 44), "<your-registry>/sidecar:<tag>", "<your-registry>/sidecar:<tag>",
         "spec.predictor.containers.image", "InferenceService"),
        (Span(16, 14, 16, 43), "pytorch/torchserve-kfs:latest", "pytorch/torchserve-kfs:latest",
         "spec.transformer.containers.image", "InferenceService"),
    ]
    for ref in facts.images:
        assert spanned(KSERVE_SAMPLE, ref.span) == ref.written


def test_recovery_leaves_out_what_the_walker_leaves_out() -> None:
    # The Pod is broken (an unclosed flow sequence), so the file is read line by line.
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [name\nstatus:\n  image: x/status:latest\n"
        "spec:\n  volumes:\n  - name: ceph\n    rbd:\n      image: {pool-image}\n"
        "  containers:\n  - image: ko://github.com/acme/app/cmd/app\n  - image: https://example.com/disk.img\n"
        "  - image: app:latest\n"
        "---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  image: {x}/crd:latest\n"
    )
    facts = k8s(text)
    assert facts.problems
    assert [(r.span.line, r.value) for r in facts.images] == [(15, "app:latest")]


def test_a_file_that_parses_is_never_read_line_by_line() -> None:
    text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    image: app:1.2.3\n    args:\n    - |\n      image: not/this:1\n"
    facts = k8s(text)
    assert not facts.problems and [r.value for r in facts.images] == ["app:1.2.3"]


UNRENDERED = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Values.name }}
spec:
  template:
    spec:
      containers:
      - name: app
        image: {{ .Values.image }}
        {{- if .Values.debug }}
        args: ["--debug"]
        {{- end }}
      - name: "{{ .Values.name }}-sidecar"
        image: {{ .Values.registry }}/sidecar:1.4.2
"""


def test_an_unrendered_template_is_read_through_its_masked_text() -> None:
    facts = k8s(UNRENDERED)
    assert facts.problems == []
    found = [(r.span, r.written, r.value, r.context) for r in facts.images]
    assert found == [
        (Span(10, 16, 10, 35), "{{ .Values.image }}", "{{ .Values.image }}",
         "spec.template.spec.containers[0].image (container app)"),
        (Span(15, 16, 15, 52), "{{ .Values.registry }}/sidecar:1.4.2", "{{ .Values.registry }}/sidecar:1.4.2",
         "spec.template.spec.containers[1].image (container {{ .Values.name }}-sidecar)"),
    ]


def test_text_with_private_use_characters_is_read_back_by_span() -> None:
    text = UNRENDERED.replace("name: app", "name: app\ue000")
    facts = k8s(text)
    assert facts.problems == []
    assert [(r.span.line, r.value) for r in facts.images] == [
        (10, "{{ .Values.image }}"), (15, "{{ .Values.registry }}/sidecar:1.4.2"),
    ]


def test_template_expressions_plus_a_real_mistake_are_still_tl001() -> None:
    text = UNRENDERED.replace("        args:", "         args:")  # a bad indent besides
    facts = k8s(text)
    assert len(facts.problems) == 1
    assert [r.value for r in facts.images] == ["{{ .Values.image }}", "{{ .Values.registry }}/sidecar:1.4.2"]


def test_mask_keeps_every_position() -> None:
    text = "a: {{ .x }}\r\n{{- if .y }}\nb: \"{{ .z }}\"\n  {{ end }}\n{% if j %}\nc: {# note #}d\n"
    masked = broken_yaml.mask_templates(text)
    assert masked is not None and len(masked.text) == len(text)
    lines = split_lines(masked.text)
    assert [len(line) for line in lines] == [len(line) for line in split_lines(text)]
    assert lines[1:5] == [" " * 12, lines[2], " " * 11, " " * 10]  # lines of nothing but template syntax
    assert [masked.restore(line) for line in lines] == ["a: {{ .x }}", " " * 12, 'b: "{{ .z }}"', " " * 11, " " * 10,
                                                        "c: {# note #}d", ""]
    assert load_documents(masked.text)
    assert broken_yaml.mask_templates("a: 1\n") is None


def test_multi_line_expressions_keep_their_line_breaks() -> None:
    text = "a: {{ include \"x\"\n  . }}\nb: 1\n"
    masked = broken_yaml.mask_templates(text)
    assert masked is not None and masked.text.count("\n") == text.count("\n") and len(masked.text) == len(text)
    assert masked.restore(masked.text) == text


@pytest.mark.parametrize(
    "line, value, column",
    [
        ("image: app:latest", "app:latest", 8),
        ("  - image:   app:1   # comment", "app:1", 14),
        ("image: 'it''s:1'", "it''s:1", 9),
        ('image: "a\\"b:1"  # c', 'a\\"b:1', 9),
        ("image: {{ .Values.image }}", "{{ .Values.image }}", 8),
        ("image: {{ .Values.repo }}:{{ .Values.tag }} # x", "{{ .Values.repo }}:{{ .Values.tag }}", 8),
        ("image: {username}/model:latest", "{username}/model:latest", 8),
        ("image: <your-registry>/app:<tag>", "<your-registry>/app:<tag>", 8),
        ('"image": app:1', "app:1", 10),
    ],
)
def test_image_line_values_and_spans(line: str, value: str, column: int) -> None:
    found = broken_yaml.image_lines(line + "\n")
    assert [(f.value, f.span) for f in found] == [(value, Span(1, column, 1, column + len(value)))]


@pytest.mark.parametrize(
    "line",
    [
        "image:", "image: |", "image: >-", "image: &anchor app:1", "image: *alias", "image: !!str app:1",
        "image: [a, b]", "image: {repository: app, tag: 1}", "image: two words", "image: ''", "image: \"unclosed",
        "# image: app:1", "image: 'a' trailing", "images: app:1", "sidecarImage: app:1",
    ],
)
def test_not_image_values(line: str) -> None:
    assert broken_yaml.image_lines(line + "\n") == []


def test_parents_follow_indentation_and_documents() -> None:
    text = (
        "services:\n  web:\n    image: a:1\n  db\n    image: b:1\nx-base: &base\n  image: c:1\n"
        "---\nservices:\n  api:\n    build: .\n    image: d:1\n"
    )
    found = [(line.value, line.parents, line.document) for line in broken_yaml.image_lines(text)]
    assert found == [
        ("a:1", ("services", "web"), 0),
        ("b:1", ("services",), 0),  # `db` lost its colon: still under services
        ("c:1", ("x-base",), 0),
        ("d:1", ("services", "api"), 1),
    ]
    assert [len(lines) for lines in broken_yaml.documents(text)] == [7, 5]


COMPOSE_SAMPLE = """\
version: '3.8'
x-defaults: &defaults
  image: {username}/not-a-service:latest
services:
  web:
    image: {username}/web:${TAG}
  api:
    build: ./api
    image: acme/api:${TAG}
  cache
    image: redis:${REDIS_TAG:-latest}
"""


def test_compose_docs_sample_images_are_interpolated() -> None:
    source = SourceFile.from_text("compose.yaml", COMPOSE_SAMPLE)
    facts = compose.extract_with_env(source, {"TAG": EnvValue("1.4.2", None)})
    assert len(facts.problems) == 1
    found = [(r.span.line, r.written, r.value, r.context, r.stage, r.built) for r in facts.images]
    assert found == [
        (6, "{username}/web:${TAG}", "{username}/web:1.4.2", "services.web.image", "web", False),
        (9, "acme/api:${TAG}", "acme/api:1.4.2", "services.api.image", "api", True),
        (11, "redis:${REDIS_TAG:-latest}", "redis:latest", "services.image", None, False),
    ]


def test_compose_unrendered_template_has_no_problem() -> None:
    text = "services:\n  api:\n    image: {{ registry }}/api:{{ api_tag }}\n    {% if debug %}\n    command: [run]\n    {% endif %}\n"
    facts = compose.extract(SourceFile.from_text("compose.yaml", text), ExtractContext())
    assert facts.problems == []
    assert [(r.span, r.value) for r in facts.images] == [(Span(3, 12, 3, 44), "{{ registry }}/api:{{ api_tag }}")]


TEXT = st.text(alphabet=st.sampled_from(list("ab:- \n\t[]{}<>%#&*!|'\"/.\\")), max_size=300)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_recovery_never_raises_and_spans_hold_their_values(text: str) -> None:
    body = "apiVersion: v1\nkind: Pod\nimage: x\n" + text
    for line in broken_yaml.image_lines(body):
        assert spanned(body, line.span) == line.value
    masked = broken_yaml.mask_templates(body)
    assert masked is None or (len(masked.text) == len(body) and masked.restore(masked.text) == body)
    for ref in k8s(body).images:
        assert ref.span.line >= 1 and ref.span.column >= 1


def test_tl001_says_what_was_still_checked(tmp_path) -> None:
    from taglint.config import Config
    from taglint.engine import scan

    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "sample.yaml").write_text(KSERVE_SAMPLE, encoding="utf-8")
    (tmp_path / "Dockerfile").write_text("FROM python:3.12.7\nFROM\n", encoding="utf-8")
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx:1.27.3\n    ports: [\"80\"\n", encoding="utf-8")
    result = scan(["."], Config(select=("TL001",)), cwd=tmp_path)
    said = {f.path: f.message for f in result.findings}
    assert "so only the images written on its `image:` lines were checked: invalid YAML" in said["k8s/sample.yaml"]
    assert "so only the images written on its `image:` lines were checked: invalid YAML" in said["compose.yaml"]
    assert "so its image references were not checked" in said["Dockerfile"]
