"""Kustomize ``images:`` overrides applied to the resources they include.

A Kubernetes manifest is *included* by a kustomization when it is listed in
its ``resources``/``bases``/``components``/patches, directly or through a
folder whose own kustomization includes it.  The kustomizations considered
are those in the scan plus those found (on disk, scanned or not) in the
manifest's folder and its parent folders, and every kustomization they
include.  Overlays usually sit beside their base (``app/base``,
``app/overlays/prod``) rather than above it, so when a kustomization found
that way is included by none of them and is not itself scanned (pre-commit
passing only ``app/base/deployment.yaml``), the folders near it (two levels
up, never above the working directory, three levels down, at most 2,000
folders per scan) are searched for kustomization files too.

A *build root* is a considered kustomization that no other considered one
includes: one ``kustomize build``.  For each build root that includes a
manifest, the ``images:`` entries of the chain from the innermost
kustomization out to the root are applied in that order, as kustomize does
(an entry matches the reference's name without tag/digest; ``newName``
renames, ``newTag``/``digest`` decide the tag):

* when every build root decides the tag or digest, the manifest's own
  reference is not judged: the entry that decides it is.  If that
  kustomization is in the scan its entry already is an :class:`ImageRef`
  (the extractor made it); it gets ``origin`` = the manifest reference when
  it had none.  If it is not in the scan, a reference at the entry's line
  with ``origin`` = the manifest reference takes the manifest reference's
  place in the manifest's ``FileFacts`` (its ``path`` names the
  kustomization; no ``FileFacts`` is added for files outside the scan).
* otherwise the manifest reference stays where it is, with the value after
  any ``newName`` renames of the first undecided build and a ``via`` step
  per rename.

Inline patches come first in each kustomization, as kustomize runs its
patch transformers before the ``images:`` one: a patch that sets the
image of the manifest's container (same kind and name, the container of
that name for a strategic-merge patch, the same key path for a JSON 6902
operation) replaces the value, and decides it like a ``newTag`` entry
(the patch's reference in the kustomization is judged, with the manifest
reference as its ``origin``) unless an ``images:`` entry retags it after.
"""
from __future__ import annotations

import dataclasses
import os
import re
from typing import Any, NamedTuple

from taglint.model import FileFacts, ImageRef, Location, Step
from taglint.resolve import ResolveContext
from taglint.source import ExtractContext

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
MAX_PARENTS = 12
MAX_CHAIN = 32


class Kustomization(NamedTuple):
    folder: str  # normalised file-system folder
    path: str  # display path of the kustomization file
    images: list[dict[str, Any]]
    files: frozenset[str]  # included manifest files (normalised fs paths), direct
    folders: tuple[str, ...]  # included folders (normalised fs paths)
    facts: FileFacts | None  # when it is in the scan
    patches: tuple[dict[str, Any], ...] = ()  # images its inline patches set (extract.kubernetes.inline_patches)


def image_name(reference: str) -> str:
    """``reg:5000/a/b:1.0@sha256:…`` → ``reg:5000/a/b`` (what kustomize matches)."""
    name = reference.split("@", 1)[0]
    colon = name.rfind(":")
    if colon > name.rfind("/"):
        name = name[:colon]
    return name


