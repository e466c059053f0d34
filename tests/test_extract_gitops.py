"""GitOps objects and files: Argo CD Application/ApplicationSet and Flux
HelmRelease (manifest object readers), helmfile, helmsman and Rancher
Fleet (kinds of the kubernetes family)."""
from __future__ import annotations

from pathlib import Path, PurePosixPath

from taglint.classify import classify
from taglint.config import Config
from taglint.engine import scan
from taglint.extract import extractor_for
from taglint.extract.kubernetes import kind_from_path, kind_from_text
from taglint.extract.kubernetes.argocd import split_image_override
from taglint.model import Span
from taglint.source import ExtractContext, SourceFile


def images(text: str, path: str = "app.yaml", kind: str = "kubernetes"):
    return extractor_for(kind)(SourceFile.from_text(path, text), ExtractContext()).images


def findings(tmp_path: Path, files: dict[str, str], code: str) -> list[tuple[str, int, int, int, str | None]]:
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    result = scan(["."], Config().with_overrides(select=(code,)), cwd=tmp_path)
    assert not result.errors
    return [(f.path, f.span.line, f.span.column, f.span.end_column, f.reference) for f in result.findings if f.rule == code]


APPLICATION = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: guestbook
spec:
  source:
    repoURL: https://github.com/argoproj/argocd-example-apps.git
    kustomize:
      images:
        - app=registry.example.com/app:latest
"""


def test_argocd_kustomize_image_latest_is_tl102_at_the_reference_in_the_string(tmp_path: Path) -> None:
    # The acceptance: TL102 at that string, spanning the reference after `=`.
    assert findings(tmp_path, {"app.yaml": APPLICATION}, "TL102") == [
        ("app.yaml", 10, 15, 46, "registry.example.com/app:latest")
    ]


def test_argocd_refs_name_the_format_object_and_key_path() -> None:
    [ref] = images(APPLICATION)
    assert ref.kind == "argocd-application"
    assert ref.stage == "Application/guestbook"
    assert ref.context == "spec.source.kustomize.images[0]"
    assert ref.written == ref.value == "registry.example.com/app:latest"
    assert ref.span == Span(10, 15, 10, 46)


def test_kustomize_image_override_forms() -> None:
    assert split_image_override("app=registry.example.com/app:1.2") == (4, "registry.example.com/app:1.2")
    assert split_image_override("gcr.io/heptio-images/ks-guestbook-demo:0.2") == (0, "gcr.io/heptio-images/ks-guestbook-demo:0.2")
    assert split_image_override("app=app@sha256:" + "a" * 64) == (4, "app@sha256:" + "a" * 64)
    assert split_image_override("localhost:5000/app:1") == (0, "localhost:5000/app:1")
    assert split_image_override("app=mirror.example.com/app") is None  # a rename keeps the resources' tags
    assert split_image_override("localhost:5000/app") is None
    assert split_image_override("app=") is None


def test_argocd_quoted_override_is_spanned_inside_its_quotes() -> None:
    text = APPLICATION.replace("- app=registry.example.com/app:latest", "- 'app=registry.example.com/app:latest'")
    [ref] = images(text)
    assert ref.span == Span(10, 16, 10, 47)


HELM_APPLICATION = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: redis
spec:
  sources:
    - repoURL: https://charts.bitnami.com/bitnami
      chart: redis
      helm:
        parameters:
          - name: image.registry
            value: docker.io
          - name: image.repository
            value: bitnami/redis
          - name: image.tag
            value: "7.2"
          - name: metrics.image.tag
            value: latest
          - name: sidecar.image
            value: busybox:1.36
        values: |
          exporter:
            image:
              repository: oliver006/redis_exporter
              tag: v1.55.0
        valuesObject:
          sentinel:
            image:
              repository: bitnami/redis-sentinel
              tag: latest
            extra:
              image: bitnami/os-shell:12
          volumePermissions:
            image:
              repository: bitnami/os-shell
"""


