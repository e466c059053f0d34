"""Every reference seen in real repositories classifies without error.

The data file lives beside the repository (``../shared/data/``); CI lays it
out there.  Expectations below were checked by hand against that file.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from taglint.tags import Classification, TagClass, classify_reference

SEEN = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "image-references-seen.txt"

pytestmark = pytest.mark.skipif(
    not SEEN.is_file(), reason=f"{SEEN.name} not found in ../shared/data/ beside the repository"
)


def _lines() -> list[str]:
    text = SEEN.read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def classified() -> dict[str, Classification]:
    return {line: classify_reference(line) for line in _lines()}


def test_every_line_classifies(classified: dict[str, Classification]):
    assert len(classified) > 1000
    counts = Counter(found.tag_class.value for found in classified.values())
    print("\nclass distribution:", dict(counts.most_common()))
    for line, found in classified.items():
        assert found.reason, line
        if found.tag_class is TagClass.INVALID:
            assert found.error is not None and found.error.message == found.reason
        elif found.tag_class is not TagClass.UNRESOLVED:
            assert found.reference is not None, line


def test_no_real_tag_is_called_random(classified: dict[str, Classification]):
    random = [line for line, found in classified.items() if found.tag_class is TagClass.RANDOM]
    assert random == []


SHA = "sha256:28bd5fe8b56d1bd048e5babf5b10710ebe0bae67db86916198a6eec434943f8b"

EXPECTED = [
    ("alpine", TagClass.NONE),
    ("scratch", TagClass.NONE),  # the Dockerfile extractor must treat FROM scratch itself
    ("agent:latest", TagClass.LATEST),
    ("alpine/git:v2.24.3", TagClass.VERSION),
    ("alpine:3.19", TagClass.PARTIAL),
    ("alpine:3.19.1", TagClass.VERSION),
    ("alpine:doesntexist", TagClass.FLOATING),
    (f"alpine:3.24.1@{SHA}", TagClass.DIGEST),
    ("kind-registry:5000/apiserver:latest", TagClass.LATEST),
    ("docker.io/alpine:3.23", TagClass.PARTIAL),
    ("node:lts-buster-slim", TagClass.FLOATING),
    ("debian:stable-slim", TagClass.FLOATING),
    ("python:alpine3.23", TagClass.FLOATING),
    ("gcr.io/distroless/static:nonroot", TagClass.FLOATING),
    ("snyk/snyk:golang-1.24", TagClass.FLOATING),
    ("ghcr.io/kubeflow/kfp-api-server:master", TagClass.FLOATING),
    ("python:3.12-slim", TagClass.PARTIAL),
    ("azul/zulu-openjdk-alpine:17-latest", TagClass.PARTIAL),
    ("pytorch/pytorch:2.5.0-cuda12.4-cudnn9-runtime", TagClass.VERSION),
    ("rayproject/ray-ml:2.46.0.0e19ea-py39-gpu", TagClass.VERSION),
    ("quay.io/minio/minio:latest", TagClass.LATEST),
    ("minio/minio:RELEASE.2018-02-09T22-40-05Z", TagClass.VERSION),
    ("registry.access.redhat.com/ubi8/python-38:1-34.1599745032", TagClass.VERSION),
    ("lmcache/vllm-openai:v0.3.9post2", TagClass.VERSION),
    ("kserve/huggingfaceserver:v0.20.0-rc0-gpu", TagClass.PRERELEASE),
    ("vitess/lite:v2.0.0-alpha5", TagClass.PRERELEASE),
    ("seldonio/rclone-storage-initializer:1.11.0-dev", TagClass.PRERELEASE),
    ("ghcr.io/oracle/oci-cli:sha-5846bb2", TagClass.COMMIT),
    ("ghcr.io/kubeflow/training-v1/training-operator:v1-3f15cb8", TagClass.COMMIT),
    ("danielqsj/kafka-exporter:", TagClass.INVALID),
    ("<YOUR-CONTAINER>", TagClass.UNRESOLVED),  # a placeholder to fill in (issue 8 §5): a sample, TL108
    ("Placeholder for TensorFlow distributed training image", TagClass.INVALID),
    ("ko://github.com/kserve/kserve/cmd/manager", TagClass.UNRESOLVED),
    ("IMAGE_URL", TagClass.UNRESOLVED),
    (
        "us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/adservice:CONTAINER_IMAGES_TAG",
        TagClass.UNRESOLVED,
    ),
    ("CONTAINER_IMAGES_REGISTRY/adservice", TagClass.NONE),
    ("gcr.io/@IMAGE_REGISTRY_PROJECT@/gke-deploy-tekton-demo", TagClass.NONE),
]


@pytest.mark.parametrize("text, expected", EXPECTED, ids=[t[:50] for t, _ in EXPECTED])
def test_hand_checked(classified: dict[str, Classification], text: str, expected: TagClass):
    assert text in classified, "the data file changed; re-check this expectation"
    assert classified[text].tag_class is expected, classified[text].reason


def test_hand_checked_details(classified: dict[str, Classification]):
    registry = classified["kind-registry:5000/apiserver:latest"].reference
    assert registry is not None
    assert (registry.domain, registry.path) == ("kind-registry:5000", "apiserver")
    hub = classified["docker.io/alpine:3.23"].reference
    assert hub is not None and hub.familiar == "alpine:3.23"
    assert hub.canonical_name == "docker.io/library/alpine"
    assert classified["danielqsj/kafka-exporter:"].reason == "tag is empty after ':'"
    assert classified["<YOUR-CONTAINER>"].reason == "'<YOUR-CONTAINER>' is a placeholder to fill in: the reference is a sample"
    placeholder = classified["CONTAINER_IMAGES_REGISTRY/adservice"]
    assert placeholder.variables == ("CONTAINER_IMAGES_REGISTRY",)
