"""Start-up (issue 13, targets 1 and 6): a run imports only what it uses,
and ``--jobs`` defaults to as many processes as the scan pays for.

No timing here (the machine is shared and noisy): speed is measured by
``benchmarks/startup.py``.  These tests check what makes it fast, the
modules a Dockerfile-only run loads, and the ``--jobs`` decision."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from taglint import fasthash
from taglint.cli import check_parser
from taglint.discovery import Candidate
from taglint.jobs import PARALLEL_MIN_BYTES, PARALLEL_MIN_FILES, choose_jobs
from taglint.parallel import CHUNK, available_cores

REPO = Path(__file__).resolve().parent.parent

# Runs taglint's CLI in a fresh interpreter as the command does (cli.run:
# the compiled code cache installed, then main) and writes the modules
# loaded by the end of the run (before anything else is imported) to
# argv[1].  (``-X importtime`` would miss what importlib.import_module loads.)
_WRAPPER = """
import sys
out, args = sys.argv[1], sys.argv[2:]
from taglint import code_cache
from taglint.cli import main
code_cache.install()
code = main(args)
code_cache.save()
loaded = sorted(sys.modules)
import json
with open(out, "w") as handle:
    json.dump({"code": code, "modules": loaded}, handle)
"""

DOCKERFILE = """\
FROM alpine AS certificates
RUN apk add --no-cache ca-certificates
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["python", "-m", "app"]
"""

# Never needed to lint one Dockerfile without a configuration file, with
# the text report.
NOT_FOR_A_DOCKERFILE = (
    "yaml", "jsonschema", "tree_sitter", "tree_sitter_bash", "semver",
    "taglint.yamlnodes", "taglint.helmtemplate", "taglint.registry", "taglint.shell",
    "taglint.report.json", "taglint.report.sarif", "taglint.report.html", "taglint.report.junit",
    "taglint.report.github", "taglint.report.gitlab",
    "json", "subprocess", "tempfile", "multiprocessing", "concurrent.futures", "hashlib", "difflib",
    "shutil", "importlib.resources", "importlib.metadata", "zipfile", "decimal",
)


def _loaded_modules(project: Path, cache: Path, *args: str) -> tuple[int, set[str]]:
    out = project.parent / "modules.json"
    env = dict(os.environ, TAGLINT_CACHE_DIR=str(cache), PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [sys.executable, "-c", _WRAPPER, str(out), *args], cwd=project, env=env, capture_output=True, text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    return report["code"], set(report["modules"])


def _offending(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.fixture
def dockerfile_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    (project / "Dockerfile").write_text(DOCKERFILE)
    return project


def test_a_dockerfile_run_without_config_imports_only_what_it_uses(dockerfile_project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    code, first = _loaded_modules(dockerfile_project, cache, "Dockerfile")
    assert code == 1  # TL101 on the untagged alpine: the run did lint the file
    assert "yaml" in first  # the first run compiles the shipped YAML into the cache...
    code, modules = _loaded_modules(dockerfile_project, cache, "Dockerfile")
    assert code == 1
    assert {"taglint.extract.containers.dockerfile", "taglint.report.text", "taglint.code_cache"} <= modules
    assert _offending(modules, NOT_FOR_A_DOCKERFILE) == []  # ...later runs read it, and import no YAML library


def test_a_json_report_loads_its_own_format_only(dockerfile_project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _loaded_modules(dockerfile_project, cache, "Dockerfile")
    code, modules = _loaded_modules(dockerfile_project, cache, "--format", "json", "Dockerfile")
    assert code == 1
    assert "taglint.report.json" in modules
    others = ("taglint.report.text", "taglint.report.sarif", "taglint.report.html", "taglint.report.junit")
    assert _offending(modules, others + ("yaml", "jsonschema", "tree_sitter", "taglint.registry")) == []


def test_a_config_file_still_loads_yaml_and_its_schema(dockerfile_project: Path, tmp_path: Path) -> None:
    (dockerfile_project / ".taglint.yaml").write_text("fail-on: error\n")
    cache = tmp_path / "cache"
    _loaded_modules(dockerfile_project, cache, "Dockerfile")
    code, modules = _loaded_modules(dockerfile_project, cache, "Dockerfile")
    assert code == 0  # fail-on: error, and TL101 is a warning: the configuration was read
    assert {"yaml", "jsonschema"} <= modules


# --- fasthash ---------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 63, 64, 1000, fasthash.SMALL_RUN_BYTES + 1])
def test_fasthash_gives_hashlibs_digests(size: int) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    assert fasthash.sha256_hex(data) == hashlib.sha256(data).hexdigest()
    assert fasthash.sha256(data).digest() == hashlib.sha256(data).digest()


def test_fasthash_leaves_openssl_unloaded_for_small_inputs_and_uses_it_past_the_budget() -> None:
    code = (
        "import sys\n"
        "from taglint import fasthash\n"
        "small = fasthash.sha256_hex(b'x' * 1000)\n"
        "print('hashlib' in sys.modules)\n"
        "big = fasthash.sha256_hex(b'y' * (fasthash.SMALL_RUN_BYTES + 1))\n"
        "print('hashlib' in sys.modules)\n"
        "import hashlib\n"
        "print(small == hashlib.sha256(b'x' * 1000).hexdigest())\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "True", "True"]


# --- --jobs default ---------------------------------------------------------------


def _candidates(root: Path, names: list[str], size: int = 40) -> list[Candidate]:
    out = []
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"#" * size)
        out.append(Candidate(path, name, explicit=False))
    return out


def test_a_handful_of_files_runs_in_one_process(tmp_path: Path) -> None:
    files = _candidates(tmp_path, ["Dockerfile", "k8s/deploy.yaml", ".github/workflows/ci.yml", "build.sh"])
    assert choose_jobs(files, cores=8) == 1


def test_many_files_to_parse_use_every_core(tmp_path: Path) -> None:
    files = _candidates(tmp_path, [f"svc{i}/Dockerfile" for i in range(PARALLEL_MIN_FILES)])
    assert choose_jobs(files, cores=2) == 2
    assert choose_jobs(files, cores=64) == PARALLEL_MIN_FILES // CHUNK  # no more processes than chunks
    assert choose_jobs(files[:-1], cores=2) == 1
    assert choose_jobs(files, cores=1) == 1


def test_a_large_repository_uses_every_core(tmp_path: Path) -> None:
    names = [f"svc{i}/Dockerfile" for i in range(PARALLEL_MIN_FILES)] + [f"src/m{i}.py" for i in range(40 * CHUNK)]
    files = _candidates(tmp_path, names)
    assert choose_jobs(files, cores=32) == 32  # counting stopped early, the chunks did not


def test_files_of_no_kind_are_not_work(tmp_path: Path) -> None:
    names = [f"src/module{i}.py" for i in range(PARALLEL_MIN_FILES * 4)] + ["Dockerfile"]
    assert choose_jobs(_candidates(tmp_path, names), cores=4) == 1


def test_a_few_large_manifests_are_enough_work(tmp_path: Path) -> None:
    count = 2 * CHUNK
    size = PARALLEL_MIN_BYTES // count + 1
    files = _candidates(tmp_path, [f"deploy/m{i}.yaml" for i in range(count)], size=size)
    assert choose_jobs(files, cores=4) == 2  # two chunks
    assert choose_jobs(files[:-1], cores=4) == 1  # fewer than two chunks of files: one process


def test_one_huge_file_is_not_split(tmp_path: Path) -> None:
    files = _candidates(tmp_path, ["bundle.yaml"], size=PARALLEL_MIN_BYTES * 2)
    assert choose_jobs(files, cores=4) == 1


def test_standard_input_and_named_kinds_count_as_work(tmp_path: Path) -> None:
    given = [Candidate(tmp_path / f"x{i}", f"x{i}", explicit=True, kind="dockerfile") for i in range(PARALLEL_MIN_FILES)]
    assert choose_jobs(given, cores=2) == 2
    piped = Candidate(tmp_path / "Dockerfile", "Dockerfile", explicit=True, content=b"FROM a:1\n")
    assert choose_jobs([piped], cores=2) == 1


def test_available_cores_follow_the_affinity() -> None:
    cores = available_cores()
    assert cores >= 1
    if hasattr(os, "sched_getaffinity"):
        assert cores == len(os.sched_getaffinity(0))


@pytest.mark.parametrize(
    ("given", "expected"),
    [([], None), (["--jobs", "auto"], None), (["-j", "AUTO"], None), (["--jobs", "1"], 1), (["-j", "3"], 3)],
)
def test_jobs_option(given: list[str], expected: int | None) -> None:
    assert check_parser().parse_args(given).jobs == expected


def test_jobs_zero_means_every_available_core() -> None:
    assert check_parser().parse_args(["--jobs", "0"]).jobs == available_cores()


def test_scan_decides_the_jobs_when_not_told(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from taglint import jobs as jobs_module
    from taglint.config import Config
    from taglint.engine import scan

    (tmp_path / "Dockerfile").write_text("FROM alpine\n")
    seen: list[int] = []

    def decide(candidates, cores=None):  # type: ignore[no-untyped-def]
        seen.append(len(candidates))
        return 1

    monkeypatch.setattr(jobs_module, "choose_jobs", decide)
    auto = scan(["."], Config(), cwd=tmp_path, jobs=None)
    assert seen == [1]
    told = scan(["."], Config(), cwd=tmp_path, jobs=1)
    assert seen == [1]  # an explicit number is used as given
    assert [f.rule for f in auto.findings] == [f.rule for f in told.findings] == ["TL101"]


# --- lazy patterns ---------------------------------------------------------------


def test_a_lazy_pattern_compiles_on_first_use_and_then_acts_as_the_compiled_one() -> None:
    import pickle
    import re

    from taglint.lazy_pattern import LazyPattern

    lazy = LazyPattern(r"(?P<word>[a-z]+)(\d+)", re.IGNORECASE)
    assert "match" not in vars(lazy)  # nothing compiled yet
    compiled = re.compile(r"(?P<word>[a-z]+)(\d+)", re.IGNORECASE)
    text = "Alpine3 and node20, x"
    assert lazy.search(text).group("word") == compiled.search(text).group("word") == "Alpine"
    assert "match" in vars(lazy)  # kept: later calls skip __getattr__
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in compiled.finditer(text)]
    assert lazy.fullmatch("ab12") is not None and lazy.fullmatch("ab") is None
    assert lazy.sub("_", text) == compiled.sub("_", text)
    assert (lazy.pattern, lazy.flags, lazy.groups, dict(lazy.groupindex)) == (
        compiled.pattern, compiled.flags, compiled.groups, dict(compiled.groupindex),
    )
    assert lazy.compiled() is compiled  # re's cache: the same object
    again = pickle.loads(pickle.dumps(lazy))
    assert again.search(text).group(2) == "3"
    with pytest.raises(AttributeError):
        lazy.no_such_method  # noqa: B018
