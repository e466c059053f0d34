"""ResolveContext: paths, probing and reading the files around the scan."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from taglint.discovery import Candidate
from taglint.engine import read_source
from taglint.resolve import ResolveContext


@pytest.mark.parametrize(
    "data",
    [
        b"a: 1\n",
        b"\xef\xbb\xbfa: 1\n",  # UTF-8 BOM
        "a: \u00e9\n".encode("utf-16"),  # UTF-16 with its BOM
        b"\xfe\xff" + "a: \u00e9\n".encode("utf-16-be"),  # big-endian
        b"a: \xff\xfe broken utf-8\n",
        b"\0binary",
        b"\xff\xfe\0",  # a UTF-16 BOM and an odd byte: undecodable
    ],
    ids=["utf-8", "utf-8-bom", "utf-16", "utf-16-be", "bad-utf-8", "binary", "bad-utf-16"],
)
def test_read_decodes_as_the_scan_does(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "values.yaml"
    path.write_bytes(data)
    scanned, _, _ = read_source(Candidate(path, "values.yaml", True), 1 << 20)
    read = ResolveContext(cwd=tmp_path).read("values.yaml")
    assert (read.text if read else None) == (scanned.text if scanned else None)


def test_read_misses(tmp_path: Path) -> None:
    ctx = ResolveContext(cwd=tmp_path)
    (tmp_path / "folder").mkdir()
    assert ctx.read("missing.yaml") is None
    assert ctx.read("folder") is None
    assert ctx.read("bad\0name") is None
    (tmp_path / "late.yaml").write_text("x")
    assert ctx.read("missing.yaml") is None  # cached


def test_any_exists(tmp_path: Path) -> None:
    ctx = ResolveContext(cwd=tmp_path)
    (tmp_path / "b").write_text("")
    (tmp_path / "d").mkdir()
    folder = str(tmp_path)
    assert ctx.any_exists(folder, ("a", "b"))
    assert ctx.any_exists(folder, ("d",))
    assert not ctx.any_exists(folder, ("a", "c"))
    assert not ctx.any_exists(str(tmp_path / "nowhere"), ("b",))
    assert not ctx.any_exists(folder, ("x\0y",))


PATHS = [
    "a", "a/b.yaml", "./a", "a/./b", "a/../b", "../a", "../../a/b", "..", ".", "a//b", "a/", ".hidden/x",
    "a/.b", "a/..b", "..a/b", "/abs/x", "/abs/../y", "//double", "a/b/..", "a\\b",
]


@pytest.mark.parametrize("cwd", ["/work/tree", "/work/../work/tree/", "/", "//root/x"])
def test_abspath_and_display_path_take_the_quick_way_to_the_same_answer(cwd: str) -> None:
    ctx = ResolveContext(cwd=Path(cwd))
    for path in PATHS:
        absolute = os.path.normpath(os.path.join(str(Path(cwd)), path))
        assert ctx.abspath(path) == absolute, path
        rel = os.path.relpath(absolute, str(Path(cwd)))
        if rel.startswith(".." + os.sep) and rel.count(".." + os.sep) > 3:
            rel = absolute
        assert ctx.display_path(path) == rel.replace(os.sep, "/"), path
        assert ctx.display_path(Path(path)) == rel.replace(os.sep, "/"), path
