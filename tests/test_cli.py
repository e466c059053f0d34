"""End to end through ``taglint.cli.main`` (in-process) on real files."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from taglint.cli import main

ROOT = Path(__file__).resolve().parent.parent
DIGEST = "sha256:" + "a" * 64


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORCE_COLOR", raising=False)

    def _run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def findings(run, *args: str) -> list[dict]:
    code, out, _ = run("--format", "json", "--no-config", *args)
    return json.loads(out)["findings"]


def codes_by_line(run, *args: str) -> list[tuple[int, str]]:
    return [(f["line"], f["rule"]) for f in findings(run, *args)]


ACCEPTANCE = [
    ("FROM localhost:5000/app\n", ["TL101"]),
    ("FROM python\n", ["TL101"]),
    ("FROM python:latest\n", ["TL102"]),
    (f"FROM img:latest@{DIGEST}\n", []),
    ("FROM redis@sha256:abc\n", ["TL107"]),
    ("FROM App:1.0\n", ["TL107"]),
    ("FROM node:lts-alpine\n", ["TL103"]),
    ("FROM python:3.12-slim\n", ["TL104"]),
    ("FROM python:3.12.7-slim-bookworm\n", []),
    ("FROM golang:1.23.2 AS builder\nFROM builder\n", []),
    ("FROM scratch\n", []),
    ("ARG BASE=ubuntu\nFROM ${BASE}\n", ["TL101"]),
    ("FROM alpine:3.20.3\nCOPY --from=example/tools / /\n", ["TL101"]),
]


@pytest.mark.parametrize("text,expected", ACCEPTANCE)
def test_issue_acceptance_on_dockerfiles(run, tmp_path, text, expected):
    write(tmp_path / "Dockerfile", text)
    assert [f["rule"] for f in findings(run, "Dockerfile")] == expected


def test_arg_is_named_in_the_message(run, tmp_path):
    write(tmp_path / "Dockerfile", "ARG BASE=ubuntu\nFROM ${BASE}\n")
    (finding,) = findings(run, ".")
    # the substitution is a note at the ARG, not part of the headline
    assert [(r["line"], r["message"]) for r in finding["related"]] == [
        (1, "the image reference comes from ARG BASE, set here to `ubuntu`")
    ]
    assert "ARG" not in finding["message"]
    assert finding["reference"] == "ubuntu"
    assert (finding["line"], finding["column"], finding["end_column"]) == (2, 6, 13)


def test_default_of_unset_arg_is_named(run, tmp_path):
    write(tmp_path / "Dockerfile", "ARG TAG\nFROM img:${TAG:-latest}\n")
    (finding,) = findings(run, ".")
    assert finding["rule"] == "TL102"
    assert any("default of TAG" in r["message"] for r in finding["related"])


def test_unresolved_arg_is_info(run, tmp_path):
    write(tmp_path / "Dockerfile", "ARG TAG\nFROM img:${TAG}\n")
    (finding,) = findings(run, ".")
    assert (finding["rule"], finding["severity"]) == ("TL108", "info")
    code, _, _ = run("--no-config", ".")
    assert code == 0  # info is below the default fail-on


def test_build_arg_option(run, tmp_path):
    write(tmp_path / "Dockerfile", "ARG TAG\nFROM img:${TAG}\n")
    assert codes_by_line(run, "--build-arg", "TAG=latest", ".") == [(2, "TL102")]
    assert codes_by_line(run, "--build-arg", "TAG=1.2.3", ".") == []


def test_json_output_validates_against_the_shipped_schema(run, tmp_path):
    write(tmp_path / "Dockerfile", "FROM python\nFROM redis@sha256:abc\nFROM node:lts\n")
    code, out, _ = run("--format", "json", "--no-config", ".")
    report = json.loads(out)
    schema = json.loads((ROOT / "taglint" / "schemas" / "output.schema.json").read_text())
    jsonschema.validate(report, schema)
    assert code == 1
    assert report["summary"]["findings"] == 3
    assert report["summary"]["by_rule"] == {"TL101": 1, "TL103": 1, "TL107": 1}
    assert report["summary"]["files_scanned"] == 1


def test_exit_codes(run, tmp_path):
    write(tmp_path / "Dockerfile", "FROM python:3.12-slim\n")
    assert run("--no-config", ".")[0] == 0  # TL104 is info
    assert run("--no-config", "--fail-on", "info", ".")[0] == 1
    write(tmp_path / "Dockerfile", "FROM python\n")
    assert run("--no-config", ".")[0] == 1
    assert run("--no-config", "--exit-zero", ".")[0] == 0
    assert run("--no-config", "--fail-on", "error", ".")[0] == 0
    assert run("--no-config", "missing-path")[0] == 2
    assert run("--no-config", "--format", "yaml", ".")[0] == 2


def test_select_and_ignore_prefixes(run, tmp_path):
    write(tmp_path / "Dockerfile", "FROM python\nFROM node:latest\nFROM python:3.12\n")
    assert codes_by_line(run, "--select", "TL102", ".") == [(2, "TL102")]
    assert codes_by_line(run, "--ignore", "TL10", ".") == []
    assert codes_by_line(run, "--select", "TL1", "--ignore", "TL101,TL104", ".") == [(2, "TL102")]
    assert codes_by_line(run, "--select", "TL1", "--ignore", "TL1", ".") == []


def test_off_rules_run_when_selected_by_exact_code(run, tmp_path):
    write(tmp_path / "Dockerfile", f"FROM python:3.12.7\nFROM python:3.12.7@{DIGEST}\n")
    assert codes_by_line(run, ".") == []
    assert codes_by_line(run, "--select", "TL110", ".") == [(1, "TL110")]
    assert codes_by_line(run, "--select", "TL112", ".") == [(2, "TL112")]
    assert codes_by_line(run, "--strict", ".") == [(1, "TL110")]


def test_strict_raises_partial_versions_to_warning(run, tmp_path):
    write(tmp_path / "Dockerfile", "FROM python:3.12\n")
    (plain,) = findings(run, "--select", "TL104", ".")
    (strict,) = findings(run, "--select", "TL104", "--strict", ".")
    assert (plain["severity"], strict["severity"]) == ("info", "warning")


def test_config_file_discovery_and_keys(run, tmp_path):
    write(tmp_path / ".git" / "HEAD", "ref: refs/heads/main\n")
    write(tmp_path / ".taglint.yaml", "ignore: [TL101]\nseverity: {TL102: error}\nfail-on: error\n")
    write(tmp_path / "sub" / "Dockerfile", "FROM python\nFROM python:latest\n")
    (tmp_path / "sub").mkdir(exist_ok=True)
    os.chdir(tmp_path / "sub")
    code, out, _ = run("--format", "json", ".")
    report = json.loads(out)
    assert [(f["rule"], f["severity"]) for f in report["findings"]] == [("TL102", "error")]
    assert code == 1


def test_pyproject_config(run, tmp_path):
    write(tmp_path / "pyproject.toml", "[project]\nname='x'\n\n[tool.taglint]\nignore = ['TL102']\n")
    write(tmp_path / "Dockerfile", "FROM python:latest\n")
    assert run("--format", "json", ".")[0] == 0


def test_invalid_config_exits_2_with_key_path(run, tmp_path):
    write(tmp_path / ".taglint.yaml", "images:\n  - match: x\n    require: sometimes\n")
    write(tmp_path / "Dockerfile", "FROM python\n")
    code, _, err = run(".")
    assert code == 2
    assert "images[0].require" in err and "sometimes" in err
    write(tmp_path / ".taglint.yaml", "selectt: [TL1]\n")
    code, _, err = run(".")
    assert code == 2 and "selectt" in err
    write(tmp_path / ".taglint.yaml", "select: [TL1\n")
    code, _, err = run(".")
    assert code == 2 and "invalid YAML" in err


def test_per_file_ignores_and_exclude(run, tmp_path):
    write(tmp_path / ".taglint.yaml", "per-file-ignores: {'examples/**': [TL101]}\nexclude: ['vendor/**']\n")
    write(tmp_path / "examples" / "Dockerfile", "FROM python\n")
    write(tmp_path / "vendor" / "Dockerfile", "FROM python\n")
    write(tmp_path / "Dockerfile", "FROM python\n")
    code, out, _ = run("--format", "json", ".")
    assert [f["path"] for f in json.loads(out)["findings"]] == ["Dockerfile"]
    # explicit files are checked even when excluded, unless --force-exclude
    code, out, _ = run("--format", "json", "vendor/Dockerfile")
    assert len(json.loads(out)["findings"]) == 1
    code, out, _ = run("--format", "json", "--force-exclude", "vendor/Dockerfile")
    assert json.loads(out)["findings"] == []


def test_inline_suppressions_and_unused_ones(run, tmp_path):
    write(
        tmp_path / "Dockerfile",
        "# taglint: ignore[TL101] base image pinned by the platform team\n"
        "FROM python\n"
        "FROM node  # taglint: ignore[TL101]\n"
        "# taglint: ignore[TL102]\n"
        "FROM ruby:3.3.5\n",
    )
    # after an instruction a comment is an argument to Docker: it suppresses nothing and is TL002
    assert codes_by_line(run, ".") == [(3, "TL101"), (3, "TL002"), (4, "TL002")]


def test_ignore_file_suppression(run, tmp_path):
    write(tmp_path / "Dockerfile", "FROM python\nFROM node\n# taglint: ignore-file[TL101]\n")
    assert codes_by_line(run, ".") == []


def test_gitignore_is_honoured(run, tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path / ".gitignore", "build/\n")
    write(tmp_path / "build" / "Dockerfile", "FROM python\n")
    write(tmp_path / "app" / "Dockerfile", "FROM python\n")
    assert [f["path"] for f in findings(run, ".")] == ["app/Dockerfile"]
    assert [f["path"] for f in findings(run, "build/Dockerfile")] == ["build/Dockerfile"]


def test_text_output_has_frame_caret_fix_and_summary(run, tmp_path):
    write(tmp_path / "Dockerfile", "FROM  python\n")
    code, out, _ = run("--no-config", ".")
    lines = out.splitlines()
    assert lines[0].startswith("Dockerfile:1:7: TL101 [warning] `python`")
    assert "1 | FROM  python" in lines[2]
    assert lines[3].endswith("      ^^^^^^")
    assert any(line.strip().startswith("= fix:") for line in lines)
    assert lines[-1] == "Found 1 finding (1 warning) in 1 file; 1 file scanned."
    assert "\x1b[" not in out


def test_color_is_forced_and_disabled_by_environment(run, tmp_path, monkeypatch):
    write(tmp_path / "Dockerfile", "FROM python\n")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in run("--no-config", ".")[1]
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run("--no-config", ".")[1]


def test_control_characters_from_files_are_escaped(run, tmp_path):
    write(tmp_path / "Dockerfile", "FROM python\x1b[31m\n")
    out = run("--no-config", ".")[1]
    assert "\x1b" not in out and "\\x1b" in out


def test_quiet_and_statistics(run, tmp_path):
    write(tmp_path / "Dockerfile", "FROM python\nFROM node\n")
    out = run("--no-config", "--quiet", ".")[1]
    assert out.count("\n") == 2 and "|" not in out and "Found" not in out  # findings only (issue 10, item 11)
    out = run("--no-config", "--statistics", ".")[1]
    assert out == "    2  TL101      untagged-image  warning\n"  # only the table (issue 10, item 10)


def test_output_file(run, tmp_path):
    write(tmp_path / "Dockerfile", "FROM python\n")
    code, out, _ = run("--no-config", "--format", "json", "--output", "report.json", ".")
    assert code == 1 and out == ""
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["findings"] == 1


def test_rules_rule_init_schema_version(run, tmp_path):
    code, out, _ = run("rules")
    assert code == 0 and "TL101  untagged-image" in out
    code, out, _ = run("rule", "TL101")
    assert code == 0 and out.startswith("# TL101 untagged-image") and "## Why is this bad?" in out
    assert run("rule", "untagged-image")[0] == 0
    assert run("rule", "TL999")[0] == 2
    code, out, _ = run("init")
    assert code == 0 and (tmp_path / ".taglint.yaml").is_file()
    assert run("init")[0] == 2  # never overwrites without --force
    assert run("--format", "json", ".")[0] in (0, 1)  # the starter config is valid
    code, out, _ = run("schema")
    assert json.loads(out)["title"] == "taglint configuration"
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0


def test_unreadable_and_binary_and_bad_encoding_files(run, tmp_path):
    (tmp_path / "Dockerfile.bin").write_bytes(b"FROM \x00python\n")
    (tmp_path / "Dockerfile").write_bytes(b"FROM python:3.12.7\nRUN echo \xff\xfe\n")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "up").symlink_to(tmp_path)
    got = codes_by_line(run, ".")
    assert got == [(2, "TL001")]


def test_python_dash_m_entry_point(tmp_path):
    write(tmp_path / "Dockerfile", "FROM python\n")
    proc = subprocess.run(
        [sys.executable, "-m", "taglint", "--no-config", "--format", "json", "."],
        cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["findings"][0]["rule"] == "TL101"


def test_suppressions_in_unscanned_files_that_receive_findings(run, tmp_path):
    # pre-commit passes only the base manifest; the overlay decides the tag and
    # carries the suppression: it applies, and is never reported as unused.
    write(tmp_path / "base" / "deployment.yaml",
          "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\n"
          "spec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app\n")
    write(tmp_path / "base" / "kustomization.yaml", "resources:\n- deployment.yaml\n")
    overlay = write(tmp_path / "overlays" / "dev" / "kustomization.yaml",
                    "resources:\n- ../../base\nimages:\n- name: app\n  newTag: latest\n")
    assert codes_by_line(run, "base/deployment.yaml") == [(5, "TL102")]
    assert findings(run, "base/deployment.yaml")[0]["path"] == "overlays/dev/kustomization.yaml"
    overlay.write_text(
        "resources:\n- ../../base\nimages:\n- name: app\n  # taglint: ignore[TL102,TL104] dev follows latest\n  newTag: latest\n"
    )
    assert codes_by_line(run, "base/deployment.yaml") == []


def test_a_named_env_file_rechecks_the_compose_files_beside_it(run, tmp_path):
    write(tmp_path / "compose.yaml", "services:\n  web:\n    image: nginx:${NGINX_TAG}\n")
    write(tmp_path / ".env", "NGINX_TAG=latest\n")
    assert [(f["path"], f["rule"]) for f in findings(run, ".env")] == [("compose.yaml", "TL102")]
