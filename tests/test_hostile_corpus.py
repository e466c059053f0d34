"""A hostile repository, generated at test time, cannot hang, crash or
exhaust taglint.

Each case is a small tree written into ``tmp_path`` (nothing hostile is
committed); ``taglint`` runs on it as a user runs it, in a subprocess, and
must end within a time bound, under a memory bound, with exit 0, 1 or 2
and no traceback.  The whole corpus is also scanned at once, with one and
two jobs.  The sizes are the issue's: 50 MB files, 100,000 empty files.
"""
from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Callable

import pytest

from .measured_run import Measured, run_measured

TIME_LIMIT = 60.0  # seconds for one scan: generous for a loaded CI machine; a hang never ends
MEMORY_LIMIT_MB = 400  # peak RSS of one scan
# A 50 MB YAML file: its documents are read one at a time and the 50 MB
# ConfigMap is skipped without nodes (taglint.extract.kubernetes.bundle), so
# the peak is the file's bytes and text (and, for the text report's code
# frames, its lines): about 220 MB measured, 500 MB when composed whole.
MEMORY_LIMIT_MB_BIG_FILES = 300
# A release bundle of 20 MB (issue 13, target 4): at most 150 MB, whatever the format.
MEMORY_LIMIT_MB_BUNDLE = 150


def _write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)


def _pod(image: str) -> str:
    return (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
        f"  - name: app\n    image: {image}\n"
    )


# -- the cases ------------------------------------------------------------------------------------------


def alias_bomb(root: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 12):
        prev = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([prev] * 9)}]")
    _write(root / "values.yaml", "\n".join(lines) + "\nimage:\n  repository: nginx\n  tag: latest\n")
    _write(root / "k8s" / "bomb.yaml", "apiVersion: v1\nkind: ConfigMap\n" + "\n".join(lines) + "\n")


def deep_nesting(root: Path) -> None:
    _write(root / "deep-flow.yaml", "apiVersion: v1\nkind: List\nitems: " + "[" * 20000 + "]" * 20000 + "\n")
    block = "".join("  " * i + f"k{i}:\n" for i in range(3000)) + "  " * 3000 + "v: 1\n"
    _write(root / "values.yaml", block)
    _write(root / "deep.json", '{"apiVersion": "v1", "kind": "Pod", "spec": ' + '{"a": ' * 5000 + "1" + "}" * 5001)


def expansion_bomb_shell(root: Path) -> None:
    body = "A=x\n" + "A=$A$A\n" * 40 + 'docker push "registry.example.com/app:$A"\n'
    _write(root / "bomb.sh", "#!/bin/sh\n" + body)


def expansion_bomb_dockerfile(root: Path) -> None:
    _write(root / "Dockerfile", "ARG A=x\n" + "ARG A=$A$A\n" * 40 + "FROM python:$A\n")


def expansion_bomb_makefile(root: Path) -> None:
    _write(root / "Makefile", "A := x\n" + "A := $(A)$(A)\n" * 40 + "push:\n\tdocker push registry.example.com/app:$(A)\n")


def expansion_bomb_workflow(root: Path) -> None:
    script = "          A=x\n" + "          A=$A$A\n" * 40 + '          docker push "ghcr.io/acme/app:$A"\n'
    _write(
        root / ".github" / "workflows" / "ci.yml",
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n" + script,
    )


def big_files(root: Path) -> None:
    size = 50  # MB
    doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n"
    row = "  key{}: " + "x" * 100 + "\n"
    rows = (size * 1024 * 1024) // (len(row) + 6)
    _write(root / "bundle.yaml", doc + "".join(row.format(i) for i in range(rows)) + "---\n" + _pod("app:latest"))
    _write(root / "one-line.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: " + "x" * (5 * 1024 * 1024) + "}\n")
    _write(root / "long.Dockerfile", "FROM python:" + "1" * (5 * 1024 * 1024) + "\n")


