"""Golden outputs: every report format of one small project, byte for byte
(the taglint version and, in SARIF, the project's folder as placeholders).

Regenerate after an intended change with ``TAGLINT_UPDATE_GOLDENS=1 python -m pytest tests/test_golden_outputs.py``
and review the diff."""
from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from taglint import __version__
from taglint.cli import main

GOLDEN = Path(__file__).resolve().parent / "golden"
PROJECT = GOLDEN / "project"
CASES = {
    "report.txt": ["--no-config", "--color", "never", "."],
    "report-quiet.txt": ["--no-config", "--quiet", "--statistics", "."],
    "report-concise.txt": ["--no-config", "--output-format", "concise", "."],
    "report-grouped.txt": ["--no-config", "--output-format", "grouped", "--min-severity", "warning", "."],
    "report-statistics-by-folder.txt": ["--no-config", "--statistics", "--by", "folder", "."],
    "report.json": ["--no-config", "--format", "json", "."],
    "report.sarif": ["--no-config", "--format", "sarif", "."],
    "report-github.txt": ["--no-config", "--format", "github", "."],
    "report-gitlab.json": ["--no-config", "--format", "gitlab", "."],
    "report-junit.xml": ["--no-config", "--format", "junit", "."],
    "report.html": ["--no-config", "--format", "html", "."],
}
SRCROOT = "<srcroot>/"  # the project's folder as a file: URI, in SARIF


# Texts SARIF copies from the rule files: left out of the golden file, so
# editing a rule's docs does not touch it (tests/test_report_formats.py
# checks them against the rules).
RULE_TEXTS = ("shortDescription", "fullDescription", "help")


def _stable(name: str, out: str) -> str:
    out = out.replace(__version__, "<version>").replace(PROJECT.as_uri() + "/", SRCROOT)
    if name.endswith(".sarif"):
        log = json.loads(out)
        for rule in log["runs"][0]["tool"]["driver"]["rules"]:
            for key in RULE_TEXTS:
                rule[key] = "<from the rule file>"
        out = json.dumps(log, indent=2, ensure_ascii=False) + "\n"
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name, monkeypatch, capsys):
    monkeypatch.chdir(PROJECT)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    code = main(CASES[name])
    out = _stable(name, capsys.readouterr().out)
    assert code == 1
    golden = GOLDEN / name
    if os.environ.get("TAGLINT_UPDATE_GOLDENS"):
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")


def test_every_format_has_a_golden_file():
    from taglint.report import FORMATS

    covered = {args[args.index("--format") + 1] if "--format" in args else "text" for args in CASES.values()}
    assert covered == set(FORMATS)


def test_golden_json_matches_the_output_schema():
    schema = json.loads((GOLDEN.parent.parent / "taglint" / "schemas" / "output.schema.json").read_text())
    report = json.loads((GOLDEN / "report.json").read_text().replace("<version>", "0.0.0"))
    jsonschema.validate(report, schema)


def test_golden_sarif_matches_the_sarif_schema():
    schema = json.loads((GOLDEN.parent / "data" / "sarif-schema-2.1.0.json").read_text())
    log = json.loads((GOLDEN / "report.sarif").read_text().replace(SRCROOT, "file:///project/"))
    for rule in log["runs"][0]["tool"]["driver"]["rules"]:
        for key in RULE_TEXTS:
            rule[key] = {"text": rule[key]}
    jsonschema.Draft4Validator(schema).validate(log)
