"""Images a build tool of the repository builds and substitutes when it
deploys are not pulls (issue 8 §4): Skaffold artifacts, Tilt builds, ko://."""
from __future__ import annotations

from pathlib import Path

import pytest

from taglint.classify import classify
from taglint.config import Config
from taglint.engine import scan
from taglint.extract.kubernetes import skaffold
from taglint.extract.kubernetes import tilt
from taglint.source import ExtractContext, SourceFile


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def findings(root: Path, paths: list[str] | None = None, codes: tuple[str, ...] = ("TL101", "TL102"), jobs: int = 1):
    config = Config().with_overrides(select=codes)
    result = scan(paths or ["."], config, cwd=root, jobs=jobs)
    assert not result.errors, result.errors
    return sorted((f.rule, f.path, f.span.line, f.reference) for f in result.findings)


def deployment(*images: str) -> str:
    containers = "".join(f"      - name: c{i}\n        image: {image}\n" for i, image in enumerate(images))
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n"
        "  template:\n    spec:\n      containers:\n" + containers
    )


SKAFFOLD = """\
apiVersion: skaffold/v4beta11
kind: Config
metadata:
  name: app
build:
  artifacts:
  - image: frontend
    context: src/frontend
  - image: cartservice
    context: src/cartservice
manifests:
  rawYaml:
  - k8s/*.yaml
"""


# --- classify -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path,text,kind",
    [
        ("skaffold.yaml", SKAFFOLD, "skaffold"),
        ("deploy/skaffold-dev.yml", "apiVersion: 'skaffold/v2beta29'\nkind: Config\n", "skaffold"),
        ("k8s/app.yaml", deployment("nginx"), "kubernetes"),
        ("Tiltfile", "docker_build('app', '.')\n", "tilt"),
        ("services/api.tiltfile", "docker_build('api', '.')\n", "tilt"),
        ("Tiltfile-api", "include('./Tiltfile-db')\n", "tilt"),
        ("lib/nerdctl.Tiltfile", "def build(): pass\n", "tilt"),
        ("docs/Tiltfile.md", "# Tiltfile\n", None),
    ],
)
def test_classify(path: str, text: str, kind: str | None) -> None:
    assert classify(path, lambda: text) == kind


# --- the Skaffold extractor -----------------------------------------------------


def skaffold_facts(text: str):
    return skaffold.extract(SourceFile.from_text("skaffold.yaml", text), ExtractContext())


def test_skaffold_records_artifacts_manifests_and_requires() -> None:
    text = """\
apiVersion: skaffold/v2beta29
kind: Config
requires:
- path: ../platform
- git: {repo: "https://github.com/acme/base", path: skaffold.yaml}
- configs: [other]
build:
  artifacts:
  - image: api
deploy:
  kubectl:
    manifests: [k8s/api.yaml, "https://example.com/crd.yaml"]
  kustomize:
    paths: [overlays/dev]
  helm:
    releases:
    - name: web
      chartPath: charts/web
      valuesFiles: [charts/web/values-dev.yaml]
profiles:
- name: prod
  build:
    artifacts:
    - image: api-prod
  manifests:
    rawYaml: ["prod/**.yaml"]
  patches:
  - op: replace
    path: /build/artifacts/0/image
    value: gcr.io/acme/api
  - op: add
    path: /build/artifacts/-
    value: {image: migrations, context: db}
  - op: replace
    path: /build/artifacts/0/docker/dockerfile
    value: Dockerfile.debug
---
apiVersion: skaffold/v1alpha2
kind: Config
build:
  artifacts:
  - imageName: legacy
---
apiVersion: v1
kind: ConfigMap
metadata: {name: not-skaffold}
data: {image: nginx}
"""
    facts = skaffold_facts(text)
    tool = facts.extras["build_tool"]
    assert tool["tool"] == "skaffold"
    assert tool["images"] == ["api", "api-prod", "gcr.io/acme/api", "migrations", "legacy"]
    assert tool["manifests"] == ["k8s/api.yaml", "overlays/dev", "charts/web", "charts/web/values-dev.yaml", "prod/**.yaml"]
    assert tool["requires"] == ["../platform"]
    assert facts.images == [] and facts.problems == []


