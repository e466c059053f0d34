"""A gate you can trust (issue 10, items 1, 2, 3 and 17): a typo never
turns a rule off, a bad configuration or an internal error exits 2 with one
line (and a JSON report that says so), the exit code survives every format
and a closed pipe, and the command line parses as a user expects.

The command-line tests run the installed console script in a subprocess,
as a user does."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import jsonschema
import pytest

from taglint.codes import RuleCodes
from taglint.globs import compile_glob, glob_problem
from taglint.report import FORMATS as REPORT_FORMATS
from taglint.ruleset import builtin_rules

ROOT = Path(__file__).resolve().parent.parent
OUTPUT_SCHEMA = json.loads((ROOT / "taglint" / "schemas" / "output.schema.json").read_text(encoding="utf-8"))
_SCRIPT = Path(sys.executable).with_name("taglint")
TAGLINT = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-m", "taglint"]

DOCKERFILE = """\
# syntax=docker/dockerfile:1
FROM python AS build
RUN pip wheel --wheel-dir /wheels .

FROM node:latest AS assets
RUN npm ci && npm run build

FROM python:3.12-slim
COPY --from=build /wheels /wheels
"""


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    return {**env, **(extra or {})}


def taglint(cwd: Path, *args: str, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TAGLINT, *args], cwd=cwd, capture_output=True, text=True, env=_env(env), timeout=120, **kwargs
    )


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A small repository: a git checkout with one multi-stage Dockerfile."""
    write(tmp_path / ".git" / "HEAD", "ref: refs/heads/main\n")
    write(tmp_path / "Dockerfile", DOCKERFILE)
    return tmp_path


