"""Skaffold configurations (``skaffold.yaml``: ``apiVersion: skaffold/v…``,
``kind: Config``; several documents, ``profiles``, ``requires``).

Skaffold builds the images its ``build.artifacts[].image`` name
(``imageName`` in the first schema versions) and, when it deploys, puts
the tag it built in place of every ``image`` value whose name (without its
tag) is an artifact's, in the manifests it renders; a reference pinned by
digest is left alone.  Those names are the repository's own images, not
pulls: this extractor reports none of them.  It records, for
:mod:`taglint.resolve.build_tools`, ``extras["build_tool"]``:

* ``tool``: ``"skaffold"``;
* ``images``: the artifact names of every document and profile, including
  names set by profile ``patches`` (``/build/artifacts/0/image``);
* ``manifests``: what it deploys, relative to the file's folder, as
  written (globs too): ``manifests.rawYaml``, ``manifests.kustomize.paths``,
  ``manifests.kpt``, ``manifests.helm.releases[].chartPath``/``valuesFiles``
  and the v1/v2 ``deploy.kubectl.manifests``, ``deploy.kustomize.path(s)``,
  ``deploy.kpt.dir``, ``deploy.helm.releases[]``; remote URLs are left out;
* ``requires``: the paths of the configurations it requires (their
  artifacts are built in the same run);
* ``helm_values``: for each Helm release with a local ``chartPath``, the
  values keys Skaffold sets to an image it built (``setValueTemplates``
  from ``{{.IMAGE_REPO_app}}``/``{{.IMAGE_TAG_app}}``/
  ``{{.IMAGE_FULLY_QUALIFIED_app}}``…, and ``artifactOverrides``,
  ``setValues`` or the first schemas' ``values`` that name an artifact),
  as image blocks: ``image.repository`` and ``image.tag`` are ``image``.

What Skaffold pulls is reported as image references: the base and builder
images of artifacts (``ko.fromImage``, ``jib.fromImage``,
``buildpacks.builder``/``runImage``, ``kaniko.image``), the step images of
``build.googleCloudBuild`` and the containers of ``verify`` tests and
``customActions`` — unless they name an artifact of the same file (an image
built first and used as a base).
"""
from __future__ import annotations

import re
from typing import Any

from taglint.extract.ci.common import CiFile, MappingNode, Node, items, iter_mapping, mapping_get, scalar_str
from taglint.model import FileFacts
from taglint.resolve.kustomize import image_name
from taglint.source import ExtractContext, SourceFile

KIND = "skaffold"
TOOL = "skaffold"
API_PREFIX = "skaffold/"

# Images an artifact's builder pulls: (builder key, image key).
ARTIFACT_PULLS = (
    ("ko", "fromImage"),
    ("jib", "fromImage"),
    ("buildpacks", "builder"),
    ("buildpacks", "runImage"),
    ("kaniko", "image"),
)
CLOUD_BUILD_IMAGES = ("dockerImage", "kanikoImage", "mavenImage", "gradleImage", "packImage", "koImage")
_REMOTE = ("http://", "https://", "gs://", "oci://", "git@")


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    ci = CiFile(source, KIND)
    tool: dict[str, Any] = {"tool": TOOL, "images": [], "manifests": [], "requires": []}
    releases: list[Node] = []
    for doc in ci.documents():
        if not isinstance(doc, MappingNode) or not is_skaffold_config(doc):
            continue
        ci.root = doc
        _pipeline(ci, doc, "", tool)
        releases += _helm_releases(doc)
        for index, profile in enumerate(items(mapping_get(doc, "profiles"))):
            if isinstance(profile, MappingNode):
                _pipeline(ci, profile, f"profiles[{index}].", tool)
                _patches(profile, tool)
                releases += _helm_releases(profile)
        for entry in items(mapping_get(doc, "requires")):
            path = scalar_str(mapping_get(entry, "path"))
            if path and not path.startswith(_REMOTE):
                tool["requires"].append(path)
    facts = ci.facts
    built = set(tool["images"])
    if built:  # a base image built by another artifact is not pulled either
        facts.images[:] = [ref for ref in facts.images if image_name(ref.value) not in built]
    for key in ("images", "manifests", "requires"):
        tool[key] = list(dict.fromkeys(tool[key]))
    tool["helm_values"] = [found for found in (_overridden(release, built) for release in releases) if found]
    facts.extras["build_tool"] = tool
    return facts


def is_skaffold_config(doc: MappingNode) -> bool:
    api = scalar_str(mapping_get(doc, "apiVersion")) or ""
    return api.startswith(API_PREFIX) and scalar_str(mapping_get(doc, "kind")) == "Config"