def test_skaffold_reports_the_images_it_pulls_but_not_its_artifacts() -> None:
    text = """\
apiVersion: skaffold/v4beta11
kind: Config
build:
  artifacts:
  - image: base
  - image: app
    ko:
      fromImage: base
  - image: web
    buildpacks:
      builder: gcr.io/buildpacks/builder
      runImage: gcr.io/buildpacks/run:v1
  - image: job
    kaniko:
      image: gcr.io/kaniko-project/executor:latest
verify:
- name: smoke
  container: {name: smoke, image: curlimages/curl}
customActions:
- name: seed
  containers:
  - {name: seed, image: "postgres:16.4"}
  - {name: self, image: app}
"""
    facts = skaffold_facts(text)
    assert [(ref.context, ref.value, ref.span.line) for ref in facts.images] == [
        ("build.artifacts[2].buildpacks.builder", "gcr.io/buildpacks/builder", 11),
        ("build.artifacts[2].buildpacks.runImage", "gcr.io/buildpacks/run:v1", 12),
        ("build.artifacts[3].kaniko.image", "gcr.io/kaniko-project/executor:latest", 15),
        ("verify[0].container.image", "curlimages/curl", 18),
        ("customActions[0].containers[0].image", "postgres:16.4", 22),
    ]
    assert all(ref.kind == "skaffold" for ref in facts.images)


# --- the Tilt extractor ---------------------------------------------------------


def tilt_tool(text: str) -> dict:
    return tilt.extract(SourceFile.from_text("Tiltfile", text), ExtractContext()).extras["build_tool"]


def test_tilt_reads_build_names_and_deployed_paths() -> None:
    text = """\
load('ext://restart_process', 'docker_build_with_restart')
k8s_yaml('kubernetes.yaml')
k8s_yaml(['deploy/a.yaml', 'deploy/b.yaml'])
k8s_yaml(kustomize('config/default'))
k8s_yaml(helm('charts/app', values=['charts/app/values-dev.yaml']))
k8s_yaml(local('kustomize build overlays/generated'))
docker_compose('docker-compose.yml')
IMG = 'example-python-image'
docker_build(IMG, '.', live_update=[sync('.', '/app')])
for svc in ['api', 'worker']:
    docker_build('registry.example.com/' + svc, svc)
custom_build(ref='kubecc/kubecc', command='make image', deps=['./bin'])
docker_build_with_restart('migrate:dev', 'migrate', entrypoint=['/migrate'])
docker_build(cfg.get('name'), '.')
docker_build(f"{PREFIX}/unknown", '.')
"""
    tool = tilt_tool(text)
    assert tool["tool"] == "tilt"
    assert sorted(tool["images"]) == [
        "example-python-image", "kubecc/kubecc", "migrate:dev", "registry.example.com/api", "registry.example.com/worker",
    ]
    assert tool["manifests"] == [
        "kubernetes.yaml", "deploy/a.yaml", "deploy/b.yaml", "config/default", "charts/app",
        "charts/app/values-dev.yaml", "docker-compose.yml",
    ]


def test_tilt_that_python_cannot_parse_is_read_by_pattern() -> None:
    text = """\
k8s_yaml(['k8s/app.yaml', local('echo generated.yaml')])
def broken(:
docker_build('app', '.')
custom_build("tools/seed:dev", "make seed", deps=["seed"])
docker_build('prefix/' + name, '.')
"""
    tool = tilt_tool(text)
    assert tool["images"] == ["app", "tools/seed:dev"]
    assert tool["manifests"] == ["k8s/app.yaml"]


# --- the resolver, through whole scans -----------------------------------------------


def test_skaffold_artifacts_are_not_pulls_but_other_images_are(tmp_path: Path) -> None:
    write(tmp_path, {
        "skaffold.yaml": SKAFFOLD,
        "k8s/app.yaml": deployment("frontend", "cartservice:latest", "redis", "busybox:latest"),
    })
    assert findings(tmp_path) == [
        ("TL101", "k8s/app.yaml", 14, "redis"),
        ("TL102", "k8s/app.yaml", 16, "busybox:latest"),
    ]


def test_the_same_project_without_skaffold_reports_every_image(tmp_path: Path) -> None:
    write(tmp_path, {"k8s/app.yaml": deployment("frontend", "cartservice:latest", "redis")})
    assert [f[3] for f in findings(tmp_path)] == ["frontend", "redis", "cartservice:latest"]


def test_a_reference_pinned_by_digest_is_left_as_it_is(tmp_path: Path) -> None:
    digest = "sha256:" + "ab" * 32
    write(tmp_path, {"skaffold.yaml": SKAFFOLD, "k8s/app.yaml": deployment(f"frontend:latest@{digest}")})
    result = scan(["."], Config().with_overrides(select=("TL112",)), cwd=tmp_path)
    (facts,) = [f for f in result.files if f.path == "k8s/app.yaml"]
    assert [ref.value for ref in facts.images] == [f"frontend:latest@{digest}"]
    assert [(f.rule, f.reference) for f in result.findings] == [("TL112", f"frontend:latest@{digest}")]


