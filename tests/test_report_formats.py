"""The CI formats beyond their golden files: SARIF against the official
schema and the rule files, fingerprints that survive inserted lines,
GitHub's escaping, GitLab Code Quality, JUnit, and several outputs from
one scan (``--output-format FORMAT=FILE``)."""
from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from taglint.cli import main
from taglint.config import Config
from taglint.docs import rule_markdown
from taglint.engine import scan
from taglint.model import Edit, Finding, Fix, Location, Related, Span
from taglint.report import FORMATS, ReportOptions, render
from taglint.report import github as github_report
from taglint.report import rule_info
from taglint.ruleset import builtin_rules

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "tests" / "golden" / "project"
SARIF_SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A copy of the golden project, as the working directory."""
    target = tmp_path / "project"
    shutil.copytree(PROJECT, target)
    monkeypatch.chdir(target)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return target


def _run(capsys, *args: str) -> tuple[int, str]:
    code = main(["--no-config", *args])
    return code, capsys.readouterr().out


# -- SARIF ----------------------------------------------------------------------


def test_sarif_validates_against_the_official_schema(project, capsys):
    code, out = _run(capsys, "--format", "sarif", ".")
    assert code == 1
    log = json.loads(out)
    jsonschema.Draft4Validator.check_schema(SARIF_SCHEMA)
    errors = sorted(jsonschema.Draft4Validator(SARIF_SCHEMA).iter_errors(log), key=lambda e: e.json_path)
    assert [f"{e.json_path}: {e.message}" for e in errors] == []


def test_sarif_run_results_locations_and_fixes(project, capsys):
    _, out = _run(capsys, "--format", "sarif", ".")
    (run,) = json.loads(out)["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert run["columnKind"] == "unicodeCodePoints"
    root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root == project.as_uri() + "/"
    _, text = _run(capsys, "--format", "json", ".")
    findings = json.loads(text)["findings"]
    assert len(run["results"]) == len(findings) == 14
    for result, finding in zip(run["results"], findings):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding["rule"]
        assert result["level"] == {"error": "error", "warning": "warning", "info": "note"}[finding["severity"]]
        assert result["message"]["text"].startswith(finding["message"])
        (location,) = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact == {"uri": finding["path"], "uriBaseId": "%SRCROOT%"}
        assert location["physicalLocation"]["region"] == {
            "startLine": finding["line"], "startColumn": finding["column"],
            "endLine": finding["end_line"], "endColumn": finding["end_column"],
        }
        assert re.fullmatch(r"[0-9a-f]{32}", result["partialFingerprints"]["taglint/v1"])
        # A fix whose edits write a secret is shown masked (JSON), so SARIF
        # offers no change a tool could apply: the TL208 fix moves `hunter2`.
        writes_secret = finding["rule"] == "TL208"
        assert ("fixes" in result) == bool(finding["fix"] and finding["fix"]["edits"] and not writes_secret)
    tl208 = next(f for f in findings if f["rule"] == "TL208")
    assert [e["text"] for e in tl208["fix"]["edits"]] == ["printf '%s' '***' | ", "--password-stdin"]
    assert "hunter2" not in out
    related = [r for r in run["results"] if "relatedLocations" in r]
    # notes: where a substituted value is set (TL104, TL108), a rule folded in (TL201), another file (TL113)
    assert [r["ruleId"] for r in related] == ["TL104", "TL201", "TL113", "TL108"]
    tl113 = next(r for r in related if r["ruleId"] == "TL113")
    assert tl113["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "deploy/worker.yaml"


def test_sarif_lists_every_rule_with_its_docs():
    rules = builtin_rules()
    result = scan([], Config(), cwd=PROJECT)
    result.findings = []
    (run,) = json.loads(render("sarif", result, ReportOptions()))["runs"]
    descriptors = {d["id"]: d for d in run["tool"]["driver"]["rules"]}
    assert set(descriptors) == set(rules)
    for code, rule in rules.items():
        d = descriptors[code]
        assert d["name"] == rule.name
        assert d["shortDescription"]["text"] == rule.summary
        assert d["fullDescription"]["text"] == rule.docs["what-it-does"].strip()
        assert d["help"]["markdown"] == rule_markdown(rule)
        assert rule.docs["why-is-this-bad"].strip() in d["help"]["text"]
        assert d["helpUri"] == rule_info.help_uri(code, rule.name)
        assert d["defaultConfiguration"] == {
            "enabled": rule.enabled, "level": {"error": "error", "warning": "warning", "info": "note"}[rule.severity],
        }
        assert d["properties"]["precision"] in ("very-high", "high", "medium", "low")
        assert d["properties"]["tags"]
    severities = {code: d["properties"].get("security-severity") for code, d in descriptors.items()}
    assert {c for c, s in severities.items() if s is not None} == {c for c in rules if c.startswith("TL2")}
    assert {c for c, s in severities.items() if s is not None and float(s) >= 7.0} == {"TL207", "TL208", "TL212"}
    assert all(4.0 <= float(s) < 7.0 for c, s in severities.items() if s and c not in ("TL207", "TL208", "TL212"))


def _github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_help_uris_point_at_headings_of_the_rule_docs():
    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    anchors = {_github_anchor(line[3:]) for line in docs.splitlines() if line.startswith("## ")}
    for code, rule in builtin_rules().items():
        uri = rule_info.help_uri(code, rule.name)
        assert uri.startswith(rule_info.DOCS_URL + "#")
        assert uri.split("#", 1)[1] in anchors, code


def test_user_rules_get_no_taglint_help_uri(tmp_path):
    import dataclasses

    rule = dataclasses.replace(builtin_rules()["TL101"], source=str(tmp_path / "TL101-mine.yaml"))
    assert rule_info.rule_help_uri(rule) is None
    assert rule_info.rule_help_uri(builtin_rules()["TL101"]) is not None


def test_sarif_paths_are_uri_references(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "my app"
    folder.mkdir()
    (folder / "Dockerfile").write_text("FROM python\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    _, out = _run(capsys, "--format", "sarif", ".")
    (result,) = json.loads(out)["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20app/Dockerfile"


def test_sarif_reports_errors_and_skipped_files_as_notifications(tmp_path, monkeypatch, capsys):
    (tmp_path / "Dockerfile").write_bytes(b"FROM python\n\x00binary")
    monkeypatch.chdir(tmp_path)
    code = main(["--no-config", "--format", "sarif", "Dockerfile"])
    log = json.loads(capsys.readouterr().out)
    (invocation,) = log["runs"][0]["invocations"]
    assert code == 0
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == ["taglint-skipped-file"]
    assert notes[0]["message"]["text"].startswith("Dockerfile: skipped (")


# -- fingerprints -------------------------------------------------------------------

def _insert_lines_above_findings(project: Path, findings: list[dict]) -> None:
    """Two comment lines above every line that carries a finding, and one at
    the top of each file after its first line (a Dockerfile's `# syntax=`
    directive and a script's shebang stay first)."""
    lines_by_path: dict[str, set[int]] = {}
    for finding in findings:
        lines_by_path.setdefault(finding["path"], set()).add(finding["line"])
    for path, numbers in lines_by_path.items():
        file = project / path
        lines = file.read_text(encoding="utf-8").split("\n")
        for number in sorted(numbers, reverse=True):
            indent = re.match(r"\s*", lines[number - 1]).group(0)
            lines[number - 1 : number - 1] = [f"{indent}# moved down", f"{indent}# moved down again"]
        lines[1:1] = ["# a line at the top"]
        file.write_text("\n".join(lines), encoding="utf-8")


def _fingerprinted(capsys, fmt: str) -> tuple[Counter, dict]:
    _, out = _run(capsys, "--format", fmt, ".")
    data = json.loads(out)
    if fmt == "sarif":
        results = data["runs"][0]["results"]
        return Counter((r["ruleId"], r["partialFingerprints"]["taglint/v1"]) for r in results), {
            r["partialFingerprints"]["taglint/v1"]: r["locations"][0]["physicalLocation"]["region"]["startLine"]
            for r in results
        }
    return Counter((i["check_name"], i["fingerprint"]) for i in data), {
        i["fingerprint"]: i["location"]["lines"]["begin"] for i in data
    }


@pytest.mark.parametrize("fmt", ["sarif", "gitlab"])
def test_fingerprints_survive_lines_inserted_above_every_finding(project, capsys, fmt):
    _, text = _run(capsys, "--format", "json", ".")
    findings = json.loads(text)["findings"]
    before, lines_before = _fingerprinted(capsys, fmt)
    assert sum(before.values()) == len(findings) == 14
    assert len(lines_before) == 14  # every fingerprint is unique
    _insert_lines_above_findings(project, findings)
    after, lines_after = _fingerprinted(capsys, fmt)
    assert after == before
    moved = [fp for fp in lines_before if lines_after[fp] != lines_before[fp]]
    assert len(moved) == 14  # every finding moved, none changed its fingerprint


def test_identical_findings_get_distinct_fingerprints(tmp_path, monkeypatch, capsys):
    (tmp_path / "Dockerfile").write_text("FROM python AS a\nFROM python AS b\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    _, out = _run(capsys, "--format", "gitlab", ".")
    prints = [issue["fingerprint"] for issue in json.loads(out)]
    assert len(prints) == 2 and len(set(prints)) == 2


def test_fingerprints_ignore_how_the_reference_is_spelled(tmp_path, monkeypatch, capsys):
    manifest = tmp_path / "pod.yaml"
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - name: web\n      image: {}\n"
    monkeypatch.chdir(tmp_path)
    manifest.write_text(text.replace("{}", "nginx:latest", 1), encoding="utf-8")
    _, short = _run(capsys, "--format", "gitlab", ".")
    manifest.write_text(text.replace("{}", "docker.io/library/nginx:latest", 1), encoding="utf-8")
    _, long = _run(capsys, "--format", "gitlab", ".")
    assert [i["fingerprint"] for i in json.loads(short)] == [i["fingerprint"] for i in json.loads(long)]
    assert len(json.loads(short)) == 1


# -- GitHub annotations ---------------------------------------------------------------


def _unescape_data(text: str) -> str:
    """The Actions runner's unescaping of a command's message."""
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(text: str) -> str:
    return _unescape_data(text.replace("%3A", ":").replace("%2C", ","))


def _parse_command(line: str) -> tuple[str, dict[str, str], str]:
    match = re.fullmatch(r"::(\w+)(?: ([^:]*))?::(.*)", line)
    assert match, line
    level, props, message = match.groups()
    properties = dict(item.split("=", 1) for item in props.split(",")) if props else {}
    return level, {k: _unescape_property(v) for k, v in properties.items()}, _unescape_data(message)


def test_github_escapes_what_the_runner_unescapes():
    finding = Finding(
        rule="TL101", name="untagged-image", severity="info", path="odd,dir/a:b%c.yaml",
        span=Span(3, 5, 3, 10), message="100% `x`\r\nline two: a, b",
        fix=Fix("use `x:1`, 50%"),
    )
    line = github_report.annotation(finding)
    assert "\n" not in line and "\r" not in line
    level, props, message = _parse_command(line)
    assert level == "notice"
    assert props == {"file": "odd,dir/a:b%c.yaml", "line": "3", "endLine": "3", "col": "5", "endColumn": "10",
                     "title": "TL101 untagged-image"}
    assert message == "100% `x`\r\nline two: a, b\nFix: use `x:1`, 50%"


def test_github_leaves_out_columns_of_a_multiline_span():
    finding = Finding("TL001", "parse-error", "warning", "a.yaml", Span(2, 1, 4, 3), "broken")
    _, props, _ = _parse_command(github_report.annotation(finding))
    assert props["line"] == "2" and props["endLine"] == "4"
    assert "col" not in props and "endColumn" not in props


def test_github_output_is_one_command_per_finding(project, capsys):
    code, out = _run(capsys, "--format", "github", ".")
    lines = out.splitlines()
    commands = [_parse_command(line) for line in lines if line.startswith("::")]
    assert code == 1 and len(commands) == 14
    assert Counter(level for level, _, _ in commands) == {"warning": 8, "notice": 3, "error": 3}
    assert lines[-1].startswith("Found 14 findings")


# -- GitLab Code Quality ------------------------------------------------------------------


def test_gitlab_code_quality_issues(project, capsys):
    code, out = _run(capsys, "--format", "gitlab", ".")
    issues = json.loads(out)
    _, text = _run(capsys, "--format", "json", ".")
    findings = json.loads(text)["findings"]
    assert code == 1 and len(issues) == len(findings)
    for issue, finding in zip(issues, findings):
        assert issue["description"].startswith(finding["message"])
        assert issue["check_name"] == finding["rule"]
        assert issue["location"] == {"path": finding["path"], "lines": {"begin": finding["line"], "end": finding["end_line"]}}
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
    severity = {i["check_name"]: i["severity"] for i in issues}
    assert severity["TL208"] == severity["TL212"] == "critical"  # credentials exposed
    assert severity["TL107"] == "major" and severity["TL101"] == "minor" and severity["TL104"] == "info"
    assert len({i["fingerprint"] for i in issues}) == len(issues)


# -- JUnit --------------------------------------------------------------------------------


def test_junit_suites_cases_and_failures_follow_fail_on(project, capsys):
    code, out = _run(capsys, "--format", "junit", ".")
    root = ET.fromstring(out)
    suites = root.findall("testsuite")
    assert code == 1
    assert [s.get("name") for s in suites] == sorted(s.get("name") for s in suites)
    assert "deploy/worker.yaml" in [s.get("name") for s in suites]  # a clean file is a passing test
    cases = root.findall("testsuite/testcase")
    failures = root.findall("testsuite/testcase/failure")
    assert int(root.get("tests")) == len(cases) == 14 + 1
    assert int(root.get("failures")) == len(failures) == 11  # errors and warnings fail; info passes
    assert {f.get("type") for f in failures} == {"error", "warning"}
    _, strict = _run(capsys, "--format", "junit", "--fail-on", "info", ".")
    assert ET.fromstring(strict).get("failures") == "14"
    _, lenient = _run(capsys, "--format", "junit", "--fail-on", "error", ".")
    assert ET.fromstring(lenient).get("failures") == "3"


def test_junit_is_valid_xml_whatever_the_file_says():
    from taglint.engine import ScanResult

    finding = Finding("TL101", "untagged-image", "warning", "a\x1b.yaml", Span(1, 1, 1, 2),
                      "`bad\x00ref\x07` <&> \"q\"", fix=Fix("x"))
    out = render("junit", ScanResult(findings=[finding], files_scanned=1, errors=["boom \x01"]), ReportOptions())
    root = ET.fromstring(out)
    failure = root.find("testsuite/testcase/failure")
    assert failure.get("message") == '`bad\\x00ref\\x07` <&> "q"'
    assert root.find("testsuite[@name='taglint']/testcase/error").get("message") == "boom \\x01"


# -- several outputs from one scan ----------------------------------------------------------


def test_output_format_writes_more_reports_from_the_same_scan(project, capsys):
    (project / "out").mkdir()
    code = main(["--no-config", "--color", "always", "--output-format", "sarif=out/taglint.sarif",
                 "--output-format", "json=report.json", "--output-format", "text=report.txt", "."])
    out = capsys.readouterr().out
    assert code == 1
    assert "\x1b[" in out and "Found 14 findings" in out  # the main report, to the terminal
    sarif = json.loads((project / "out" / "taglint.sarif").read_text(encoding="utf-8"))
    assert len(sarif["runs"][0]["results"]) == 14
    data = json.loads((project / "report.json").read_text(encoding="utf-8"))
    assert len(data["findings"]) == 14
    text = (project / "report.txt").read_text(encoding="utf-8")
    assert "\x1b[" not in text and any(line.startswith("Found 14 findings") for line in text.splitlines())


def test_output_format_files_match_their_own_format(project, capsys):
    code = main(["--no-config", "--format", "json", "--output-format", "sarif=taglint.sarif",
                 "--output-format", "gitlab=gl-code-quality-report.json", "--output-format", "text=log.txt", "."])
    main_report = json.loads(capsys.readouterr().out)
    assert code == 1
    sarif = json.loads((project / "taglint.sarif").read_text(encoding="utf-8"))
    gitlab = json.loads((project / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    text = (project / "log.txt").read_text(encoding="utf-8")
    assert len(sarif["runs"][0]["results"]) == len(gitlab) == len(main_report["findings"]) == 14
    # the text report was rendered as text, not from the JSON lines the scan pre-rendered
    assert text.startswith(".github/workflows/ci.yml:7:15: TL301 [warning]") and '{"rule"' not in text


def test_output_format_into_a_missing_folder_is_an_error(project, capsys):
    code = main(["--no-config", "--output-format", "sarif=missing/taglint.sarif", "."])
    err = capsys.readouterr().err
    assert code == 2
    assert "missing/taglint.sarif: cannot write report" in err


@pytest.mark.parametrize("value, message", [
    ("yaml=out.yaml", "unknown format 'yaml'"),
    ("sarif=", "no file"),
    ("fancy", "expected a style (full, concise, grouped) or FORMAT=FILE"),
])
def test_output_format_rejects_what_it_cannot_do(project, capsys, value, message):
    assert main(["--no-config", "--output-format", value, "."]) == 2
    assert message in capsys.readouterr().err


def test_output_format_style_full_is_the_text_report(project, capsys):
    assert main(["--no-config", "--color", "never", "--output-format", "full", "."]) == 1
    full = capsys.readouterr().out
    assert main(["--no-config", "--color", "never", "."]) == 1
    assert capsys.readouterr().out == full


def test_every_format_renders_an_empty_scan(tmp_path, monkeypatch, capsys):
    (tmp_path / "Dockerfile").write_text("FROM python:3.12.7-slim\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for fmt in FORMATS:
        assert main(["--no-config", "--format", fmt, "."]) == 0, fmt
        assert capsys.readouterr().out.strip(), fmt


def test_related_and_fix_edits_reach_sarif_from_synthetic_findings(tmp_path, monkeypatch):
    from taglint.engine import ScanResult

    monkeypatch.chdir(tmp_path)
    finding = Finding(
        "TL113", "inconsistent-tags", "info", "a.yaml", Span(2, 3, 2, 9), "older",
        fix=Fix("use 1.2", "unsafe", (Edit(Span(2, 7, 2, 9), "1.2"),)),
        related=(Related(Location("b.yaml", Span(5, 1, 5, 4)), "newest"),),
    )
    log = json.loads(render("sarif", ScanResult(findings=[finding], files_scanned=2), ReportOptions()))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    (result,) = log["runs"][0]["results"]
    assert "ruleIndex" not in result  # no rules known to this result: no index to give
    assert result["fixes"][0]["description"]["text"] == "use 1.2 (unsafe fix)"
    assert result["relatedLocations"][0]["message"]["text"] == "newest"
