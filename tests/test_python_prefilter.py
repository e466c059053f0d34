"""Python files are read only when they may use an ML SDK (issue 9's cost
bar: a repository of Python code that imports no SDK is not slower to scan).

From GREP_AT_LEAST Python files up, ``git grep --no-index`` on exactly those
files picks the ones that hold an SDK word (in a git work tree or not); the
others are never opened.  Below that, each file's bytes are looked at
before it is decoded."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from taglint.config import Config
from taglint.discovery import GREP_AT_LEAST
from taglint.engine import scan

SDK_FILE = 'from kfp import dsl\n\n@dsl.component(base_image="python")\ndef train():\n    pass\n'
PLAIN_FILE = "import numpy as np\n\n\ndef mean(values):\n    return np.mean(values)\n"

# Run taglint with an audit hook that prints every .py file opened for reading.
OPENS = textwrap.dedent(
    """
    import sys
    def hook(event, args):
        if event == "open" and isinstance(args[0], str) and args[0].endswith(".py") and "site-packages" not in args[0]:
            if "/taglint/" not in args[0].replace("\\\\", "/") and "/tests/" not in args[0].replace("\\\\", "/"):
                print("OPENED", args[0], file=sys.stderr)
    sys.addaudithook(hook)
    from taglint.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def _tree(root: Path, plain: int = 5) -> None:
    (root / "pipelines").mkdir(parents=True)
    (root / "lib").mkdir()
    (root / "pipelines" / "train.py").write_text(SDK_FILE)
    for index in range(plain):
        (root / "lib" / f"util{index}.py").write_text(PLAIN_FILE)


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(root), "PATH": "/usr/bin:/bin"})


def _opened(root: Path) -> tuple[set[str], str]:
    proc = subprocess.run([sys.executable, "-c", OPENS, "--no-config", "--jobs", "1", "."], cwd=root,
                          capture_output=True, text=True, timeout=120)
    opened = {Path(line.split(" ", 1)[1]).name for line in proc.stderr.splitlines() if line.startswith("OPENED ")}
    return opened, proc.stdout


def test_in_git_only_python_files_with_an_sdk_word_are_opened(tmp_path: Path) -> None:
    _tree(tmp_path, plain=GREP_AT_LEAST)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "lib")  # pipelines/train.py stays untracked: git grep --untracked finds it
    opened, out = _opened(tmp_path)
    assert opened == {"train.py"}
    assert "pipelines/train.py:3:28: TL101" in out


def test_in_git_a_few_python_files_are_each_looked_at(tmp_path: Path) -> None:
    """Below GREP_AT_LEAST files, opening each costs less than searching the tree."""
    _tree(tmp_path, plain=5)
    _git(tmp_path, "init", "-q")
    opened, out = _opened(tmp_path)
    assert opened == {"train.py", *(f"util{i}.py" for i in range(5))}
    assert "pipelines/train.py:3:28: TL101" in out


def test_an_ignored_python_file_is_neither_opened_nor_reported(tmp_path: Path) -> None:
    _tree(tmp_path, plain=GREP_AT_LEAST)
    (tmp_path / ".gitignore").write_text("pipelines/\n")
    _git(tmp_path, "init", "-q")
    opened, out = _opened(tmp_path)
    assert opened == set() and "TL101" not in out


def test_outside_git_too_only_python_files_with_an_sdk_word_are_opened(tmp_path: Path) -> None:
    _tree(tmp_path, plain=GREP_AT_LEAST)
    opened, out = _opened(tmp_path)
    assert opened == {"train.py"}
    assert "pipelines/train.py:3:28: TL101" in out


def test_outside_git_a_few_python_files_are_each_looked_at(tmp_path: Path) -> None:
    _tree(tmp_path, plain=5)
    opened, out = _opened(tmp_path)
    assert opened == {"train.py", *(f"util{i}.py" for i in range(5))}
    assert "pipelines/train.py:3:28: TL101" in out


def test_file_names_are_not_read_as_patterns(tmp_path: Path) -> None:
    """git is given the names literally: a file named like a glob is its own file."""
    _tree(tmp_path, plain=GREP_AT_LEAST)
    (tmp_path / "pipelines" / "[t]rain.py").write_text(SDK_FILE)
    opened, out = _opened(tmp_path)
    assert opened == {"train.py", "[t]rain.py"}
    assert "pipelines/[t]rain.py:3:28: TL101" in out


@pytest.mark.parametrize("in_git", [True, False])
def test_findings_are_the_same_with_and_without_git(tmp_path: Path, in_git: bool) -> None:
    _tree(tmp_path, plain=GREP_AT_LEAST)
    if in_git:
        _git(tmp_path, "init", "-q")
    result = scan(["."], Config(), cwd=tmp_path, jobs=1)
    assert [(f.rule, Path(f.path).name, f.span.line, f.span.column, f.kind) for f in result.findings] == [
        ("TL101", "train.py", 3, 28, "kfp-dsl")
    ]
