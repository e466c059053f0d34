"""Deployable units: the files whose image versions are meant to agree (TL113).

A unit is named by a path (a folder, or one file):

- a Helm chart: the chart's folder (the folder above ``templates/``, or of
  ``Chart.yaml`` / ``values*.yaml``);
- a Kustomize tree: the nearest folder at or above a manifest that holds a
  scanned ``kustomization.yaml``;
- one CI pipeline file: a GitHub workflow, a GitLab CI file, a Cloud Build
  file… is a unit by itself;
- everything else (a folder of manifests, a Compose project, Dockerfiles):
  its folder.

A unit never spans a release folder or a vendored copy: a path segment that
is itself a version or names one thing at one version (``install/v0.16.0/``,
``deploy/k8s-1.6/``) and a vendored copy (``vendor/<name>/``,
``third_party/<name>/``, ``charts/<dependency>/``) are boundaries, and the
unit is never above the deepest boundary on the path.  A manifest named
after one release (``deploy/v0.0.1.yaml``) is a unit by itself.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# File kinds whose unit is the file itself: one pipeline each.
PIPELINE_KINDS = frozenset({
    "github-workflow", "github-action", "gitlab-ci", "circleci", "azure-pipelines",
    "bitbucket-pipelines", "cloudbuild", "drone", "jenkinsfile", "buildkite", "kfp-pipeline",
})
HELM_KINDS = frozenset({"helm-values", "helm-template", "helm-chart"})
MANIFEST_KINDS = frozenset({"kubernetes", "kustomization"})
# Folders that hold copies of other projects, one copy per child folder.
VENDOR_FOLDERS = frozenset({"vendor", "vendored", "third_party", "third-party", "thirdparty", "3rdparty", "charts"})
# A path segment that is itself a version (v0.16.0, 1.2, v2.0.0-rc.1) or
# names one thing at one version (release-1.4, k8s-1.6, pre_k8s-1.6,
# cert-manager-v1.14.4): releases and version-specific copies side by side.
_VERSION_SEGMENT = re.compile(r"(?:[\w.-]*[-_])?v?\d+(?:\.\d+)+(?:[-+_][\w.-]+)?", re.IGNORECASE)
_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _parts(folder: str) -> list[str]:
    return folder.split("/") if folder else []


def boundary_depth(path: str) -> int:
    """How many leading folders of ``path`` a unit must at least include:
    just past the deepest release folder or vendored copy (0 when none)."""
    parts = _parts(_folder(path))
    depth = 0
    for index, part in enumerate(parts):
        if _VERSION_SEGMENT.fullmatch(part):
            depth = index + 1
        elif part.lower() in VENDOR_FOLDERS and index + 1 < len(parts):
            depth = index + 2
    return depth


@dataclass(frozen=True)
class Units:
    """Unit names for the paths of one scan."""

    kustomize_roots: frozenset[str] = frozenset()  # folders holding a scanned kustomization

    @classmethod
    def of_scan(cls, files: Iterable[tuple[str, str]]) -> Units:
        """From ``(path, kind)`` of every scanned file."""
        return cls(frozenset(_folder(path) for path, kind in files if kind == "kustomization"))

    def unit_of(self, path: str, kind: str) -> str:
        """The unit a reference written in ``path`` (a file of ``kind``) belongs to."""
        if kind in PIPELINE_KINDS or _versioned_file(path):
            return path
        folder = _folder(path)
        if kind in HELM_KINDS:
            root = _chart_root(path) if kind == "helm-template" else folder
        elif kind in MANIFEST_KINDS:
            root = self._kustomize_root(folder)
        else:
            root = folder
        return _not_above_boundary(root, path)

    def describe(self, unit: str, kind: str) -> str:
        """How a message names the unit: ``this workflow``, ``the chart `charts/app/```…"""
        if kind in PIPELINE_KINDS:
            return "this workflow" if kind in ("github-workflow", "github-action") else "this pipeline"
        shown = f"`{unit}/`" if unit else "the top folder"
        if kind in HELM_KINDS:
            return f"the chart {shown}" if unit else "this chart"
        if kind in MANIFEST_KINDS and unit in self.kustomize_roots:
            return f"the Kustomize tree {shown}" if unit else "this Kustomize tree"
        return f"the folder {shown}" if unit else shown

    def _kustomize_root(self, folder: str) -> str:
        parts = _parts(folder)
        for size in range(len(parts), -1, -1):
            candidate = "/".join(parts[:size])
            if candidate in self.kustomize_roots:
                return candidate
        return folder


def _versioned_file(path: str) -> bool:
    """A manifest named after one release (``v0.0.1.yaml``,
    ``cert-manager-v1.14.4.yaml``): each release file is its own unit."""
    name = path.rsplit("/", 1)[-1]
    for suffix in _MANIFEST_SUFFIXES:
        if name.lower().endswith(suffix):
            return _VERSION_SEGMENT.fullmatch(name[: -len(suffix)]) is not None
    return False


def _chart_root(path: str) -> str:
    parts = _parts(_folder(path))
    if "templates" in parts:
        return "/".join(parts[: len(parts) - 1 - parts[::-1].index("templates")])
    return "/".join(parts)


def _not_above_boundary(root: str, path: str) -> str:
    depth = boundary_depth(path)
    parts = _parts(root)
    if len(parts) >= depth:
        return root
    return "/".join(_parts(_folder(path))[:depth])

