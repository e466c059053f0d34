"""Output a person can read on a big repository (issue 10, items 8, 9, 10,
11, 16, 18 and 19): what is shown (``--min-severity``, folded info
findings and fix texts), the text styles, ``--statistics``, ``-q``/``-qq``,
the numbers of ``--fix`` and ``--diff``, ``taglint rules``, and a README
whose every claim is checked.

The command-line tests run the installed console script in a subprocess,
as a user does."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from taglint import __version__
from taglint.docs import README_SAMPLE
from taglint.ruleset import builtin_rules
from tests.test_rule_fixtures import FIXTURES, _scan

ROOT = Path(__file__).resolve().parent.parent
_SCRIPT = Path(sys.executable).with_name("taglint")
TAGLINT = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-m", "taglint"]
FINDING_LINE = re.compile(r"^[^\s:][^:]*:\d+:\d+: TL\d{3} \[(error|warning|info)\] \S")


def taglint(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env_drop = ("FORCE_COLOR", "NO_COLOR", "PRE_COMMIT")
    import os

    env = {k: v for k, v in os.environ.items() if k not in env_drop}
    return subprocess.run([*TAGLINT, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def many_info_repo(root: Path, services: int = 25) -> Path:
    """A monorepo of ``services`` services on a partial Python tag (TL104,
    info) and two untagged images (TL101, warnings)."""
    for n in range(services):
        write(root / "services" / f"svc{n:02d}" / "Dockerfile",
              "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"-m\", \"app\"]\n")
    write(root / "tools" / "Dockerfile", "FROM golang AS build\nFROM alpine\n")
    return root


# -- 8: --min-severity, folded info findings and fix texts ------------------------------------------


def test_info_findings_are_folded_on_a_scan_with_many(tmp_path):
    repo = many_info_repo(tmp_path)
    run = taglint(repo, "--no-config", ".")
    assert run.returncode == 1
    assert "TL104" not in run.stdout and run.stdout.count("TL101 [warning]") == 2
    assert "Found 27 findings (2 warnings, 25 info) in 26 files" in run.stdout
    assert "+25 info findings hidden; --min-severity info to show." in run.stdout
    shown = taglint(repo, "--no-config", "--min-severity", "info", ".")
    assert shown.stdout.count("TL104 [info]") == 25 and "hidden" not in shown.stdout


def test_few_info_findings_are_shown(tmp_path):
    repo = many_info_repo(tmp_path, services=3)
    run = taglint(repo, "--no-config", ".")
    assert run.stdout.count("TL104 [info]") == 3 and "hidden" not in run.stdout


def test_json_has_every_finding_unless_min_severity_is_given(tmp_path):
    repo = many_info_repo(tmp_path)
    everything = json.loads(taglint(repo, "--no-config", "--format", "json", ".").stdout)
    assert len(everything["findings"]) == 27
    warnings = json.loads(taglint(repo, "--no-config", "--format", "json", "--min-severity", "warning", ".").stdout)
    assert {f["rule"] for f in warnings["findings"]} == {"TL101"} and len(warnings["findings"]) == 2


def test_min_severity_chooses_what_is_shown_and_fail_on_the_exit_code(tmp_path):
    repo = many_info_repo(tmp_path, services=2)
    run = taglint(repo, "--no-config", "--min-severity", "error", ".")
    assert run.returncode == 1, "the warnings still fail the run"
    assert "TL101" not in run.stdout
    assert "+4 findings below --min-severity error hidden." in run.stdout
    assert taglint(repo, "--no-config", "--min-severity", "info", "--fail-on", "error", ".").returncode == 0
    assert taglint(repo, "--no-config", "--min-severity", "critical", ".").returncode == 2


def test_a_repeated_fix_text_is_printed_once(tmp_path):
    write(tmp_path / "deploy" / "web.yaml", """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:latest
        - name: sidecar
          image: nginx:latest