def test_only_the_project_tree_and_the_listed_manifests_are_owned(tmp_path: Path) -> None:
    write(tmp_path, {
        "shop/skaffold.yaml": SKAFFOLD.replace("- k8s/*.yaml", "- k8s/*.yaml\n  - ../deploy/**.yaml"),
        "shop/k8s/app.yaml": deployment("frontend"),
        "shop/nested/extra.yaml": deployment("cartservice"),
        "deploy/prod/cart.yaml": deployment("cartservice"),
        "ops/canary.yaml": deployment("frontend"),
    })
    assert findings(tmp_path) == [("TL101", "ops/canary.yaml", 10, "frontend")]


def test_a_manifest_scanned_alone_finds_the_skaffold_file_above_it(tmp_path: Path) -> None:
    write(tmp_path, {
        "skaffold.yaml": SKAFFOLD,
        "k8s/app.yaml": deployment("frontend", "redis"),
    })
    assert findings(tmp_path / "k8s", ["app.yaml"]) == [("TL101", "app.yaml", 12, "redis")]


def test_required_configurations_build_in_the_same_run(tmp_path: Path) -> None:
    write(tmp_path, {
        "app/skaffold.yaml": SKAFFOLD.replace("build:", "requires:\n- path: ../platform\nbuild:"),
        "app/k8s/app.yaml": deployment("frontend", "auth-proxy", "cache"),
        "platform/skaffold.yaml": "apiVersion: skaffold/v4beta11\nkind: Config\nrequires:\n- path: ../base/skaffold.yaml\nbuild:\n  artifacts:\n  - image: auth-proxy\n",
        "base/skaffold.yaml": "apiVersion: skaffold/v4beta11\nkind: Config\nrequires:\n- path: ../app\nbuild:\n  artifacts:\n  - image: cache\n",
    })
    assert findings(tmp_path, ["app"]) == []


def test_helm_values_of_a_chart_skaffold_deploys(tmp_path: Path) -> None:
    write(tmp_path, {
        "skaffold.yaml": "apiVersion: skaffold/v4beta11\nkind: Config\nbuild:\n  artifacts:\n  - image: skaffold-helm\n"
        "manifests:\n  helm:\n    releases:\n    - name: app\n      chartPath: charts/app\n",
        "charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\nappVersion: 1.0.0\n",
        "charts/app/values.yaml": "image:\n  repository: skaffold-helm\n  tag: latest\nsidecar:\n  image: nginx\n",
        "charts/app/templates/deployment.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n    spec:\n"
            "      containers:\n      - name: app\n        image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\n"
            "      - name: sidecar\n        image: {{ .Values.sidecar.image }}\n"
        ),
    })
    assert findings(tmp_path) == [("TL101", "charts/app/values.yaml", 5, "nginx")]


def test_kustomize_overrides_of_an_artifact_are_substituted_too(tmp_path: Path) -> None:
    write(tmp_path, {
        "skaffold.yaml": SKAFFOLD.replace("rawYaml:\n  - k8s/*.yaml", "kustomize:\n    paths: [k8s]"),
        "k8s/kustomization.yaml": "resources: [app.yaml]\nimages:\n- name: frontend\n  newTag: latest\n- name: redis\n  newTag: latest\n",
        "k8s/app.yaml": deployment("frontend", "redis"),
    })
    assert findings(tmp_path) == [("TL102", "k8s/kustomization.yaml", 6, "redis:latest")]


def test_parallel_scans_drop_the_same_references(tmp_path: Path) -> None:
    files = {"skaffold.yaml": SKAFFOLD}
    for index in range(40):
        files[f"k8s/app{index:02}.yaml"] = deployment("frontend", "redis")
    write(tmp_path, files)
    serial = findings(tmp_path)
    assert len(serial) == 40 and {f[3] for f in serial} == {"redis"}
    assert findings(tmp_path, jobs=2) == serial


TILTFILE = """\
k8s_yaml('kubernetes.yaml')
k8s_yaml(kustomize('deploy'))
docker_compose('compose.yaml')
docker_build('example-python-image', '.')
docker_build_with_restart('migrate:dev', 'migrate', entrypoint=['/migrate'])
"""


