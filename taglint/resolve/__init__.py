"""Project-level resolution: knowledge that crosses files.

Each module named in :data:`RESOLVERS` defines ``resolve(files:
list[FileFacts], ctx: ResolveContext) -> None`` and rewrites
``FileFacts.images`` in place (facts are frozen values, so with
``dataclasses.replace``).  The engine calls :func:`run_all` once, after every
file has been extracted, before rules are evaluated.

Resolvers may read files that are not part of the scan (``Chart.yaml``,
``values.yaml``, a kustomization in an overlay) through
:meth:`ResolveContext.read`, which caches what it read.
"""
from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from taglint.model import FileFacts
from taglint.source import SourceFile

RESOLVERS: list[str] = [
    "taglint.resolve.kustomize",
    "taglint.resolve.helm",
]

# The file kinds a resolver works on: it is not even imported when the scan
# has none (a Dockerfile-only pre-commit run stays free of YAML imports).
# A resolver missing here always runs.
RESOLVER_KINDS: dict[str, frozenset[str]] = {
    "taglint.resolve.kustomize": frozenset({"kubernetes"}),
    "taglint.resolve.helm": frozenset({"helm-template"}),
}

MAX_READ_SIZE = 5 * 1024 * 1024


@dataclass
class ResolveContext:
    """Access to the files around the scanned ones.

    ``cwd`` is the directory display paths are relative to.  ``cache`` is
    shared by resolvers for parsed neighbours (keys are namespaced by the
    resolver, e.g. ``("kustomize", dir)``).
    """

    cwd: Path
    cache: dict[Any, Any] = field(default_factory=dict)
    _read: dict[str, SourceFile | None] = field(default_factory=dict, repr=False)

    def fs_path(self, path: str | os.PathLike[str]) -> Path:
        """A display path (relative to ``cwd``) or file-system path, as a normalised path."""
        candidate = Path(path)
        if not candidate.is_absolute():
            candidate = self.cwd / candidate
        return Path(os.path.normpath(candidate))

    def abspath(self, path: str | os.PathLike[str]) -> str:
        """Like :meth:`fs_path`, as a string (cheaper: no ``Path`` objects)."""
        return os.path.normpath(os.path.join(self._cwd, path))

    @property
    def _cwd(self) -> str:
        cwd = self.__dict__.get("_cwd_str")
        if cwd is None:
            cwd = self.__dict__["_cwd_str"] = str(self.cwd)
        return cwd

    def display_path(self, fs_path: str | os.PathLike[str]) -> str:
        """How a file is named in reports: relative to ``cwd``, ``/``-separated."""
        absolute = self.abspath(fs_path)
        try:
            rel = os.path.relpath(absolute, self._cwd)
        except ValueError:  # another drive on Windows
            return absolute.replace(os.sep, "/")
        if rel.startswith(".." + os.sep) and rel.count(".." + os.sep) > 3:
            rel = absolute
        return rel.replace(os.sep, "/")

    def read(self, path: str | os.PathLike[str]) -> SourceFile | None:
        """The decoded text of a file (display or file-system path), or None
        when it does not exist, cannot be read, or is too large.  Cached."""
        key = self.abspath(path)
        if key in self._read:
            return self._read[key]
        source: SourceFile | None = None
        try:
            if os.path.isfile(key) and os.path.getsize(key) <= MAX_READ_SIZE:
                with open(key, "rb") as handle:
                    data = handle.read()
                if b"\0" not in data[:8192]:
                    text = data.decode("utf-8-sig", errors="replace")
                    source = SourceFile(self.display_path(key), Path(key), text)
        except OSError:
            source = None
        self._read[key] = source
        return source

    def is_dir(self, path: str | os.PathLike[str]) -> bool:
        return os.path.isdir(self.abspath(path))


def run_all(files: list[FileFacts], ctx: ResolveContext) -> None:
    """Run every resolver in order.  A failing resolver does not stop the
    others; the first failure is re-raised at the end for the engine to report."""
    failure: Exception | None = None
    kinds = {facts.kind for facts in files}
    for name in RESOLVERS:
        needed = RESOLVER_KINDS.get(name)
        if needed is not None and not needed & kinds:
            continue
        try:
            importlib.import_module(name).resolve(files, ctx)
        except Exception as exc:  # noqa: BLE001 - reported by the engine
            failure = failure or exc
    if failure is not None:
        raise failure
