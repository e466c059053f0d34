"""Shell scripts as files: which files are scripts, one scope per file."""
from __future__ import annotations

from pathlib import Path

from taglint.classify import classify
from taglint.config import Config
from taglint.engine import scan
from taglint.extract.scripts.shell import extract
from taglint.source import ExtractContext, SourceFile


def test_kinds() -> None:
    assert classify("scripts/release.sh", lambda: None) == "shell"
    assert classify("scripts/release.bash", lambda: None) == "shell"
    assert classify("bin/release", lambda: "#!/usr/bin/env bash\ndocker push a\n") == "shell"
    assert classify("bin/release", lambda: "#!/bin/sh\n") == "shell"
    assert classify("bin/release", lambda: "#!/usr/bin/env python3\n") is None


def test_extract_one_scope_per_file() -> None:
    facts = extract(SourceFile.from_text("ci/push.sh", "docker push r.io/a:1\ndocker run alpine:3.20\n"), ExtractContext())
    assert facts.kind == "shell"
    assert [c.scope for c in facts.commands] == ["ci/push.sh"]
    assert [i.value for i in facts.images] == ["alpine:3.20"]


def test_extensionless_script_through_the_engine(tmp_path: Path) -> None:
    (tmp_path / "release").write_text("#!/bin/bash\ndocker push myorg/app\n")
    (tmp_path / "notes.txt").write_text("docker push myorg/app\n")
    result = scan(["."], Config(select=("TL201",)), cwd=tmp_path)
    assert [(f.path, f.span.line, f.span.column) for f in result.findings] == [("release", 2, 13)]


def test_binary_or_broken_scripts_do_not_stop_the_scan(tmp_path: Path) -> None:
    (tmp_path / "a.sh").write_bytes(b"docker push \xff\xfe myorg/app\n")
    (tmp_path / "b.sh").write_text("if then ((( {{{ '\ndocker push myorg/app\n")
    (tmp_path / "c.sh").write_text("docker push myorg/app\n")
    result = scan(["."], Config(select=("TL201",)), cwd=tmp_path)
    assert not result.errors
    assert ("c.sh", 1) in [(f.path, f.span.line) for f in result.findings]
