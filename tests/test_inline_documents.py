"""Documents inside documents: YAML/JSON strings parsed with positions in
their file (embedded.py), Kustomize inline patches (and the resolver
applying them), manifests in shell heredocs, image settings in ConfigMap
data."""
from __future__ import annotations

from pathlib import Path

import pytest

from taglint.config import Config
from taglint.engine import scan
from taglint.extract import extractor_for
from taglint.extract.kubernetes.embedded import load_at, load_in_scalar
from taglint.model import Span
from taglint.shell.heredocs import manifest_images
from taglint.source import ExtractContext, SourceFile
from taglint.yamlnodes import YamlError, load_documents, mapping_get, node_span


def extract(text: str, path: str, kind: str):
    return extractor_for(kind)(SourceFile.from_text(path, text), ExtractContext())


def scan_findings(tmp_path: Path, files: dict[str, str], code: str, paths: tuple[str, ...] = (".",)):
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    result = scan(list(paths), Config().with_overrides(select=(code,)), cwd=tmp_path)
    assert not result.errors
    return result


# --------------------------------------------------------------------------
# embedded.py


def _string(text: str, key: str):
    return mapping_get(load_documents(text)[0], key)


@pytest.mark.parametrize(
    "text, expected",
    [
        # a literal block: each inner character where it is written
        ("values: |\n  image:\n    tag: \"1.0\"\n", Span(3, 11, 3, 14)),
        # a block with an indentation of its own and blank lines
        ("values: |-\n\n      image:\n\n        tag: v2\n", Span(5, 14, 5, 16)),
        # JSON in a single-quoted flow string
        ("values: '{\"image\": {\"tag\": \"v3\"}}'\n", Span(1, 29, 1, 31)),
        # JSON in a double-quoted string: escaped quotes are two characters in the file
        ('values: "{\\"image\\": {\\"tag\\": \\"v4\\"}}"\n', Span(1, 34, 1, 36)),
    ],
)
def test_inner_nodes_are_spanned_in_the_file(text: str, expected: Span) -> None:
    [document] = load_in_scalar(_string(text, "values"), text)
    tag = mapping_get(mapping_get(document, "image"), "tag")
    assert node_span(tag, text) == expected


def test_inner_parse_errors_are_placed_in_the_file() -> None:
    text = "values: |\n  image: [\n    tag: 1\n"
    with pytest.raises(YamlError) as error:
        load_in_scalar(_string(text, "values"), text)
    assert error.value.line >= 2


def test_load_at_shifts_lines_and_leaves_out_indents() -> None:
    text = "x\n\timage: a:1\n\tname: b\n"
    [document] = load_at("image: a:1\nname: b\n", 2, [1, 1])
    assert node_span(mapping_get(document, "image"), text) == Span(2, 9, 2, 12)


# --------------------------------------------------------------------------
# Kustomize inline patches

KUSTOMIZATION = """\
resources:
  - ../base
patches:
  - patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        template:
          spec:
            containers:
              - name: web
                image: nginx:latest
  - target:
      kind: Deployment
      name: web
    patch: |-
      - op: replace
        path: /spec/template/spec/containers/1/image
        value: busybox:1.36
      - op: add
        path: /spec/template/spec/initContainers/-
        value:
          name: init
          image: alpine:3.19
      - op: remove
        path: /spec/template/spec/containers/2
patchesStrategicMerge:
  - other-patch.yaml
  - |-
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: db
    spec:
      template:
        spec:
          containers:
            - name: db
              image: postgres:16.1
"""


