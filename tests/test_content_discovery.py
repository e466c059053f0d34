"""Files found by what they say (issue 9, section 1): GitHub workflows
outside ``.github/workflows/``, GitLab pipeline parts told by their text,
GitLab ``include: local:`` files followed; a file that matches nothing
stays unread."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from taglint.classify import classify
from taglint.cli import main
from taglint.content_kinds import is_github_workflow_text, is_gitlab_ci_text
from taglint.gitlab_includes import included_files, repository_root

STARTER_WORKFLOW = """\
# A starter workflow, as actions/starter-workflows lays them out (ci/*.yml)
name: Docker Image CI

on:
  push:
    branches: [ $default-branch ]
  pull_request:
    branches: [ $default-branch ]

jobs:

  build:

    runs-on: ubuntu-latest

    steps:
    - uses: actions/checkout@v4
    - name: Build the Docker image
      run: docker build . --file Dockerfile --tag my-image-name:$(date +%s)
"""

CALLER_WORKFLOW = """\
"on":
  workflow_call:
jobs:
  release:
    uses: octo-org/shared/.github/workflows/release.yml@v1
"""

GITLAB_PART = """\
build:
  stage: build
  image: docker:27.3.1
  script:
    - docker build -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def kind_of(path: str, text: str) -> str | None:
    return classify(path, lambda: text, path)


# --------------------------------------------------------------------------
# GitHub workflows by content


@pytest.mark.parametrize("text", [STARTER_WORKFLOW, CALLER_WORKFLOW], ids=["starter", "reusable-caller"])
def test_a_workflow_is_told_by_its_text(text: str) -> None:
    assert is_github_workflow_text(text)
    for path in ("workflow-templates/docker-image.yml", "ci/docker-image.yml", "lib/workflows/release.yaml"):
        assert kind_of(path, text) == "github-workflow", path


@pytest.mark.parametrize("text", [
    "on:\n  push:\nname: only triggers\n",  # no jobs
    "jobs:\n  build:\n    runs-on: ubuntu-latest\n",  # no `on`
    # Concourse: jobs are a list of plans
    "on: true\njobs:\n- name: unit\n  plan:\n  - get: repo\n",
    # the job keys are under another top-level key, not under jobs:
    "on: push\njobs: {}\nother:\n  build:\n    runs-on: ubuntu-latest\n",
    # `on` only as a nested key
    "settings:\n  on: true\njobs:\n  x:\n    steps: []\n",
], ids=["no-jobs", "no-on", "concourse", "job-keys-elsewhere", "nested-on"])
def test_what_is_not_a_workflow(text: str) -> None:
    assert not is_github_workflow_text(text)
    assert kind_of("workflow-templates/x.yml", text) is None


def test_a_workflow_in_JSON_or_a_text_file_is_not_looked_at() -> None:
    assert kind_of("workflow-templates/x.properties.json", '{"name": "CI", "on": {}, "jobs": {}}') is None
    assert kind_of("notes/workflow.txt", STARTER_WORKFLOW) is None


