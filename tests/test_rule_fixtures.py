"""Every rule fixture folder, scanned with only its rule selected, gives
exactly the findings its inline ``expect:`` comments announce; ``.fixed``
files hold the expected output of ``--fix``."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from taglint.config import Config, find_config_file, read_config_file
from taglint.engine import scan
from taglint.fix import apply_fixes
from tests.fixture_expectations import expectations, sidecar_expectations

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _cases() -> list[Path]:
    if not FIXTURES.is_dir():
        return []
    return sorted(p for p in FIXTURES.glob("TL*/*/*") if p.is_dir() and p.name in ("fail", "pass"))


# TL002 judges suppressions against the rules that ran, so its fixtures run
# with the default rule set plus TL002; every other rule runs alone.
_RUN_WITH_DEFAULTS = {"TL002"}


def _config(case: Path, code: str) -> Config:
    own = case / ".taglint.yaml"
    base = read_config_file(own) if own.is_file() else Config()
    if code in _RUN_WITH_DEFAULTS:
        return base.with_overrides(extend_select=(code,), exclude=base.exclude + ("*.fixed", "EXPECTED"))
    return base.with_overrides(select=(code,), exclude=base.exclude + ("*.fixed", "EXPECTED"))


def _scan(case: Path, code: str):
    return scan(["."], _config(case, code), cwd=case)


def _case_id(case: Path) -> str:
    return "/".join(case.relative_to(FIXTURES).parts)


@pytest.mark.parametrize("case", _cases(), ids=_case_id)
def test_fixture(case: Path) -> None:
    code = case.relative_to(FIXTURES).parts[0]
    result = _scan(case, code)
    assert not result.errors, result.errors
    expected = {e for e in sidecar_expectations(case) if e[2] == code}
    for path in sorted(case.rglob("*")):
        if path.is_file() and not path.name.endswith(".fixed") and path.name != "EXPECTED":
            expected |= {e for e in expectations(path, case) if e[2] == code}
    if case.name == "fail":
        assert expected, f"{_case_id(case)} announces no {code} finding"
    ours = [f for f in result.findings if f.rule == code]
    actual = {(f.path, f.span.line, f.rule) for f in ours}
    assert actual == {(p, line, c) for p, line, c, _ in expected}, "\n".join(
        f"{f.path}:{f.span.line}:{f.span.column}: {f.rule} {f.message}" for f in ours
    )
    columns = {(f.path, f.span.line, f.rule): f.span.column for f in ours}
    for path, line, c, column in expected:
        if column is not None:
            assert columns[(path, line, c)] == column, f"{path}:{line} {c}: column"


def _fixed_cases() -> list[tuple[Path, Path]]:
    if not FIXTURES.is_dir():
        return []
    return sorted((p.parent, p) for p in FIXTURES.glob("TL*/*/*/**/*.fixed"))


@pytest.mark.parametrize("case,fixed", _fixed_cases(), ids=lambda v: str(v.relative_to(FIXTURES)))
def test_fix_output(case: Path, fixed: Path, tmp_path: Path) -> None:
    while case.name not in ("fail", "pass"):
        case = case.parent
    code = case.relative_to(FIXTURES).parts[0]
    work = tmp_path / "case"
    shutil.copytree(case, work)
    target = work / fixed.relative_to(case).with_suffix("")
    result = _scan(work, code)
    outcome = apply_fixes(result.findings, work, unsafe=True, write=True)
    assert not outcome.errors
    assert target.read_bytes() == fixed.read_bytes()
    again = apply_fixes(_scan(work, code).findings, work, unsafe=True, write=True)
    assert again.fixed == 0 and target.read_bytes() == fixed.read_bytes(), "a second --fix changed the file"
