"""Lines end at ``\\n`` only, everywhere (issue 14 item 5).

Docker, make and shells split a file at ``\\n`` (``\\r\\n`` counts as one
break).  Characters that Python's ``str.splitlines`` or YAML 1.1 also take
for line breaks — a lone ``\\r``, VT, FF, U+001C–U+001E, NEL, U+2028,
U+2029 — stay inside their line: in a comment or a ``RUN`` line they must
not shift the lines after them (the next ``FROM`` was read as "FROM names
no image" and every check of the file was skipped).  Positions, code
frames, suppression comments and the fixture reader all count lines the
same way (``taglint.source.split_lines``).  The rule fixtures
``tests/fixtures/TL101/dockerfile/{fail,pass}/line-breaks`` hold one
Dockerfile per character.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from taglint.config import Config
from taglint.engine import scan
from taglint.source import SourceFile, split_lines
from taglint.yamlnodes import load_documents, mapping_get, node_span, span_text
from taglint.yamlnodes import split_lines as yaml_lines

STRAY = {
    "cr": "\r", "vt": "\x0b", "ff": "\x0c", "fs": "\x1c", "gs": "\x1d", "rs": "\x1e",
    "nel": "\u0085", "ls": "\u2028", "ps": "\u2029",
}


def _dockerfile(char: str) -> str:
    return (
        f"# Docs site: built with node.{char}Owner: web team.\n"
        "FROM node:20.18.1-bookworm AS build\n"
        f"RUN npm ci{char} && npm run build\n"
        "FROM python\n"
        "COPY --from=build /app/dist /srv/docs\n"
    )


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))  # as is: no newline translation


@pytest.mark.parametrize("name", sorted(STRAY))
def test_a_stray_break_in_a_comment_or_run_line_moves_no_line(name: str, tmp_path: Path) -> None:
    _write(tmp_path / "Dockerfile", _dockerfile(STRAY[name]))
    result = scan(["."], Config(), cwd=tmp_path)
    assert [(f.rule, f.span.line, f.span.column, f.span.end_column) for f in result.findings] == [
        ("TL101", 4, 6, 12)
    ], [(f.rule, f.span, f.message) for f in result.findings]
    assert not [f for f in result.findings if f.rule == "TL001"]
    (facts,) = result.files
    assert not facts.problems
    assert [(ref.value, ref.span.line) for ref in facts.images] == [
        ("node:20.18.1-bookworm", 2), ("python", 4),
    ]


def test_crlf_is_one_line_break(tmp_path: Path) -> None:
    _write(tmp_path / "Dockerfile", "# windows\r\nFROM node:20.18.1\r\nRUN npm ci\r\nFROM python\r\n")
    result = scan(["."], Config(), cwd=tmp_path)
    assert [(f.rule, f.span.line, f.span.column, f.span.end_column) for f in result.findings] == [("TL101", 4, 6, 12)]


@pytest.mark.parametrize("name", ["cr", "vt", "ls"])
def test_the_code_frame_shows_the_line_of_the_finding(name: str, tmp_path: Path) -> None:
    _write(tmp_path / "Dockerfile", _dockerfile(STRAY[name]))
    proc = subprocess.run(
        [sys.executable, "-m", "taglint", "--color", "never", "--select", "TL101", "Dockerfile"],
        cwd=tmp_path, capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    assert "Dockerfile:4:6: TL101" in proc.stdout, proc.stdout + proc.stderr
    assert "4 | FROM python\n" in proc.stdout, proc.stdout


@pytest.mark.parametrize("name", sorted(STRAY))
def test_a_suppression_comment_counts_lines_as_findings_do(name: str, tmp_path: Path) -> None:
    text = _dockerfile(STRAY[name]).replace("FROM python\n", "# taglint: ignore[TL101]\nFROM python\n")
    _write(tmp_path / "Dockerfile", text)
    result = scan(["."], Config(), cwd=tmp_path)
    assert [(f.rule, f.span.line) for f in result.findings] == []  # suppressed, and the comment is used (no TL002)


@pytest.mark.parametrize("name", sorted(STRAY))
def test_yaml_spans_are_counted_in_the_same_lines(name: str, tmp_path: Path) -> None:
    """libyaml also ends lines at a lone CR, NEL, LS and PS: marks are
    recomputed so a span names the text it points at, in ``\\n`` lines."""
    char = STRAY[name]
    text = (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  annotations:\n    note: \"a{char}b\"\n"
            "spec:\n  containers:\n  - name: app\n    image: nginx:latest\n")
    _write(tmp_path / "pod.yaml", text)
    result = scan(["."], Config(), cwd=tmp_path)
    lines = split_lines(text)
    for finding in result.findings:
        span = finding.span
        assert span.end_line <= len(lines)
        assert span.column <= len(lines[span.line - 1]) + 1 and span.end_column <= len(lines[span.end_line - 1]) + 1
    latest = [f for f in result.findings if f.rule == "TL102"]
    assert [(f.span.line, f.span.column, f.span.end_column) for f in latest] == [(10, 12, 24)]


def test_yaml_marks_after_a_stray_break_name_the_text_they_point_at() -> None:
    text = "a: x\u2028  y\nb: [c, \r d]\nimage: nginx:1.27.3\n"
    (doc,) = load_documents(text)
    image = mapping_get(doc, "image")
    d = mapping_get(doc, "b")
    lines = yaml_lines(text)
    assert span_text(lines, node_span(image)) == "nginx:1.27.3"
    assert node_span(image).line == 3
    assert span_text(lines, node_span(d.value[1])) == "d"  # type: ignore[union-attr]
    assert node_span(d.value[1]).line == 2  # type: ignore[union-attr]


def test_yaml_errors_after_a_stray_break_are_placed_in_the_same_lines(tmp_path: Path) -> None:
    text = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web  # front\u2028end\n"
            "spec:\n  containers:\n  - name: app\n    image: nginx\n")
    _write(tmp_path / "pod.yaml", text)
    result = scan(["."], Config(), cwd=tmp_path)
    (parse_error,) = [f for f in result.findings if f.rule == "TL001"]
    assert parse_error.span.line == 5  # the line after `end`, as \n counts lines
    assert "line 4, column 22" in parse_error.message  # `end`, after the U+2028 on line 4
    assert [(f.span.line, f.span.column) for f in result.findings if f.rule == "TL101"] == [(8, 12)]


def test_split_lines() -> None:
    assert split_lines("") == []
    assert split_lines("a\nb") == ["a", "b"]
    assert split_lines("a\r\nb\r\n") == ["a", "b"]
    assert split_lines("a\rb\x0bc\x0cd\x1ce\x85f\u2028g\u2029h\n\n") == ["a\rb\x0bc\x0cd\x1ce\x85f\u2028g\u2029h", ""]
    assert SourceFile.from_text("Dockerfile", "# a\x0bb\nFROM python\n").lines == ["# a\x0bb", "FROM python"]
    assert yaml_lines("a\r\nb\n") == ["a", "b", ""]  # marks count the empty line after the last break
