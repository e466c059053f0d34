"""Configuration that means the same from anywhere (issue 10, items 4-7):
the config is found from each scanned file upward, its ``exclude`` and
``per-file-ignores`` are anchored at its folder, the folders always skipped
are skipped with or without git, ``--exclude``/``--extend-exclude``,
config messages in plain words, ``taglint init`` that never hides a
configuration, and ``--show-settings``.

The command-line tests run the installed console script in a subprocess,
as a user does."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from taglint.config import Config, ConfigLookup, STARTER_CONFIG, read_config_file
from taglint.ruleset import builtin_rules
from taglint.selection import active_rules
from tests.test_cli_gate import taglint, write

UNTAGGED = "FROM python\n"  # TL101
LATEST = "FROM node:latest\n"  # TL102


def git_init(folder: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)


def findings(cwd: Path, *args: str) -> tuple[int, list[dict]]:
    proc = taglint(cwd, "--format", "json", *args)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)["findings"]


def places(cwd: Path, root: Path, *args: str) -> set[tuple[str, int, str, str]]:
    """(path relative to ``root``, line, rule, severity) of each finding of a run in ``cwd``."""
    _, found = findings(cwd, *args)
    return {
        ((cwd / f["path"]).resolve().relative_to(root.resolve()).as_posix(), f["line"], f["rule"], f["severity"])
        for f in found
    }


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose config excludes `gen/**` and ignores TL101 in `examples/**`
    (both anchored at the repository root), with a subfolder that has its own
    `gen/` and `examples/` folders, which those patterns do not name."""
    root = tmp_path / "repo"
    root.mkdir()
    git_init(root)
    write(root / ".taglint.yaml", 'exclude: ["gen/**"]\nper-file-ignores: {"examples/**": [TL101]}\n')
    for folder in ("", "gen/", "examples/", "sub/", "sub/gen/", "sub/examples/"):
        write(root / f"{folder}Dockerfile", UNTAGGED + LATEST)
    return root


def test_one_repository_gives_the_same_results_from_anywhere(repo: Path) -> None:
    from_root = places(repo, repo)
    assert from_root == {
        (path, line, rule, "warning")
        for path in ("Dockerfile", "sub/Dockerfile", "sub/gen/Dockerfile", "sub/examples/Dockerfile")
        for line, rule in ((1, "TL101"), (2, "TL102"))
    } | {("examples/Dockerfile", 2, "TL102", "warning")}
    sub = repo / "sub"
    assert places(sub, repo, "..") == from_root
    assert places(repo.parent, repo, "repo") == from_root  # the parent's scan uses the repository's config
    assert places(repo.parent, repo, str(repo)) == from_root
    assert places(sub, repo) == {p for p in from_root if p[0].startswith("sub/")}
    assert places(sub / "gen", repo) == {p for p in from_root if p[0].startswith("sub/gen/")}


def test_named_files_are_excluded_by_their_config_with_force_exclude(repo: Path) -> None:
    assert places(repo / "sub", repo, "--force-exclude", "../gen/Dockerfile") == set()
    assert places(repo / "sub", repo, "../gen/Dockerfile") != set()  # named without --force-exclude: scanned


def test_the_nearest_config_wins_and_each_file_is_checked_with_its_own(repo: Path) -> None:
    write(repo / "svc" / ".taglint.yaml", "select: [TL102]\nseverity: {TL102: error}\nexclude: [skipped/**]\n")
    write(repo / "svc" / "Dockerfile", UNTAGGED + LATEST)
    write(repo / "svc" / "skipped" / "Dockerfile", UNTAGGED)
    write(repo / "svc" / "gen" / "Dockerfile", LATEST)  # the root's gen/** does not reach into svc
    found = places(repo.parent, repo, "repo")
    svc = {p for p in found if p[0].startswith("svc/")}
    assert svc == {("svc/Dockerfile", 2, "TL102", "error"), ("svc/gen/Dockerfile", 1, "TL102", "error")}
    assert ("Dockerfile", 1, "TL101", "warning") in found
    assert places(repo / "svc", repo) == svc


def test_an_explicit_config_applies_to_every_file(repo: Path) -> None:
    write(repo / "svc" / ".taglint.yaml", "select: [TL102]\n")
    write(repo / "svc" / "Dockerfile", UNTAGGED)
    write(repo / "only-latest.yaml", "select: [TL102]\n")
    found = places(repo, repo, "--config", "only-latest.yaml")
    assert {p[2] for p in found} == {"TL102"}
    # patterns of the default configuration (none) and --no-config: every file, every default rule
    assert ("gen/Dockerfile", 1, "TL101", "warning") in places(repo, repo, "--no-config")


def test_config_lookups_are_cached_per_folder(tmp_path: Path) -> None:
    write(tmp_path / ".taglint.yaml", "ignore: [TL104]\n")
    (tmp_path / ".git").mkdir()
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    finished: list[Config] = []

    def finish(config: Config) -> Config:
        finished.append(config)
        return config

    lookup = ConfigLookup(finish)
    first = lookup.for_folder(deep)
    assert all(lookup.for_folder(folder) is first for folder in (deep, deep.parent, tmp_path / "a", tmp_path))
    assert len(finished) == 1 and first.ignore == ("TL104",) and first.root == tmp_path.resolve()


