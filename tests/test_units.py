"""Deployable units (taglint.units): which files TL113 compares."""
from __future__ import annotations

import pytest

from taglint.units import Units, boundary_depth

UNITS = Units.of_scan([
    ("deploy/kustomization.yaml", "kustomization"),
    ("deploy/overlays/prod/kustomization.yaml", "kustomization"),
    ("install/v1.0.0/kustomization.yaml", "kustomization"),
    ("kustomization.yaml", "kustomization"),
])


@pytest.mark.parametrize(
    "path,kind,unit",
    [
        # one pipeline file is one unit
        (".github/workflows/ci.yml", "github-workflow", ".github/workflows/ci.yml"),
        (".gitlab-ci.yml", "gitlab-ci", ".gitlab-ci.yml"),
        ("cloudbuild.yaml", "cloudbuild", "cloudbuild.yaml"),
        # a chart: its templates and values belong to the chart folder
        ("charts/app/templates/deployment.yaml", "helm-template", "charts/app"),
        ("charts/app/templates/jobs/migrate.yaml", "helm-template", "charts/app"),
        ("charts/app/values.yaml", "helm-values", "charts/app"),
        # a dependency chart vendored under charts/ is its own unit
        ("charts/app/charts/redis/templates/master.yaml", "helm-template", "charts/app/charts/redis"),
        ("charts/app/charts/redis/values.yaml", "helm-values", "charts/app/charts/redis"),
        # a Kustomize tree: the nearest folder with a kustomization
        ("deploy/api/deployment.yaml", "kubernetes", "deploy"),
        ("deploy/overlays/prod/patch.yaml", "kubernetes", "deploy/overlays/prod"),
        # release folders are never one unit, even under one kustomization
        ("install/v0.15.0/manifests.yaml", "kubernetes", "install/v0.15.0"),
        ("install/v0.16.0/crds/crd.yaml", "kubernetes", "install/v0.16.0"),
        ("install/v1.0.0/manager/manager.yaml", "kubernetes", "install/v1.0.0"),
        # vendored copies are their own units
        ("third_party/metrics/deploy/server.yaml", "kubernetes", "third_party/metrics"),
        ("vendor/github.com/x/deploy.yaml", "kubernetes", "vendor/github.com"),
        # everything else: its folder
        ("docker/api/Dockerfile", "dockerfile", "docker/api"),
        # version-specific folders and release files
        ("deploy/k8s-1.5_and_prior/v0.0.1.yaml", "kubernetes", "deploy/k8s-1.5_and_prior/v0.0.1.yaml"),
        ("deploy/pre_k8s-1.6/stable.yaml", "kubernetes", "deploy/pre_k8s-1.6"),
        ("manifests/cert-manager-v1.14.4.yaml", "kubernetes", "manifests/cert-manager-v1.14.4.yaml"),
        ("3.12/slim-bookworm/Dockerfile", "dockerfile", "3.12/slim-bookworm"),
        ("python-3.11/Dockerfile", "dockerfile", "python-3.11"),
        ("compose.yaml", "compose", ""),
    ],
)
def test_unit_of(path, kind, unit):
    assert UNITS.unit_of(path, kind) == unit


def test_plain_folders_of_manifests_without_kustomizations():
    units = Units.of_scan([])
    assert units.unit_of("k8s/api.yaml", "kubernetes") == "k8s"
    assert units.unit_of("k8s/jobs/migrate.yaml", "kubernetes") == "k8s/jobs"


@pytest.mark.parametrize(
    "path,depth",
    [
        ("a/b/c.yaml", 0),
        ("install/v0.16.0/x.yaml", 2),
        ("releases/1.2/x.yaml", 2),
        ("install/v2.0.0-rc.1/x.yaml", 2),
        ("api/v1/x.yaml", 0),  # an API version folder is not a release folder
        ("deploy/k8s-1.6/x.yaml", 2),
        ("releases/release-1.4/x.yaml", 2),
        ("python3.12/x.yaml", 0),  # no separator before the version: a name, not a release
        ("vendor/lib/sub/x.yaml", 2),
        ("vendor/x.yaml", 0),
    ],
)
def test_boundary_depth(path, depth):
    assert boundary_depth(path) == depth


def test_describe():
    assert UNITS.describe(".github/workflows/ci.yml", "github-workflow") == "this workflow"
    assert UNITS.describe("deploy", "kubernetes") == "the Kustomize tree `deploy/`"
    assert UNITS.describe("charts/app", "helm-values") == "the chart `charts/app/`"
    assert UNITS.describe("k8s", "kubernetes") == "the folder `k8s/`"
