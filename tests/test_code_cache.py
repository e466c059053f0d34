"""taglint/code_cache.py: the methods dataclasses writes come compiled from
the cache, and the classes are exactly those dataclasses makes itself
(issue 13, target 1).  Each case runs in a fresh interpreter: installing
the cache changes the dataclasses module of the process."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Defines the same dataclasses with and without the cache installed and
# prints what each does, as JSON, plus the cache's counts.
_PROBE = r'''
import dataclasses, json, sys
from dataclasses import dataclass, field
from taglint import code_cache

SOURCE = """
@dataclass(frozen=True, order=True)
class Span:
    line: int
    column: int
    end_line: int = 0
    note: str = field(default="", compare=False, repr=False)

@dataclass
class Facts:
    path: str
    images: list = field(default_factory=list)
    def __post_init__(self):
        self.path = self.path.strip()
"""

def behaviour(namespace):
    Span, Facts = namespace["Span"], namespace["Facts"]
    a, b = Span(1, 2, note="x"), Span(1, 2, note="y")
    out = {
        "repr": [repr(a), repr(Facts(" p "))],
        "eq": [a == b, a == Span(1, 3), a < Span(1, 3)],
        "hash": hash(a) == hash(b),
        "fields": [f.name for f in dataclasses.fields(Span)],
        "replace": repr(dataclasses.replace(a, column=9)),
        "factory": Facts("q").images is not Facts("q").images,
        "doc": Span.__doc__,
    }
    try:
        a.line = 5
    except dataclasses.FrozenInstanceError as exc:
        out["frozen"] = str(exc)
    return out

def define():
    namespace = {"dataclass": dataclass, "field": field}
    exec(SOURCE, namespace)
    return behaviour(namespace)

mode = sys.argv[1]
plain = define()
if mode in ("install", "install-save"):
    code_cache.install()
cached = define()
if mode == "install-save":
    code_cache.save()
print(json.dumps({"plain": plain, "cached": cached, "loaded": code_cache._loaded,
                  "table": len(code_cache._table), "patched": getattr(dataclasses, "exec", None) is code_cache.cached_exec}))
'''


def _probe(mode: str, cache: Path) -> dict:
    env = dict(os.environ, TAGLINT_CACHE_DIR=str(cache), PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-c", _PROBE, mode], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("dataclass-code-*.marshal")) if cache.is_dir() else []


def test_classes_made_through_the_cache_behave_as_dataclasses_own(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _probe("install-save", cache)
    assert first["patched"] and first["loaded"] == 0 and first["table"] > 0
    assert first["cached"] == first["plain"]
    assert "FrozenInstance" not in first["cached"]["frozen"] and "line" in first["cached"]["frozen"]
    assert len(_entries(cache)) == 1
    second = _probe("install", cache)
    assert second["cached"] == second["plain"] == first["plain"]
    assert second["loaded"] >= first["table"]  # read from the file...
    assert second["table"] == second["loaded"]  # ...and nothing compiled again


def test_without_install_nothing_changes(tmp_path: Path) -> None:
    result = _probe("none", tmp_path / "cache")
    assert not result["patched"] and result["table"] == 0
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize("damage", [b"", b"taglint-cache 2\n\0\0\0\0garbage", None], ids=["empty", "garbage", "flipped"])
def test_a_damaged_table_is_ignored(tmp_path: Path, damage: bytes | None) -> None:
    cache = tmp_path / "cache"
    _probe("install-save", cache)
    (entry,) = _entries(cache)
    blob = entry.read_bytes()
    entry.write_bytes(blob[:-1] + bytes([blob[-1] ^ 0x55]) if damage is None else damage)
    result = _probe("install", cache)
    assert result["loaded"] == 0 and result["cached"] == result["plain"]


def test_taglint_runs_the_same_with_and_without_the_cache(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "Dockerfile").write_text("FROM alpine\nFROM python:3.12-slim\nRUN echo hi\n")
    outputs = []
    for cache in (str(tmp_path / "cache"), str(tmp_path / "cache"), ""):
        env = dict(os.environ, TAGLINT_CACHE_DIR=cache, PYTHONPATH=str(REPO))
        proc = subprocess.run(
            [sys.executable, "-m", "taglint", "--format", "json", "Dockerfile"],
            cwd=project, capture_output=True, text=True, env=env, timeout=120,
        )
        assert proc.returncode == 1, proc.stderr
        outputs.append(proc.stdout)
    assert len(_entries(tmp_path / "cache")) == 1  # written by the first run
    assert outputs[0] == outputs[1] == outputs[2]
    assert [f["rule"] for f in json.loads(outputs[0])["findings"]] == ["TL101", "TL104"]