""")
    write(tmp_path / "Dockerfile", "FROM nginx:latest\n")
    out = taglint(tmp_path, "--no-config", ".").stdout
    fixes = [line for line in out.splitlines() if line.startswith("  = fix")]
    assert len(fixes) == 3
    assert fixes[0].startswith("  = fix: ") and "nginx" in fixes[0]
    assert fixes[1:] == ["  = fix: as above", "  = fix: as above"]


# -- 9: --output-format full|concise|grouped --------------------------------------------------------


def two_files(root: Path) -> Path:
    write(root / "Dockerfile", "FROM python\nFROM node:latest\n")
    write(root / "ci" / "build.sh", "#!/bin/sh\ndocker build -t example/app .\n")
    return root


def test_concise_is_one_line_per_finding(tmp_path):
    run = taglint(two_files(tmp_path), "--no-config", "--output-format", "concise", ".")
    lines = run.stdout.splitlines()
    findings = [line for line in lines if FINDING_LINE.match(line)]
    assert len(findings) == 3 and "|" not in run.stdout and "= fix" not in run.stdout
    assert lines[len(findings)].startswith("Found 3 findings")
    assert findings[0] == "Dockerfile:1:6: TL101 [warning] `python` has no tag or digest, so it resolves to `:latest`"


def test_grouped_puts_findings_under_their_file(tmp_path):
    run = taglint(two_files(tmp_path), "--no-config", "--output-format", "grouped", ".")
    lines = run.stdout.splitlines()
    assert lines[0] == "Dockerfile"
    assert re.match(r"^  1:6 +TL101 \[warning\] `python`", lines[1])
    assert re.match(r"^  2:6 +TL102 \[warning\] `node:latest`", lines[2])
    assert lines[3] == "" and lines[4] == "ci/build.sh"
    assert re.match(r"^  2:\d+ +TL210 ", lines[5])
    assert lines.count("Dockerfile") == 1


def test_full_is_the_default_and_styles_mix_with_more_reports(tmp_path):
    repo = two_files(tmp_path)
    assert taglint(repo, "--no-config", "--output-format", "full", ".").stdout == taglint(repo, "--no-config", ".").stdout
    run = taglint(repo, "--no-config", "--output-format", "concise", "--output-format", "json=out.json", ".")
    assert run.returncode == 1 and "|" not in run.stdout
    assert len(json.loads((repo / "out.json").read_text())["findings"]) == 3
    bad = taglint(repo, "--no-config", "--output-format", "fancy", ".")
    assert bad.returncode == 2 and "concise" in bad.stderr


# -- 10: --statistics -----------------------------------------------------------------------------


STATISTICS_ROW = re.compile(r"^ +(\d+)  (TL\d{3})  (\[\*\]|\[-\]|   ) (\S+) +(\S+)$")


def secrets_repo(root: Path) -> Path:
    write(root / "release.sh", """\
