"""Apply fix edits to files (``--fix``) or show them as a diff (``--diff``).

Edits keep every other byte of the file: line endings, BOM and mode are
preserved, writes are atomic (temporary file + rename), overlapping edits
are skipped (the next run picks them up), and files that failed to parse
(TL001) are never rewritten.
"""
from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from taglint.model import Edit, Finding


@dataclass
class FixOutcome:
    remaining: list[Finding]
    fixed: int = 0
    diff: str = ""
    errors: list[str] = field(default_factory=list)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    i = 0
    while True:
        j = text.find("\n", i)
        if j < 0:
            return starts
        starts.append(j + 1)
        i = j + 1


def _offset(starts: list[int], text: str, line: int, column: int) -> int:
    if line - 1 >= len(starts):
        return len(text)
    return min(starts[line - 1] + column - 1, len(text))


def apply_edits(text: str, edits: Iterable[Edit]) -> tuple[str, list[Edit]]:
    """``text`` with the non-overlapping edits applied, and the edits applied."""
    starts = _line_starts(text)
    ranges = sorted(
        ((_offset(starts, text, e.span.line, e.span.column), _offset(starts, text, e.span.end_line, e.span.end_column), e)
         for e in edits),
        key=lambda r: (r[0], r[1]),
    )
    chosen = []
    last_end = -1
    for start, end, edit in ranges:
        if start >= last_end:
            chosen.append((start, end, edit))
            last_end = max(end, start + (1 if start == end else 0))
    out = text
    for start, end, edit in reversed(chosen):
        out = out[:start] + edit.text + out[end:]
    return out, [edit for _, _, edit in chosen]


def _write_atomic(path: Path, data: bytes) -> None:
    mode = path.stat().st_mode
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".taglint")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def apply_fixes(findings: list[Finding], cwd: Path, unsafe: bool, write: bool) -> FixOutcome:
    allowed = {"safe", "unsafe"} if unsafe else {"safe"}
    broken = {f.path for f in findings if f.rule == "TL001"}
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        fix = finding.fix
        if fix and fix.edits and fix.applicability in allowed and finding.path not in broken:
            by_path.setdefault(finding.path, []).append(finding)
    outcome = FixOutcome(remaining=[])
    fixed_ids: set[int] = set()
    diffs: list[str] = []
    for path, path_findings in sorted(by_path.items()):
        fs_path = cwd / path
        try:
            raw = fs_path.read_bytes()
        except OSError as exc:
            outcome.errors.append(f"{path}: cannot read for fixing: {exc.strerror or exc}")
            continue
        bom = raw.startswith(b"\xef\xbb\xbf")
        try:
            text = raw[3 if bom else 0 :].decode("utf-8")
        except UnicodeDecodeError:
            outcome.errors.append(f"{path}: not UTF-8, not fixed")
            continue
        edits = [edit for f in path_findings for edit in f.fix.edits]  # type: ignore[union-attr]
        new_text, applied = apply_edits(text, edits)
        applied_ids = {id(e) for e in applied}
        for f in path_findings:
            if all(id(e) in applied_ids for e in f.fix.edits):  # type: ignore[union-attr]
                fixed_ids.add(id(f))
        if new_text == text:
            continue
        if write:
            _write_atomic(fs_path, (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8"))
        diffs.append(
            "".join(
                difflib.unified_diff(
                    text.splitlines(keepends=True), new_text.splitlines(keepends=True),
                    fromfile=f"a/{path}", tofile=f"b/{path}",
                )
            )
        )
    outcome.fixed = len(fixed_ids)
    outcome.remaining = [f for f in findings if id(f) not in fixed_ids] if write else list(findings)
    outcome.diff = "".join(diffs)
    return outcome
