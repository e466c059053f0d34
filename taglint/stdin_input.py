"""Standard input as a file: ``taglint - --stdin-filename PATH`` (editors).

The bytes read from standard input are scanned as the file PATH: PATH
decides the kind (by its name, or ``--kind``), the configuration (the
nearest config file above PATH's folder, its ``exclude`` with
``--force-exclude``, ``kinds:`` and ``per-file-ignores``) and how findings
name the file.  PATH need not exist; files a resolver reads beside it
(Helm values, Kustomize bases, a Compose ``.env``) are read from disk.

``--fix`` with standard input changes no file: the fixed text is written
to standard output (the text read, unchanged, when there is nothing to
fix) and the findings that remain are reported on standard error.
``--diff`` prints the diff between the text read and the fixed text.
"""
from __future__ import annotations

import sys
from typing import Iterable

from taglint.model import Finding

STDIN = "-"
BOM = b"\xef\xbb\xbf"


def read_stdin() -> bytes:
    """Every byte of standard input."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # replaced by a text stream (tests)
        return sys.stdin.read().encode("utf-8")
    return stream.read()


class NotFixable(Exception):
    """The text read cannot be fixed (not UTF-8, or it did not parse)."""


def fixed_bytes(data: bytes, path: str, findings: Iterable[Finding], unsafe: bool) -> tuple[bytes, int]:
    """``data`` (the file ``path``) with the fixes of its ``findings`` applied (safe ones, unsafe
    ones too with ``unsafe``), and how many findings were fixed.  A BOM and
    every byte no edit touches are kept.  Raises :class:`NotFixable` for
    text that is not UTF-8 or did not parse (TL001), as ``--fix`` leaves
    such files alone."""
    from taglint.fix import apply_edits

    allowed = {"safe", "unsafe"} if unsafe else {"safe"}
    findings = [f for f in findings if f.path == path]
    chosen = [f for f in findings if f.fix and f.fix.edits and f.fix.applicability in allowed]
    if any(f.rule == "TL001" for f in findings) and chosen:
        raise NotFixable("it did not parse (TL001), not fixed")
    if not chosen:
        return data, 0
    bom = data.startswith(BOM)
    try:
        text = data[len(BOM) if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError:
        raise NotFixable("not UTF-8, not fixed") from None
    new_text, applied = apply_edits(text, [edit for f in chosen for edit in f.fix.edits])  # type: ignore[union-attr]
    applied_ids = {id(edit) for edit in applied}
    fixed = sum(1 for f in chosen if all(id(edit) in applied_ids for edit in f.fix.edits))  # type: ignore[union-attr]
    return (BOM if bom else b"") + new_text.encode("utf-8"), fixed


def unified_diff(before: bytes, after: bytes, path: str) -> str:
    """The diff ``--diff`` prints for the text read from standard input."""
    import difflib  # here: every run imports this module, few print a diff

    old = before.decode("utf-8", "replace").splitlines(keepends=True)
    new = after.decode("utf-8", "replace").splitlines(keepends=True)
    return "".join(difflib.unified_diff(old, new, fromfile=f"a/{path}", tofile=f"b/{path}"))
