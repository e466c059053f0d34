"""``--write-baseline`` and ``--baseline``: a legacy repository (the golden
project) adopts taglint with a baseline and fails only on new findings,
whatever lines move; stale entries are counted."""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import jsonschema
import pytest

from taglint.baseline import BaselineSummary, apply_baseline, baseline_of, load_baseline
from taglint.cli import main
from taglint.errors import UsageError
from taglint.model import Finding, Span

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
OUTPUT_SCHEMA = json.loads((ROOT / "taglint" / "schemas" / "output.schema.json").read_text(encoding="utf-8"))


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """The golden project as a legacy repository, with the working directory in it."""
    target = tmp_path / "repo"
    shutil.copytree(GOLDEN / "project", target)
    monkeypatch.chdir(target)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return target


def _json(capsys, *args: str) -> tuple[int, dict]:
    code = main(["--no-config", "--format", "json", *args])
    report = json.loads(capsys.readouterr().out)
    jsonschema.validate(report, OUTPUT_SCHEMA)
    return code, report


def _write_baseline(capsys, path: str = "taglint-baseline.json") -> str:
    code = main(["--no-config", "--write-baseline", path, "."])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out == ""  # no report: the findings went to the file
    return captured.err


def test_written_baseline_matches_its_golden_file(repo, capsys):
    err = _write_baseline(capsys)
    assert err == "taglint: wrote 14 findings to the baseline taglint-baseline.json\n"
    text = (repo / "taglint-baseline.json").read_text(encoding="utf-8")
    golden = GOLDEN / "baseline.json"
    if os.environ.get("TAGLINT_UPDATE_GOLDENS"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_baseline_file_is_sorted_versioned_and_free_of_line_numbers(repo, capsys):
    _write_baseline(capsys)
    data = json.loads((repo / "taglint-baseline.json").read_text(encoding="utf-8"))
    assert (data["version"], data["fingerprint"]) == (1, 1)
    entries = data["findings"]
    assert len(entries) == 14
    assert all(set(e) == {"fingerprint", "rule", "path", "reference"} for e in entries)
    assert entries == sorted(entries, key=lambda e: (e["path"], e["rule"], e["reference"], e["fingerprint"]))
    assert {"rule": "TL102", "path": "deploy/app.yaml", "reference": "nginx:latest"}.items() <= next(
        e for e in entries if e["rule"] == "TL102").items()


def test_repository_passes_with_its_baseline(repo, capsys):
    code, report = _json(capsys, ".")
    assert code == 1 and len(report["findings"]) == 14
    code, report = _json(capsys, "--baseline", str(GOLDEN / "baseline.json"), ".")
    assert code == 0
    assert report["findings"] == []
    assert report["summary"]["baseline"] == {"matched": 14, "new": 0, "stale": 0}


def test_one_new_bad_reference_fails_with_exactly_that_finding(repo, capsys):
    manifest = repo / "deploy" / "app.yaml"
    text = manifest.read_text(encoding="utf-8")
    # a new container above the others: every finding below it moves down two lines
    manifest.write_text(text.replace(
        "      containers:\n", "      containers:\n        - name: proxy\n          image: envoyproxy/envoy\n", 1,
    ), encoding="utf-8")
    code, report = _json(capsys, "--baseline", str(GOLDEN / "baseline.json"), ".")
    assert code == 1
    assert [(f["rule"], f["path"], f["line"], f["reference"]) for f in report["findings"]] == [
        ("TL101", "deploy/app.yaml", 10, "envoyproxy/envoy"),
    ]
    assert report["summary"]["baseline"] == {"matched": 14, "new": 1, "stale": 0}


def test_lines_inserted_everywhere_change_nothing(repo, capsys):
    for path in ("app/Dockerfile", "deploy/app.yaml", "deploy/worker.yaml", "scripts/release.sh",
                 "tools/prod.dockerfile", ".github/workflows/ci.yml"):
        file = repo / path
        lines = file.read_text(encoding="utf-8").split("\n")
        # a comment line above every line after the first (a Dockerfile's
        # syntax directive and a script's shebang stay first), but not
        # between a suppression comment and the line it is about
        moved = lines[:1]
        for before, line in zip(lines, lines[1:]):
            if "taglint: ignore" not in before:
                moved.append(re.match(r"\s*", line).group(0) + "# reviewed")
            moved.append(line)
        file.write_text("\n".join(moved), encoding="utf-8")
    code, report = _json(capsys, ".")
    assert code == 1 and len(report["findings"]) == 14  # all still there, on other lines
    code, report = _json(capsys, "--baseline", str(GOLDEN / "baseline.json"), ".")
    assert (code, report["findings"]) == (0, [])
    _write_baseline(capsys)  # and a baseline written now is the same file
    assert (repo / "taglint-baseline.json").read_bytes() == (GOLDEN / "baseline.json").read_bytes()


def test_fixed_findings_are_stale_entries(repo, capsys):
    manifest = repo / "deploy" / "app.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("nginx:latest", "nginx:1.27.3"), encoding="utf-8")
    code, report = _json(capsys, "--baseline", str(GOLDEN / "baseline.json"), ".")
    assert (code, report["findings"]) == (0, [])
    assert report["summary"]["baseline"] == {"matched": 13, "new": 0, "stale": 1}
    code = main(["--no-config", "--color", "never", "--baseline", str(GOLDEN / "baseline.json"), "."])
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[-1] == (
        "Baseline: 13 known findings not shown, 0 new; 1 stale entry matched nothing "
        "(fixed? --write-baseline refreshes the file)."
    )


def test_a_finding_moved_to_another_file_is_new(repo, capsys):
    shutil.move(repo / "scripts" / "release.sh", repo / "scripts" / "publish.sh")
    code, report = _json(capsys, "--baseline", str(GOLDEN / "baseline.json"), ".")
    assert code == 1
    assert {f["path"] for f in report["findings"]} == {"scripts/publish.sh"}
    assert report["summary"]["baseline"] == {"matched": 11, "new": 3, "stale": 3}


def test_copies_of_one_finding_are_counted(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python AS a\nFROM python AS b\n", encoding="utf-8")
    _write_baseline(capsys, "base.json")
    dockerfile.write_text("FROM python AS a\nFROM python AS b\nFROM python AS c\n", encoding="utf-8")
    code, report = _json(capsys, "--baseline", "base.json", ".")
    assert code == 1 and [f["line"] for f in report["findings"]] == [3]
    dockerfile.write_text("FROM python AS a\n", encoding="utf-8")
    code, report = _json(capsys, "--baseline", "base.json", ".")
    assert code == 0 and report["summary"]["baseline"] == {"matched": 1, "new": 0, "stale": 1}


def test_baseline_applies_to_every_format(repo, capsys):
    manifest = repo / "deploy" / "worker.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "restartPolicy: OnFailure", "restartPolicy: OnFailure\n          initContainers:\n"
        "            - name: wait\n              image: busybox:latest"), encoding="utf-8")
    code = main(["--no-config", "--format", "sarif", "--baseline", str(GOLDEN / "baseline.json"),
                 "--output-format", "gitlab=gl.json", "--output-format", "junit=junit.xml", "."])
    log = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["TL102"]
    assert [i["check_name"] for i in json.loads((repo / "gl.json").read_text(encoding="utf-8"))] == ["TL102"]
    assert (repo / "junit.xml").read_text(encoding="utf-8").count("<failure") == 1