def resolve(files: list[FileFacts], ctx: ResolveContext) -> None:
    manifests: list[FileFacts] = []
    scanned_facts: list[FileFacts] = []
    for facts in files:
        kind = facts.kind
        if kind == "kubernetes":
            if facts.images:
                manifests.append(facts)
        elif kind == "kustomization" and "kustomize" in facts.extras:
            scanned_facts.append(facts)
    if not manifests:
        return
    abspath = ctx.abspath
    known: dict[str, Kustomization | None] = ctx.cache.setdefault(("kustomize", "folders"), {})
    scanned: dict[str, FileFacts] = {}
    for facts in scanned_facts:
        scanned[_parent(abspath(facts.path))] = facts

    def load(folder: str) -> Kustomization | None:
        if folder in known:
            return known[folder]
        known[folder] = None  # cycle guard while loading
        facts = scanned.get(folder)
        if facts is None:
            facts_on_disk = _read_kustomization(folder, ctx)
            found = _from_facts(folder, facts_on_disk, None, ctx) if facts_on_disk else None
        else:
            found = _from_facts(folder, facts, facts, ctx)
        known[folder] = found
        return found

    # Every kustomization to consider: scanned ones, those above each
    # manifest, and (transitively) every folder they include.
    pending = list(scanned)
    visited_folders: set[str] = set()
    manifest_paths = {id(facts): abspath(facts.path) for facts in manifests}
    for path in manifest_paths.values():
        folder = _parent(path)
        for _ in range(MAX_PARENTS):
            if folder in visited_folders:
                break  # this folder and all above it are queued already
            visited_folders.add(folder)
            pending.append(folder)
            parent = _parent(folder)
            if parent == folder:
                break
            folder = parent
    considered: dict[str, Kustomization] = {}

    def consider(pending: list[str]) -> None:
        while pending:
            folder = pending.pop()
            if folder in considered:
                continue
            found = load(folder)
            if found is None:
                continue
            considered[folder] = found
            pending.extend(found.folders)

    consider(pending)
    if not considered:
        return
    # Overlays usually sit beside their base (app/base, app/overlays/prod),
    # not above it: when a kustomization is included by none we know of,
    # look for kustomizations near it (as when pre-commit passes only the
    # base's files).
    included = {child for kust in considered.values() for child in kust.folders}
    orphans = [folder for folder in considered if folder not in included and folder not in scanned]
    if orphans:
        consider(_nearby_kustomizations(orphans, ctx))

    included_by: dict[str, list[str]] = {}
    listers: dict[str, list[str]] = {}
    for folder, kust in considered.items():
        for child in kust.folders:
            if child in considered:
                included_by.setdefault(child, []).append(folder)
        for listed in kust.files:
            listers.setdefault(listed, []).append(folder)

    def chains_to(target_file: str) -> list[list[Kustomization]]:
        """For each build root including ``target_file``: innermost → root chain."""
        chains: dict[str, list[Kustomization]] = {}
        for lister in listers.get(target_file, []):
            stack: list[list[str]] = [[lister]]
            while stack:
                trail = stack.pop()
                parents = [p for p in included_by.get(trail[-1], []) if p not in trail]
                if not parents or len(trail) > MAX_CHAIN:
                    chains.setdefault(trail[-1], [considered[f] for f in trail])
                    continue
                stack.extend(trail + [p] for p in reversed(parents))
        return list(chains.values())

    entry_refs: dict[tuple[str, Any], tuple[FileFacts, int]] = {}
    for facts in scanned.values():
        for index, ref in enumerate(facts.images):
            entry_refs[(facts.path, ref.span)] = (facts, index)
    added: set[tuple[str, Any]] = set()  # kustomization lines not in the scan, reported once

    for facts in manifests:
        chains = chains_to(manifest_paths[id(facts)])
        if not chains:
            continue
        kept: list[ImageRef] = []
        for ref in facts.images:
            if ref.kind != "kubernetes" or (ref.stage or "").startswith("ConfigMap/"):
                kept.append(ref)  # a GitOps override or ConfigMap data: not a field kustomize sets
                continue
            outcome = [_apply(chain, ref) for chain in chains]
            if not any(result.changed for result in outcome):
                kept.append(ref)
                continue
            undecided = [result for result in outcome if result.decided is None]
            if undecided:
                first = undecided[0]
                if first.value != ref.value:
                    ref = dataclasses.replace(ref, value=first.value, via=ref.via + tuple(first.steps))
                kept.append(ref)
                continue
            origin = Location(ref.path, ref.span)
            for result in outcome:
                kust, entry = result.decided  # type: ignore[misc]
                key = (kust.path, entry["span"])
                if key in entry_refs:
                    owner, index = entry_refs[key]
                    if owner.images[index].origin is None:
                        owner.images[index] = dataclasses.replace(owner.images[index], origin=origin)
                elif key not in added:
                    added.add(key)
                    kept.append(ImageRef(
                        path=kust.path,
                        span=entry["span"],
                        written=entry.get("written") or (entry.get("new_tag") or entry.get("digest") or ""),
                        value=result.value,
                        kind="kustomization",
                        context=entry.get("context") or f"images[{entry['index']}] (name {entry['name']})",
                        via=tuple(result.steps),
                        origin=origin,
                    ))
        facts.images[:] = kept


def _parent(path: str) -> str:
    """``os.path.dirname`` of a normalised path (quicker for the common case)."""
    index = path.rfind("/")
    if index > 0 and path[index - 1] != "/" and os.sep == "/":
        return path[:index]
    return os.path.dirname(path)


class _Outcome(NamedTuple):
    value: str
    steps: list[Step]
    decided: tuple[Kustomization, dict[str, Any]] | None  # the entry deciding tag/digest
    changed: bool


