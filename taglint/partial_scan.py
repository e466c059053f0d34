"""When only some files of a project are named (a pre-commit run): the
deployable units (:mod:`taglint.units`) whose other files were not scanned,
so that rules comparing the files of a unit (TL113) compared only part of
it.  Resolvers read the neighbours they need from disk themselves (Helm
values, Kustomize bases and overlays); these rules do not."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from taglint.discovery import SKIPPED_DIRS
from taglint.model import FileFacts
from taglint.units import PIPELINE_KINDS, Units

# Files that may hold image references a unit's other files are compared with.
_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
# Folders whose subfolders belong to the same unit (a chart, a Kustomize tree).
_TREE_MARKERS = ("Chart.yaml", "kustomization.yaml", "kustomization.yml", "Kustomization")
_MAX_ENTRIES = 5000  # a bound on the look: the answer is a hint


def _may_hold_images(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(_MANIFEST_SUFFIXES) or "dockerfile" in lower or lower.startswith("containerfile")


def _unit_files(folder: Path) -> Iterable[Path]:
    """Files of the unit at ``folder``: its own, and those of its subfolders
    when it is a chart or a Kustomize tree."""
    tree = any((folder / marker).is_file() for marker in _TREE_MARKERS)
    seen = 0
    for top, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS) if tree else []
        for name in files:
            seen += 1
            if seen > _MAX_ENTRIES:
                return
            yield Path(top) / name


def units_not_fully_scanned(files: list[FileFacts], named: Iterable[str], skipped: Iterable[str], cwd: Path) -> list[str]:
    """Units (display paths of folders) of the files ``named`` on the
    command line that hold image references, where another file that may
    hold some was neither scanned nor listed as ``skipped``."""
    def norm(path: str | Path) -> str:
        return os.path.normpath(cwd / path)

    named_files = {norm(path) for path in named}
    units = Units.of_scan((facts.path, facts.kind) for facts in files)
    considered = {norm(facts.path) for facts in files} | {norm(path) for path in skipped}
    wanted = sorted({
        units.unit_of(facts.path, facts.kind)
        for facts in files
        if facts.images and facts.kind not in PIPELINE_KINDS and norm(facts.path) in named_files
    })
    out = []
    for unit in wanted:
        folder = cwd / unit if unit else cwd
        if not folder.is_dir():
            continue  # a file that is a unit by itself
        if any(_may_hold_images(path.name) and norm(path) not in considered for path in _unit_files(folder)):
            out.append(unit or ".")
    return out
