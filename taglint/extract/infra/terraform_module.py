"""What the other files of a Terraform module folder say about variables.

A Terraform module is a folder: a ``variable`` declared in
``variables.tf`` is used in ``main.tf``, and in a root module
``terraform.tfvars`` and ``*.auto.tfvars`` (in lexical order, later files
winning) assign values that replace the defaults.  :func:`module_steps`
gives both for the file being read, as ``Step`` values named ``var.x`` /
``local.y`` with the place that sets them.  Each neighbour is parsed once
per version (path, modification time, size).
"""
from __future__ import annotations

import os
import posixpath
from functools import lru_cache

from taglint.extract.infra import hcl
from taglint.model import Location, Span, Step
from taglint.source import SourceFile, split_lines

MAX_NEIGHBOUR_SIZE = 4 * 1024 * 1024
Found = dict[str, tuple[str | None, Span]]


def module_steps(source: SourceFile) -> tuple[dict[str, Step], dict[str, Step]]:
    """``(declared, assigned)``: defaults and locals of the other ``*.tf``
    files of the folder, and the values ``*.tfvars`` files assign."""
    folder = os.path.dirname(os.fspath(source.fs_path)) or "."
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return {}, {}
    own = os.path.basename(os.fspath(source.fs_path))
    declared: dict[str, Step] = {}
    assigned: dict[str, Step] = {}
    tfvars = [n for n in names if n == "terraform.tfvars"] + [n for n in names if n.endswith(".auto.tfvars")]
    for name in [n for n in names if n.endswith(".tf") and n != own] + tfvars:
        path = os.path.join(folder, name)
        try:
            stat = os.stat(path)
        except OSError:
            continue
        display = posixpath.join(posixpath.dirname(source.path), name)
        if name.endswith(".tf"):
            for key, (value, span) in _declared(path, stat.st_mtime_ns, stat.st_size).items():
                declared.setdefault(key, Step(key, value, Location(display, span), None if value is not None else "no default"))
        else:
            for key, (value, span) in _assigned(path, stat.st_mtime_ns, stat.st_size).items():
                assigned[key] = Step(key, value, Location(display, span))
    return declared, assigned


def _read(path: str, size: int) -> tuple[object, list[str]] | None:
    if size > MAX_NEIGHBOUR_SIZE:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        return hcl.parse(text), split_lines(text)
    except (OSError, UnicodeDecodeError, hcl.HclError):
        return None


@lru_cache(maxsize=256)
def _declared(path: str, _mtime: int, size: int) -> Found:
    """``var.*`` defaults and ``local.*`` values of one ``*.tf`` file."""
    parsed = _read(path, size)
    if parsed is None:
        return {}
    tree, lines = parsed
    found = hcl.Variables(path)
    found.read(hcl.top_blocks(tree), lines)
    return {key: (step.value, step.location.span if step.location else Span(1, 1, 1, 1))
            for key, step in found.values.items()}


@lru_cache(maxsize=256)
def _assigned(path: str, _mtime: int, size: int) -> Found:
    """``name = "value"`` of one ``*.tfvars`` file, as ``var.name``."""
    parsed = _read(path, size)
    if parsed is None:
        return {}
    tree, lines = parsed
    found: Found = {}
    for name, expr in hcl.top_attributes(tree).items():
        text = hcl.string_text(expr, lines)
        if text is not None and "${" not in text.written:
            found[f"var.{name}"] = (text.written, text.span)
    return found
