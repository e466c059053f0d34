"""The shared "image keys in a YAML/JSON tree" helper."""
from __future__ import annotations

from taglint.extract.ci.common import CiFile
from taglint.extract.image_keys import add_images, find, parse
from taglint.source import SourceFile
from taglint.yamlnodes import load_documents

SPEC = """\
deploymentSpec:
  executors:
    exec-train:
      container:
        image: python:3.11
    exec-eval:
      container: {image: "ghcr.io/acme/eval:v1.2.0"}
workerPoolSpecs:
- containerSpec: {imageUri: gcr.io/p/trainer}
- replicaCount: 2
  containerSpec:
    imageUri: gcr.io/p/worker:latest
"""


def test_patterns_parse_into_steps() -> None:
    assert parse("a.b[].c") == ("a", "b", "[]", "c")
    assert parse("**.image") == ("**", "image")
    assert parse("m[][]") == ("m", "[]", "[]")


def test_find_reports_concrete_paths() -> None:
    (doc,) = load_documents(SPEC)
    found = [(path, node.value) for path, node in find(doc, "deploymentSpec.executors.*.container.image")]
    assert found == [
        ("deploymentSpec.executors.exec-train.container.image", "python:3.11"),
        ("deploymentSpec.executors.exec-eval.container.image", "ghcr.io/acme/eval:v1.2.0"),
    ]
    assert [p for p, _ in find(doc, "workerPoolSpecs[].containerSpec.imageUri")] == [
        "workerPoolSpecs[0].containerSpec.imageUri",
        "workerPoolSpecs[1].containerSpec.imageUri",
    ]
    assert len(list(find(doc, "**.image"))) == 2
    assert list(find(doc, "no.such.key")) == []


def test_add_images_gives_exact_spans() -> None:
    source = SourceFile.from_text("spec.yaml", SPEC)
    ci = CiFile(source, "kfp-pipeline")
    (doc,) = load_documents(SPEC)
    refs = add_images(ci, doc, ["deploymentSpec.executors.*.container.image", "workerPoolSpecs[].containerSpec.imageUri"])
    got = [(r.value, r.span.line, r.span.column, r.span.end_column, r.context) for r in refs]
    assert got == [
        ("python:3.11", 5, 16, 27, "deploymentSpec.executors.exec-train.container.image"),
        ("ghcr.io/acme/eval:v1.2.0", 7, 27, 51, "deploymentSpec.executors.exec-eval.container.image"),
        ("gcr.io/p/trainer", 9, 29, 45, "workerPoolSpecs[0].containerSpec.imageUri"),
        ("gcr.io/p/worker:latest", 12, 15, 37, "workerPoolSpecs[1].containerSpec.imageUri"),
    ]
    assert all(r.kind == "kfp-pipeline" for r in refs)
    lines = SPEC.splitlines()
    assert all(lines[r.span.line - 1][r.span.column - 1 : r.span.end_column - 1] == r.value for r in refs)