def rules_of(proc: subprocess.CompletedProcess[str]) -> list[tuple[int, str]]:
    return [(f["line"], f["rule"]) for f in json.loads(proc.stdout)["findings"]]


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The single ``taglint: error:`` line on stderr (and no traceback)."""
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("taglint: error: "), proc.stderr
    return lines[0].removeprefix("taglint: error: ")


# -- 1. unknown codes are an error; rule names are aliases ------------------


@pytest.mark.parametrize(
    "args,message",
    [
        (["--select", "TL999"], '--select: unknown rule code or name "TL999" (did you mean TL209?)'),
        (["--select", "TL101,TL1O2"], '--select: unknown rule code or name "TL1O2" (did you mean TL102?)'),
        (["--ignore", "TL1O1"], '--ignore: unknown rule code or name "TL1O1" (did you mean TL101?)'),
        (["--ignore", "TL1O"], '--ignore: unknown rule code or name "TL1O" (did you mean TL10?)'),
        (["--extend-select", "untaged-image"],
         '--extend-select: unknown rule code or name "untaged-image" (did you mean untagged-image?)'),
        (["--select", "docker"], '--select: unknown rule code or name "docker" (see `taglint rules`)'),
    ],
)
def test_unknown_codes_on_the_command_line_exit_2_with_a_suggestion(repo, args, message):
    proc = taglint(repo, "--no-config", *args, ".")
    assert proc.returncode == 2
    assert one_error_line(proc) == message
    assert "No findings" not in proc.stdout


@pytest.mark.parametrize(
    "config,message",
    [
        ("select: [TL999]\n", '.taglint.yaml: select[0]: unknown rule code or name "TL999" (did you mean TL209?)'),
        ("extend-select: [TL110, TL1100]\n",
         '.taglint.yaml: extend-select[1]: unknown rule code or name "TL1100" (did you mean TL110?)'),
        ("ignore: [TL1O1]\n", '.taglint.yaml: ignore[0]: unknown rule code or name "TL1O1" (did you mean TL101?)'),
        ("severity: {TL104: warning, latest-tags: error}\n",
         '.taglint.yaml: severity.latest-tags: unknown rule code or name "latest-tags" (did you mean latest-tag?)'),
        ("per-file-ignores:\n  'examples/**': [TL101, TL1002]\n",
         '.taglint.yaml: per-file-ignores.examples/**[1]: unknown rule code or name "TL1002" (did you mean TL102?)'),
    ],
)
def test_unknown_codes_in_the_config_exit_2_with_the_key_path(repo, config, message):
    write(repo / ".taglint.yaml", config)
    proc = taglint(repo, ".")
    assert proc.returncode == 2
    assert one_error_line(proc) == message
    assert proc.stdout == ""


def test_rule_names_are_aliases_on_the_command_line(repo):
    assert rules_of(taglint(repo, "--no-config", "--format", "json", "--select", "untagged-image", ".")) == [
        (2, "TL101")
    ]
    assert rules_of(taglint(repo, "--no-config", "--format", "json", "--select", "Latest-Tag,TL101", ".")) == [
        (2, "TL101"), (5, "TL102")
    ]
    proc = taglint(repo, "--no-config", "--format", "json", "--ignore", "untagged-image,latest-tag", ".")
    assert (proc.returncode, rules_of(proc)) == (0, [(8, "TL104")])
    # off by default, turned on by name as by its exact code
    write(repo / "Dockerfile", "FROM python:3.12.7-slim-bookworm\n")
    assert rules_of(taglint(repo, "--no-config", "--format", "json", "--extend-select", "missing-digest", ".")) == [
        (1, "TL110")
    ]


def test_rule_names_are_aliases_in_the_config(repo):
    write(repo / "examples" / "Dockerfile", "FROM python\nFROM node:latest\n")
    write(
        repo / ".taglint.yaml",
        "severity: {untagged-image: error}\n"
        "ignore: [partial-version-tag]\n"
        "per-file-ignores:\n  'examples/**': [latest-tag]\n",
    )
    proc = taglint(repo, "--format", "json", ".")
    got = [(f["path"], f["line"], f["rule"], f["severity"]) for f in json.loads(proc.stdout)["findings"]]
    assert got == [
        ("Dockerfile", 2, "TL101", "error"),
        ("Dockerfile", 5, "TL102", "warning"),
        ("examples/Dockerfile", 1, "TL101", "error"),
    ]


def test_rule_names_and_unknown_codes_in_suppressions(repo):
    write(
        repo / "Dockerfile",
        "# taglint: ignore[untagged-image] the build stage is rebuilt nightly\n"
        "FROM python AS build\n"
        "# taglint: ignore[TL1O2]\n"
        "FROM node:latest AS assets\n",
    )
    proc = taglint(repo, "--no-config", "--format", "json", ".")
    findings = json.loads(proc.stdout)["findings"]
    assert [(f["line"], f["column"], f["rule"]) for f in findings] == [(3, 19, "TL002"), (4, 6, "TL102")]
    assert findings[0]["message"] == (
        "This `taglint: ignore` comment names TL1O2, which is not a rule code or name (did you mean TL102?)"
    )
    assert proc.returncode == 1


def test_codes_of_rules_from_the_config_rule_folders_are_known(repo):
    rule = (ROOT / "rules" / "image" / "TL101-untagged-image.yaml").read_text(encoding="utf-8")
    rule = rule.replace("code: TL101", "code: ACME101").replace("name: untagged-image", "name: acme-untagged")
    write(repo / "taglint-rules" / "ACME101-acme-untagged.yaml", rule)
    write(repo / ".taglint.yaml", "rules: [taglint-rules]\nselect: [acme-untagged]\n")
    assert rules_of(taglint(repo, "--format", "json", ".")) == [(2, "ACME101")]
    proc = taglint(repo, "--select", "ACME1O1", ".")
    assert one_error_line(proc) == '--select: unknown rule code or name "ACME1O1" (did you mean ACME101?)'
    # a user rule may not take a built-in rule's name: a name is an alias
    write(repo / "taglint-rules" / "ACME101-acme-untagged.yaml", rule.replace("name: acme-untagged", "name: latest-tag"))
    write(repo / ".taglint.yaml", "rules: [taglint-rules]\n")
    proc = taglint(repo, ".")
    assert proc.returncode == 2
    assert "rule name latest-tag is already the name of TL102" in one_error_line(proc)


def test_rule_codes_lookup_and_suggestions():
    known = RuleCodes(builtin_rules())
    assert [known.lookup(w) for w in ("TL101", "tl1", "ALL", "all", "untagged-image", " Latest-Tag ")] == [
        "TL101", "TL1", "ALL", "ALL", "TL101", "TL102"
    ]
    assert [known.lookup(w) for w in ("TL999", "TL1O1", "untagged", "", "TL-101")] == [None] * 5
    # letters that look like digits, then the same length, then names
    assert known.suggestion("TL1O1") == "TL101"
    assert known.suggestion("TLl02") == "TL102"
    assert known.suggestion("TL2O") == "TL20"
    assert known.suggestion("floating") == "floating-tag"
    assert known.suggestion("kubernetes") is None


# -- 2. bad patterns and internal errors: exit 2, one line, a JSON report ---


def test_a_bad_glob_in_the_config_exits_2_naming_the_key(repo):
    write(repo / ".taglint.yaml", 'exclude: ["vendor/**", "[z-a]"]\n')
    proc = taglint(repo, ".")
    assert proc.returncode == 2
    assert one_error_line(proc) == '.taglint.yaml: exclude[1]: bad pattern "[z-a]": bad character range z-a'
    proc = taglint(repo, "--format", "json", ".")
    assert proc.returncode == 2
    report = json.loads(proc.stdout)
    jsonschema.validate(report, OUTPUT_SCHEMA)
    assert report["summary"]["errors"] == ['.taglint.yaml: exclude[1]: bad pattern "[z-a]": bad character range z-a']
    write(repo / ".taglint.yaml", "per-file-ignores:\n  'examples/[]': [TL101]\n")
    assert one_error_line(taglint(repo, ".")) == (
        '.taglint.yaml: per-file-ignores.examples/[]: bad pattern "examples/[]": unterminated character set'
    )


def test_the_config_path_is_shown_relative_from_a_subfolder(repo):
    write(repo / ".taglint.yaml", "ignore: [TL1O1]\n")
    (repo / "src").mkdir()
    proc = taglint(repo / "src", ".")
    assert one_error_line(proc) == '../.taglint.yaml: ignore[0]: unknown rule code or name "TL1O1" (did you mean TL101?)'


def test_glob_problems_and_character_classes():
    assert glob_problem("[z-a]") == "bad character range z-a"
    assert glob_problem("[]") == "unterminated character set"
    assert glob_problem("vendor/**") is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "possible nested set" warnings from re
        for pattern, path in [("[[]x", "[x"), ("x[&&]", "x&"), ("a[--]b", "a-b"), ("[!a-c]d", "zd")]:
            assert glob_problem(pattern) is None
            assert compile_glob(pattern).match(path), pattern


@pytest.fixture
def faulty(tmp_path: Path) -> dict[str, str]:
    """An environment in which the scan raises an unexpected exception:
    ``sitecustomize`` replaces file discovery with one that fails."""
    hook = tmp_path / "hook"
    write(
        hook / "sitecustomize.py",
        "import taglint.engine\n\n"
        "def discover(*args, **kwargs):\n"
        "    raise RuntimeError('injected fault')\n\n"
        "taglint.engine.discover = discover\n",
    )
    return {"PYTHONPATH": os.pathsep.join([str(hook), str(ROOT)])}


def test_an_unexpected_exception_exits_2_with_one_line(repo, faulty):
    proc = taglint(repo, "--no-config", ".", env=faulty)
    assert proc.returncode == 2
    assert one_error_line(proc) == (
        "internal error: RuntimeError: injected fault (--verbose shows the traceback)"
    )
    proc = taglint(repo, "--no-config", "--verbose", ".", env=faulty)
    assert proc.returncode == 2
    assert "Traceback (most recent call last)" in proc.stderr
    assert proc.stderr.rstrip().endswith("taglint: error: internal error: RuntimeError: injected fault")


def test_an_unexpected_exception_still_writes_a_json_report(repo, faulty):
    proc = taglint(repo, "--no-config", "--format", "json", ".", env=faulty)
    assert proc.returncode == 2
    report = json.loads(proc.stdout)
    jsonschema.validate(report, OUTPUT_SCHEMA)
    assert report["findings"] == []
    assert report["summary"]["errors"] == [
        "internal error: RuntimeError: injected fault (--verbose shows the traceback)"
    ]
    proc = taglint(repo, "--no-config", "--format", "json", "--output", "report.json", ".", env=faulty)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert json.loads((repo / "report.json").read_text())["summary"]["errors"][0].startswith("internal error:")


# -- 3. the exit code: the same for every format, and after a closed pipe --


@pytest.mark.parametrize("extra", [[], ["--quiet"], ["--statistics"], ["--output", "out.txt"]])
@pytest.mark.parametrize("fmt", sorted(REPORT_FORMATS))
def test_the_exit_code_is_the_same_for_every_format(repo, fmt, extra):
    assert taglint(repo, "--no-config", "--format", fmt, *extra, ".").returncode == 1
    assert taglint(repo, "--no-config", "--format", fmt, "--fail-on", "error", *extra, ".").returncode == 0
    assert taglint(repo, "--no-config", "--format", fmt, "--exit-zero", *extra, ".").returncode == 0


def _into_closed_pipe(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run taglint with its standard output on a pipe nobody reads: every
    write fails with EPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [*TAGLINT, *args], cwd=cwd, stdout=write_end, stderr=subprocess.PIPE, text=True, env=_env(), timeout=120
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_closed_pipe_keeps_the_exit_code(repo, fmt):
    for index in range(40):  # more output than a pipe buffer holds
        write(repo / "services" / f"svc{index}" / "Dockerfile", DOCKERFILE)
    proc = _into_closed_pipe(repo, "--no-config", "--format", fmt, ".")
    assert (proc.returncode, proc.stderr) == (1, "")
    proc = _into_closed_pipe(repo, "--no-config", "--format", fmt, "--fail-on", "error", ".")
    assert (proc.returncode, proc.stderr) == (0, "")
    proc = _into_closed_pipe(repo, "rules")
    assert (proc.returncode, proc.stderr) == (0, "")


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("head") is None, reason="needs bash and head")
def test_head_in_a_pipeline_does_not_change_the_exit_code(repo):
    command = " ".join(f"'{part}'" for part in TAGLINT) + " --no-config --format json . | head -c 10"
    proc = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command}"], cwd=repo, capture_output=True, text=True, env=_env(), timeout=120
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, '{\n  "versi', "")


# -- 17. help, commands, options ---------------------------------------------


def test_help_lists_the_commands_in_the_usage_line(repo):
    proc = taglint(repo, "--help")
    assert proc.returncode == 0
    usage = proc.stdout.split("\n\n")[0]
    assert usage == (
        "usage: taglint [check] [OPTIONS] [PATH ...]\n"
        "       taglint {rules,rule CODE,init,schema} [OPTIONS]"
    )
    for command in ("check", "rules", "rule CODE", "init", "schema"):
        assert re.search(rf"^  {command} +\S", proc.stdout, re.MULTILINE), command
    assert "--verbose" in proc.stdout


def test_options_before_a_command_apply_to_it(repo):
    proc = taglint(repo, "--color", "never", "rule", "TL101")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# TL101 untagged-image")
    proc = taglint(repo, "--color=never", "rule", "untagged-image")
    assert proc.stdout.startswith("# TL101 untagged-image")
    proc = taglint(repo, "--verbose", "rules", "--format", "json")
    assert proc.returncode == 0 and json.loads(proc.stdout)
    proc = taglint(repo, "--format", "json", "rules")  # an option's value is not the command
    assert proc.returncode == 0 and json.loads(proc.stdout)
    proc = taglint(repo, "--format", "json", "--no-config", "check", ".")
    assert (proc.returncode, rules_of(proc)[0]) == (1, (2, "TL101"))
    # an option of `check` is not one of `rules`: said so, not ignored
    proc = taglint(repo, "--select", "TL1", "rules")
    assert proc.returncode == 2
    assert one_error_line(proc) == "`taglint rules` has no option --select"


def test_a_folder_named_like_a_command_is_scanned_with_check(repo):
    write(repo / "rules" / "Dockerfile", "FROM python\n")
    proc = taglint(repo, "--no-config", "--format", "json", "check", "rules")
    assert [f["path"] for f in json.loads(proc.stdout)["findings"]] == ["rules/Dockerfile"]
    proc = taglint(repo, "--no-config", "--format", "json", "--", "rules")
    assert [f["path"] for f in json.loads(proc.stdout)["findings"]] == ["rules/Dockerfile"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["--sel", "TL101", "."], "unknown option --sel (did you mean --select?)"),
        (["--statistic", "."], "unknown option --statistic (did you mean --statistics?)"),
        (["--no-conf", "."], "unknown option --no-conf (did you mean --no-config?)"),
        (["--exit-zer=1", "."], "unknown option --exit-zer (did you mean --exit-zero?)"),
        (["-select", "TL101", "."], "unknown option -select (did you mean --select?)"),
        (["--frobnicate", "."], "unknown option --frobnicate"),
        (["rules", "--form", "json"], "`taglint rules` has no option --form (did you mean --format?)"),
    ],
)
def test_abbreviations_are_refused_with_the_nearest_option(repo, args, message):
    proc = taglint(repo, "--no-config", *args) if args[0] != "rules" else taglint(repo, *args)
    assert proc.returncode == 2
    assert one_error_line(proc) == message


def test_a_bad_jobs_value_names_the_option(repo):
    for args in (["--jobs", "abc"], ["-j", "abc"], ["--jobs=-3"]):
        proc = taglint(repo, "--no-config", *args, ".")
        assert proc.returncode == 2
        assert one_error_line(proc) == (
            f"argument --jobs/-j: expected a number of processes (0: all cores), got '{args[-1].split('=')[-1]}'"
        )


def test_the_readme_error_sample_is_what_taglint_prints(repo):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command, printed = re.search(r"^\$ (taglint .*)\n(taglint: error: .*)$", readme, re.MULTILINE).groups()
    proc = taglint(repo, *command.split()[1:])
    assert proc.returncode == 2
    assert proc.stderr.strip() == printed
