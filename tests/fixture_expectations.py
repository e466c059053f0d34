"""Read the inline expectations of rule fixtures.

A comment line ``# expect: TL101`` (or ``// expect: TL101``) says that the
next line that is not itself an expectation carries a TL101 finding;
``TL101:14`` also fixes its start column.  Several codes may be listed,
comma-separated.

Where no comment can stand above the line (line 1 of a Dockerfile holding a
parser directive), a file named ``EXPECTED`` in the case folder lists
``path:line[:column]: CODE`` entries, one per line.
"""
from __future__ import annotations

import re
from pathlib import Path

from taglint.source import split_lines

EXPECT = re.compile(r"^\s*(?:#|//)\s*expect:\s*(?P<codes>[A-Z0-9:,\s]+?)\s*$")


def expectations(path: Path, root: Path) -> set[tuple[str, int, str, int | None]]:
    """(relative path, line, code, column or None) expected in ``path``."""
    out: set[tuple[str, int, str, int | None]] = set()
    pending: list[tuple[str, int | None]] = []
    try:  # lines as taglint counts them: at \n only (not at a stray \r, \x0b, U+2028…)
        lines = split_lines(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, OSError):
        return out
    relative = path.relative_to(root).as_posix()
    for number, line in enumerate(lines, start=1):
        match = EXPECT.match(line)
        if match:
            for item in match.group("codes").split(","):
                code, _, column = item.strip().partition(":")
                pending.append((code, int(column) if column else None))
            continue
        for code, column in pending:
            out.add((relative, number, code, column))
        pending = []
    return out


def sidecar_expectations(case: Path) -> set[tuple[str, int, str, int | None]]:
    listed = case / "EXPECTED"
    out: set[tuple[str, int, str, int | None]] = set()
    if not listed.is_file():
        return out
    for entry in listed.read_text(encoding="utf-8").splitlines():
        if not entry.strip() or entry.startswith("#"):
            continue
        where, _, code = entry.rpartition(": ")
        parts = where.split(":")
        column = int(parts[2]) if len(parts) > 2 else None
        out.add((parts[0], int(parts[1]), code.strip(), column))
    return out
