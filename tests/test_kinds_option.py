"""Letting users say what a file is: ``--kind KIND`` for the files named on
the command line, ``kinds:`` (path glob -> kind) in the configuration;
unknown kinds are errors with the nearest known kind."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from taglint.cli import main
from taglint.extract import EXTRACTORS, families
from taglint.kinds import kind_problem, known_kinds

# A GitLab job whose file says nothing of GitLab by its name or text alone.
JOB = "push:\n  script:\n    - docker login -u bot -p \"$TOKEN\" registry.example.com\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)

    def _run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def found(run, *args: str) -> list[tuple[str, int, str]]:
    code, out, err = run("--format", "json", *args)
    assert code in (0, 1), err
    return sorted((f["path"], f["line"], f["rule"]) for f in json.loads(out)["findings"])


# --------------------------------------------------------------------------
# --kind


def test_without_a_kind_the_file_is_not_read(tmp_path: Path, run) -> None:
    write(tmp_path / "deploy/push.yml", JOB)
    code, out, err = run("--no-config", "deploy/push.yml")
    assert code == 0
    assert "deploy/push.yml: skipped (not a known file kind)" in err


def test_kind_reads_a_named_file_as_that_kind(tmp_path: Path, run) -> None:
    write(tmp_path / "deploy/push.yml", JOB)
    assert found(run, "--no-config", "--kind", "gitlab-ci", "deploy/push.yml") == [("deploy/push.yml", 3, "TL208")]


def test_kind_overrides_what_the_name_says(tmp_path: Path, run) -> None:
    """A Dockerfile-looking name read as a shell script: no FROM is checked."""
    write(tmp_path / "Dockerfile.build", "docker login -u bot -p \"$TOKEN\" registry.example.com\n")
    assert found(run, "--no-config", "--kind", "shell", "Dockerfile.build") == [("Dockerfile.build", 1, "TL208")]


def test_kind_does_not_apply_to_the_files_of_a_named_folder(tmp_path: Path, run) -> None:
    write(tmp_path / "deploy/push.yml", JOB)
    write(tmp_path / "named.yml", JOB)
    assert found(run, "--no-config", "--kind", "gitlab-ci", "deploy", "named.yml") == [("named.yml", 3, "TL208")]


@pytest.mark.parametrize("written,nearest", [("gitlab", "gitlab-ci"), ("Dockerfile", "dockerfile"),
                                             ("kubernets", "kubernetes")])
def test_an_unknown_kind_is_a_usage_error_with_the_nearest_kind(tmp_path: Path, run, written: str, nearest: str) -> None:
    write(tmp_path / "a.yml", JOB)
    code, out, err = run("--no-config", "--kind", written, "a.yml")
    assert code == 2
    assert f'--kind: unknown kind "{written}" (did you mean {nearest}?)' in err
    assert out == ""


def test_a_kind_far_from_every_known_kind_lists_them(tmp_path: Path, run) -> None:
    code, _out, err = run("--no-config", "--kind", "zzzzzz", ".")
    assert code == 2 and "known kinds: " in err and "dockerfile" in err


def test_every_extractor_kind_is_known_families_too() -> None:
    kinds = known_kinds()
    assert set(EXTRACTORS) | set(families.extractors()) == set(kinds)
    assert all(kind_problem(kind) is None for kind in kinds)
    assert kind_problem("no-such-kind") is not None


# --------------------------------------------------------------------------
# kinds: in the configuration


def test_kinds_in_the_config(tmp_path: Path, run) -> None:
    write(tmp_path / ".taglint.yaml", 'kinds:\n  "deploy/pipelines/*.yml": gitlab-ci\nselect: [TL208]\n')
    write(tmp_path / "deploy/pipelines/push.yml", JOB)
    write(tmp_path / "deploy/other/push.yml", JOB)  # not matched: not read
    assert found(run, ".") == [("deploy/pipelines/push.yml", 3, "TL208")]


def test_kinds_patterns_are_relative_to_the_config_folder(tmp_path: Path, run, monkeypatch) -> None:
    write(tmp_path / "repo/.taglint.yaml", 'kinds:\n  "jobs/*.yml": gitlab-ci\nselect: [TL208]\n')
    write(tmp_path / "repo/jobs/push.yml", JOB)
    write(tmp_path / "elsewhere/.keep", "")
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert found(run, "../repo") == [("../repo/jobs/push.yml", 3, "TL208")]


def test_the_first_matching_pattern_wins(tmp_path: Path, run) -> None:
    write(tmp_path / ".taglint.yaml", 'kinds:\n  "ci/login.yml": shell\n  "ci/*.yml": gitlab-ci\nselect: [TL208]\n')
    write(tmp_path / "ci/login.yml", "docker login -u bot -p \"$TOKEN\" registry.example.com\n")
    write(tmp_path / "ci/push.yml", JOB)
    assert found(run, ".") == [("ci/login.yml", 1, "TL208"), ("ci/push.yml", 3, "TL208")]


def test_the_command_line_kind_wins_over_the_config(tmp_path: Path, run) -> None:
    write(tmp_path / ".taglint.yaml", 'kinds:\n  "*.txt": shell\nselect: [TL208]\n')
    write(tmp_path / "push.txt", JOB)  # as shell, `push:` is a command: nothing to report
    assert found(run, "push.txt") == []
    assert found(run, "--kind", "gitlab-ci", "push.txt") == [("push.txt", 3, "TL208")]


def test_kinds_can_say_what_a_file_found_by_content_is(tmp_path: Path, run) -> None:
    """A file that looks like a GitLab part but is not one (here a shell
    script kept as YAML for a tool): kinds: says what it is."""
    write(tmp_path / ".taglint.yaml", 'kinds:\n  "ci/hooks.yml": shell\nselect: [TL208]\n')
    write(tmp_path / "ci/hooks.yml", JOB)
    assert found(run, ".") == []


@pytest.mark.parametrize("config,message", [
    ('kinds:\n  "ci/*.yml": gitlab\n', '.taglint.yaml: kinds.ci/*.yml: unknown kind "gitlab" (did you mean gitlab-ci?)'),
    ('kinds:\n  "ci/*.yml": 3\n', ".taglint.yaml: kinds.ci/*.yml: expected a string, got 3"),
    ('kinds: ["ci/*.yml"]\n', ".taglint.yaml: kinds: expected a mapping (key: value), got a list"),
    ('kinds:\n  "ci/[z-a].yml": gitlab-ci\n', '.taglint.yaml: kinds.ci/[z-a].yml: bad pattern "ci/[z-a].yml"'),
    ('kind:\n  "ci/*.yml": gitlab-ci\n', '.taglint.yaml: unknown key "kind" (did you mean kinds?)'),
])
def test_bad_kinds_are_config_errors(tmp_path: Path, run, config: str, message: str) -> None:
    write(tmp_path / ".taglint.yaml", config)
    code, _out, err = run(".")
    assert code == 2
    assert message in err


def test_kinds_in_show_settings_and_the_schema(tmp_path: Path, run) -> None:
    write(tmp_path / ".taglint.yaml", 'kinds:\n  "ci/*.yml": gitlab-ci\n')
    code, out, _ = run("--show-settings", "--format", "json")
    assert code == 0 and json.loads(out)["settings"]["kinds"] == {"ci/*.yml": "gitlab-ci"}
    code, out, _ = run("schema")
    assert code == 0 and "kinds" in json.loads(out)["properties"]


def test_the_starter_config_documents_kinds() -> None:
    from taglint.config import STARTER_CONFIG

    assert "# kinds:" in STARTER_CONFIG


def test_kinds_in_pyproject_and_patterns_without_a_slash(tmp_path: Path, run) -> None:
    """A pattern without `/` matches a name at any depth, as in exclude."""
    write(tmp_path / "pyproject.toml", '[tool.taglint]\nselect = ["TL208"]\n\n[tool.taglint.kinds]\n"*.pipeline.yml" = "gitlab-ci"\n')
    write(tmp_path / "a/b/release.pipeline.yml", JOB)
    write(tmp_path / "release.pipeline.yml", JOB)
    assert found(run, ".") == [("a/b/release.pipeline.yml", 3, "TL208"), ("release.pipeline.yml", 3, "TL208")]
