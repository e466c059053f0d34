"""Golden outputs: the text and JSON reports of a small project, byte for byte.

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
    "report.json": ["--no-config", "--format", "json", "."],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name, monkeypatch, capsys):
    monkeypatch.chdir(PROJECT)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    code = main(CASES[name])
    out = capsys.readouterr().out.replace(__version__, "<version>")
    assert code == 1
    golden = GOLDEN / name
    if os.environ.get("TAGLINT_UPDATE_GOLDENS"):
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")


def test_golden_json_matches_the_output_schema():
    schema = json.loads((GOLDEN.parent.parent / "taglint" / "schemas" / "output.schema.json").read_text())
    report = json.loads((GOLDEN / "report.json").read_text().replace("<version>", "0.0.0"))
    jsonschema.validate(report, schema)