#!/bin/sh
set -eu
docker login -u ci -p hunter2 registry.example.com
docker push registry.example.com/org/app:1.4.2
""")
    write(root / "Dockerfile", "FROM redis\nFROM python\n")
    write(root / "web" / "Dockerfile", "FROM nginx:latest\n")
    return root


def test_statistics_prints_only_the_table(tmp_path):
    run = taglint(secrets_repo(tmp_path), "--no-config", "--statistics", ".")
    assert run.returncode == 1
    rows = [STATISTICS_ROW.match(line) for line in run.stdout.splitlines()]
    assert all(rows), run.stdout
    table = {m.group(2): (int(m.group(1)), m.group(3), m.group(4), m.group(5)) for m in rows if m}
    assert table["TL101"] == (2, "   ", "untagged-image", "warning")
    assert table["TL208"] == (1, "[*]", "password-in-argv", "error")
    assert table["TL102"][0] == 1
    assert list(table)[0] == "TL101", "most findings first"


def test_statistics_marks_fixes_that_need_unsafe_fixes(tmp_path):
    repo = secrets_repo(tmp_path)
    write(repo / ".taglint.yaml", "fix:\n  versions:\n    redis: 7.4.1-bookworm\n")
    out = taglint(repo, "--statistics", ".").stdout
    assert re.search(r"^ +2  TL101  \[-\] untagged-image +warning$", out, re.M), out


def test_statistics_by_file_and_folder(tmp_path):
    repo = secrets_repo(tmp_path)
    by_file = taglint(repo, "--no-config", "--statistics", "--by", "file", ".").stdout.splitlines()
    assert re.match(r"^ +2  Dockerfile +\(2 warning\)$", by_file[0]), by_file
    assert any(re.match(r"^ +2  release\.sh +\(2 error\)$", line) for line in by_file)
    assert any(re.match(r"^ +1  web/Dockerfile +\(1 warning\)$", line) for line in by_file)
    by_folder = taglint(repo, "--no-config", "--statistics", "--by", "folder", ".").stdout.splitlines()
    assert re.match(r"^ +4  \./ +\(2 error, 2 warning\)$", by_folder[0]), by_folder
    assert re.match(r"^ +1  web/ +\(1 warning\)$", by_folder[1])
    alone = taglint(repo, "--no-config", "--by", "file", ".")
    assert alone.returncode == 2 and "--statistics" in alone.stderr


# -- 11: -q and -qq -------------------------------------------------------------------------------


def test_quiet_prints_the_findings_only(tmp_path):
    run = taglint(two_files(tmp_path), "--no-config", "-q", ".")
    assert run.returncode == 1
    lines = run.stdout.split("\n")
    assert lines[-1] == "" and all(FINDING_LINE.match(line) for line in lines[:-1]) and len(lines) == 4
    clean = tmp_path / "clean"
    write(clean / "Dockerfile", "FROM python:3.12.7-slim-bookworm\n")
    run = taglint(clean, "--no-config", "-q", ".")
    assert run.returncode == 0 and run.stdout == ""


def test_quiet_twice_prints_nothing(tmp_path):
    run = taglint(two_files(tmp_path), "--no-config", "-qq", ".")
    assert (run.returncode, run.stdout, run.stderr) == (1, "", "")
    run = taglint(tmp_path, "--no-config", "-qq", "--format", "json", ".")
    assert (run.returncode, run.stdout) == (1, "")


# -- 16: --diff and --fix -------------------------------------------------------------------------


def test_diff_exits_1_and_says_how_many_it_would_fix(tmp_path):
    repo = secrets_repo(tmp_path)
    before = (repo / "release.sh").read_text()
    run = taglint(repo, "--no-config", "--diff", ".")
    assert run.returncode == 1
    assert run.stdout.startswith("--- a/release.sh\n+++ b/release.sh\n")
    assert "taglint: would fix 1 finding\n" in run.stderr
    assert (repo / "release.sh").read_text() == before
    clean = tmp_path / "clean"
    write(clean / "Dockerfile", "FROM python:3.12.7-slim-bookworm\n")
    run = taglint(clean, "--no-config", "--diff", ".")
    assert (run.returncode, run.stdout) == (0, "") and "would fix 0 findings" in run.stderr


def test_fix_reports_from_a_rescan_of_the_fixed_files(tmp_path):
    repo = secrets_repo(tmp_path)
    before = taglint(repo, "--no-config", "--output-format", "concise", ".").stdout
    # TL212 sits on the password, after `-p`, before the fix
    assert "release.sh:3:23: TL212" in before
    run = taglint(repo, "--no-config", "--fix", "--output-format", "concise", ".")
    assert "--password-stdin" in (repo / "release.sh").read_text()
    assert "Found 5 findings (1 fixed, 4 remaining); 3 files scanned." in run.stdout
    fresh = taglint(repo, "--no-config", "--output-format", "concise", ".").stdout
    finding_lines = [line for line in run.stdout.splitlines() if FINDING_LINE.match(line)]
    assert finding_lines == [line for line in fresh.splitlines() if FINDING_LINE.match(line)]
    assert any(line.startswith("release.sh:3:13: TL212") for line in finding_lines)
    assert run.returncode == 1


def test_summary_counts_the_fixable_findings(tmp_path):
    repo = secrets_repo(tmp_path)
    write(repo / ".taglint.yaml", "fix:\n  versions:\n    redis: 7.4.1-bookworm\n")
    out = taglint(repo, ".").stdout
    assert out.splitlines()[-1] == "1 fixable with --fix (1 more with --unsafe-fixes)."
    taglint(repo, "--fix", ".")
    out = taglint(repo, ".").stdout
    assert out.splitlines()[-1] == "1 fixable with --fix --unsafe-fixes."
    taglint(repo, "--fix", "--unsafe-fixes", ".")
    assert "fixable" not in taglint(repo, ".").stdout
    assert "FROM redis:7.4.1-bookworm" in (repo / "Dockerfile").read_text()


# -- 18: taglint rules ----------------------------------------------------------------------------


def rules_table(cwd: Path, *args: str) -> dict[str, dict[str, str]]:
    run = taglint(cwd, "rules", *args)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    header = lines[0].split()
    assert header == ["CODE", "NAME", "FIX", "NOW", "DEFAULT", "SUMMARY"]
    starts = [lines[0].index(word) for word in header]
    rows = {}
    for line in lines[1:]:
        cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None])]
        rows[cells[0]] = dict(zip(header, cells))
    return rows


def test_rules_has_a_header_fix_column_and_conditional_severities(tmp_path):
    rows = rules_table(tmp_path, "--no-config")
    assert set(rows) == set(builtin_rules())
    assert rows["TL114"]["FIX"] == "yes" and rows["TL208"]["FIX"] == "sometimes" and rows["TL105"]["FIX"] == "no"
    assert rows["TL205"]["DEFAULT"] == "warning; info for a Docker Hub user/repo"
    assert rows["TL210"]["DEFAULT"] == "warning; error for a push with no image name"
    assert rows["TL104"]["DEFAULT"] == "info; warning in strict"
    assert rows["TL101"]["NOW"] == "warning" and rows["TL106"]["NOW"] == "off"


def test_rules_shows_the_state_under_the_current_config(tmp_path):
    write(tmp_path / ".taglint.yaml", "ignore: [push-implicit-docker-hub]\nseverity: {TL101: error}\nstrict: true\n")
    rows = rules_table(tmp_path)
    assert rows["TL205"]["NOW"] == "off" and rows["TL205"]["DEFAULT"].startswith("warning")
    assert rows["TL101"]["NOW"] == "error" and rows["TL104"]["NOW"] == "warning"
    assert rows["TL302"]["NOW"] == "warning"
    assert rules_table(tmp_path, "--no-config")["TL205"]["NOW"] == "warning"
    data = json.loads(taglint(tmp_path, "rules", "--format", "json").stdout)
    tl205 = next(r for r in data if r["code"] == "TL205")
    assert (tl205["state"], tl205["fixable"], tl205["severity_when"]) == ("off", "never", {"info": "a Docker Hub user/repo"})


@pytest.fixture(scope="module")
def fixture_evidence() -> dict[str, dict[str, set[str]]]:
    """For each rule, from its fail fixtures: their kinds (folders), the
    severities of its findings and whether they carry edits."""
    evidence: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for case in sorted(FIXTURES.glob("TL*/*/fail")):
        code, kind = case.parent.parent.name, case.parent.name
        evidence[code]["kinds"].add(kind)
        for finding in _scan(case, code).findings:
            if finding.rule == code:
                evidence[code]["severities"].add(finding.severity)
                evidence[code]["edits"].add("yes" if finding.fix and finding.fix.edits else "no")
    return evidence


@pytest.mark.parametrize("code", sorted(builtin_rules()))
def test_covers_is_the_kinds_of_the_fail_fixtures(code, fixture_evidence):
    assert set(builtin_rules()[code].applies_to) == fixture_evidence[code]["kinds"]


@pytest.mark.parametrize("code", sorted(builtin_rules()))
def test_fixable_matches_what_the_fixtures_show(code, fixture_evidence):
    expected = {"always": {"yes"}, "sometimes": {"yes", "no"}, "never": {"no"}}[builtin_rules()[code].fixable]
    assert fixture_evidence[code]["edits"] == expected


@pytest.mark.parametrize("code", sorted(builtin_rules()))
def test_conditional_severities_are_declared(code, fixture_evidence):
    rule = builtin_rules()[code]
    declared = {rule.severity, *(severity for severity, _ in rule.severity_when)}
    assert fixture_evidence[code]["severities"] == declared


# -- 19: the README ------------------------------------------------------------------------------


README = ROOT / "README.md"


def test_readme_sample_is_a_real_run():
    """The first console block of the README is the output of the command
    it shows, run in the folder the README names (``python -m taglint.docs``
    regenerates it)."""
    readme = README.read_text(encoding="utf-8")
    match = README_SAMPLE.search(readme)
    assert match and readme.index("```console") == match.start(), "README starts with a sample run"
    command, output, folder = match.group(2), match.group(3), ROOT / match.group(5)
    assert command == "taglint ." and folder.is_dir()
    run = taglint(folder, *command.split()[1:])
    assert run.returncode == 1 and run.stdout.startswith("Dockerfile:")
    assert output == run.stdout, f"README sample is stale (python -m taglint.docs); the real output is:\n{run.stdout}"


def test_precommit_rev_is_the_release_tag_of_this_version():
    revs = re.findall(r"^\s*rev: (\S+)$", README.read_text(encoding="utf-8"), re.M)
    assert revs == [f"v{__version__}"]


def _help_options() -> set[str]:
    options: set[str] = set()
    for command in ([], ["rules"], ["rule"], ["init"], ["schema"]):
        out = taglint(ROOT, *command, "--help").stdout
        options |= set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", out))
    return options


# Options of other tools that the rule docs describe (docker, podman,
# skopeo, kaniko, crane, oras, buildah), and the abbreviation the README
# shows being refused.
OTHER_TOOLS = {
    "--all-tags", "--creds", "--dest-creds", "--dest-password", "--dest-tls-verify", "--destination",
    "--insecure", "--insecure-skip-tls-verify", "--no-push", "--password",
    "--password-stdin", "--plain-http", "--platform", "--skip-tls-verify", "--src-tls-verify", "--tag",
    "--tls-verify",
}
REFUSED_EXAMPLES = {"--sel"}


def _documented_options() -> dict[str, set[str]]:
    """``--option``s that the docs present as taglint's: inline code that
    starts with one, and every option of a ``taglint …`` command."""
    found: dict[str, set[str]] = defaultdict(set)
    for doc in [README, *sorted((ROOT / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        for span in re.findall(r"`([^`\n]+)`", text):
            if span.startswith("--"):
                found[re.match(r"--[a-z0-9-]+", span).group(0)].add(doc.name)  # type: ignore[union-attr]
        for line in re.findall(r"(?:^|\$ |`)(taglint [^\n`]*)", text, re.M):
            for option in re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", line):
                found[option].add(doc.name)
    return found


def test_docs_mention_only_options_that_exist():
    known = _help_options()
    documented = _documented_options()
    assert {"--statistics", "--min-severity", "--output-format", "--fix"} <= set(documented)
    unknown = {o: sorted(docs) for o, docs in documented.items() if o not in known | OTHER_TOOLS | REFUSED_EXAMPLES}
    assert not unknown, f"documented but not in any --help: {unknown}"


def test_other_tools_options_are_not_taglint_options():
    """The exceptions above stay exceptions: none is a taglint option."""
    assert not (OTHER_TOOLS | REFUSED_EXAMPLES) & _help_options()