def test_the_acceptance_workflow_template_gives_TL208(tmp_path: Path, monkeypatch, capsys) -> None:
    write(tmp_path / ".github/workflow-templates/publish.yml", (
        "on:\n  push:\n    branches: [ $default-branch ]\njobs:\n  push:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: docker login -u octo -p \"$TOKEN\" ghcr.io\n"
    ))
    monkeypatch.chdir(tmp_path)
    assert main(["--no-config", "--format", "json", "."]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(f["path"], f["line"], f["rule"]) for f in report["findings"]] == [
        (".github/workflow-templates/publish.yml", 8, "TL208"),
    ]
    assert main(["--no-config", "--format", "json", "--show-files", "."]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["files"] == [{"path": ".github/workflow-templates/publish.yml", "kind": "github-workflow"}]


# --------------------------------------------------------------------------
# GitLab pipeline parts by content


def test_a_gitlab_part_is_told_by_its_text() -> None:
    assert is_gitlab_ci_text("ci/build.yml", GITLAB_PART)
    assert kind_of("ci/build.yml", GITLAB_PART) == "gitlab-ci"
    # a GitLab keyword beside script is enough, wherever the file lies
    assert kind_of("deploy/jobs.yml", GITLAB_PART) == "gitlab-ci"
    # in ci/, a job with a script is enough
    assert kind_of("ci/lint.yml", "lint:\n  script:\n    - make lint\n") == "gitlab-ci"
    # a hidden job in templates/ (not a Helm chart) using predefined variables
    hidden = ".docker:\n  image: docker:27.3.1\n  script:\n    - docker push \"$CI_REGISTRY_IMAGE\"\n"
    assert kind_of("templates/docker.yml", hidden) == "gitlab-ci"


@pytest.mark.parametrize("path,text", [
    # a job with a script, outside a pipeline folder, with no sign of GitLab
    ("tools/tasks.yml", "lint:\n  script:\n    - make lint\n"),
    # Travis CI: script is a top-level key
    ("ci/travis.yml", "language: python\nscript:\n  - pytest\n"),
    (".travis.yml", "jobs:\n  include:\n    - stage: test\n      script: pytest\n"),
    # script nested deeper than a job's first level
    ("ci/tool.yml", "tool:\n  settings:\n    script: run.sh\n  stage: x\n"),
    # a list at the top level (Ansible tasks)
    ("ci/tasks.yml", "- name: run\n  script: run.sh\n"),
], ids=["no-sign", "travis-top-level", "travis-name", "deeper", "list"])
def test_what_is_not_a_gitlab_part(path: str, text: str) -> None:
    assert kind_of(path, text) is None


def test_a_file_that_matches_nothing_stays_unread(tmp_path: Path, monkeypatch, capsys) -> None:
    write(tmp_path / "config/app.yml", "server:\n  port: 8080\n  image: not-a-container\n")
    write(tmp_path / "ci/notes.yml", "release:\n  owner: ops\n")
    write(tmp_path / "Dockerfile", "FROM python:3.12.7-slim-bookworm\n")
    monkeypatch.chdir(tmp_path)
    assert main(["--no-config", "--format", "json", "."]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["files_scanned"] == 1


# --------------------------------------------------------------------------
# GitLab include: local:


def scan_json(tmp_path: Path, monkeypatch, capsys, *args: str) -> list[tuple[str, int, str]]:
    monkeypatch.chdir(tmp_path)
    main(["--no-config", "--format", "json", *args])
    report = json.loads(capsys.readouterr().out)
    assert not report["summary"]["errors"], report["summary"]["errors"]
    return sorted((f["path"], f["line"], f["rule"]) for f in report["findings"])


LOGIN_JOB = "{name}:\n  script:\n    - docker login -u bot -p \"$TOKEN\" registry.example.com\n"


def test_every_form_of_local_include_is_followed(tmp_path: Path, monkeypatch, capsys) -> None:
    write(tmp_path / ".gitlab-ci.yml", (
        "include:\n"
        "  - local: /pipeline/a.yml\n"  # from the root, with a slash
        "  - local: pipeline/b.yml\n"  # without
        "  - 'pipeline/c.yml'\n"  # a plain path is local
        "  - local: 'parts/*.yml'\n"  # a wildcard
        "  - remote: 'https://example.com/remote.yml'\n"
        "  - 'https://example.com/also-remote.yml'\n"
        "  - local: ../outside.yml\n"  # leaves the repository: not followed
    ))
    for name in ("a", "b", "c"):
        write(tmp_path / f"pipeline/{name}.yml", LOGIN_JOB.format(name=name))
    write(tmp_path / "parts/d.yml", LOGIN_JOB.format(name="d"))
    write(tmp_path / "parts/e.yaml", LOGIN_JOB.format(name="e"))  # not *.yml
    write(tmp_path.parent / "outside.yml", LOGIN_JOB.format(name="outside"))
    assert scan_json(tmp_path, monkeypatch, capsys, "--select", "TL208", ".") == [
        ("parts/d.yml", 3, "TL208"), ("pipeline/a.yml", 3, "TL208"), ("pipeline/b.yml", 3, "TL208"),
        ("pipeline/c.yml", 3, "TL208"),
    ]


def test_includes_are_followed_from_an_included_file_and_a_single_mapping(tmp_path: Path, monkeypatch, capsys) -> None:
    write(tmp_path / ".gitlab-ci.yml", "include:\n  local: ci/stages.yml\n")
    # the nested include is read from the repository root, not from ci/
    write(tmp_path / "ci/stages.yml", "include:\n  - local: jobs/push.yml\nstages: [build]\n")
    write(tmp_path / "jobs/push.yml", LOGIN_JOB.format(name="push"))
    write(tmp_path / "ci/jobs/push.yml", "unrelated:\n  owner: ops\n")
    assert scan_json(tmp_path, monkeypatch, capsys, "--select", "TL208", ".") == [("jobs/push.yml", 3, "TL208")]


def test_an_included_file_gets_the_pipeline_variables(tmp_path: Path, monkeypatch, capsys) -> None:
    write(tmp_path / ".gitlab-ci.yml", "include:\n  - local: /pipeline/test.yml\nvariables:\n  PYTHON_IMAGE: python\n")
    write(tmp_path / "pipeline/test.yml", "test:\n  image: $PYTHON_IMAGE\n  script: [pytest]\n")
    monkeypatch.chdir(tmp_path)
    main(["--no-config", "--format", "json", "--select", "TL101", "."])
    report = json.loads(capsys.readouterr().out)
    [finding] = report["findings"]
    assert (finding["path"], finding["line"]) == ("pipeline/test.yml", 2)
    assert finding["reference"] == "python"
    # the note points at the including pipeline, where the variable is set
    assert [(n["path"], n["line"]) for n in finding["related"]] == [(".gitlab-ci.yml", 4)]


def test_the_included_file_own_variables_win(tmp_path: Path, monkeypatch, capsys) -> None:
    write(tmp_path / ".gitlab-ci.yml", "include: /pipeline/test.yml\nvariables:\n  PYTHON_IMAGE: python\n")
    write(tmp_path / "pipeline/test.yml", (
        "variables:\n  PYTHON_IMAGE: python:3.12.7-slim-bookworm\ntest:\n  image: $PYTHON_IMAGE\n  script: [pytest]\n"
    ))
    assert scan_json(tmp_path, monkeypatch, capsys, "--select", "TL101", ".") == []


def test_an_included_file_named_alone_with_its_pipeline(tmp_path: Path, monkeypatch, capsys) -> None:
    """A pre-commit run naming only .gitlab-ci.yml still checks what it includes."""
    write(tmp_path / ".gitlab-ci.yml", "include:\n  - local: /pipeline/push.yml\n")
    write(tmp_path / "pipeline/push.yml", LOGIN_JOB.format(name="push"))
    assert scan_json(tmp_path, monkeypatch, capsys, "--select", "TL208", ".gitlab-ci.yml") == [
        ("pipeline/push.yml", 3, "TL208"),
    ]


def test_an_excluded_included_file_is_not_followed(tmp_path: Path, monkeypatch, capsys) -> None:
    write(tmp_path / ".taglint.yaml", "exclude: ['vendor/**']\nselect: [TL208]\n")
    write(tmp_path / ".gitlab-ci.yml", "include:\n  - local: /vendor/push.yml\n  - local: /pipeline/push.yml\n")
    write(tmp_path / "vendor/push.yml", LOGIN_JOB.format(name="vendored"))
    write(tmp_path / "pipeline/push.yml", LOGIN_JOB.format(name="push"))
    monkeypatch.chdir(tmp_path)
    main(["--format", "json", "."])
    report = json.loads(capsys.readouterr().out)
    assert [f["path"] for f in report["findings"]] == ["pipeline/push.yml"]


def test_a_file_included_twice_is_checked_once(tmp_path: Path, monkeypatch, capsys) -> None:
    write(tmp_path / ".gitlab-ci.yml", "include:\n  - local: /ci/push.yml\n  - local: /ci/other.yml\n")
    write(tmp_path / "ci/other.yml", "include:\n  - local: /ci/push.yml\n  - local: /.gitlab-ci.yml\nstages: [x]\n")
    write(tmp_path / "ci/push.yml", LOGIN_JOB.format(name="push"))
    assert scan_json(tmp_path, monkeypatch, capsys, "--select", "TL208", ".") == [("ci/push.yml", 3, "TL208")]


def test_the_repository_root_of_a_pipeline(tmp_path: Path) -> None:
    assert repository_root(tmp_path / "proj/.gitlab-ci.yml") == tmp_path / "proj"
    assert repository_root(tmp_path / "proj/.gitlab-ci/jobs.yml") == tmp_path / "proj"
    (tmp_path / "repo/.git").mkdir(parents=True)
    assert repository_root(tmp_path / "repo/ci/a/b.yml") == tmp_path / "repo"


def test_wildcards_as_gitlab_reads_them(tmp_path: Path) -> None:
    for name in ("configs/a.yml", "configs/sub/b.yml", "configs/c.txt"):
        write(tmp_path / name, "x: 1\n")
    assert [p.relative_to(tmp_path).as_posix() for p in included_files("configs/*.yml", tmp_path)] == ["configs/a.yml"]
    assert [p.relative_to(tmp_path).as_posix() for p in included_files("/configs/**.yml", tmp_path)] == [
        "configs/a.yml", "configs/sub/b.yml",
    ]
    assert included_files("/", tmp_path) == []


def test_a_ci_cd_component_template_is_a_gitlab_part() -> None:
    """A component project's templates/*.yml: a `spec: inputs:` header
    document, then the jobs (GitLab's CI/CD components documentation)."""
    component = (
        "spec:\n  inputs:\n    stage:\n      default: test\n---\n"
        "component-job:\n  script: echo job 1\n"
    )
    assert kind_of("templates/my-component.yml", component) == "gitlab-ci"
    assert kind_of("lib/my-component.yml", component) == "gitlab-ci"
    # the same jobs without the header, outside a pipeline folder: unknown
    assert kind_of("lib/my-component.yml", "component-job:\n  script: echo job 1\n") is None


def test_an_included_file_with_its_own_configuration_is_checked_once(tmp_path: Path, monkeypatch, capsys) -> None:
    """ci/ has its own config file: its files are scanned with it, and the
    root pipeline's include of one of them does not check it a second time."""
    write(tmp_path / ".gitlab-ci.yml", "include:\n  - local: /ci/push.yml\n")
    write(tmp_path / "ci/.taglint.yaml", "select: [TL208]\n")
    write(tmp_path / "ci/push.yml", LOGIN_JOB.format(name="push"))
    monkeypatch.chdir(tmp_path)
    main(["--format", "json", "--select", "TL208", "."])
    report = json.loads(capsys.readouterr().out)
    assert [(f["path"], f["line"]) for f in report["findings"]] == [("ci/push.yml", 3)]


@pytest.mark.parametrize("text,expected", [
    # blank lines and comments inside the job, and CRLF line ends
    ("build:\n  stage: build\n\n  # the build\n  script:\n    - make\n", "gitlab-ci"),
    ("build:\r\n  stage: build\r\n\r\n  script:\r\n    - make\r\n", "gitlab-ci"),
    # a blank line ends nothing, but a top-level key does: `script:` of another
    # block at a smaller indent is not the job's
    ("build:\n    stage: build\n\nnotes:\n  script: see wiki\n", "gitlab-ci"),
    ("build:\n    stage: build\n\nscript:\n  - make\n", None),
    ("build:\n  nested:\n    stage: x\n\n    script: y\n", None),
], ids=["blank-and-comment", "crlf", "next-block", "top-level-script", "deeper-after-blank"])
def test_where_a_job_script_is(text: str, expected: str | None) -> None:
    assert kind_of("deploy/jobs.yml", text) == expected


def test_a_template_job_with_an_anchor() -> None:
    """GitLab's documentation on YAML anchors: `.job_template: &job_configuration`."""
    text = (
        ".job_template: &job_configuration  # hidden, a template\n"
        "  image: ruby:3.0\n  script:\n    - test project\n\n"
        "test1:\n  <<: *job_configuration\n"
    )
    assert kind_of("ci/templates.yml", text) == "gitlab-ci"
