"""Messages a person can read (issue 10, item 13): a short headline, the
substitution trail on notes at the place each variable is set, an empty
reference named as such, carets under double-width characters, and paths
shown relative and normalised.  Run through the installed console script."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from taglint.origin_notes import part_named

_SCRIPT = Path(sys.executable).with_name("taglint")
TAGLINT = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-m", "taglint"]


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TAGLINT, "--no-config", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def _json(cwd: Path, *args: str) -> list[dict]:
    done = _run(cwd, "--format", "json", *args)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)["findings"]


def test_the_substitution_trail_is_notes_at_the_place_each_variable_is_set(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("ARG PY=3.12\nARG BASE=python:${PY}-slim\nFROM ${BASE} AS build\n")
    (finding,) = _json(tmp_path, "--select", "TL104", ".")
    assert finding["message"].startswith("`python:3.12-slim` moves to each new patch release")
    assert "ARG" not in finding["message"] and "via" not in finding["message"]
    assert [(r["path"], r["line"], r["message"]) for r in finding["related"]] == [
        ("Dockerfile", 2, "the image reference comes from ARG BASE, set here to `python:3.12-slim`"),
        ("Dockerfile", 1, "the tag comes from ARG PY, set here to `3.12`"),
    ]
    text = _run(tmp_path, "--select", "TL104", "--color", "never", ".").stdout
    assert "  = note: Dockerfile:1:1: the tag comes from ARG PY, set here to `3.12`" in text.splitlines()


def test_a_shell_variable_is_named_where_it_is_set(tmp_path: Path) -> None:
    (tmp_path / "release.sh").write_text(
        "#!/bin/sh\nset -eu\nimage_name=registry.example.com/team/app:latest\n"
        "docker build -t \"$image_name\" .\ndocker push \"$image_name\"\n"
    )
    (finding,) = [f for f in _json(tmp_path, "--select", "TL202", ".")]
    assert "$image_name" not in finding["message"]
    assert [(r["line"], r["message"]) for r in finding["related"]] == [
        (3, "the image reference comes from $image_name, set here to `registry.example.com/team/app:latest`"),
    ]


def test_an_unset_variable_is_a_note_too(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("ARG TAG\nFROM registry.example.com/ml/trainer:${TAG}\n")
    (finding,) = _json(tmp_path, "--select", "TL108", ".")
    assert finding["message"].endswith("tag source: unknown")
    assert [(r["line"], r["message"]) for r in finding["related"]] == [(1, "ARG TAG has no value taglint can see, declared here")]


@pytest.mark.parametrize("supplied, value, part", [
    ("3.12", "python:3.12-slim", "tag"),
    ("python:3.12-slim", "python:3.12-slim", "image reference"),
    ("ghcr.io/acme", "ghcr.io/acme/app:1.0", "registry"),
    ("reg:5000", "reg:5000/app:1.0", "registry"),
    ("app", "ghcr.io/acme/app:1.0", "image name"),
    ("abc", "app@sha256:abc", "digest"),
    ("zzz", "app:1.0", "value"),
])
def test_the_part_a_substitution_makes(supplied: str, value: str, part: str) -> None:
    assert part_named(supplied, value) == part


def test_an_empty_reference_is_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("ARG BASE=\nFROM ${BASE}\n")
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: \" \"\n"
    )
    found = {f["path"]: f for f in _json(tmp_path, "--select", "TL107", ".")}
    assert found["Dockerfile"]["message"] == "Empty image reference: `FROM` names no image"
    assert found["Dockerfile"]["related"][0]["message"] == "the image reference comes from ARG BASE, set here to an empty value"
    assert found["pod.yaml"]["message"] == "Empty image reference: the container names no image to run"
    assert '``' not in found["pod.yaml"]["message"] and '`""`' not in found["pod.yaml"]["message"]


def test_carets_line_up_under_double_width_characters(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx  # 本番のイメージ\n    labels: {名前: ウェブ}\n")
    (tmp_path / "Dockerfile").write_text("FROM ubuntu AS ビルド\nLABEL 説明=\"日本語\" base=\"x\"\nFROM node\n")
    (tmp_path / "run.sh").write_text("echo 'デプロイ開始' && docker push myorg/app\n")
    out = _run(tmp_path, "--color", "never", "--select", "TL101,TL201", ".").stdout.splitlines()
    source = [i for i, line in enumerate(out) if "| echo 'デプロイ開始'" in line]
    assert source, out
    shown, carets = out[source[0]], out[source[0] + 1]
    text_start = shown.index("| ") + 2
    target = shown.index("myorg/app")
    width = sum(2 if "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1 for ch in shown[text_start:target])
    assert carets.index("^") - text_start == width
    assert carets.count("^") == len("myorg/app")


@pytest.mark.parametrize("start", ["../ba/Dockerfile", "./../ba/Dockerfile", "../zz/../ba/Dockerfile", "../ba/", "..", "../ba//."])
def test_paths_are_shown_relative_and_normalised(tmp_path: Path, start: str) -> None:
    for folder in ("aa", "ba", "zz"):
        (tmp_path / folder).mkdir()
    (tmp_path / "ba" / "Dockerfile").write_text("FROM ubuntu\n")
    found = _json(tmp_path / "aa", "--select", "TL101", start)
    assert [f["path"] for f in found] == ["../ba/Dockerfile"]
    text = _run(tmp_path / "aa", "--select", "TL101", "--color", "never", start).stdout
    assert text.startswith("../ba/Dockerfile:1:6: TL101")


def test_an_absolute_path_is_shown_relative_too(tmp_path: Path) -> None:
    (tmp_path / "aa").mkdir()
    (tmp_path / "ba").mkdir()
    (tmp_path / "ba" / "Dockerfile").write_text("FROM ubuntu\n")
    found = _json(tmp_path / "aa", "--select", "TL101", str(tmp_path / "ba" / "Dockerfile"))
    assert [f["path"] for f in found] == ["../ba/Dockerfile"]
