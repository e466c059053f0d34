"""The CI integrations the README documents, each exercised as far as this
machine allows:

- the GitHub Action (``action.yml``): its steps run as bash scripts the way
  the Actions runner runs a composite action's steps (``bash --noprofile
  --norc -eo pipefail``, ``GITHUB_*`` variables, ``${{ inputs.* }}`` and
  ``${{ steps.*.outputs.* }}`` expressions, ``$GITHUB_OUTPUT``), against a
  copy of this repository as the action's folder: the install step really
  builds and installs taglint (from the package index, as on a runner);
- the README's workflow (upload-sarif), GitLab CI job (its ``taglint``
  line runs on a fixture repository) and pre-commit snippet."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from taglint import __version__

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
SARIF_SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

FIXTURE_REPO = {
    # an application repository as taglint meets it in CI
    "Dockerfile": "FROM python:3.12-slim\nCOPY --from=ghcr.io/astral-sh/uv /uv /bin/uv\nRUN uv pip install --system .\n",
    "deploy/api.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: api\n          image: registry.example.com/shop/api:latest\n"
    ),
    "scripts/publish.sh": (
        "#!/usr/bin/env bash\nset -euo pipefail\n"
        "docker login -u ci -p \"$REGISTRY_PASSWORD\" registry.example.com\n"
        "docker push registry.example.com/shop/api:\"$(git rev-parse --short HEAD)\"\n"
    ),
}


def _write_repo(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


# -- running a composite action's steps ------------------------------------------------------


class Runner:
    """Runs ``action.yml``'s steps as the Actions runner does, in a workspace."""

    def __init__(self, action_path: Path, temp: Path) -> None:
        self.action_path = action_path
        self.temp = temp
        self.temp.mkdir(parents=True, exist_ok=True)
        self.step_outputs: dict[str, dict[str, str]] = {}
        self.results: dict[str, subprocess.CompletedProcess[str]] = {}

    def expand(self, text: str, inputs: dict[str, str]) -> str:
        def value(match: re.Match[str]) -> str:
            expression = match.group(1)
            if m := re.fullmatch(r"inputs\.([\w-]+)", expression):
                return inputs[m.group(1)]
            if m := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression):
                return self.step_outputs.get(m.group(1), {}).get(m.group(2), "")
            raise AssertionError(f"expression this test runner does not know: {expression}")

        return EXPRESSION.sub(value, text)

    def run(self, workspace: Path, given: dict[str, str], *, skip: tuple[str, ...] = ()) -> int:
        """Every step in order until one fails; the exit code of the last one run."""
        inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
        unknown = set(given) - set(inputs)
        assert not unknown, f"inputs the action does not have: {unknown}"
        inputs.update(given)
        code = 0
        for number, step in enumerate(ACTION["runs"]["steps"]):
            step_id = step.get("id", f"step{number}")
            if step_id in skip:
                continue
            assert step["shell"] == "bash" and "uses" not in step
            script = self.temp / f"{step_id}.sh"
            script.write_text(self.expand(step["run"], inputs), encoding="utf-8")
            output = self.temp / f"{step_id}.output"
            output.write_text("", encoding="utf-8")
            env = {
                **os.environ,
                "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
                "CI": "true", "GITHUB_ACTIONS": "true",
                "GITHUB_ACTION_PATH": str(self.action_path), "GITHUB_WORKSPACE": str(workspace),
                "RUNNER_TEMP": str(self.temp), "GITHUB_OUTPUT": str(output),
                "GITHUB_ENV": str(self.temp / "env"), "GITHUB_PATH": str(self.temp / "path"),
                **{name: self.expand(str(value), inputs) for name, value in step.get("env", {}).items()},
            }
            env.pop("VIRTUAL_ENV", None)
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=workspace, env=env, capture_output=True, text=True, timeout=900,
            )
            self.results[step_id] = proc
            self.step_outputs[step_id] = dict(
                line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines() if "=" in line
            )
            code = proc.returncode
            if code != 0:
                break
        return code

    def output(self, name: str) -> str:
        return self.expand(str(ACTION["outputs"][name]["value"]), {})


