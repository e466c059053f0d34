"""discover(): which files, in which order, under which display paths.

tests/test_cli.py covers excludes with --force-exclude, .gitignore and
symlink loops end to end; these pin the walk itself, and check it against
the straightforward per-file reference (os.walk + display_path) it replaces.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from taglint.discovery import SKIPPED_DIRS, discover, display_path
from taglint.globs import matches_any


def touch(path: Path, text: str = "x: 1\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def shown(paths, cwd, exclude=()):
    candidates, errors = discover(paths, cwd, exclude)
    assert errors == []
    return [c.path for c in candidates]


def reference(paths, cwd, exclude=()):
    """The walk as it was written first: os.walk, a Path, a relpath and an
    lstat per file (directories only, outside git)."""
    out, seen = [], set()
    for raw in paths:
        top = cwd / raw if not os.path.isabs(raw) else Path(raw)
        for root, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
            for name in sorted(files):
                file = Path(root) / name
                path = display_path(file, cwd)
                if path in seen or matches_any(path, exclude) or (file.is_symlink() and not file.exists()):
                    continue
                seen.add(path)
                out.append((file, path))
    return out


@pytest.fixture
def tree(tmp_path):
    """tmp/work is the usual cwd; tmp/other lies beside it."""
    work = tmp_path / "work"
    for rel in ["a/g.yaml", "a/b/f.yaml", "a/b/c/deep.yaml", "top.yaml", "sp ace/ünï.yaml", ".hidden/h.yaml"]:
        touch(work / rel)
    touch(tmp_path / "other" / "o.yaml")
    return tmp_path


def test_display_paths_of_nested_relative_and_absolute_folders(tree):
    work = tree / "work"
    assert shown(["a"], work) == ["a/g.yaml", "a/b/f.yaml", "a/b/c/deep.yaml"]
    assert shown(["a/b/"], work) == ["a/b/f.yaml", "a/b/c/deep.yaml"]
    assert shown(["./a/b/c"], work) == ["a/b/c/deep.yaml"]
    assert shown([str(work / "a" / "b")], work) == ["a/b/f.yaml", "a/b/c/deep.yaml"]
    assert shown(["."], work / "a" / "b") == ["f.yaml", "c/deep.yaml"]
    # ".." in a start path: the display path is normalised, the fs path is not
    candidates, _ = discover(["a/../a/b/c"], work)
    assert [(c.fs_path, c.path) for c in candidates] == [(work / "a/../a/b/c/deep.yaml", "a/b/c/deep.yaml")]
    # outside cwd, relative and normalised too, however the path was written
    candidates, _ = discover(["../other"], work)
    assert [(c.fs_path, c.path) for c in candidates] == [(work / "../other/o.yaml", "../other/o.yaml")]
    assert shown([str(tree / "other")], work) == ["../other/o.yaml"]
    assert shown(["../work/../other/"], work) == ["../other/o.yaml"]
    # more than three folders up: the normalised absolute path
    deep = work / "a" / "b" / "c"
    assert shown(["../../../../other"], deep) == [str(tree / "other" / "o.yaml")]


def test_walking_a_folder_that_holds_cwd(tree):
    # files back inside cwd are shown relative to it, the others with ../
    cwd = tree / "work" / "a" / "b"
    assert shown([".."], cwd) == ["../g.yaml", "f.yaml", "c/deep.yaml"]
    assert shown([str(tree / "work" / "a")], cwd) == ["../g.yaml", "f.yaml", "c/deep.yaml"]


def test_relative_cwd(tree, monkeypatch):
    monkeypatch.chdir(tree)
    candidates, _ = discover(["a/b", "../other"], Path("work"))
    assert [(c.fs_path, c.path) for c in candidates] == [
        (Path("work/a/b/f.yaml"), "a/b/f.yaml"),
        (Path("work/a/b/c/deep.yaml"), "a/b/c/deep.yaml"),
        (Path("work/../other/o.yaml"), "../other/o.yaml"),
    ]


def test_order_is_sorted_per_folder_files_first(tmp_path):
    for rel in ["b.yaml", "A.yaml", "a/x.yaml", "c/x.yaml", "B/x.yaml", "a/z/y.yaml", "a/a.yaml", "a.yaml"]:
        touch(tmp_path / rel)
    assert shown(["."], tmp_path) == [
        "A.yaml", "a.yaml", "b.yaml", "B/x.yaml", "a/a.yaml", "a/x.yaml", "a/z/y.yaml", "c/x.yaml",
    ]


def test_duplicates_are_dropped_and_missing_paths_reported(tree):
    work = tree / "work"
    candidates, errors = discover(["a/b", "a", "a/g.yaml", "nope", "."], work)
    paths = [c.path for c in candidates]
    assert paths == ["a/b/f.yaml", "a/b/c/deep.yaml", "a/g.yaml", "top.yaml", ".hidden/h.yaml", "sp ace/ünï.yaml"]
    assert [c.explicit for c in candidates] == [False, False, True, False, False, False]  # a/g.yaml is named, also inside a named folder
    assert errors == ["nope: no such file or directory"]


def test_symlinks(tmp_path):
    touch(tmp_path / "target" / "t.yaml")
    touch(tmp_path / "scan" / "real.yaml")
    (tmp_path / "scan" / "dir_link").symlink_to(tmp_path / "target")
    (tmp_path / "scan" / "file_link.yaml").symlink_to(tmp_path / "target" / "t.yaml")
    (tmp_path / "scan" / "broken.yaml").symlink_to(tmp_path / "nowhere")
    (tmp_path / "scan" / "loop").symlink_to(tmp_path / "scan" / "loop")
    (tmp_path / "scan" / "up").symlink_to(tmp_path)
    # symlinked folders are not followed, broken links (and loops) skipped
    assert shown(["scan"], tmp_path) == ["scan/file_link.yaml", "scan/real.yaml"]
    # a symlinked folder named as the start path is walked
    assert shown(["scan/dir_link"], tmp_path) == ["scan/dir_link/t.yaml"]


def test_skipped_folders(tmp_path):
    for name in SKIPPED_DIRS:
        touch(tmp_path / name / "x.yaml")
        touch(tmp_path / "sub" / name / "x.yaml")
    touch(tmp_path / "sub" / "kept.yaml")
    touch(tmp_path / "files" / "node_modules")  # a file of that name is no folder
    assert shown(["."], tmp_path) == ["files/node_modules", "sub/kept.yaml"]
    # named as the start path, such a folder is walked
    assert shown(["node_modules"], tmp_path) == ["node_modules/x.yaml"]


def test_excludes_match_display_paths(tree):
    work = tree / "work"
    assert shown(["a"], work, ("a/b/**",)) == ["a/g.yaml"]
    assert shown(["."], work / "a", ("b",)) == ["g.yaml"]
    assert shown(["."], work, ("*.yaml",)) == []
    assert shown(["../other", "a/b/c"], work, ("deep.yaml",)) == ["../other/o.yaml"]


@pytest.mark.parametrize("where", ["work", "work/a/b", "other"])
def test_agrees_with_the_per_file_reference(tree, where):
    work = tree / "work"
    (work / "a" / "broken.yaml").symlink_to(tree / "nowhere")
    (work / "a" / "dir_link").symlink_to(tree / "other")
    touch(work / "node_modules" / "n.yaml")
    cwd = tree / where
    starts = [".", "..", str(work), str(work / "a") + "/", "../work/a/b", "a", "a/b/c", str(tree / "other")]
    starts = [s for s in starts if (cwd / s).is_dir()]
    for exclude in [(), ("a/b/**",), ("*.yml", "c")]:
        got = [(c.fs_path, c.path) for c in discover(starts, cwd, exclude)[0]]
        assert got == reference(starts, cwd, exclude)
        assert all(path == display_path(fs_path, cwd) for fs_path, path in got)


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def git_reference(paths, cwd, exclude=()):
    """The git listing as it was written first: a Path, a relpath and an
    lstat per listed name."""
    out, seen = [], set()
    for raw in paths:
        top = cwd / raw if not os.path.isabs(raw) else Path(raw)
        proc = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
                              cwd=top, capture_output=True, check=True)
        for name in dict.fromkeys(proc.stdout.decode("utf-8", "surrogateescape").split("\0")):
            file = top / name
            path = display_path(file, cwd)
            if not name or path in seen or matches_any(path, exclude) or (file.is_symlink() and not file.exists()):
                continue
            seen.add(path)
            out.append((file, path))
    return out


def test_git_work_tree_listing(tree):
    work = tree / "work"
    git(work, "init", "-q")
    (work / ".gitignore").write_text("ignored/\n")
    touch(work / "ignored" / "i.yaml")
    (work / "a" / "broken.yaml").symlink_to(tree / "nowhere")
    (work / "a" / "dir_link").symlink_to(tree / "other")
    git(work, "add", "-A")
    touch(work / "a" / "untracked.yaml")
    touch(work / "a" / "nested" / "n.yaml")
    git(work / "a" / "nested", "init", "-q")  # listed by git as "nested/"
    (work / "a" / "g.yaml").unlink()  # tracked, deleted: still listed
    candidates, errors = discover(["a", "."], work)
    assert errors == []
    got = [(c.fs_path, c.path) for c in candidates]
    assert got == git_reference(["a", "."], work)
    paths = [path for _, path in got]
    assert set(paths) == {
        "a/b/c/deep.yaml", "a/b/f.yaml", "a/dir_link", "a/g.yaml", "a/nested", "a/untracked.yaml",
        ".gitignore", ".hidden/h.yaml", "sp ace/ünï.yaml", "top.yaml",
    }
    # from a folder inside the repository, and from beside it
    assert shown(["b"], work / "a") == ["b/c/deep.yaml", "b/f.yaml"]
    assert shown(["../work/a/b"], tree / "other") == ["../work/a/b/c/deep.yaml", "../work/a/b/f.yaml"]
    assert shown(["a/b"], work, ("c",)) == ["a/b/f.yaml"]
    for cwd, starts in [(work / "a" / "b", ["..", str(work)]), (tree, ["work/a", "work"]), (tree / "other", ["../work"])]:
        assert [(c.fs_path, c.path) for c in discover(starts, cwd)[0]] == git_reference(starts, cwd)