def _apply(chain: list[Kustomization], ref: ImageRef) -> _Outcome:
    value = ref.value
    steps: list[Step] = []
    decided: tuple[Kustomization, dict[str, Any]] | None = None
    changed = False
    for kust in chain:
        patch = _patch_for(kust, ref) if kust.patches else None
        if patch is not None:  # patches apply before the images: transformer
            changed = True
            value = patch["value"]
            decided = (kust, patch)
            steps.append(Step(f"{kust.path} {patch['context']}", value, Location(kust.path, patch["span"])))
        name = image_name(value)
        for entry in kust.images:
            if entry["name"] != name:
                continue
            changed = True
            rest = value[len(name) :]
            tag = rest.split("@", 1)[0] if rest.startswith(":") else ""
            digest = "@" + rest.split("@", 1)[1] if "@" in rest else ""
            new_name = entry.get("new_name") or name
            if entry.get("new_name"):
                steps.append(Step(f"{kust.path} images newName", new_name, Location(kust.path, entry["span"])))
            if entry.get("new_tag"):
                tag, digest = ":" + entry["new_tag"], ""
            if entry.get("digest"):
                digest = "@" + entry["digest"]
                if not entry.get("new_tag"):
                    tag = ""
            if entry.get("new_tag") or entry.get("digest"):
                decided = (kust, entry)
                steps.append(Step(f"{kust.path} images newTag/digest", (tag + digest).lstrip(":"), Location(kust.path, entry["span"])))
            value = new_name + tag + digest
            break
    return _Outcome(value, steps, decided, changed)


_CONTAINER = re.compile(r" \(container (?P<name>[^)]*)\)$")
_INDEX = re.compile(r"\[\d+\]")


def _patch_for(kust: Kustomization, ref: ImageRef) -> dict[str, Any] | None:
    """The last inline patch of ``kust`` that sets the image ``ref`` names:
    same object (kind, name), and the same container (a strategic-merge
    patch merges containers by name) or the same key path (JSON 6902)."""
    kind, _, name = (ref.stage or "").partition("/")
    match = _CONTAINER.search(ref.context)
    container = match.group("name") if match else None
    key_path = ref.context[: match.start()] if match else ref.context
    for entry in reversed(kust.patches):
        if (entry.get("kind") and entry["kind"] != kind) or (entry.get("name") and entry["name"] != name):
            continue
        if entry.get("container") is not None:
            if entry["container"] == container and _INDEX.sub("[]", entry["path"]) == _INDEX.sub("[]", key_path):
                return entry
        elif entry.get("path") == key_path:
            return entry
    return None


SEARCH_UP = 2  # folders above an unincluded kustomization to search from
SEARCH_DEPTH = 3  # how deep below each of them
SEARCH_BUDGET = 2000  # folders listed at most, per scan
_SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".venv", "vendor"})


def _nearby_kustomizations(orphans: list[str], ctx: ResolveContext) -> list[str]:
    """Folders holding a kustomization file near the ``orphans`` folders."""
    budget = ctx.cache.setdefault(("kustomize", "budget"), [SEARCH_BUDGET])
    searched: set[str] = ctx.cache.setdefault(("kustomize", "searched"), set())
    found: list[str] = []
    for orphan in orphans:
        top = ctx.abspath(".")
        if not (orphan == top or orphan.startswith(top.rstrip(os.sep) + os.sep)):
            continue  # never search outside the working directory
        start = orphan
        for _ in range(SEARCH_UP):
            if start == top:
                break
            start = os.path.dirname(start)
        if start in searched:
            continue
        searched.add(start)
        queue = [(start, 0)]
        while queue and budget[0] > 0:
            folder, depth = queue.pop()
            budget[0] -= 1
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            names = {entry.name for entry in entries}
            if any(name in names for name in KUSTOMIZATION_NAMES):
                found.append(folder)
            if depth < SEARCH_DEPTH:
                for entry in entries:
                    if entry.name not in _SKIPPED_DIRS and entry.is_dir(follow_symlinks=False):
                        queue.append((entry.path, depth + 1))
    return found


def _read_kustomization(folder: str, ctx: ResolveContext) -> FileFacts | None:
    if not ctx.any_exists(folder, KUSTOMIZATION_NAMES):
        return None  # the common case, answered without reading or raising
    for name in KUSTOMIZATION_NAMES:
        source = ctx.read(os.path.join(folder, name))
        if source is None:
            continue
        from taglint.extract.kubernetes import kustomize

        facts = kustomize.extract(source, ExtractContext())
        return facts if "kustomize" in facts.extras else None
    return None


def _from_facts(folder: str, facts: FileFacts, scanned: FileFacts | None, ctx: ResolveContext) -> Kustomization:
    data = facts.extras["kustomize"]
    files: set[str] = set()
    folders: list[str] = []
    for entry in list(data.get("resources", [])) + list(data.get("components", [])):
        target = os.path.normpath(os.path.join(folder, entry))
        if ctx.is_dir(target):
            folders.append(target)
        else:
            files.add(target)
    return Kustomization(
        folder=folder,
        path=facts.path,
        images=list(data.get("images", [])),
        files=frozenset(files),
        folders=tuple(folders),
        facts=scanned,
        patches=tuple(data.get("patches", ())),
    )
