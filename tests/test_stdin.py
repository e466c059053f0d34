"""``taglint - --stdin-filename PATH``: standard input checked as the file
PATH (its kind, configuration and name); ``--fix`` writes the fixed text
to standard output, ``--diff`` prints the diff; no file is written.
Run as a real process: standard input is a pipe, as editors give it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGIN = 'push:\n  script:\n    - docker login -u bot -p "$TOKEN" registry.example.com\n'
FIXED_LOGIN = "push:\n  script:\n    - printf '%s' \"$TOKEN\" | docker login -u bot --password-stdin registry.example.com\n"


def taglint(cwd: Path, data: str | bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    return subprocess.run(
        [sys.executable, "-m", "taglint", *args], cwd=cwd, input=payload, capture_output=True, env=env, timeout=120,
    )


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def json_findings(done: subprocess.CompletedProcess[bytes]) -> list[tuple[str, int, int, str]]:
    report = json.loads(done.stdout)
    return [(f["path"], f["line"], f["column"], f["rule"]) for f in report["findings"]]


def test_stdin_is_checked_as_the_file_named(tmp_path: Path) -> None:
    done = taglint(tmp_path, "FROM python\n", "--no-config", "--format", "json", "-", "--stdin-filename", "app/Dockerfile")
    assert done.returncode == 1, done.stderr
    assert json_findings(done) == [("app/Dockerfile", 1, 6, "TL101")]


def test_the_name_decides_the_kind(tmp_path: Path) -> None:
    done = taglint(tmp_path, LOGIN, "--no-config", "--format", "json", "-", "--stdin-filename", ".gitlab-ci.yml")
    assert json_findings(done) == [(".gitlab-ci.yml", 3, 27, "TL208")]
    # the same text named like nothing known is not checked (and said so)
    done = taglint(tmp_path, LOGIN, "--no-config", "-", "--stdin-filename", "notes.txt")
    assert done.returncode == 0
    assert b"notes.txt: skipped (not a known file kind)" in done.stderr


def test_the_text_is_read_not_the_file_on_disk(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", "FROM python:3.12.7-slim-bookworm\n")  # the saved file is clean
    done = taglint(tmp_path, "FROM python\n", "--no-config", "-", "--stdin-filename", "Dockerfile")
    assert done.returncode == 1
    out = done.stdout.decode()
    assert "Dockerfile:1:6: TL101" in out
    assert "1 | FROM python\n" in out  # the code frame quotes standard input


def test_the_configuration_is_that_of_the_path(tmp_path: Path) -> None:
    write(tmp_path / "svc/.taglint.yaml", "ignore: [TL101]\n")
    done = taglint(tmp_path, "FROM python\n", "--format", "json", "-", "--stdin-filename", "svc/Dockerfile")
    assert done.returncode == 0 and json_findings(done) == []
    done = taglint(tmp_path, "FROM python\n", "--format", "json", "-", "--stdin-filename", "other/Dockerfile")
    assert json_findings(done) == [("other/Dockerfile", 1, 6, "TL101")]


def test_kinds_in_the_config_and_kind_apply(tmp_path: Path) -> None:
    write(tmp_path / ".taglint.yaml", 'kinds:\n  "jobs/*.yml": gitlab-ci\n')
    done = taglint(tmp_path, LOGIN, "--format", "json", "-", "--stdin-filename", "jobs/push.yml")
    assert json_findings(done) == [("jobs/push.yml", 3, 27, "TL208")]
    # --kind without a name: the file is "-", the configuration that of the working directory
    done = taglint(tmp_path, LOGIN, "--format", "json", "--kind", "gitlab-ci", "-")
    assert json_findings(done) == [("-", 3, 27, "TL208")]


def test_force_exclude_applies_to_the_path(tmp_path: Path) -> None:
    write(tmp_path / ".taglint.yaml", "exclude: ['vendor/**']\n")
    args = ("--format", "json", "-", "--stdin-filename", "vendor/Dockerfile")
    assert json_findings(taglint(tmp_path, "FROM python\n", *args)) == [("vendor/Dockerfile", 1, 6, "TL101")]
    done = taglint(tmp_path, "FROM python\n", "--force-exclude", *args)
    assert done.returncode == 0 and json_findings(done) == []


def test_fix_writes_the_fixed_text_to_stdout_and_no_file(tmp_path: Path) -> None:
    on_disk = write(tmp_path / ".gitlab-ci.yml", LOGIN)
    done = taglint(tmp_path, LOGIN, "--no-config", "--fix", "-", "--stdin-filename", ".gitlab-ci.yml")
    assert done.stdout.decode() == FIXED_LOGIN
    assert done.returncode == 0, done.stderr
    assert "1 fixed, 0 remaining" in done.stderr.decode()  # the report goes to standard error
    assert on_disk.read_text() == LOGIN


def test_fix_reports_what_remains_and_exits_by_it(tmp_path: Path) -> None:
    text = "FROM python\nRUN docker login -u bot -p \"$TOKEN\" registry.example.com\n"
    done = taglint(tmp_path, text, "--no-config", "--fix", "--format", "json", "-", "--stdin-filename", "Dockerfile")
    assert done.stdout.decode() == "FROM python\nRUN printf '%s' \"$TOKEN\" | docker login -u bot --password-stdin registry.example.com\n"
    remaining = json.loads(done.stderr.decode())
    assert [(f["line"], f["rule"]) for f in remaining["findings"]] == [(1, "TL101")]
    assert done.returncode == 1


def test_fix_with_nothing_to_fix_echoes_the_text(tmp_path: Path) -> None:
    text = "\ufeffFROM python:3.12.7-slim-bookworm\r\n"
    done = taglint(tmp_path, text, "--no-config", "--fix", "-q", "-", "--stdin-filename", "Dockerfile")
    assert done.returncode == 0
    assert done.stdout == text.encode("utf-8")


def test_fix_keeps_a_bom_and_line_endings(tmp_path: Path) -> None:
    text = "\ufeffpush:\r\n  script:\r\n    - docker login -u bot -p \"$TOKEN\" registry.example.com\r\n"
    done = taglint(tmp_path, text, "--no-config", "--fix", "-q", "-", "--stdin-filename", ".gitlab-ci.yml")
    assert done.stdout.startswith("\ufeff".encode("utf-8"))
    assert done.stdout.decode("utf-8").count("\r\n") == 3 and "--password-stdin" in done.stdout.decode()


def test_diff_shows_the_change(tmp_path: Path) -> None:
    done = taglint(tmp_path, LOGIN, "--no-config", "--diff", "-", "--stdin-filename", "ci/.gitlab-ci.yml")
    assert done.returncode == 1
    out = done.stdout.decode()
    assert out.startswith("--- a/ci/.gitlab-ci.yml\n+++ b/ci/.gitlab-ci.yml\n")
    assert '-    - docker login -u bot -p "$TOKEN" registry.example.com\n' in out
    assert "+    - printf '%s' \"$TOKEN\" | docker login -u bot --password-stdin registry.example.com\n" in out
    assert b"would fix 1 finding" in done.stderr
    assert not (tmp_path / "ci").exists()


def test_stdin_needs_a_name_or_a_kind(tmp_path: Path) -> None:
    done = taglint(tmp_path, "FROM python\n", "--no-config", "-")
    assert done.returncode == 2
    assert b"add --stdin-filename PATH (or --kind KIND)" in done.stderr


def test_stdin_is_the_only_path(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", "FROM python\n")
    done = taglint(tmp_path, "FROM python\n", "--no-config", "-", "Dockerfile", "--stdin-filename", "Dockerfile")
    assert done.returncode == 2 and b"only PATH" in done.stderr


def test_stdin_filename_without_dash_is_a_usage_error(tmp_path: Path) -> None:
    done = taglint(tmp_path, "", "--no-config", "--stdin-filename", "Dockerfile", ".")
    assert done.returncode == 2 and b"pass - as the PATH" in done.stderr


def test_stdin_larger_than_max_file_size_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / ".taglint.yaml", "max-file-size: 10\n")
    done = taglint(tmp_path, "FROM python:3.12.7-slim-bookworm\n", "-", "--stdin-filename", "Dockerfile")
    assert done.returncode == 0
    assert b"Dockerfile: skipped (larger than max-file-size (10 bytes))" in done.stderr


def test_fix_of_a_pipeline_that_includes_a_file_changes_only_the_text_read(tmp_path: Path) -> None:
    included = write(tmp_path / "ci/push.yml", LOGIN)
    text = "include:\n  - local: /ci/push.yml\n" + LOGIN
    done = taglint(tmp_path, text, "--no-config", "--fix", "--format", "json", "-", "--stdin-filename", ".gitlab-ci.yml")
    assert done.stdout.decode() == "include:\n  - local: /ci/push.yml\n" + FIXED_LOGIN
    assert included.read_text() == LOGIN  # the included file is checked, never written
    remaining = json.loads(done.stderr.decode())
    assert [(f["path"], f["rule"]) for f in remaining["findings"]] == [("ci/push.yml", "TL208")]
    assert done.returncode == 1
