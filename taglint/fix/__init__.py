"""Apply fix edits to files (``--fix``) or show them as a diff (``--diff``).

Edits keep every other byte of the file: line endings, BOM and mode are
preserved, overlapping edits are skipped (the next run picks them up), and
files that failed to parse (TL001) are never rewritten.  Files are written
by :func:`taglint.safewrite.write_file`: atomically (temporary file +
rename), never through a symbolic link (a link is left alone, with an
error), and, given the scan's ``digests``, only while they still hold the
bytes the scan read (a file changed since, or not read by the scan, is
left alone, with an error).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping

from taglint.model import Edit, Finding
from taglint.safewrite import ChangedSinceScan, UnsafeWrite, digest, refuse_link, write_file
from taglint.source import line_starts


@dataclass
class FixOutcome:
    remaining: list[Finding]
    fixed: int = 0
    diff: str = ""
    errors: list[str] = field(default_factory=list)


def _offset(starts: list[int], text: str, line: int, column: int) -> int:
    if line - 1 >= len(starts):
        return len(text)
    return min(starts[line - 1] + column - 1, len(text))


def apply_edits(text: str, edits: Iterable[Edit]) -> tuple[str, list[Edit]]:
    """``text`` with the non-overlapping edits applied, and the edits applied."""
    starts = line_starts(text)
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
        out = out[:start] + edit.replacement + out[end:]
    return out, [edit for _, _, edit in chosen]


def apply_fixes(
    findings: list[Finding], cwd: Path, unsafe: bool, write: bool, digests: Mapping[str, str] | None = None,
    mask: Callable[[str], str] | None = None,
) -> FixOutcome:
    """Apply (``write``) or show the fixes of ``findings``.  With ``digests``
    (``ScanResult.digests``), a file is fixed only when it still holds the
    bytes the scan read.  ``mask`` (``SecretTable.mask``) hides the scan's
    secrets in the diff (a fix may move a password, and the diff quotes
    the lines around it)."""
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
        expected = None if digests is None else digests.get(path)
        if digests is not None and expected is None:
            outcome.errors.append(f"{path}: not read by this scan, not fixed")
            continue
        try:
            if write:
                refuse_link(fs_path)
            raw = fs_path.read_bytes()
        except UnsafeWrite as exc:
            outcome.errors.append(f"{path}: not fixed: {exc}")
            continue
        except OSError as exc:
            outcome.errors.append(f"{path}: cannot read for fixing: {exc.strerror or exc}")
            continue
        if expected is not None and digest(raw) != expected:
            outcome.errors.append(f"{path}: changed since the scan, not fixed (run taglint again)")
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
            try:
                write_file(fs_path, (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8"), expected=digest(raw))
            except ChangedSinceScan:
                outcome.errors.append(f"{path}: changed since the scan, not fixed (run taglint again)")
                fixed_ids.difference_update(id(f) for f in path_findings)
                continue
            except OSError as exc:  # a link planted meanwhile, a read-only folder
                outcome.errors.append(f"{path}: not fixed: {exc.strerror or exc}")
                fixed_ids.difference_update(id(f) for f in path_findings)
                continue
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
    outcome.diff = "".join(diffs) if mask is None else mask("".join(diffs))
    return outcome
