"""Images a build tool of the repository builds and substitutes when it deploys.

Skaffold (``skaffold.yaml``) and Tilt (``Tiltfile``) build images and, when
they deploy, put what they built in place of the references to those names
in the files they deploy (:mod:`taglint.extract.kubernetes.skaffold`,
:mod:`taglint.extract.kubernetes.tilt` say which).  Such a reference is the
repository's own image, not a pull: ``image: frontend`` untagged is not a
``:latest`` pull when Skaffold builds ``frontend``.  So the references a
build tool owns are removed from the facts, and no image rule judges them.

A build tool configuration *owns* a reference when

* the file holding it (or the file it was moved to or from by another
  resolver) is in the configuration's folder or below, or is, or is below,
  a path the configuration lists as deployed (globs too); only the file
  kinds the tool deploys count: Kubernetes manifests, Helm values and
  templates, kustomizations, and for Tilt also Compose files;
* its name (without tag) is one the configuration builds — for Skaffold
  also those of the configurations it ``requires`` (built in the same run)
  — or, for a Tilt name written with a tag, the same name and tag; and
* it is not pinned by digest (Skaffold leaves those alone);

or, whatever its name, when it comes from a values key of a chart that a
Skaffold Helm release sets to an image Skaffold built (``setValueTemplates:
{image.repository: "{{.IMAGE_REPO_app}}"}``): the reference in the values
file of that chart, or a template's reference built from that key.

The configurations considered are those in the scan and those on disk
(``skaffold.yaml``, ``skaffold.yml``, ``Tiltfile``) in the folder of each
file holding references, or in a folder above it (12 at most), so a
pre-commit run over one changed manifest judges it as a whole scan would.
"""
from __future__ import annotations

import os
import re
from typing import Any, NamedTuple

from taglint.extract.kubernetes.skaffold import image_block
from taglint.globs import compile_glob
from taglint.model import FileFacts, ImageRef
from taglint.resolve import ResolveContext
from taglint.resolve.kustomize import _parent, image_name
from taglint.source import ExtractContext

CONFIG_NAMES = ("skaffold.yaml", "skaffold.yml", "Tiltfile")
CONFIG_KINDS = {"skaffold.yaml": "skaffold", "skaffold.yml": "skaffold", "Tiltfile": "tilt"}
# The file kinds each tool deploys, and so may substitute images in.
DEPLOYED_KINDS: dict[str, frozenset[str]] = {
    "skaffold": frozenset({"kubernetes", "helm-values", "helm-template", "kustomization"}),
    "tilt": frozenset({"kubernetes", "helm-values", "helm-template", "kustomization", "compose"}),
}
ALL_DEPLOYED_KINDS = frozenset().union(*DEPLOYED_KINDS.values())
HELM_KINDS = frozenset({"helm-values", "helm-template"})
MAX_PARENTS = 12
MAX_REQUIRES = 16  # configurations followed through `requires`, per configuration
_DOCKER_HUB = ("docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/")


class Owner(NamedTuple):
    """One build tool configuration: what it builds and where it deploys."""

    tool: str  # "skaffold" | "tilt"
    path: str  # display path of the configuration file
    folder: str  # normalised file-system folder of the configuration
    names: frozenset[str]  # names built without a tag (normalised)
    tagged: frozenset[str]  # names built with a tag (normalised name:tag)
    deployed: tuple[re.Pattern[str], ...]  # listed paths and globs, absolute
    helm_values: tuple[tuple[str, frozenset[str]], ...] = ()  # (chart folder, image blocks Skaffold sets)

    def covers(self, fs_path: str) -> bool:
        if fs_path.startswith(self.folder.rstrip(os.sep) + os.sep):
            return True
        portable = fs_path.replace(os.sep, "/")
        return any(pattern.match(portable) for pattern in self.deployed)

    def builds(self, value: str) -> bool:
        if "@" in value:
            return False  # pinned by digest: left as it is
        name = image_name(value)
        return normalised(name) in self.names or normalised(name) + value[len(name):] in self.tagged

    def sets_values_of(self, ref: ImageRef, fs_path: str) -> bool:
        """Is ``ref`` built from chart values this configuration overrides?
        Only the chart's own values files and templates count: a subchart's
        values are other keys of the parent's."""
        blocks = {ref.context} | {_values_block(step.name) for step in ref.via}
        return any(
            (_parent(fs_path) == chart or fs_path.startswith(os.path.join(chart, "templates", "")))
            and not blocks.isdisjoint(keys)
            for chart, keys in self.helm_values
        )


def _values_block(step_name: str) -> str:
    """``values image.tag`` / ``.Values.image.repository`` → ``image``."""
    for prefix in ("values ", ".Values."):
        if step_name.startswith(prefix):
            return image_block(step_name[len(prefix):].split(" ", 1)[0])
    return ""