def _pipeline(ci: CiFile, node: MappingNode, where: str, tool: dict[str, Any]) -> None:
    """A document or a profile: build, manifests, deploy, verify, customActions."""
    build = mapping_get(node, "build")
    for index, artifact in enumerate(items(mapping_get(build, "artifacts"))):
        name = scalar_str(mapping_get(artifact, "image")) or scalar_str(mapping_get(artifact, "imageName"))
        if name and name.strip():
            tool["images"].append(name.strip())
        for builder, key in ARTIFACT_PULLS:
            value = mapping_get(mapping_get(artifact, builder), key)
            ci.image(value, f"{where}build.artifacts[{index}].{builder}.{key}")
    cloud_build = mapping_get(build, "googleCloudBuild")
    for key in CLOUD_BUILD_IMAGES:
        ci.image(mapping_get(cloud_build, key), f"{where}build.googleCloudBuild.{key}")
    for index, test in enumerate(items(mapping_get(node, "verify"))):
        ci.image(mapping_get(mapping_get(test, "container"), "image"), f"{where}verify[{index}].container.image")
    for index, action in enumerate(items(mapping_get(node, "customActions"))):
        for number, container in enumerate(items(mapping_get(action, "containers"))):
            ci.image(mapping_get(container, "image"), f"{where}customActions[{index}].containers[{number}].image")
    tool["manifests"].extend(_deployed(mapping_get(node, "manifests"), mapping_get(node, "deploy")))


def _deployed(manifests: Node | None, deploy: Node | None) -> list[str]:
    """The paths (and globs) of what a pipeline renders and deploys."""
    found: list[Node] = []
    found += items(mapping_get(manifests, "rawYaml"))
    found += items(mapping_get(mapping_get(manifests, "kustomize"), "paths"))
    found += items(mapping_get(manifests, "kpt"))
    kubectl = mapping_get(deploy, "kubectl")
    found += items(mapping_get(kubectl, "manifests"))
    kustomize = mapping_get(deploy, "kustomize")
    found += items(mapping_get(kustomize, "paths")) + [mapping_get(kustomize, "path")]
    found.append(mapping_get(mapping_get(deploy, "kpt"), "dir"))
    for helm in (mapping_get(manifests, "helm"), mapping_get(deploy, "helm")):
        for release in items(mapping_get(helm, "releases")):
            found.append(mapping_get(release, "chartPath"))
            found += items(mapping_get(release, "valuesFiles"))
    paths = (scalar_str(node) for node in found if node is not None)
    return [path.strip() for path in paths if path and path.strip() and not path.startswith(_REMOTE)]


def _helm_releases(node: MappingNode) -> list[Node]:
    return [
        release
        for helm in (mapping_get(mapping_get(node, "manifests"), "helm"), mapping_get(mapping_get(node, "deploy"), "helm"))
        for release in items(mapping_get(helm, "releases"))
    ]


_IMAGE_TEMPLATE = re.compile(r"\{\{\s*\.IMAGE_(?:REPO|TAG|DIGEST|FULLY_QUALIFIED|REPO_NO_DOMAIN|DOMAIN)_")
# The last key of a values path that is one part of an image block.
_BLOCK_PARTS = frozenset({"repository", "repo", "tag", "registry", "digest"})


def _overridden(release: Node, artifacts: set[str]) -> dict[str, Any] | None:
    """The chart of a release and the image blocks of its values that
    Skaffold sets to an image it built."""
    chart = scalar_str(mapping_get(release, "chartPath"))
    if not chart or not chart.strip() or chart.startswith(_REMOTE):
        return None
    keys: list[str] = []
    for key, _, value in iter_mapping(mapping_get(release, "setValueTemplates")):
        if _IMAGE_TEMPLATE.search(scalar_str(value) or ""):
            keys.append(image_block(key))
    for section in ("artifactOverrides", "setValues", "values"):
        for key, _, value in iter_mapping(mapping_get(release, section)):
            if (scalar_str(value) or "").strip() in artifacts:
                keys.append(image_block(key))
    return {"chart": chart.strip(), "keys": list(dict.fromkeys(keys))} if keys else None


def image_block(key: str) -> str:
    """``image.repository`` → ``image``: the values block a key is part of."""
    head, _, last = key.rpartition(".")
    return head if head and last in _BLOCK_PARTS else key


def _patches(profile: MappingNode, tool: dict[str, Any]) -> None:
    """Artifact names a profile sets with JSON patches: ``path:
    /build/artifacts/0/image`` with a string value, or a whole artifact
    added at ``/build/artifacts/-``."""
    for patch in items(mapping_get(profile, "patches")):
        path = scalar_str(mapping_get(patch, "path")) or ""
        value = mapping_get(patch, "value")
        parts = path.strip("/").split("/")
        if parts[:2] != ["build", "artifacts"]:
            continue
        if len(parts) == 4 and parts[3] in ("image", "imageName"):
            name = scalar_str(value)
        elif len(parts) == 3 and isinstance(value, MappingNode):
            name = scalar_str(mapping_get(value, "image"))
        else:
            continue
        if name and name.strip():
            tool["images"].append(name.strip())