def test_inline_patch_images_are_kustomization_references() -> None:
    facts = extract(KUSTOMIZATION, "overlays/prod/kustomization.yaml", "kustomization")
    found = [(ref.context, ref.value, ref.span, ref.kind) for ref in facts.images]
    assert found == [
        ("patches[0].patch: spec.template.spec.containers[0].image (container web)", "nginx:latest", Span(14, 24, 14, 36), "kustomization"),
        ("patches[1].patch[0]: spec.template.spec.containers[1].image", "busybox:1.36", Span(21, 16, 21, 28), "kustomization"),
        ("patches[1].patch[1]: spec.template.spec.initContainers[-].image (container init)", "alpine:3.19", Span(26, 18, 26, 29), "kustomization"),
        ("patchesStrategicMerge[1]: spec.template.spec.containers[0].image (container db)", "postgres:16.1", Span(41, 22, 41, 35), "kustomization"),
    ]
    data = facts.extras["kustomize"]
    assert data["resources"] == ["../base", "other-patch.yaml"]  # the inline patch is not a file
    assert [(p["kind"], p["name"], p["container"], p["path"]) for p in data["patches"]] == [
        ("Deployment", "web", "web", "spec.template.spec.containers[0].image"),
        ("Deployment", "web", None, "spec.template.spec.containers[1].image"),
        ("Deployment", "web", None, "spec.template.spec.initContainers[-].image"),
        ("StatefulSet", "db", "db", "spec.template.spec.containers[0].image"),
    ]


def test_a_broken_inline_patch_is_a_parse_error_in_the_kustomization() -> None:
    text = "patches:\n  - patch: |-\n      kind: Deployment\n      spec: [image\n"
    facts = extract(text, "kustomization.yaml", "kustomization")
    [problem] = facts.problems
    assert problem.span.line >= 4 and "patches[0].patch" in problem.message


BASE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx
        - name: sidecar
          image: busybox
        - name: untouched
          image: alpine
"""


def test_resolver_applies_patches_to_the_containers_they_set(tmp_path: Path) -> None:
    files = {
        "base/deployment.yaml": BASE,
        "base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
        "overlays/prod/kustomization.yaml": KUSTOMIZATION.replace("../base", "../../base"),
    }
    result = scan_findings(tmp_path, files, "TL101", ("base/deployment.yaml",))
    # web and sidecar are set by the overlay's patches (tagged there); the
    # third container keeps its own untagged image
    assert [(f.path, f.span.line, f.reference) for f in result.findings] == [("base/deployment.yaml", 14, "alpine")]


def test_resolver_moves_a_patched_reference_to_the_patch(tmp_path: Path) -> None:
    files = {
        "base/deployment.yaml": BASE.replace("image: nginx\n", "image: nginx:1.25.4\n"),
        "base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
        "overlays/prod/kustomization.yaml": KUSTOMIZATION.replace("../base", "../../base"),
    }
    result = scan_findings(tmp_path, files, "TL102", ("base/deployment.yaml",))
    [finding] = result.findings
    assert (finding.path, finding.span.line, finding.span.column, finding.reference) == (
        "overlays/prod/kustomization.yaml", 14, 24, "nginx:latest",
    )


def test_images_entries_apply_after_patches(tmp_path: Path) -> None:
    overlay = KUSTOMIZATION.replace("../base", "../../base") + "images:\n  - name: nginx\n    newTag: 1.25.4\n"
    files = {
        "base/deployment.yaml": BASE,
        "base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
        "overlays/prod/kustomization.yaml": overlay,
    }
    result = scan_findings(tmp_path, files, "TL102", ("base/deployment.yaml",))
    assert result.findings == []  # the patch's nginx:latest is retagged 1.25.4 by images:


def test_a_patch_of_another_object_changes_nothing(tmp_path: Path) -> None:
    files = {
        "base/deployment.yaml": BASE.replace("name: web\nspec", "name: api\nspec", 1),
        "base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
        "overlays/prod/kustomization.yaml": KUSTOMIZATION.replace("../base", "../../base"),
    }
    result = scan_findings(tmp_path, files, "TL101", ("base/deployment.yaml",))
    assert [f.reference for f in result.findings] == ["nginx", "busybox", "alpine"]


# --------------------------------------------------------------------------
# heredocs

SCRIPT = """\
#!/bin/sh
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: demo
spec:
  containers:
    - name: app
      image: nginx:latest
