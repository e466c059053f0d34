"""Issue 8 §5, the domain scenario: a team whose ML image guidance is
semantic version tags (`v1.0`, `v1.1`, `v2.0`), scanned with every default
rule (tests/data/domain-ml)."""
from __future__ import annotations

from pathlib import Path

from taglint.config import Config, read_config_file
from taglint.engine import scan

PROJECT = Path(__file__).parent / "data" / "domain-ml"


def _lines(path: str) -> list[str]:
    return (PROJECT / path).read_text(encoding="utf-8").splitlines()


def _line_of(path: str, text: str) -> int:
    return next(n for n, line in enumerate(_lines(path), start=1) if line.strip() == text)


def test_v1_0_lines_are_clean_and_the_leftovers_are_reported() -> None:
    result = scan(["."], read_config_file(PROJECT / ".taglint.yaml"), cwd=PROJECT)
    assert not result.errors
    release = "scripts/release.sh"
    found = {(f.rule, f.path, f.span.line) for f in result.findings}
    assert found == {
        ("TL201", release, _line_of(release, "docker push mlregistry.example.com/model")),
        ("TL204", release, _line_of(release, "docker push mlregistry.example.com/model:$(uuidgen)")),
    }
    # install/v1.0.0/ beside install/v1.1.0/ is two releases, not drift (no TL113)


def test_without_the_policy_the_repository_s_own_release_is_still_exact() -> None:
    result = scan(["."], Config(), cwd=PROJECT)
    partial = {(f.path, f.span.line) for f in result.findings if f.rule == "TL104"}
    # model:v1.0 is pushed by scripts/release.sh with no more specific tag: its own release;
    # the runtime base image is not pushed here, so without a policy its v3.1 is a partial version
    assert partial == {("model/Dockerfile", 2)}
    assert not [f for f in result.findings if f.rule in ("TL106", "TL113")]