SKIPPED = ("node_modules/pkg/Dockerfile", ".venv/lib/Dockerfile", "venv/lib/Dockerfile", ".tox/py/Dockerfile")


@pytest.mark.parametrize("with_git", [False, True])
def test_default_excludes_apply_with_or_without_git(tmp_path: Path, with_git: bool) -> None:
    for path in (*SKIPPED, "app/Dockerfile"):
        write(tmp_path / path, UNTAGGED)
    if with_git:
        git_init(tmp_path)
        subprocess.run(["git", "add", "-f", "."], cwd=tmp_path, check=True)  # committed, even
    assert {p[0] for p in places(tmp_path, tmp_path, "--no-config")} == {"app/Dockerfile"}
    # a file named on the command line is still scanned
    assert {p[0] for p in places(tmp_path, tmp_path, "--no-config", SKIPPED[0])} == {SKIPPED[0]}


def test_exclude_and_extend_exclude_on_the_command_line(tmp_path: Path) -> None:
    write(tmp_path / ".taglint.yaml", 'exclude: ["a/**"]\n')
    for folder in ("a", "b", "c"):
        write(tmp_path / folder / "Dockerfile", UNTAGGED)

    def scanned(*args: str) -> set[str]:
        return {p[0].split("/")[0] for p in places(tmp_path, tmp_path, *args)}

    assert scanned() == {"b", "c"}
    assert scanned("--extend-exclude", "b/**") == {"c"}
    assert scanned("--exclude", "b/**") == {"a", "c"}  # replaces the config's exclude
    assert scanned("--exclude", "b/**", "--exclude", "c/**") == {"a"}
    proc = taglint(tmp_path, "--extend-exclude", "[z-a]")
    assert proc.returncode == 2 and 'taglint: error: --extend-exclude: bad pattern "[z-a]"' in proc.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("selct: [TL101]\n", '.taglint.yaml: unknown key "selct" (did you mean select?)'),
        ("registries: {alow: []}\n", '.taglint.yaml: registries: unknown key "alow" (did you mean allow?)'),
        ("select: TL101\n", ".taglint.yaml: select: expected a list of codes, e.g. [TL101], got 'TL101'"),
        ("exclude: vendor\n", """.taglint.yaml: exclude: expected a list of path patterns, e.g. ["vendor/**"], got 'vendor'"""),
        ("fail-on: high\n", ".taglint.yaml: fail-on: expected one of error, warning, info, got 'high'"),
        ("strict: maybe\n", ".taglint.yaml: strict: expected true or false, got 'maybe'"),
        ("images: [{require: semver}]\n", '.taglint.yaml: images[0]: "match" is required'),
        ("ignore: [TL101]\nstrict: true\nignore: [TL102]\n",
         '.taglint.yaml: line 3: invalid YAML: key "ignore" written twice (lines 1 and 3)'),
        ("fix:\n  versions: {python: '3.12'}\n  versions: {node: '22'}\n",
         '.taglint.yaml: line 3: invalid YAML: key "versions" written twice (lines 2 and 3)'),
    ],
)
def test_config_problems_are_said_in_plain_words(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path / ".taglint.yaml", text)
    write(tmp_path / "Dockerfile", UNTAGGED)
    proc = taglint(tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"taglint: error: {message}"
    assert "Failed validating" not in proc.stderr and "is not of type" not in proc.stderr


def test_pyproject_problems_name_the_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.taglint]\nselect = "TL1"\n')
    proc = taglint(tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "taglint: error: pyproject.toml [tool.taglint]: select: expected a list of codes, e.g. [TL101], got 'TL1'"
    )


