"""Keep rules, check kinds, fixtures, docs and README in step."""
from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from taglint.checks import CHECK_KINDS, check_kind
from taglint.docs import main as docs_main
from taglint.ruleset import builtin_rules, builtin_rules_dir, load_rules

ROOT = Path(__file__).resolve().parent.parent
RULE_FILES = sorted((ROOT / "rules").rglob("*.yaml"))
SCHEMA = json.loads((ROOT / "taglint" / "schemas" / "rule.schema.json").read_text())
FIXTURES = ROOT / "tests" / "fixtures"
SPEC_CODES = {
    "TL001", "TL002",
    "TL101", "TL102", "TL103", "TL104", "TL105", "TL106", "TL107", "TL108", "TL109", "TL110", "TL111", "TL112", "TL113",
}


def test_rules_exist():
    assert RULE_FILES, "no rule files under rules/"
    assert builtin_rules_dir() == ROOT / "rules"


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_rule_file_is_valid(path: Path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    assert path.name == f"{data['code']}-{data['name']}.yaml"
    assert data["check"]["kind"] in CHECK_KINDS
    assert callable(check_kind(data["check"]["kind"]))
    # the message names what it is about, as written, in backticks
    assert "`{" in data["message"] or data["check"]["kind"] in ("parse-error", "unused-suppression")


def test_every_core_rule_of_the_spec_is_defined():
    assert SPEC_CODES <= set(builtin_rules())


def test_rule_codes_and_names_are_unique():
    rules = load_rules()
    names = [r.name for r in rules.values()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("code", sorted(builtin_rules()))
def test_every_rule_has_fail_and_pass_fixtures_per_kind(code: str):
    rule = builtin_rules()[code]
    assert rule.applies_to, f"{code} lists no file kinds in applies-to"
    for kind in rule.applies_to:
        for case in ("fail", "pass"):
            folder = FIXTURES / code / kind / case
            assert folder.is_dir() and any(p.is_file() for p in folder.rglob("*")), f"missing {folder.relative_to(ROOT)}"


def test_generated_docs_are_up_to_date():
    assert docs_main(["--check"]) == 0, "run `python -m taglint.docs`"


def test_readme_names_every_rule():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for rule in builtin_rules().values():
        assert re.search(rf"\| {rule.code} \| {rule.name} \|", readme), rule.code


def test_every_check_kind_is_used_by_a_rule():
    used = {rule.check_kind for rule in builtin_rules().values()}
    assert set(CHECK_KINDS) == used