def _action_copy(target: Path) -> Path:
    """The repository as GitHub checks an action out: its files, no build
    leftovers (tracked and new files, what .gitignore leaves out skipped)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Runner:
    """The action's install step, run once for this module."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    action = _action_copy(tmp_path_factory.mktemp("action"))
    runner = Runner(action, tmp_path_factory.mktemp("runner-temp"))
    first = ACTION["runs"]["steps"][0]
    assert first["id"] == "install"
    workspace = _write_repo(tmp_path_factory.mktemp("workspace"), FIXTURE_REPO)
    runner.run(workspace, {}, skip=tuple(s["id"] for s in ACTION["runs"]["steps"][1:]))
    install = runner.results["install"]
    assert install.returncode == 0, install.stdout + install.stderr
    return runner


def _run_step(installed: Runner, workspace: Path, inputs: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = installed.run(workspace, inputs, skip=("install",))
    proc = installed.results["run"]
    assert code == proc.returncode
    return proc


def _annotations(stdout: str) -> list[tuple[str, dict[str, str]]]:
    out = []
    for line in stdout.splitlines():
        if match := re.match(r"::(\w+) ([^:]*)::", line):
            out.append((match.group(1), dict(p.split("=", 1) for p in match.group(2).split(","))))
    return out


def test_action_inputs_and_steps():
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {"paths", "config", "fail-on", "sarif-file"}
    assert ACTION["inputs"]["paths"]["default"] == "." and ACTION["inputs"]["sarif-file"]["default"] == "taglint.sarif"
    for step in ACTION["runs"]["steps"]:
        # inputs reach scripts through the environment, never spliced into their text
        assert "inputs." not in step["run"]


def test_action_installs_taglint_in_its_own_environment(installed):
    taglint = installed.step_outputs["install"]["taglint"]
    assert Path(taglint).is_relative_to(installed.temp) and Path(taglint).is_file()
    version = subprocess.run([taglint, "--version"], capture_output=True, text=True, check=True).stdout
    assert version.strip() == f"taglint {__version__}"


def test_action_annotates_the_log_writes_sarif_and_fails_on_findings(installed, tmp_path):
    workspace = _write_repo(tmp_path, FIXTURE_REPO)
    proc = _run_step(installed, workspace, {})
    assert proc.returncode == 1, proc.stderr
    annotations = _annotations(proc.stdout)
    assert ("error", {"file": "scripts/publish.sh", "line": "3", "endLine": "3", "col": "20", "endColumn": "43",
                      "title": "TL208 password-in-argv"}) in annotations
    assert {(level, props["file"], props["title"].split()[0]) for level, props in annotations} >= {
        ("notice", "Dockerfile", "TL104"), ("warning", "Dockerfile", "TL101"),
        ("warning", "deploy/api.yaml", "TL102"), ("error", "scripts/publish.sh", "TL208"),
    }
    sarif_path = workspace / installed.output("sarif-file")
    assert installed.output("sarif-file") == "taglint.sarif"
    log = json.loads(sarif_path.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    assert len(log["runs"][0]["results"]) == len(annotations)


def test_installed_package_renders_every_format(installed, tmp_path):
    taglint = installed.step_outputs["install"]["taglint"]
    workspace = _write_repo(tmp_path, FIXTURE_REPO)
    proc = subprocess.run([taglint, "--no-config", "--format", "html", "."], cwd=workspace, capture_output=True,
                          text=True)
    assert proc.returncode == 1
    assert re.search(r"<style>\S.{500,}</style>", proc.stdout, re.S)  # the stylesheet shipped in the wheel
    assert re.search(r"<script>\S.{500,}</script>", proc.stdout, re.S)


def test_action_inputs_fail_on_config_and_paths(installed, tmp_path):
    workspace = _write_repo(tmp_path, FIXTURE_REPO)
    proc = _run_step(installed, workspace, {"fail-on": "error", "paths": "deploy\nDockerfile"})
    assert proc.returncode == 0  # only warnings and info in these paths
    assert {props["file"] for _, props in _annotations(proc.stdout)} == {"deploy/api.yaml", "Dockerfile"}
    (workspace / "taglint.sarif").unlink()  # written by the run above (sarif-file's default)
    (workspace / "ci").mkdir()
    (workspace / "ci" / "taglint.yaml").write_text("ignore: [TL101, TL104]\n", encoding="utf-8")
    proc = _run_step(installed, workspace, {"config": "ci/taglint.yaml", "paths": "Dockerfile", "sarif-file": ""})
    assert (proc.returncode, _annotations(proc.stdout)) == (0, [])
    assert installed.step_outputs["run"] == {}  # no SARIF file named
    assert not (workspace / "taglint.sarif").exists()


def test_action_inputs_cannot_inject_shell_code(installed, tmp_path):
    workspace = _write_repo(tmp_path, {"Dockerfile": "FROM python:3.12.7-slim\n"})
    proc = _run_step(installed, workspace, {"paths": "Dockerfile $(touch pwned) `touch pwned2`",
                                           "sarif-file": "out.sarif; touch pwned3"})
    assert not any((workspace / name).exists() for name in ("pwned", "pwned2", "pwned3"))
    assert proc.returncode == 2  # the odd words are paths that do not exist
    assert (workspace / "out.sarif; touch pwned3").exists()


# -- the README's snippets ----------------------------------------------------------------------


def _yaml_block(section: str) -> Any:
    body = README.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```yaml\n(.*?)```", body, re.S)
    return yaml.safe_load(block), block


def test_readme_workflow_uploads_the_actions_sarif(tmp_path):
    workflow, text = _yaml_block("GitHub Actions")
    (job,) = workflow["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    steps = {step.get("uses", "").split("@")[0]: step for step in job["steps"]}
    action = steps["taglint/taglint"]
    assert action["uses"] == f"taglint/taglint@v{__version__}"
    assert set(action["with"]) <= set(ACTION["inputs"])
    upload = steps["github/codeql-action/upload-sarif"]
    assert upload["with"]["sarif_file"] == action["with"]["sarif-file"]
    assert "!cancelled()" in upload["if"] or "always()" in upload["if"]
    # and the workflow itself passes taglint
    _write_repo(tmp_path, {".github/workflows/taglint.yml": text})
    proc = subprocess.run([sys.executable, "-m", "taglint", "--no-config", "--format", "json", "."],
                          cwd=tmp_path, capture_output=True, text=True)
    assert (proc.returncode, json.loads(proc.stdout)["findings"]) == (0, [])


def test_readme_gitlab_job_writes_the_code_quality_report(tmp_path):
    config, text = _yaml_block("GitLab CI")
    job = config["taglint"]
    report = job["artifacts"]["reports"]["codequality"]
    assert job["artifacts"]["when"] == "always"
    lines = [line for line in job["script"] if line.startswith("taglint ")]
    assert lines == [f"taglint --output-format gitlab={report} ."]
    assert any(f"/v{__version__}.tar.gz" in line for line in job["script"] if line.startswith("pip install"))
    workspace = _write_repo(tmp_path / "repo", {**FIXTURE_REPO, ".gitlab-ci.yml": text})
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    proc = subprocess.run(["sh", "-ec", "\n".join(lines)], cwd=workspace, env=env, capture_output=True, text=True)
    assert proc.returncode == 1  # the fixture has findings: the job fails, the report is uploaded anyway
    issues = json.loads((workspace / report).read_text(encoding="utf-8"))
    assert issues and all(
        {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue) for issue in issues
    )
    assert all(issue["location"]["path"] != ".gitlab-ci.yml" for issue in issues)  # the job itself is clean
    assert {issue["location"]["path"] for issue in issues} == {"Dockerfile", "deploy/api.yaml", "scripts/publish.sh"}


def test_readme_pre_commit_snippet_names_this_hook():
    config, _ = _yaml_block("pre-commit")
    (repo,) = config["repos"]
    assert repo["repo"] == "https://github.com/taglint/taglint"
    assert repo["rev"] == f"v{__version__}"
    hooks = {hook["id"] for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert {hook["id"] for hook in repo["hooks"]} <= hooks
