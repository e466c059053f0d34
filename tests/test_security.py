"""What SECURITY.md promises, tested: no network without ``--resolve``, no
code execution from scanned files, configuration or rule files, and user
patterns of bounded cost."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"

# Runs the CLI with an audit hook that aborts on any socket use or process
# start other than git (which discovery runs to list a checkout's files).
GUARDED_CLI = textwrap.dedent(
    """
    import os, sys

    def guard(event, args):
        if event.startswith("socket.") and event not in ("socket.__new__",):
            print(f"NETWORK: {event} {args!r}", file=sys.stderr)
            os._exit(97)
        if event == "socket.__new__" and args[1] not in (1,):  # AF_UNIX (1) is local; AF_INET/AF_INET6 are not
            print(f"NETWORK: socket family {args[1]!r}", file=sys.stderr)
            os._exit(97)
        if event in ("subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.system"):
            program = os.path.basename(str(args[0] if event != "subprocess.Popen" else args[1][0]))
            if program != "git":
                print(f"EXEC: {event} {args!r}", file=sys.stderr)
                os._exit(98)

    sys.addaudithook(guard)
    from taglint.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def run_guarded(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", GUARDED_CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=300,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_scan_of_every_fixture_opens_no_socket_and_runs_no_program(jobs: str) -> None:
    proc = run_guarded(FIXTURES, "--jobs", jobs, "--format", "json", ".")
    assert "NETWORK" not in proc.stderr and "EXEC" not in proc.stderr, proc.stderr[-2000:]
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert '"findings"' in proc.stdout


@pytest.mark.parametrize("mode", [("--diff", "--unsafe-fixes"), ("--fix", "--unsafe-fixes")])
def test_without_resolve_fixing_imports_no_registry_code_and_opens_no_socket(mode: tuple[str, ...], tmp_path: Path) -> None:
    """Fixes without ``--resolve`` are offline: ``taglint.registry`` (and
    the ``--resolve`` step) is never imported, no socket is opened."""
    import shutil

    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "TL102", project)
    code = GUARDED_CLI.replace(
        "sys.exit(main(sys.argv[1:]))",
        "status = main(sys.argv[1:])\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('taglint.registry', 'taglint.resolve_pins')))\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
        "sys.exit(status)",
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *mode, "--no-config", "."], cwd=project, capture_output=True, text=True,
        timeout=300, stdin=subprocess.DEVNULL,
    )
    assert "NETWORK" not in proc.stderr and "EXEC" not in proc.stderr, proc.stderr[-2000:]
    assert "LOADED []" in proc.stderr, proc.stderr[-2000:]