def test_quiet_leaves_out_the_baseline_line(repo, capsys):
    code = main(["--no-config", "--quiet", "--baseline", str(GOLDEN / "baseline.json"), "."])
    assert (code, capsys.readouterr().out.strip()) == (0, "")


@pytest.mark.parametrize("content, message", [
    ("not json", "not a taglint baseline"),
    ('{"version": 2, "fingerprint": 1, "findings": []}', "version 2; this taglint reads version 1"),
    ('{"version": 1, "fingerprint": 0, "findings": []}', "write it again with --write-baseline"),
    ('{"version": 1, "fingerprint": 1, "findings": [{"rule": "TL101"}]}', "findings[0] has no `fingerprint`"),
    ("[]", "expected an object with a `findings` list"),
])
def test_a_bad_baseline_file_is_a_usage_error(repo, capsys, content, message):
    (repo / "bad.json").write_text(content, encoding="utf-8")
    assert main(["--no-config", "--baseline", "bad.json", "."]) == 2
    err = capsys.readouterr().err
    assert err.startswith("taglint: error: bad.json: ") and message in err


def test_a_missing_baseline_file_is_a_usage_error(repo, capsys):
    assert main(["--no-config", "--baseline", "nowhere.json", "."]) == 2
    assert "nowhere.json: cannot read the baseline" in capsys.readouterr().err


def test_write_baseline_does_not_mix_with_fixes(repo, capsys):
    assert main(["--no-config", "--write-baseline", "b.json", "--fix", "."]) == 2
    assert "cannot be combined with --fix or --diff" in capsys.readouterr().err
    assert not (repo / "b.json").exists()


def test_apply_baseline_keeps_order_and_counts():
    findings = [
        Finding("TL101", "untagged-image", "warning", "a", Span(line, 1, line, 5), "m", reference="python")
        for line in (1, 2)
    ]
    baseline = baseline_of(findings[:1], [])
    kept, summary = apply_baseline(findings, [], baseline)
    assert kept == [findings[1]] and summary == BaselineSummary(matched=1, new=1, stale=0)


def test_load_baseline_names_the_file(tmp_path):
    with pytest.raises(UsageError, match="cannot read the baseline"):
        load_baseline(tmp_path / "none.json")