def test_argocd_helm_parameters_values_and_values_object() -> None:
    found = {ref.context: ref for ref in images(HELM_APPLICATION)}
    assert {context: ref.value for context, ref in found.items()} == {
        "spec.sources[0].helm.parameters[2] (image.tag)": "docker.io/bitnami/redis:7.2",
        "spec.sources[0].helm.parameters[4] (sidecar.image)": "busybox:1.36",
        "spec.sources[0].helm.values.exporter.image": "oliver006/redis_exporter:v1.55.0",
        "spec.sources[0].helm.valuesObject.sentinel.image": "bitnami/redis-sentinel:latest",
        "spec.sources[0].helm.valuesObject.sentinel.extra.image": "bitnami/os-shell:12",
    }
    # a tag without its repository (metrics.image.tag) and a repository
    # without its tag (volumePermissions) leave the chart's defaults: no reference
    tag = found["spec.sources[0].helm.parameters[2] (image.tag)"]
    assert tag.span == Span(16, 21, 16, 24) and tag.written == "7.2"
    assert [step.name for step in tag.via] == [
        "spec.sources[0].helm.parameters[0] (image.registry)",
        "spec.sources[0].helm.parameters[1] (image.repository)",
        "spec.sources[0].helm.parameters[2] (image.tag)",
    ]
    # inside the `values: |` string: the tag's place in the file
    assert found["spec.sources[0].helm.values.exporter.image"].span == Span(25, 20, 25, 27)
    assert found["spec.sources[0].helm.valuesObject.sentinel.image"].span == Span(30, 20, 30, 26)
    assert all(ref.kind == "argocd-application" and ref.stage == "Application/redis" for ref in found.values())


def test_argocd_overrides_are_read_once_not_again_by_the_manifest_walk() -> None:
    refs = images(HELM_APPLICATION)
    spans = [ref.span for ref in refs]
    assert len(spans) == len(set(spans)) == 5
    assert {ref.kind for ref in refs} == {"argocd-application"}


def test_argocd_values_string_that_is_not_yaml_is_left_alone() -> None:
    text = HELM_APPLICATION.replace("          exporter:\n", "          exporter: [image\n")
    values = [ref for ref in images(text) if ".helm.values." in ref.context]
    assert values == []


def test_applicationset_template_sources() -> None:
    text = """\
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: guestbook
spec:
  generators:
    - list:
        elements:
          - cluster: dev
  template:
    metadata:
      name: '{{cluster}}-guestbook'
    spec:
      source:
        repoURL: https://github.com/argoproj/argocd-example-apps.git
        kustomize:
          images:
            - guestbook=ghcr.io/example/guestbook:1.0.0
"""
    [ref] = images(text)
    assert (ref.value, ref.context, ref.stage) == (
        "ghcr.io/example/guestbook:1.0.0",
        "spec.template.spec.source.kustomize.images[0]",
        "ApplicationSet/guestbook",
    )
    assert ref.span == Span(18, 25, 18, 56)


HELMRELEASE = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
spec:
  chart:
    spec:
      chart: podinfo
  values:
    image:
      repository: nginx
      tag: latest
"""


def test_flux_helmrelease_latest_is_tl102_at_the_tag(tmp_path: Path) -> None:
    # The acceptance.
    assert findings(tmp_path, {"release.yaml": HELMRELEASE}, "TL102") == [("release.yaml", 12, 12, 18, "nginx:latest")]


def test_flux_helmrelease_values_read_like_helm_values() -> None:
    text = HELMRELEASE + """\
    registryImage:
      registry: ghcr.io/
      repository: stefanprodan/podinfo
      tag: 6.5.4
      digest: sha256:""" + "b" * 64 + """
    mirror:
      image:
        repository: mirror.example.com/nginx
    worker:
      image: redis
      tag: "7.2"
"""
    found = {ref.context: ref for ref in images(text)}
    assert {context: ref.value for context, ref in found.items()} == {
        "spec.values.image": "nginx:latest",
        "spec.values.registryImage": "ghcr.io/stefanprodan/podinfo:6.5.4@sha256:" + "b" * 64,
        "spec.values.worker.tag": "redis:7.2",
    }
    assert {ref.kind for ref in found.values()} == {"flux-helmrelease"}
    assert {ref.stage for ref in found.values()} == {"HelmRelease/podinfo"}


def test_flux_post_build_substitutions_resolved_from_the_file_or_reported() -> None:
    text = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
spec:
  postBuild:
    substitute:
      PODINFO_TAG: "6.5.4"
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
spec:
  values:
    image:
      repository: ghcr.io/stefanprodan/podinfo
      tag: ${PODINFO_TAG}
    ui:
      image: ghcr.io/stefanprodan/ui:${UI_TAG:=1.0.0}
    api:
      image: ghcr.io/stefanprodan/api:${API_TAG}
"""
    found = {ref.context: ref for ref in images(text)}
    image = found["spec.values.image"]
    assert image.value == "ghcr.io/stefanprodan/podinfo:6.5.4"
    assert image.written == "${PODINFO_TAG}" and image.span == Span(18, 12, 18, 26)
    step = image.via[-1]
    assert (step.name, step.value) == ("Flux postBuild.substitute PODINFO_TAG", "6.5.4")
    assert step.location is not None and step.location.span == Span(8, 21, 8, 26)
    assert found["spec.values.ui.image"].value == "ghcr.io/stefanprodan/ui:1.0.0"
    api = found["spec.values.api.image"]
    assert api.value == "ghcr.io/stefanprodan/api:${API_TAG}"
    assert api.via[-1].value is None and "no `substitute:` value" in (api.via[-1].note or "")