def test_the_guard_does_catch_a_socket(tmp_path: Path) -> None:
    """The audit hook above is not a test that cannot fail."""
    code = GUARDED_CLI.replace("from taglint.cli import main", "import socket; socket.create_connection(('127.0.0.1', 9))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 97 and "NETWORK" in proc.stderr


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


PYTHON_TAGS = [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
    "!!python/name:os.system",
]


@pytest.mark.parametrize("tag", PYTHON_TAGS)
def test_yaml_tags_in_scanned_files_are_never_constructed(tag: str, tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    value = tag.format(marker=marker)
    _write(tmp_path / "pod.yaml", f"apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    image: {value}\n")
    _write(tmp_path / "chart" / "values.yaml", f"image:\n  repository: {value}\n")
    _write(tmp_path / "chart" / "Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n")
    _write(tmp_path / ".github" / "workflows" / "ci.yml", f"on: push\njobs:\n  a:\n    runs-on: {value}\n")
    proc = run_guarded(tmp_path, "--no-config", ".")
    assert proc.returncode in (0, 1, 2), proc.stderr
    assert "Traceback" not in proc.stderr
    assert not marker.exists()


@pytest.mark.parametrize("tag", PYTHON_TAGS)
def test_a_configuration_file_cannot_run_code(tag: str, tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    _write(tmp_path / ".taglint.yaml", f"select: {tag.format(marker=marker)}\n")
    _write(tmp_path / "Dockerfile", "FROM python:3.12.7\n")
    proc = run_guarded(tmp_path, ".")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert not marker.exists()


def test_a_user_rule_cannot_name_python_code(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    _write(tmp_path / ".taglint.yaml", "rules: [my-rules]\n")
    _write(
        tmp_path / "my-rules" / "TL901-evil.yaml",
        textwrap.dedent(
            f"""\
            code: TL901
            name: evil
            summary: Tries to run code.
            severity: warning
            check: {{kind: "os.system", params: {{command: "touch {marker}"}}}}
            message: "x"
            fix: "y"
            """
        ),
    )
    _write(tmp_path / "Dockerfile", "FROM python:3.12.7\n")
    proc = run_guarded(tmp_path, ".")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert not marker.exists()


def test_a_user_rule_file_cannot_construct_python_objects(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    _write(tmp_path / ".taglint.yaml", "rules: [my-rules]\n")
    _write(tmp_path / "my-rules" / "TL902-evil.yaml", PYTHON_TAGS[0].format(marker=marker) + "\n")
    _write(tmp_path / "Dockerfile", "FROM python:3.12.7\n")
    proc = run_guarded(tmp_path, ".")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert not marker.exists()


@pytest.mark.parametrize(
    "pattern",
    ["*a*a*a*a*a*a*a*a*a*a*a*a*b", "**a**a**a**a**a**a**a**b", "[a]*[a]*[a]*[a]*[a]*[a]*[a]*[a]*[a]*b"],
)
def test_a_hostile_glob_has_bounded_cost(pattern: str) -> None:
    from taglint.globs import compile_exact_glob, glob_problem, matches

    path = "a" * 300
    if glob_problem(pattern) is not None:
        return  # refused when the configuration loads: bounded
    start = time.monotonic()
    assert not matches(path, pattern)
    assert compile_exact_glob(pattern).match(path) is None
    assert time.monotonic() - start < 1.0


# -- writes ------------------------------------------------------------------------------------

# Modules that may write files without taglint.safewrite, and why.
_OWN_WRITES = {
    "taglint/safewrite.py": "the one place files are written",
    "taglint/docs.py": "a maintainers' tool that regenerates docs/ and README.md in this repository",
}
_WRITE_CALLS = {"write_text", "write_bytes", "replace", "rename", "renames", "mkstemp", "NamedTemporaryFile",
                "symlink_to", "link_to", "hardlink_to", "touch"}


def _writes_in(source: str) -> list[str]:
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in ("write_text", "write_bytes") and not isinstance(func, ast.Attribute):
            continue  # taglint.safewrite's own write_text(path, text)
        if name in _WRITE_CALLS and not (name == "replace" and not _is_os(func)):
            found.append(f"{name}() at line {node.lineno}")
        if name in ("open", "fdopen"):
            modes = [a.value for a in node.args[1:2] if isinstance(a, ast.Constant)]
            modes += [k.value.value for k in node.keywords if k.arg == "mode" and isinstance(k.value, ast.Constant)]
            if any(isinstance(m, str) and set(m) & set("wax+") for m in modes):
                found.append(f"{name}(…, {modes[0]!r}) at line {node.lineno}")
    return found


def _is_os(func: object) -> bool:
    import ast

    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("os", "shutil")


def test_every_file_taglint_writes_goes_through_safewrite() -> None:
    """SECURITY.md: writes never follow a link and never clobber a changed
    file — because there is one way to write, taglint.safewrite."""
    offenders = {}
    for path in sorted((ROOT / "taglint").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name in _OWN_WRITES:
            continue
        writes = _writes_in(path.read_text(encoding="utf-8"))
        if writes:
            offenders[name] = writes
    assert offenders == {}


def test_the_write_finder_finds_writes() -> None:
    """The test above is not one that cannot fail."""
    sample = "import os\nfrom pathlib import Path\nPath('x').write_text('y')\nopen('z', 'w')\nos.replace('a', 'b')\n"
    assert len(_writes_in(sample)) == 3
    assert _writes_in("open('z')\n'a'.replace('b', 'c')\nwrite_text(path, 'safe')\n") == []


def test_security_md_names_tests_that_exist() -> None:
    """Every test SECURITY.md cites for a promise exists (`module.py::test`,
    and `::test` for another test of the module named just before)."""
    import re

    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    cited: list[tuple[str, str]] = []
    module = ""
    for match in re.finditer(r"`(test_\w+\.py)?(?:::(\w+))?`", text):
        module = match.group(1) or module
        if match.group(2):
            cited.append((module, match.group(2)))
    assert len(cited) > 30
    missing = []
    for name, test in cited:
        source = (ROOT / "tests" / name).read_text(encoding="utf-8")
        if not re.search(rf"^def {test}\(", source, re.MULTILINE):
            missing.append(f"{name}::{test}")
    assert missing == []
    modules = set(re.findall(r"`(test_\w+\.py)`", text))
    assert all((ROOT / "tests" / m).exists() for m in modules)
    assert "SECURITY.md" in (ROOT / "README.md").read_text(encoding="utf-8")