def bad_bytes(root: Path) -> None:
    _write(root / "nul.yaml", b"apiVersion: v1\x00\nkind: Pod\n")
    _write(root / "latin1.Dockerfile", b"# caf\xe9\nFROM python\n")
    _write(root / "bom.yaml", b"\xef\xbb\xbf" + _pod("nginx").encode())
    _write(root / "utf16.yaml", "\ufeff".encode("utf-16-le") + _pod("nginx").encode("utf-16-le"))
    _write(root / "half.yaml", _pod("nginx").encode()[:-3] + b"\xff\xfe\xfd")


def odd_line_breaks(root: Path) -> None:
    for name, sep in {"cr": "\r", "vt": "\x0b", "ff": "\x0c", "fs": "\x1c", "nel": "\u0085", "ls": "\u2028", "ps": "\u2029"}.items():
        _write(root / f"{name}.Dockerfile", f"# comment{sep}more\nRUN echo a{sep}b\nFROM python\n")
        _write(root / f"{name}.yaml", _pod(f"nginx{sep}x").replace("metadata:", f"metadata:{sep}"))
        _write(root / f"{name}.sh", f"#!/bin/sh\necho{sep}docker push app\n")


def special_files(root: Path) -> None:
    os.mkfifo(root / "x.Dockerfile")
    os.mkfifo(root / "pipe.yaml")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(root / "sock.Dockerfile"))
    finally:
        server.close()
    (root / "Dockerfile").mkdir()
    _write(root / "Dockerfile" / "inner.yaml", _pod("nginx"))
    (root / "loop").mkdir()
    os.symlink("..", root / "loop" / "up")
    os.symlink("self", root / "self")
    os.symlink("/", root / "out-of-tree")
    os.symlink("/etc/passwd", root / "passwd.Dockerfile")
    os.symlink("missing", root / "dangling.yaml")
    unreadable = root / "unreadable.Dockerfile"
    _write(unreadable, "FROM python\n")
    unreadable.chmod(0)


def many_files(root: Path) -> None:
    count = 100_000
    for start in range(0, count, 1000):
        folder = root / f"d{start // 1000}"
        folder.mkdir()
        for i in range(start, start + 1000):
            (folder / f"f{i}.yaml").touch()


def deep_folders(root: Path) -> None:
    folder = root
    for i in range(200):
        folder = folder / f"d{i}"
    folder.mkdir(parents=True)
    _write(folder / "Dockerfile", "FROM python\n")


def yaml_tags(root: Path) -> None:
    _write(root / "evil.yaml", "!!python/object/apply:os.system ['touch PWNED']\n")
    _write(root / "evil-pod.yaml", _pod("!!python/object/apply:os.system ['touch PWNED2']"))
    _write(root / ".taglint.yaml", "select: !!python/object/apply:os.system ['touch PWNED3']\n")


def escape_sequences(root: Path) -> None:
    _write(root / "esc.yaml", _pod('"nginx\\e[31m:latest\\x1b]0;title\\x07"'))
    _write(root / "esc.Dockerfile", "FROM python\x1b[2J:3\n")
    _write(root / "name\x1b[31mred.Dockerfile", "FROM python\n")


CASES: dict[str, Callable[[Path], None]] = {
    "alias-bomb": alias_bomb,
    "deep-nesting": deep_nesting,
    "expansion-bomb-shell": expansion_bomb_shell,
    "expansion-bomb-dockerfile": expansion_bomb_dockerfile,
    "expansion-bomb-makefile": expansion_bomb_makefile,
    "expansion-bomb-workflow": expansion_bomb_workflow,
    "big-files": big_files,
    "bad-bytes": bad_bytes,
    "odd-line-breaks": odd_line_breaks,
    "special-files": special_files,
    "many-files": many_files,
    "deep-folders": deep_folders,
    "yaml-tags": yaml_tags,
    "escape-sequences": escape_sequences,
}


