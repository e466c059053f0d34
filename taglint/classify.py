"""Decide a file's kind from its path and, for YAML, a cheap look at its text.

Kinds are plain strings; ``taglint.extract.EXTRACTORS`` and the family
packages (:mod:`taglint.extract.families`) map each kind to its extractor;
the families' own path and content checks are asked after the built-in ones.  A file whose kind has no extractor (yet) is skipped.

Inside a Helm chart (a folder with a ``Chart.yaml`` at most
:data:`CHART_DEPTH` folders up), a YAML file with Go template actions
(``{{ … }}``, not GitHub's ``${{ … }}``) that its name does not already
place (``values*.yaml``, ``Chart.yaml``, a workflow…) is a template, wherever it
lies (``templates/``, ``files/`` rendered with ``tpl``, ``_common/``
fragments, ``crds/``): it is rendered through the chart's values, never
parsed as YAML.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Callable

from taglint.extract import families

DOCKERFILE = "dockerfile"
COMPOSE = "compose"
KUBERNETES = "kubernetes"
HELM_VALUES = "helm-values"
HELM_TEMPLATE = "helm-template"
HELM_CHART = "helm-chart"
KUSTOMIZATION = "kustomization"
GITHUB_WORKFLOW = "github-workflow"
GITHUB_ACTION = "github-action"
GITLAB_CI = "gitlab-ci"
CIRCLECI = "circleci"
AZURE_PIPELINES = "azure-pipelines"
BITBUCKET = "bitbucket-pipelines"
CLOUDBUILD = "cloudbuild"
DRONE = "drone"
JENKINSFILE = "jenkinsfile"
SHELL = "shell"
MAKEFILE = "makefile"
SKAFFOLD = "skaffold"
TILT = "tilt"

YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIXES = (".json",)

# Names that contain "dockerfile" but are not Dockerfiles.
_NOT_DOCKERFILE_SUFFIXES = (
    ".dockerignore", ".md", ".rst", ".txt", ".go", ".py", ".js", ".ts", ".json",
    ".yaml", ".yml", ".toml", ".sh", ".bak", ".orig", ".swp", ".j2.md", ".html",
)

_SHELL_SHEBANG = re.compile(rb"^#!\s*(?:/usr)?/bin/(?:env\s+)?(?:ba|da|k|z)?sh\b")
# apiVersion/kind keys: at the start of a (YAML) line, or after `{` / `,` (JSON).
_K8S_API_VERSION = re.compile(r"(?:^|[{,])[ \t]*(?:-[ \t]+)?[\"']?apiVersion[\"']?[ \t]*:", re.MULTILINE)
_K8S_KIND = re.compile(r"(?:^|[{,])[ \t]*(?:-[ \t]+)?[\"']?kind[\"']?[ \t]*:", re.MULTILINE)
# Skaffold configurations: `apiVersion: skaffold/v4beta11` at the top level.
_SKAFFOLD_API_VERSION = re.compile(r"^apiVersion:[ \t]*[\"']?skaffold/v", re.MULTILINE)
# A top-level `services:` mapping (not a list, as in GitLab CI) holding images or builds.
_COMPOSE_SERVICES = re.compile(r"^services:[ \t]*(?:#.*)?\r?\n(?:[ \t]*(?:#.*)?\r?\n)*[ \t]+[\"']?[A-Za-z0-9_.-]+[\"']?:", re.MULTILINE)
_COMPOSE_IMAGE = re.compile(r"^[ \t]+(?:image|build):", re.MULTILINE)
CHART_DEPTH = 6  # how many folders up a Chart.yaml makes a file part of a chart
CHART_FILES = ("Chart.yaml", "Chart.yml")
# A Go template action, not GitHub's `${{ … }}` (the look-behind after the
# braces, so the search jumps from one `{{` to the next: 20x faster on a
# 17 MB release bundle).
_GO_ACTION = re.compile(r"\{\{(?<!\$\{\{)-?[ \t\n]*(?:[.$\"(]|[A-Za-z_]+[ \t(}])")
# Helm template actions that only Helm charts use.
_HELM_ACTIONS = re.compile(r"\{\{-?\s*(?:[^}]*\.(?:Values|Release|Chart|Capabilities)\b|include\s|template\s|toYaml\b|if\s|with\s|range\s|end\b|define\s)")


def is_dockerfile_name(name: str) -> bool:
    lower = name.lower()
    if lower.endswith(_NOT_DOCKERFILE_SUFFIXES):
        return False
    return (
        "dockerfile" in lower
        or lower.startswith("containerfile")
        or lower.endswith(".containerfile")
    )


def is_tiltfile_name(lower: str) -> bool:
    """``Tiltfile``, ``Tiltfile-api``, ``Tiltfile.dev``, ``lib/nerdctl.Tiltfile``
    (lower-cased), not ``Tiltfile.md``."""
    if lower.endswith(".tiltfile"):
        return True
    return (lower == "tiltfile" or lower.startswith(("tiltfile.", "tiltfile-", "tiltfile_"))) and not lower.endswith(
        _NOT_DOCKERFILE_SUFFIXES
    )


def kind_from_path(path: str) -> str | None:
    """The kind decided by the path alone, or None when content must decide."""
    p = PurePosixPath(path.replace("\\", "/"))
    return _builtin_kind_from_path(p) or families.kind_from_path(p, p.name.lower())


def _builtin_kind_from_path(p: PurePosixPath) -> str | None:
    name = p.name
    lower = name.lower()
    parts = [part.lower() for part in p.parts]
    if is_dockerfile_name(name):
        return DOCKERFILE
    if lower in ("jenkinsfile",) or lower.startswith("jenkinsfile.") or lower.endswith(".jenkinsfile"):
        return JENKINSFILE
    if lower in ("makefile", "gnumakefile") or lower.endswith(".mk") or lower.startswith("makefile."):
        return MAKEFILE
    if lower.endswith((".sh", ".bash")):
        return SHELL
    if is_tiltfile_name(lower):
        return TILT
    if lower.endswith(YAML_SUFFIXES):
        if "templates" in parts[:-1] and _inside_chart_templates(parts):
            return HELM_TEMPLATE
        stem = lower.rsplit(".", 1)[0]
        if lower in ("chart.yaml", "chart.yml"):
            return HELM_CHART
        if stem in ("kustomization",):
            return KUSTOMIZATION
        if stem.startswith(("compose", "docker-compose")):
            return COMPOSE
        if len(parts) >= 3 and parts[-3] == ".github" and parts[-2] == "workflows":
            return GITHUB_WORKFLOW
        if stem == "action" :
            return GITHUB_ACTION
        if lower.startswith(".gitlab-ci") or (len(parts) >= 2 and parts[-2] == ".gitlab-ci"):
            return GITLAB_CI
        if len(parts) >= 2 and parts[-2] == ".circleci" and stem == "config":
            return CIRCLECI
        if stem.startswith("azure-pipelines"):
            return AZURE_PIPELINES
        if stem == "bitbucket-pipelines":
            return BITBUCKET
        if stem.startswith("cloudbuild"):
            return CLOUDBUILD
        if lower in (".drone.yml", ".drone.yaml", ".woodpecker.yml", ".woodpecker.yaml") or (
            len(parts) >= 2 and parts[-2] == ".woodpecker"
        ):
            return DRONE
        if stem.startswith("values"):
            return HELM_VALUES
        return None  # content decides (Kubernetes manifests)
    if lower.endswith(JSON_SUFFIXES):
        return None  # content decides (Kubernetes JSON manifests)
    return None


def _inside_chart_templates(parts: list[str]) -> bool:
    # chart/templates/x.yaml: Go templates, never YAML.  We cannot see
    # Chart.yaml from here cheaply, so any folder named templates whose
    # files use template actions counts; the content check confirms it.
    return True


_LARGE_TEXT = 256 * 1024  # characters; see _chart_template_text


def classify(
    path: str,
    read_text: Callable[[], str | None],
    fs_path: str | os.PathLike[str] | None = None,
    read_bytes: Callable[[], bytes | None] | None = None,
) -> str | None:
    """Kind of the file at ``path`` (its display path; ``fs_path`` where it
    is on disk, when the two differ); ``read_text`` is called only when needed.
    ``read_bytes``, when given, lets a family look at the raw bytes of a file
    it may want (``.py``) before the file is decoded: most such files hold
    none of its words and are never decoded."""
    kind = kind_from_path(path)
    where = os.fspath(fs_path) if fs_path is not None else path
    if kind == HELM_TEMPLATE:
        text = read_text()
        if text is None:
            return None
        if "{{" in text and (_HELM_ACTIONS.search(text) or _chart_above(where)):
            return HELM_TEMPLATE
        # Plain YAML in a templates/ folder (or Argo's `{{workflow.…}}`
        # placeholders, which are quoted YAML, or a GitLab pipeline part in
        # templates/): content decides.
        return _kind_from_yaml_text(text) or _kind_by_content(path, text)
    if kind is not None:
        return kind
    lower = path.lower()
    if lower.endswith(YAML_SUFFIXES + JSON_SUFFIXES):
        text = read_text()
        if text is None:
            return None
        if lower.endswith(YAML_SUFFIXES) and _chart_template_text(text, where):
            return HELM_TEMPLATE
        return _kind_from_yaml_text(text) or _kind_by_content(path, text)
    if "." not in PurePosixPath(path).name:
        text = read_text()
        if text is not None and _SHELL_SHEBANG.match(text[:200].encode("utf-8", "replace")):
            return SHELL
        return families.kind_from_text(path, text) if text is not None else None
    if lower.endswith(families.content_suffixes()):
        data = read_bytes() if read_bytes is not None else None
        if data is not None and not families.may_hold(path, data):
            return None
        text = read_text()
        return families.kind_from_text(path, text) if text is not None else None
    return None


def _chart_template_text(text: str, where: str) -> bool:
    """Whether a YAML file outside ``templates/`` is a Helm template: Go
    actions in it, and a chart around it.  A large text (a release bundle)
    is searched only when a chart is around it; a small one is searched
    first, as that costs less than looking for ``Chart.yaml``."""
    if len(text) >= _LARGE_TEXT and not in_chart(where):
        return False
    return "{{" in text and _GO_ACTION.search(text) is not None and in_chart(where)


def _kind_by_content(path: str, text: str) -> str | None:
    """For a YAML or JSON file that no name and no manifest check placed: a
    GitHub workflow outside ``.github/workflows/`` or a part of a GitLab
    pipeline, told by its text (:mod:`taglint.content_kinds`, YAML only),
    or a kind of the families.  The GitLab look comes after the families':
    it is the least specific."""
    if not path.lower().endswith(YAML_SUFFIXES):
        return families.kind_from_text(path, text)
    from taglint.content_kinds import is_github_workflow_text, is_gitlab_ci_text

    if is_github_workflow_text(text):
        return GITHUB_WORKFLOW
    kind = families.kind_from_text(path, text)
    if kind is not None:
        return kind
    return GITLAB_CI if is_gitlab_ci_text(path, text) else None


def _kind_from_yaml_text(text: str) -> str | None:
    """Skaffold when ``apiVersion: skaffold/…`` is at the top level;
    Kubernetes (YAML or JSON, ``List`` too) when both ``apiVersion`` and
    ``kind`` keys appear; Compose when a top-level ``services:`` mapping has
    ``image:``/``build:`` keys; else None."""
    if "skaffold/" in text and _SKAFFOLD_API_VERSION.search(text):
        return SKAFFOLD
    if _K8S_API_VERSION.search(text) and _K8S_KIND.search(text):
        return KUBERNETES
    if "services:" in text and _COMPOSE_SERVICES.search(text) and _COMPOSE_IMAGE.search(text):
        return COMPOSE
    return None


def in_chart(path: str) -> bool:
    """Is the file at ``path`` (a file-system path) inside a Helm chart: a
    ``Chart.yaml`` in its folder or at most :data:`CHART_DEPTH` - 1 folders up?"""
    folder = os.path.dirname(os.path.abspath(path))
    return _chart_within(folder, CHART_DEPTH)


@lru_cache(maxsize=4096)
def _chart_within(folder: str, depth: int) -> bool:
    if depth <= 0:
        return False
    if any(os.path.isfile(os.path.join(folder, name)) for name in CHART_FILES):
        return True
    parent = os.path.dirname(folder)
    return parent != folder and _chart_within(parent, depth - 1)


def _chart_above(path: str) -> bool:
    """Is there a ``Chart.yaml`` in the folder holding ``templates/``?  Only
    consulted for ``{{`` files whose actions do not already say Helm."""
    parts = path.replace("\\", "/").split("/")
    for index in range(len(parts) - 2, -1, -1):
        if parts[index].lower() == "templates":
            folder = "/".join(parts[:index]) or "."
            return any(os.path.isfile(os.path.join(folder, name)) for name in ("Chart.yaml", "Chart.yml"))
    return False
