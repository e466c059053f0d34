"""Expansion bombs: a variable defined from itself twice, forty times over.

Each case is a small repository of one kind where a value doubles on every
line (``A=$A$A``, ``ARG A=$A$A``, ``A := $(A)$(A)``…) or where each
variable names the previous one many times, so that substituting naively
makes a value of a trillion characters.  taglint runs on it as a user runs
it, in a subprocess: it must end in under 2 seconds and 150 MB, and the
image built from the bomb is reported as unresolved (TL108) because its
value is too large to expand (taglint/limits.py).
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

import pytest

from taglint import limits
from taglint.model import Step

from .measured_run import run_measured

SECONDS = 2.0
MEGABYTES = 150
LINES = 40


def _write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _doubling(line: str) -> str:
    return "".join(line.format(i=i, j=i - 1) for i in range(1, LINES + 1))


def shell(root: Path) -> None:
    body = "A=x\n" + "A=$A$A\n" * LINES
    _write(root, "deploy.sh", "#!/bin/sh\n" + body + 'docker push "registry.example.com/app:$A"\ndocker run "python:$A"\n')


def shell_distinct_names(root: Path) -> None:
    _write(root, "deploy.sh", "#!/bin/sh\nA0=x\n" + _doubling("A{i}=$A{j}$A{j}\n") + f'docker run "python:$A{LINES}"\n')


def dockerfile(root: Path) -> None:
    _write(root, "Dockerfile", "ARG A=x\n" + "ARG A=$A$A\n" * LINES + "FROM python:$A\n")


def dockerfile_braced(root: Path) -> None:
    _write(root, "Dockerfile", "ARG A0=x\n" + _doubling("ARG A{i}=${{A{j}}}${{A{j}:-y}}\n") + f"FROM python:${{A{LINES}}}\n")


def makefile(root: Path) -> None:
    _write(root, "Makefile", "A := x\n" + "A := $(A)$(A)\n" * LINES
           + "push:\n\tdocker push registry.example.com/app:$(A)\n\tdocker run python:$(A)\n")


def makefile_recursive(root: Path) -> None:
    """Recursive (``=``) variables, each naming the next one four times:
    4^17 expansions, every value empty."""
    names = [chr(ord("B") + k) for k in range(18)]
    lines = [f"{a} = {('$(' + b + ')') * 4}\n" for a, b in zip(names, names[1:])] + [f"{names[-1]} =\n"]
    _write(root, "Makefile", "".join(lines) + "run:\n\tdocker run python:$(B)x\n")


def makefile_append(root: Path) -> None:
    _write(root, "Makefile", "A := x\n" + "A += $(A)\n" * LINES + "run:\n\tdocker run python:$(A)\n")


def workflow_run(root: Path) -> None:
    script = "          A=x\n" + "          A=$A$A\n" * LINES + '          docker run "python:$A"\n'
    _write(root, ".github/workflows/ci.yml",
           "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n" + script)


def workflow_env(root: Path) -> None:
    """``env:`` values naming the previous one sixteen times, eight levels deep."""
    env = "  A0: x\n" + "".join(f"  A{i}: \"{('$A' + str(i - 1)) * 16}\"\n" for i in range(1, 9))
    _write(root, ".github/workflows/ci.yml",
           "on: push\nenv:\n" + env + "jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
           "      - run: docker run \"python:$A8\"\n"
           "      - uses: docker://python:${{ env.A8 }}\n")


def gitlab_variables(root: Path) -> None:
    variables = "  A0: x\n" + "".join(f"  A{i}: \"{('$A' + str(i - 1)) * 16}\"\n" for i in range(1, 9))
    _write(root, ".gitlab-ci.yml", "variables:\n" + variables + "build:\n  image: python:$A8\n  script:\n    - make\n")


def compose_env(root: Path) -> None:
    """A ``.env`` value near the bound, used two thousand times in one image."""
    _write(root, ".env", "A=" + "x" * 4000 + "\nB=" + "y" * 5000 + "\n")
    _write(root, "compose.yaml",
           "services:\n  app:\n    image: python:" + "${A}" * 2000 + "\n  db:\n    image: postgres:$B\n")


def tiltfile(root: Path) -> None:
    _write(root, "Tiltfile", 'A0 = "x"\n' + _doubling("A{i} = A{j} + A{j}\n")
           + f'docker_build("registry.example.com/app:" + A{LINES}, ".")\nk8s_yaml("k8s.yaml")\n')
    _write(root, "k8s.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n"
           "  containers:\n  - name: app\n    image: registry.example.com/app\n")


def jenkinsfile(root: Path) -> None:
    _write(root, "Jenkinsfile", "pipeline {\n  environment {\n    A = '" + "x" * 5000 + "'\n  }\n"
           "  agent { docker { image \"python:${A}\" } }\n  stages { stage('b') { steps { sh 'make' } } }\n}\n")


# name -> (writer, whether an image of it is reported TL108 as too large)
CASES: dict[str, tuple[Callable[[Path], None], bool]] = {
    "shell": (shell, True),
    "shell-distinct-names": (shell_distinct_names, True),
    "dockerfile": (dockerfile, True),
    "dockerfile-braced": (dockerfile_braced, True),
    "makefile": (makefile, True),
    "makefile-recursive": (makefile_recursive, True),
    "makefile-append": (makefile_append, True),
    "workflow-run": (workflow_run, True),
    "workflow-env": (workflow_env, True),
    "gitlab-variables": (gitlab_variables, True),
    "compose-env": (compose_env, True),
    "tiltfile": (tiltfile, False),  # Tilt names the image without a value: nothing to report
    "jenkinsfile": (jenkinsfile, True),
}


@pytest.mark.skipif(not hasattr(os, "wait4"), reason="peak memory from wait4")
@pytest.mark.parametrize("name", sorted(CASES))
def test_an_expansion_bomb_ends_fast_and_small_and_is_unresolved(name: str, tmp_path: Path) -> None:
    write, reported = CASES[name]
    root = tmp_path / "repo"
    root.mkdir()
    write(root)
    run = run_measured(root, "--format", "json", ".")
    code, out, err, seconds, peak = run.code, run.stdout, run.stderr, run.seconds, run.peak_mb
    assert code in (0, 1), err
    assert "Traceback" not in err
    assert seconds < SECONDS, f"{name}: {seconds:.2f} s"
    assert peak < MEGABYTES, f"{name}: peak RSS {peak:.0f} MB"
    report = json.loads(out)
    assert report["summary"]["errors"] == []
    too_large = [f for f in report["findings"] if f["rule"] == "TL108" and limits.TOO_LARGE in f["message"]]
    if reported:
        assert too_large, [f["message"] for f in report["findings"]]
        for finding in too_large:
            assert f"tag source: {limits.TOO_LARGE}" in finding["message"]
            assert len(finding["message"]) < 1000  # the value never reaches the message
    for finding in report["findings"]:
        assert len(finding["message"]) < 2 * limits.MAX_VALUE_CHARS, finding["message"][:200]


def test_values_within_the_bound_are_still_substituted(tmp_path: Path) -> None:
    """Real files stay resolved: a value of a few thousand characters and a
    chain of variables that does not explode are substituted as before."""
    root = tmp_path / "repo"
    root.mkdir()
    _write(root, "Dockerfile", "ARG A=3.12\n" + "ARG A=$A\n" * LINES + "FROM python:$A\n")
    _write(root, "deploy.sh", "#!/bin/sh\nV=1\n" + "V=$V.1\n" * 20 + 'docker run "python:$V"\n')
    _write(root, "Makefile", "TAG := " + "1" * 100 + "\n" + "TAG := $(TAG)\n" * LINES + "run:\n\tdocker run python:$(TAG)\n")
    report = json.loads(run_measured(root, "--format", "json", ".").stdout)
    messages = [f["message"] for f in report["findings"]]
    assert not any(limits.TOO_LARGE in m for m in messages), messages
    assert not [f for f in report["findings"] if f["rule"] == "TL108"], messages


# -- the limits module itself ------------------------------------------------------------------------------


def test_a_budget_refuses_large_values_and_stays_spent() -> None:
    budget = limits.Budget(1000)
    assert budget.admit("x" * 100)
    assert not budget.admit("x" * (limits.MAX_VALUE_CHARS + 1))  # too large, whatever is left
    assert budget.left == 1000 - 100 - limits.SUBSTITUTION_COST
    assert not budget.admit("x" * 900)  # over what is left: spent for good
    assert not budget.admit("")


def test_one_budget_per_file_and_a_fresh_one_outside() -> None:
    with limits.file_budget(10) as first:
        assert limits.budget() is first
        assert first.left == limits.FILE_BUDGET + 10 * limits.BUDGET_PER_CHAR
        with limits.file_budget() as inner:
            assert limits.budget() is inner
        assert limits.budget() is first
    assert limits.budget() is not limits.budget()


def test_steps_that_are_too_large_say_so() -> None:
    step = limits.too_large(Step("ARG A", "x" * 10))
    assert (step.value, step.note) == (None, limits.TOO_LARGE)
    assert step.describe() == "ARG A (value too large to expand)"
    assert Step("ARG B", None).describe() == "ARG B (no value)"
    assert limits.any_too_large([Step("X", "1"), step]) and not limits.any_too_large([Step("X", "1")])
    assert limits.unresolved("$A$A", [step, step, Step("B", "b")]) == ("$A$A", (step, limits.too_large(Step("B", "b"))))
    assert limits.grew_too_large("$A", "x" * (limits.MAX_VALUE_CHARS + 1))
    assert not limits.grew_too_large("y" * 9000, "y" * 9000)  # long as written: not substitution's doing


def test_the_note_names_where_the_value_grew_too_large(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    dockerfile(root)
    (finding,) = json.loads(run_measured(root, "--format", "json", ".").stdout)["findings"]
    assert [(note["line"], note["message"]) for note in finding["related"]] == [
        (LINES + 1, "ARG A has a value too large to expand, set here")
    ]