def test_flux_unknown_substitution_is_tl108(tmp_path: Path) -> None:
    text = HELMRELEASE.replace("tag: latest", "tag: ${TAG}")
    assert findings(tmp_path, {"release.yaml": text}, "TL108") == [("release.yaml", 12, 12, 18, "nginx:${TAG}")]


# --------------------------------------------------------------------------
# helmfile, helmsman, Fleet


def test_kinds_by_path_and_content() -> None:
    assert kind_from_path(PurePosixPath("deploy/helmfile.yaml"), "helmfile.yaml") == "helmfile"
    assert kind_from_path(PurePosixPath("helmfile.d/10-apps.yaml"), "10-apps.yaml") == "helmfile"
    assert kind_from_path(PurePosixPath("bundles/web/fleet.yaml"), "fleet.yaml") == "fleet"
    assert kind_from_path(PurePosixPath("deploy/app.yaml"), "app.yaml") is None
    helmsman_yaml = "namespaces:\n  staging: {}\napps:\n  argo:\n    chart: argo/argo\n"
    assert kind_from_text("state.yaml", helmsman_yaml) == "helmsman"
    assert kind_from_text("state.yaml", "apps:\n  - name: x\n") is None  # no other helmsman section
    helmsman_toml = '[namespaces]\n  [namespaces.staging]\n[apps]\n  [apps.argo]\n    chart = "argo/argo"\n'
    assert kind_from_text("state.toml", helmsman_toml) == "helmsman"
    assert kind_from_text("pyproject.toml", '[project]\nname = "x"\n[tool.ruff]\n') is None


def test_classify_sees_the_new_kinds(tmp_path: Path) -> None:
    (tmp_path / "helmsman.toml").write_text('[settings]\n[apps.argo]\nchart = "argo/argo"\n', encoding="utf-8")
    assert classify("helmfile.yaml", lambda: "releases: []\n") == "helmfile"
    assert classify("fleet.yaml", lambda: "helm: {}\n") == "fleet"
    assert classify("helmsman.toml", lambda: (tmp_path / "helmsman.toml").read_text(), tmp_path / "helmsman.toml") == "helmsman"


HELMFILE = """\
releases:
  - name: prometheus
    chart: prometheus-community/prometheus
    values:
      - values/prometheus.yaml
      - server:
          image:
            repository: quay.io/prometheus/prometheus
            tag: v2.48.1
    set:
      - name: alertmanager.image.repository
        value: quay.io/prometheus/alertmanager
      - name: alertmanager.image.tag
        value: latest
"""


def test_helmfile_inline_values_and_set() -> None:
    found = [(ref.context, ref.value, ref.span, ref.stage, ref.kind) for ref in images(HELMFILE, "helmfile.yaml", "helmfile")]
    assert found == [
        ("releases[0].values[1].server.image", "quay.io/prometheus/prometheus:v2.48.1", Span(9, 18, 9, 25), "release prometheus", "helmfile"),
        ("releases[0].set[1] (alertmanager.image.tag)", "quay.io/prometheus/alertmanager:latest", Span(14, 16, 14, 22), "release prometheus", "helmfile"),
    ]


def test_templated_helmfile_is_not_a_parse_error() -> None:
    text = "releases:\n{{ range .Values.apps }}\n  - name: {{ . }}\n{{ end }}\n"
    facts = extractor_for("helmfile")(SourceFile.from_text("helmfile.yaml", text), ExtractContext())
    assert facts.problems == [] and facts.images == []
    broken = extractor_for("helmfile")(SourceFile.from_text("helmfile.yaml", "releases: [\n"), ExtractContext())
    assert len(broken.problems) == 1


