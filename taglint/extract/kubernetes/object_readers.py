"""Readers for manifest objects whose images are not (only) ``image:`` keys.

Most objects are read by the generic walk of
:mod:`taglint.extract.kubernetes.manifests`.  Some name images in their own
way: a GitOps object's image overrides (Argo CD ``Application``, Flux
``HelmRelease``), image settings inside ConfigMap data written as JSON or
YAML strings.  Each such object type has a reader here, by API group and
kind; the walk calls it on the object first (even for objects it skips
otherwise) and then walks the object as usual, unless it is skipped.

A reader is ``read(obj: MappingNode, prefix: Path_, path: str, text: str)
-> list[ImageRef]``, named as ``"module:function"`` so that it is imported
only when a file holds such an object.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import lru_cache

from taglint.model import ImageRef
from taglint.yamlnodes import MappingNode, Path_

Reader = Callable[[MappingNode, Path_, str, str], list[ImageRef]]

# (API group, kind) -> "module:function".  The core group is "".
READERS: dict[tuple[str, str], str] = {
    ("argoproj.io", "Application"): "taglint.extract.kubernetes.argocd:read",
    ("argoproj.io", "ApplicationSet"): "taglint.extract.kubernetes.argocd:read",
    ("helm.toolkit.fluxcd.io", "HelmRelease"): "taglint.extract.kubernetes.flux:read",
    ("", "ConfigMap"): "taglint.extract.kubernetes.configmap:read",
}


def has_reader(group: str, kind: str) -> bool:
    return (group, kind) in READERS


@lru_cache(maxsize=None)
def reader_for(group: str, kind: str) -> Reader | None:
    name = READERS.get((group, kind))
    if name is None:
        return None
    module, function = name.split(":")
    reader: Reader = getattr(importlib.import_module(module), function)
    return reader
