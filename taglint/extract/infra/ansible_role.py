"""Variables a role gives its task files: ``roles/<role>/defaults/main.yml``
(the weakest values in Ansible) and ``roles/<role>/vars/main.yml`` (which
override play ``vars:``).  Only string values at the top level of those
files are kept, as ``Step`` values with the place that sets them; each file
is read once per version (path, modification time, size).
"""
from __future__ import annotations

import os
import posixpath
from functools import lru_cache
from pathlib import PurePosixPath

from taglint.model import Location, Span, Step
from taglint.source import SourceFile
from taglint.yamlnodes import MappingNode, ScalarNode, YamlError, iter_mapping, load_documents, node_span, scalar_str

MAX_VARS_FILE_SIZE = 1024 * 1024
ROLE_FOLDERS = ("tasks", "handlers")


def role_variables(source: SourceFile) -> tuple[dict[str, Step], dict[str, Step]]:
    """``(defaults, vars)`` of the role whose ``tasks/``/``handlers/`` holds
    ``source``; empty outside a role."""
    display = PurePosixPath(source.path)
    parts = display.parts
    if len(parts) < 2 or parts[-2] not in ROLE_FOLDERS:
        return {}, {}
    role_fs = os.path.dirname(os.path.dirname(os.fspath(source.fs_path)))
    role_display = posixpath.dirname(posixpath.dirname(source.path))
    return _folder(role_fs, role_display, "defaults"), _folder(role_fs, role_display, "vars")


def _folder(role_fs: str, role_display: str, folder: str) -> dict[str, Step]:
    for name in ("main.yml", "main.yaml"):
        path = os.path.join(role_fs, folder, name)
        try:
            stat = os.stat(path)
        except OSError:
            continue
        shown = posixpath.join(role_display, folder, name) if role_display else posixpath.join(folder, name)
        return {key: Step(f"{folder}.{key}", value, Location(shown, span))
                for key, (value, span) in _read(path, stat.st_mtime_ns, stat.st_size).items()}
    return {}


@lru_cache(maxsize=256)
def _read(path: str, _mtime: int, size: int) -> dict[str, tuple[str, Span]]:
    if size > MAX_VARS_FILE_SIZE:
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            documents = load_documents(handle.read())
    except (OSError, UnicodeDecodeError, YamlError):
        return {}
    found: dict[str, tuple[str, Span]] = {}
    for doc in documents:
        if isinstance(doc, MappingNode):
            for key, _key_node, value in iter_mapping(doc):
                text = scalar_str(value)
                if isinstance(value, ScalarNode) and text is not None and "{{" not in text:
                    found[key] = (text, node_span(value))
    return found