def test_helmsman_yaml_and_toml() -> None:
    yaml_text = """\
namespaces:
  staging: {}
apps:
  jenkins:
    chart: jenkins/jenkins
    set:
      controller.image: jenkins/jenkins
      controller.tag: lts
    setString:
      agent.image: jenkins/inbound-agent:latest
"""
    found = [(ref.context, ref.value, ref.span) for ref in images(yaml_text, "state.yaml", "helmsman")]
    assert found == [
        ("apps.jenkins.set.controller.tag", "jenkins/jenkins:lts", Span(8, 23, 8, 26)),
        ("apps.jenkins.setString.agent.image", "jenkins/inbound-agent:latest", Span(10, 20, 10, 48)),
    ]
    toml_text = """\
[namespaces]
  [namespaces.production]
[apps]
  [apps.argo]
    chart = "argo/argo-cd"
    [apps.argo.set]
      "global.image.repository" = "quay.io/argoproj/argocd"  # the image
      'global.image.tag' = 'v2.9.3'
    [apps.argo.setString]
      redis.image.repository = "redis"
      redis.image.tag = "7.2"
  [apps.other]
    "image.repository" = "not/in/a/set/table"
    "image.tag" = "latest"
"""
    found = [(ref.context, ref.value, ref.span, ref.written) for ref in images(toml_text, "state.toml", "helmsman")]
    assert found == [
        ("apps.argo.set.global.image.tag", "quay.io/argoproj/argocd:v2.9.3", Span(8, 29, 8, 35), "v2.9.3"),
        ("apps.argo.setString.redis.image.tag", "redis:7.2", Span(11, 26, 11, 29), "7.2"),
    ]


def test_fleet_values_and_target_customizations() -> None:
    text = """\
helm:
  chart: ./chart
  values:
    image:
      repository: nginx
      tag: 1.25.4
targetCustomizations:
  - name: dev
    helm:
      values:
        image:
          tag: latest
        sidecar:
          image: busybox:latest
kustomize:
  dir: overlays/dev
"""
    found = [(ref.context, ref.value, ref.stage) for ref in images(text, "fleet.yaml", "fleet")]
    assert found == [
        ("helm.values.image", "nginx:1.25.4", None),
        # `image: {tag: latest}` alone overrides a repository that is not here
        ("targetCustomizations[0].helm.values.sidecar.image", "busybox:latest", "target dev"),
    ]


def test_fleet_file_without_images_is_not_parsed() -> None:
    facts = extractor_for("fleet")(SourceFile.from_text("fleet.yaml", "helm: [\n"), ExtractContext())
    assert facts.problems == [] and facts.images == []


def test_argocd_kustomize_inline_patches() -> None:
    text = APPLICATION + """\
      patches:
        - target:
            kind: Deployment
            name: guestbook-ui
          patch: |-
            - op: replace
              path: /spec/template/spec/containers/0/image
              value: gcr.io/heptio-images/ks-guestbook-demo:0.1
"""
    found = [(ref.context, ref.value, ref.span, ref.kind) for ref in images(text)]
    assert found[1:] == [
        (
            "spec.source.kustomize.patches[0].patch[0]: spec.template.spec.containers[0].image",
            "gcr.io/heptio-images/ks-guestbook-demo:0.1",
            Span(18, 22, 18, 64),
            "argocd-application",
        )
    ]


def test_flux_post_renderer_kustomize_images() -> None:
    text = HELMRELEASE + """\
  postRenderers:
    - kustomize:
        images:
          - name: docker.io/stefanprodan/podinfo
            newName: ghcr.io/stefanprodan/podinfo
            newTag: latest
          - name: redis
            newName: mirror.example.com/redis
"""
    found = [(ref.context, ref.value, ref.span, ref.kind) for ref in images(text)]
    assert found == [
        ("spec.values.image", "nginx:latest", Span(12, 12, 12, 18), "flux-helmrelease"),
        ("spec.postRenderers[0].kustomize.images[0].newTag (name docker.io/stefanprodan/podinfo)", "ghcr.io/stefanprodan/podinfo:latest", Span(18, 21, 18, 27), "flux-helmrelease"),
    ]