def test_a_severity_on_a_rule_that_is_off_turns_it_on(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", "FROM python:3.12.7-slim-bookworm\n")
    assert builtin_rules()["TL110"].enabled_by_default(False) is False
    assert "TL110" not in {f["rule"] for f in findings(tmp_path)[1]}
    write(tmp_path / ".taglint.yaml", "severity: {TL110: error}\n")
    assert {(f["rule"], f["severity"]) for f in findings(tmp_path)[1]} >= {("TL110", "error")}
    write(tmp_path / ".taglint.yaml", "severity: {TL110: off}\n")
    assert "TL110" not in {f["rule"] for f in findings(tmp_path)[1]}


def test_extend_select_weighs_like_select() -> None:
    rules = builtin_rules()

    def codes(**settings: tuple[str, ...]) -> set[str]:
        return {r.code for r in active_rules(rules, Config(**settings))}  # type: ignore[arg-type]

    assert codes(select=("TL101",), extend_select=("TL102",)) == {"TL101", "TL102"}
    # the longer prefix wins over ignore, whichever list it is in
    assert "TL102" in codes(ignore=("TL1",), extend_select=("TL102",))
    assert "TL102" not in codes(ignore=("TL102",), extend_select=("TL1",))


def test_all_selects_every_rule() -> None:
    rules = builtin_rules()
    assert {r.code for r in active_rules(rules, Config(select=("ALL",)))} == set(rules)
    assert {r.code for r in active_rules(rules, Config(extend_select=("ALL",)))} == set(rules)
    assert "TL110" not in {r.code for r in active_rules(rules, Config(select=("ALL",), ignore=("TL110",)))}


def test_init_refuses_when_the_folder_is_configured(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.taglint]\nignore = ["TL104"]\n')
    proc = taglint(tmp_path, "init")
    assert proc.returncode == 2
    assert "pyproject.toml [tool.taglint] already configures taglint here" in proc.stderr
    assert not (tmp_path / ".taglint.yaml").exists()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    write(tmp_path / ".taglint.yml", "ignore: [TL104]\n")
    proc = taglint(tmp_path, "init", "--force")
    assert proc.returncode == 2 and ".taglint.yml already configures taglint here" in proc.stderr
    (tmp_path / ".taglint.yml").unlink()
    assert taglint(tmp_path, "init").returncode == 0
    proc = taglint(tmp_path, "init")
    assert proc.returncode == 2 and ".taglint.yaml already exists" in proc.stderr


def test_the_starter_config_shows_the_keys_users_look_for(tmp_path: Path) -> None:
    for key in ("# exclude:", "# extend-exclude:", "# max-file-size:", "# fix:", "#   versions:", "#     python:"):
        assert key in STARTER_CONFIG, key
    # uncommented, the examples are a valid configuration
    examples = "\n".join(
        match.group(1) or match.group(2)
        for match in re.finditer(r"(?m)^(?:# ((?:[a-z][a-z-]*:|  ).*)|([a-z][a-z-]*:.*))$", STARTER_CONFIG)
    )
    data = yaml.safe_load(examples)
    assert {"exclude", "extend-exclude", "max-file-size", "fix", "per-file-ignores", "severity", "images"} <= set(data)
    config_file = write(tmp_path / ".taglint.yaml", examples)
    assert read_config_file(config_file).fix_versions["python"] == "3.12.7-slim-bookworm"


def test_show_settings_prints_the_effective_configuration(repo: Path) -> None:
    write(repo / ".taglint.yaml", 'ignore: [untagged-image]\nexclude: ["gen/**"]\nfail-on: error\n')
    proc = taglint(repo / "sub", "--show-settings")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "# settings for ., from ../.taglint.yaml"
    assert 'ignore: ["TL101"]' in lines  # names resolved to codes
    assert 'fail-on: "error"' in lines and 'exclude: ["gen/**"]' in lines
    assert {line.split(":")[0] for line in lines[1:]} >= {"select", "severity", "max-file-size", "fix", "images"}
    proc = taglint(repo.parent, "--show-settings", "--format", "json", "--fail-on", "info", "repo/sub")
    shown = json.loads(proc.stdout)
    assert shown["config-file"] == "repo/.taglint.yaml" and shown["path"] == "repo/sub"
    assert shown["settings"]["fail-on"] == "info"  # command-line options applied
    assert shown["settings"]["patterns-relative-to"] == str(repo.resolve())
    proc = taglint(repo, "--show-settings", "--exclude", "sub/**", "--extend-exclude", "x/**")
    assert "exclude: []" in proc.stdout.splitlines()  # --exclude replaces the file's
    assert 'command-line-exclude: ["sub/**", "x/**"]' in proc.stdout.splitlines()
    proc = taglint(repo, "--show-settings", "--no-config")
    assert proc.stdout.splitlines()[0] == "# settings for ., from (defaults: no configuration file)"


def _deployment(name: str, image: str) -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n"
        f"      containers:\n        - name: {name}\n          image: {image}\n"
    )


def test_named_files_say_when_tl113_saw_only_part_of_their_unit(tmp_path: Path) -> None:
    write(tmp_path / "deploy" / "a.yaml", _deployment("a", "nginx:1.25.3"))
    write(tmp_path / "deploy" / "b.yaml", _deployment("b", "nginx:1.27.2"))
    write(tmp_path / "app" / "Dockerfile", "FROM python:3.12.7-slim\n")
    note = "taglint: note: TL113 (inconsistent-tags) compared image versions only among the files named, not the rest of"

    def stderr(*args: str) -> str:
        proc = taglint(tmp_path, "--no-config", *args)
        assert proc.returncode in (0, 1), proc.stderr
        return proc.stderr

    assert stderr("deploy/a.yaml") == f"{note} deploy/; `taglint .` compares them project-wide\n"
    assert stderr("deploy/a.yaml", "deploy/b.yaml") == ""  # the whole unit was named
    assert stderr("deploy") == stderr(".") == ""  # folders are scanned whole
    assert stderr("app/Dockerfile") == ""  # nothing else in its unit
    assert stderr("-q", "deploy/a.yaml") == ""
    assert stderr("--ignore", "TL113", "deploy/a.yaml") == ""  # the rule is off: nothing was limited