def normalised(name: str) -> str:
    """``docker.io/library/redis`` → ``redis``: the names Docker Hub gives one image."""
    for prefix in _DOCKER_HUB:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def resolve(files: list[FileFacts], ctx: ResolveContext) -> None:
    holders = [facts for facts in files if facts.kind in ALL_DEPLOYED_KINDS and facts.images]
    if not holders:
        return
    abspath = ctx.abspath
    scanned: dict[str, list[FileFacts]] = {}
    for facts in files:
        if "build_tool" in facts.extras:
            scanned.setdefault(_parent(abspath(facts.path)), []).append(facts)
    owners: dict[str, list[Owner]] = ctx.cache.setdefault(("build_tools", "owners"), {})

    def owners_in(folder: str) -> list[Owner]:
        if folder not in owners:
            owners[folder] = [_owner(facts, folder, ctx) for facts in _configs_in(folder, scanned, ctx)]
        return owners[folder]

    found: dict[str, Owner] = {}
    for folder in scanned:
        for owner in owners_in(folder):
            found.setdefault(owner.path, owner)
    visited: set[str] = set()
    for facts in holders:
        folder = _parent(abspath(facts.path))
        for _ in range(MAX_PARENTS):
            if folder in visited:
                break
            visited.add(folder)
            for owner in owners_in(folder):
                found.setdefault(owner.path, owner)
            parent = _parent(folder)
            if parent == folder:
                break
            folder = parent
    if not found:
        return
    candidates = list(found.values())
    for facts in holders:
        kept = [ref for ref in facts.images if not _owned(ref, facts, candidates, ctx)]
        if len(kept) != len(facts.images):
            facts.images[:] = kept


def _owned(ref: ImageRef, facts: FileFacts, owners: list[Owner], ctx: ResolveContext) -> bool:
    deploying = [owner for owner in owners if facts.kind in DEPLOYED_KINDS[owner.tool]]
    builders = [owner for owner in deploying if owner.builds(ref.value)]
    helm = [owner for owner in deploying if owner.helm_values] if facts.kind in HELM_KINDS else []
    if not builders and not helm:
        return False
    places = {facts.path, ref.path} | ({ref.origin.path} if ref.origin is not None else set())
    paths = [ctx.abspath(place) for place in places]
    return any(owner.covers(path) for owner in builders for path in paths) or any(
        owner.sets_values_of(ref, path) for owner in helm for path in paths
    )


def _configs_in(folder: str, scanned: dict[str, list[FileFacts]], ctx: ResolveContext) -> list[FileFacts]:
    """The build tool configurations of one folder: scanned ones, and those
    on disk under the usual names that the scan does not hold."""
    configs = list(scanned.get(folder, ()))
    have = {os.path.basename(ctx.abspath(facts.path)) for facts in configs}
    if ctx.any_exists(folder, CONFIG_NAMES):
        for name in CONFIG_NAMES:
            if name not in have:
                facts = _read_config(os.path.join(folder, name), CONFIG_KINDS[name], ctx)
                if facts is not None:
                    configs.append(facts)
    return configs


def _read_config(fs_path: str, kind: str, ctx: ResolveContext) -> FileFacts | None:
    key = ("build_tools", "config", fs_path)
    if key in ctx.cache:
        return ctx.cache[key]  # type: ignore[no-any-return]
    ctx.cache[key] = None  # cycle guard while reading
    source = ctx.read(fs_path)
    facts: FileFacts | None = None
    if source is not None:
        from taglint.extract import extractor_for

        try:
            read = extractor_for(kind)(source, ExtractContext())
        except Exception:  # noqa: BLE001 - an unreadable neighbour owns nothing
            read = None
        if read is not None and "build_tool" in read.extras:
            facts = read
    ctx.cache[key] = facts
    return facts


def _owner(facts: FileFacts, folder: str, ctx: ResolveContext) -> Owner:
    tool: dict[str, Any] = facts.extras["build_tool"]
    names: set[str] = set(tool.get("images", ()))
    names |= _required_names(folder, list(tool.get("requires", ())), ctx)
    untagged = {normalised(name) for name in names if image_name(name) == name}
    tagged = {normalised(image_name(name)) + name[len(image_name(name)):] for name in names if image_name(name) != name}
    deployed = []
    for entry in tool.get("manifests", ()):
        target = os.path.normpath(os.path.join(folder, entry)).replace(os.sep, "/")
        deployed.append(compile_glob(target, anchored_names=False))
    helm_values = tuple(
        (os.path.normpath(os.path.join(folder, entry["chart"])), frozenset(entry["keys"]))
        for entry in tool.get("helm_values", ())
    )
    return Owner(
        tool=str(tool.get("tool", facts.kind)),
        path=facts.path,
        folder=folder,
        names=frozenset(untagged),
        tagged=frozenset(tagged),
        deployed=tuple(deployed),
        helm_values=helm_values,
    )


def _required_names(folder: str, requires: list[str], ctx: ResolveContext) -> set[str]:
    """Artifact names of the Skaffold configurations ``requires`` names
    (folders holding a ``skaffold.yaml``, or files), transitively."""
    names: set[str] = set()
    seen: set[str] = set()
    pending = [(folder, entry) for entry in requires]
    while pending and len(seen) < MAX_REQUIRES:
        base, entry = pending.pop()
        target = os.path.normpath(os.path.join(base, entry))
        path = target if not ctx.is_dir(target) else os.path.join(target, "skaffold.yaml")
        if path in seen:
            continue
        seen.add(path)
        facts = _read_config(path, "skaffold", ctx)
        if facts is None:
            continue
        tool = facts.extras["build_tool"]
        names.update(tool.get("images", ()))
        pending.extend((os.path.dirname(path), child) for child in tool.get("requires", ()))
    return names
