"""Project-level resolution: knowledge that crosses files.

Each module named in :data:`RESOLVERS` defines ``resolve(files:
list[FileFacts], ctx: ResolveContext) -> None`` and rewrites
``FileFacts.images`` in place (facts are frozen values, so with
``dataclasses.replace``).  The engine calls :func:`run_all` once, after every
file has been extracted, before rules are evaluated.

Resolvers may read files that are not part of the scan (``Chart.yaml``,
``values.yaml``, a kustomization in an overlay) through
:meth:`ResolveContext.read`, which caches what it read and decodes the way
the scan does.
"""
from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from taglint.discovery import display_path
from taglint.model import FileFacts
from taglint.source import SkippedFile, SourceFile, decode, read_file_bytes

RESOLVERS: list[str] = [
    "taglint.resolve.kustomize",
    "taglint.resolve.helm",
    "taglint.resolve.build_tools",  # last: it judges the values the others resolved
]

# The file kinds a resolver works on: it is not even imported when the scan
# has none (a Dockerfile-only pre-commit run stays free of YAML imports).
# A resolver missing here always runs.
RESOLVER_KINDS: dict[str, frozenset[str]] = {
    "taglint.resolve.kustomize": frozenset({"kubernetes"}),
    "taglint.resolve.helm": frozenset({"helm-template"}),
    "taglint.resolve.build_tools": frozenset({"kubernetes", "helm-values", "helm-template", "kustomization", "compose"}),
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
    # cwd + "/", and whether cwd is normalised (see abspath)
    _abs_prefix: tuple[str, bool] | None = field(default=None, init=False, repr=False, compare=False)

    def fs_path(self, path: str | os.PathLike[str]) -> Path:
        """A display path (relative to ``cwd``) or file-system path, as a normalised path."""
        candidate = Path(path)
        if not candidate.is_absolute():
            candidate = self.cwd / candidate
        return Path(os.path.normpath(candidate))

    def abspath(self, path: str | os.PathLike[str]) -> str:
        """Like :meth:`fs_path`, as a string (cheaper: no ``Path`` objects)."""
        if type(path) is not str:
            path = os.fspath(path)
        if not _POSIX:
            return os.path.normpath(os.path.join(self._cwd, path))
        if path[:1] == "/":
            return os.path.normpath(path)
        if self._abs_prefix is None:
            cwd = self._cwd
            self._abs_prefix = (cwd if cwd.endswith("/") else cwd + "/", os.path.normpath(cwd) == cwd)
        prefix, prefix_is_normal = self._abs_prefix
        # os.path.join(cwd, path), without its overhead; a display path
        # with no empty, `.` or `..` part needs no normpath either.
        if prefix_is_normal and path and path[0] != "." and path[-1] != "/" and "//" not in path and "/." not in path:
            return prefix + path
        return os.path.normpath(prefix + path)

    @property
    def _cwd(self) -> str:
        cwd = self.__dict__.get("_cwd_str")
        if cwd is None:
            cwd = self.__dict__["_cwd_str"] = str(self.cwd)
        return cwd

    def any_exists(self, folder: str, names: tuple[str, ...]) -> bool:
        """Whether any of ``names`` exists in ``folder`` (a normalised
        file-system path), one ``access`` call per name until one does:
        probing a folder costs no more than listing it, and finds names the
        way the file system does (also case-insensitively where it is)."""
        if _POSIX:
            prefix = folder if folder.endswith("/") else folder + "/"
            try:
                for name in names:
                    if os.access(prefix + name, os.F_OK):
                        return True
                return False
            except ValueError:  # an embedded NUL: ask name by name
                pass
        return any(_exists(os.path.join(folder, name)) for name in names)

    def display_path(self, fs_path: str | os.PathLike[str]) -> str:
        """How a file is named in reports, as discovery names the scanned
        files (:func:`taglint.discovery.display_path`): one spelling per
        file, whichever way a resolver reached it."""
        if _POSIX and type(fs_path) is str and _is_plain_relative(fs_path):
            return fs_path  # what display_path(cwd/path) gives, without the work
        return display_path(self.abspath(fs_path), self.cwd)

    def read(self, path: str | os.PathLike[str]) -> SourceFile | None:
        """The decoded text of a file (display or file-system path), or None
        when it does not exist, cannot be read, or is too large.  Cached."""
        key = self.abspath(path)
        if key in self._read:
            return self._read[key]
        source: SourceFile | None = None
        if not _exists(key):  # the common miss, without raising an exception
            self._read[key] = None
            return None
        try:  # never a FIFO, socket or device (they could block forever)
            text = decode(read_file_bytes(key, MAX_READ_SIZE)).text  # as the scan reads files
            if text is not None:
                source = SourceFile(self.display_path(key), Path(key), text)
        except (OSError, SkippedFile):
            source = None
        self._read[key] = source
        return source

    def read_keys(self) -> list[str]:
        """The files :meth:`read` holds (normalised file-system paths)."""
        return list(self._read)

    def forget_reads(self, keep: set[str] | frozenset[str] = frozenset()) -> None:
        """Drop what :meth:`read` holds, but the files in ``keep``: a
        resolver that went through many files frees them (read again when
        asked, from disk)."""
        for key in [key for key in self._read if key not in keep]:
            del self._read[key]

    def is_dir(self, path: str | os.PathLike[str]) -> bool:
        return os.path.isdir(self.abspath(path))


_POSIX = os.sep == "/" and os.path.join is __import__("posixpath").join


def _exists(path: str) -> bool:
    """``os.path.exists`` in one ``access`` call: cheaper than ``stat``,
    which raises (and ``exists`` catches) an exception for a missing file."""
    try:
        return os.access(path, os.F_OK)
    except ValueError:  # an embedded NUL
        return False


def _is_plain_relative(path: str) -> bool:
    """A normalised relative path that does not leave its folder (``a/b``, not
    ``../a``, ``./a``, ``a//b`` or ``/a``)."""
    return (
        bool(path)
        and path[0] != "/"
        and not (path.startswith("..") and (len(path) == 2 or path[2] == "/"))
        and os.path.normpath(path) == path
    )


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