def test_tilt_builds_are_not_pulls_and_a_tagged_build_matches_its_tag_only(tmp_path: Path) -> None:
    write(tmp_path, {
        "Tiltfile": TILTFILE,
        "kubernetes.yaml": deployment("example-python-image", "migrate:dev", "migrate", "redis"),
        "compose.yaml": "services:\n  web:\n    image: example-python-image\n  cache:\n    image: redis:latest\n",
    })
    assert findings(tmp_path) == [
        ("TL101", "kubernetes.yaml", 14, "migrate"),
        ("TL101", "kubernetes.yaml", 16, "redis"),
        ("TL102", "compose.yaml", 5, "redis:latest"),
    ]


def test_skaffold_does_not_deploy_compose_files(tmp_path: Path) -> None:
    write(tmp_path, {"skaffold.yaml": SKAFFOLD, "compose.yaml": "services:\n  web:\n    image: frontend\n"})
    assert findings(tmp_path) == [("TL101", "compose.yaml", 3, "frontend")]


def test_ko_references_are_not_images_of_any_rule(tmp_path: Path) -> None:
    write(tmp_path, {"config/controller.yaml": deployment("ko://knative.dev/serving/cmd/controller", "nginx:1.27.3")})
    config = Config()
    result = scan(["."], config, cwd=tmp_path)
    assert [f.reference for f in result.findings if f.reference and "ko://" in f.reference] == []


HELM_SKAFFOLD = """\
apiVersion: skaffold/v4beta11
kind: Config
build:
  artifacts:
  - image: skaffold-helm
manifests:
  helm:
    releases:
    - name: app
      chartPath: charts/app
      setValueTemplates:
        image.repository: "{{.IMAGE_REPO_skaffold_helm}}"
        image.tag: "{{.IMAGE_TAG_skaffold_helm}}@{{.IMAGE_DIGEST_skaffold_helm}}"
        replicaCount: 2
    - name: remote
      remoteChart: bitnami/redis
      setValues: {image.tag: latest}
profiles:
- name: v1-style
  deploy:
    helm:
      releases:
      - name: legacy
        chartPath: charts/legacy
        artifactOverrides:
          worker.image: skaffold-helm
        setValues:
          sidecar.image: busybox
"""

CHART = {
    "charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\nappVersion: 1.0.0\n",
    "charts/app/values.yaml": "image:\n  repository: nginx\n  tag: stable\nsidecar:\n  image: nginx\n",
    "charts/app/templates/deployment.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n    spec:\n"
        "      containers:\n      - name: app\n        image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\n"
        "      - name: sidecar\n        image: {{ .Values.sidecar.image }}\n"
    ),
}


def test_skaffold_records_the_values_its_helm_releases_set_to_built_images() -> None:
    tool = skaffold_facts(HELM_SKAFFOLD).extras["build_tool"]
    assert tool["helm_values"] == [
        {"chart": "charts/app", "keys": ["image"]},
        {"chart": "charts/legacy", "keys": ["worker.image"]},
    ]


def test_values_skaffold_sets_to_a_built_image_are_not_pulls(tmp_path: Path) -> None:
    write(tmp_path, {"skaffold.yaml": HELM_SKAFFOLD, **CHART})
    codes = ("TL101", "TL102", "TL103")
    assert findings(tmp_path, codes=codes) == [("TL101", "charts/app/values.yaml", 5, "nginx")]
    # a template scanned alone: its references are built from the same values
    assert findings(tmp_path, ["charts/app/templates/deployment.yaml"], codes=codes) == [
        ("TL101", "charts/app/values.yaml", 5, "nginx")
    ]


def test_the_same_chart_without_skaffold_reports_its_values(tmp_path: Path) -> None:
    write(tmp_path, CHART)
    assert findings(tmp_path, codes=("TL101", "TL103")) == [
        ("TL101", "charts/app/values.yaml", 5, "nginx"),
        ("TL103", "charts/app/values.yaml", 3, "nginx:stable"),
    ]


def test_a_subchart_keeps_its_own_image_values(tmp_path: Path) -> None:
    write(tmp_path, {
        "skaffold.yaml": HELM_SKAFFOLD,
        **CHART,
        "charts/app/charts/redis/Chart.yaml": "apiVersion: v2\nname: redis\nversion: 1.0.0\n",
        "charts/app/charts/redis/values.yaml": "image:\n  repository: redis\n  tag: latest\n",
    })
    assert findings(tmp_path) == [
        ("TL101", "charts/app/values.yaml", 5, "nginx"),
        ("TL102", "charts/app/charts/redis/values.yaml", 3, "redis:latest"),
    ]
