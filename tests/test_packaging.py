"""The hand-written package list in pyproject.toml names every subpackage,
and a built wheel carries the rules, data and schemas."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def test_package_list_is_complete():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "taglint").rglob("__init__.py")
    } | {"taglint.rules"}
    assert listed == found


def test_wheel_contains_rules_data_and_schemas(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True,
    )
    (wheel,) = tmp_path.glob("taglint-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    rules = {n for n in names if n.startswith("taglint/rules/") and n.endswith(".yaml")}
    assert len(rules) == len(list((ROOT / "rules").rglob("*.yaml")))
    assert "taglint/schemas/config.schema.json" in names
    assert "taglint/schemas/output.schema.json" in names
    assert "taglint/schemas/rule.schema.json" in names
    assert any(n.startswith("taglint/data/") for n in names)