EOF
echo "<<EOF kubectl apply"  # not a heredoc of an apply
cat <<'YAML' | kubectl --context dev apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: two
spec:
  containers:
    - name: app
      image: "redis:7.2.4"
YAML
cat > pod.yaml <<EOF
apiVersion: v1
kind: Pod
spec:
  containers:
    - image: written-only:latest
EOF
kubectl create \\
  -f - <<-END
\tapiVersion: v1
\tkind: Pod
\tspec:
\t  containers:
\t    - name: t
\t      image: busybox
\tEND
kubectl apply -f - <<EOF
this is: [not yaml
  image: x
EOF
"""


def test_heredoc_manifests_are_read_with_positions_in_the_script() -> None:
    found = [(ref.value, ref.span, ref.kind, ref.stage) for ref in manifest_images(SCRIPT, "deploy.sh")]
    assert found == [
        ("nginx:latest", Span(10, 14, 10, 26), "kubernetes", "Pod/demo"),
        ("redis:7.2.4", Span(21, 15, 21, 26), "kubernetes", "Pod/two"),
        ("busybox", Span(37, 15, 37, 22), "kubernetes", "Pod"),
    ]


def test_shell_extractor_adds_heredoc_manifests(tmp_path: Path) -> None:
    result = scan_findings(tmp_path, {"deploy.sh": SCRIPT}, "TL102")
    assert [(f.path, f.span.line, f.span.column, f.reference) for f in result.findings] == [
        ("deploy.sh", 10, 14, "nginx:latest")
    ]


def test_scripts_without_an_applied_heredoc_cost_nothing() -> None:
    assert manifest_images("cat <<EOF\nimage: a:latest\nEOF\n", "x.sh") == []
    assert manifest_images("kubectl apply -f pod.yaml\n", "x.sh") == []
    assert manifest_images("kubectl apply -f - <<EOF\nimage: a:latest\n", "x.sh") == []  # no object


# --------------------------------------------------------------------------
# ConfigMap data

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: inferenceservice-config
data:
  explainers: |-
    {
        "art": {
            "image" : "kserve/art-explainer",
            "defaultImageVersion": "latest"
        }
    }
  storageInitializer: |-
    {
        "image" : "kserve/storage-initializer:v0.16.0",
        "memoryRequest": "100Mi"
    }
  agent.yaml: |
    image: kserve/agent:v0.16.0
    sidecarImage: quay.io/example/sidecar:1.0
    docs: https://example.com/image.png
  queue-sidecar-image: gcr.io/knative-releases/queue:latest
  broken: '{"image": "a:latest",'
  notes: plain text mentioning an image
"""


def test_configmap_document_data_is_read_with_exact_spans() -> None:
    facts = extract(CONFIGMAP, "config.yaml", "kubernetes")
    found = [(ref.context, ref.value, ref.span, ref.written) for ref in facts.images]
    assert found == [
        ("data.explainers: art.image", "kserve/art-explainer:latest", Span(10, 37, 10, 43), "latest"),
        ("data.storageInitializer: image", "kserve/storage-initializer:v0.16.0", Span(15, 20, 15, 54), "kserve/storage-initializer:v0.16.0"),
        ("data.agent.yaml: image", "kserve/agent:v0.16.0", Span(19, 12, 19, 32), "kserve/agent:v0.16.0"),
        ("data.agent.yaml: sidecarImage", "quay.io/example/sidecar:1.0", Span(20, 19, 20, 46), "quay.io/example/sidecar:1.0"),
    ]
    art = facts.images[0]
    assert [step.value for step in art.via] == ["kserve/art-explainer", "latest"]
    assert {ref.stage for ref in facts.images} == {"ConfigMap/inferenceservice-config"}
    assert facts.problems == []


def test_configmap_without_documents_gives_nothing() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  image: nginx:latest\n"
    assert extract(text, "config.yaml", "kubernetes").images == []


def test_configmap_json_without_an_image_key_is_not_parsed() -> None:
    from taglint.extract.kubernetes.configmap import _looks_like_a_document

    assert not _looks_like_a_document("dashboard.json", '{"panels": [{"type": "image", "title": "Logo"}]}')
    assert _looks_like_a_document("dashboard.json", '{"panels": [{"image": "grafana/grafana:10.2.3"}]}')
    assert _looks_like_a_document("config", "image: a:1\n")
    assert not _looks_like_a_document("config", "no images here")


def test_heredoc_manifests_in_a_workflow_run_block_are_spanned_in_the_workflow(tmp_path: Path) -> None:
    workflow = """\
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: |
          kubectl apply -f - <<EOF
          apiVersion: v1
          kind: Pod
          metadata:
            name: smoke
          spec:
            containers:
              - name: smoke
                image: "curlimages/curl:latest"
          EOF
"""
    result = scan_findings(tmp_path, {".github/workflows/deploy.yml": workflow}, "TL102")
    assert [(f.path, f.span.line, f.span.column, f.span.end_column, f.reference) for f in result.findings] == [
        (".github/workflows/deploy.yml", 15, 25, 47, "curlimages/curl:latest")
    ]


def test_images_entries_of_the_same_kustomization_apply_to_its_patches() -> None:
    text = KUSTOMIZATION + """\
images:
  - name: nginx
    newTag: 1.25.4
  - name: busybox
    newName: mirror.example.com/busybox
"""
    facts = extract(text, "kustomization.yaml", "kustomization")
    found = [(ref.context.split(":")[0], ref.value) for ref in facts.images]
    assert ("images[0].newTag (name nginx)", "nginx:1.25.4") in found
    assert not any(value == "nginx:latest" for _, value in found)  # retagged by images[0]
    assert ("patches[1].patch[0]", "mirror.example.com/busybox:1.36") in found


def test_unquoted_heredocs_expand_the_scripts_literal_assignments(tmp_path: Path) -> None:
    script = """\
#!/bin/sh
TAG=latest
export REGISTRY="registry.example.com"
COMMIT=$(git rev-parse --short HEAD)
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
    - name: app
      image: ${REGISTRY}/app:$TAG
    - name: sidecar
      image: ${REGISTRY}/sidecar:${COMMIT}
EOF
kubectl apply -f - <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: literal
spec:
  containers:
    - name: app
      image: registry.example.com/app:$TAG
EOF
"""
    refs = manifest_images(script, "deploy.sh")
    assert [ref.value for ref in refs] == [
        "registry.example.com/app:latest",
        "registry.example.com/sidecar:${COMMIT}",
        "registry.example.com/app:$TAG",  # a quoted delimiter: no expansion
    ]
    app = refs[0]
    assert app.written == "${REGISTRY}/app:$TAG" and app.span == Span(13, 14, 13, 34)
    assert [(step.name, step.value, step.location.span.line if step.location else None) for step in app.via] == [
        ("$REGISTRY", "registry.example.com", 3),
        ("$TAG", "latest", 2),
    ]
    result = scan_findings(tmp_path, {"deploy.sh": script}, "TL102")
    assert [(f.span.line, f.reference) for f in result.findings] == [(13, "registry.example.com/app:latest")]


def test_configmap_aliased_image_is_one_reference() -> None:
    text = 'apiVersion: v1\nkind: ConfigMap\ndata:\n  e: "image: &a nginx:1.25.4\\nsidecarImage: *a\\n"\n'
    refs = extract(text, "config.yaml", "kubernetes").images
    assert [(ref.value, ref.context) for ref in refs] == [("nginx:1.25.4", "data.e: image")]