# -- running taglint as a user does --------------------------------------------------------------------


def assert_survived(run: Measured, label: str, memory_limit_mb: float = MEMORY_LIMIT_MB) -> None:
    assert run.code in (0, 1, 2), f"{label}: exit {run.code}\n{run.stderr[-2000:]}"
    assert "Traceback" not in run.stderr, f"{label}: traceback\n{run.stderr[-3000:]}"
    assert "Traceback" not in run.stdout, f"{label}: traceback in the report"
    assert run.peak_mb < memory_limit_mb, f"{label}: peak RSS {run.peak_mb:.0f} MB"
    for text in (run.stdout, run.stderr):
        assert "\x1b" not in text, f"{label}: a raw escape sequence reached the terminal"


needs_unix = pytest.mark.skipif(not hasattr(os, "mkfifo") or sys.platform == "win32", reason="POSIX file types")


@needs_unix
@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_tree_ends_cleanly(name: str, tmp_path: Path) -> None:
    root = tmp_path / name
    root.mkdir()
    CASES[name](root)
    limit = MEMORY_LIMIT_MB_BIG_FILES if name == "big-files" else MEMORY_LIMIT_MB
    run = run_measured(root, "--color", "never", ".", timeout=TIME_LIMIT)
    assert_survived(run, name, limit)
    for planted in ("PWNED", "PWNED2", "PWNED3"):
        assert not (root / planted).exists(), "a YAML tag was constructed"
    json_run = run_measured(root, "--format", "json", ".", timeout=TIME_LIMIT)
    assert_survived(json_run, f"{name} (json)", limit)


@needs_unix
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_whole_hostile_corpus_at_once(jobs: str, tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    for name, make in CASES.items():
        if name in ("many-files", "big-files"):
            continue  # each alone above; together they only add minutes
        (root / name).mkdir()
        make(root / name)
    run = run_measured(root, "--jobs", jobs, "--color", "never", ".", timeout=TIME_LIMIT)
    assert_survived(run, f"corpus --jobs {jobs}")


@needs_unix
@pytest.mark.parametrize("output", [["--color", "never"], ["--format", "json"]], ids=["text", "json"])
def test_a_20_mb_release_bundle_stays_under_150_mb(output: list[str], tmp_path: Path) -> None:
    """CRD schemas first, then the workloads (benchmarks.bundles): the
    schemas are skipped without nodes, the workloads found."""
    import random

    from benchmarks.bundles import release_bundle

    root = tmp_path / "bundle"
    _write(root / "install.yaml", release_bundle(random.Random(3), 20_500_000))
    assert (root / "install.yaml").stat().st_size > 19_000_000
    run = run_measured(root, "--no-config", *output, ".", timeout=TIME_LIMIT)
    assert_survived(run, "20 MB bundle", MEMORY_LIMIT_MB_BUNDLE)
    assert run.code == 1 and "kserve/sklearnserver:latest" in run.stdout  # the workloads at the end are read


@needs_unix
def test_a_file_deleted_during_the_scan_is_not_a_crash(tmp_path: Path) -> None:
    """Discovery lists the file; it is gone when it is read."""
    from taglint.config import Config
    from taglint.engine import scan
    import taglint.discovery as discovery

    _write(tmp_path / "Dockerfile", "FROM python\n")
    _write(tmp_path / "gone" / "Dockerfile", "FROM python\n")
    real_discover = discovery.discover

    def discover_then_delete(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = real_discover(*args, **kwargs)
        (tmp_path / "gone" / "Dockerfile").unlink()
        return found

    import taglint.engine as engine

    original = engine.discover
    engine.discover = discover_then_delete  # type: ignore[assignment]
    try:
        result = scan(["."], Config(), cwd=tmp_path)
    finally:
        engine.discover = original  # type: ignore[assignment]
    assert [f.path for f in result.findings if f.rule == "TL101"] == ["Dockerfile"]
