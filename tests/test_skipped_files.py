"""Nothing is skipped silently: every file the scan does not check is
accounted for (``summary.skipped`` in JSON, a ``Skipped N files`` line in
the text report, a notice on stderr for a file named on the command line),
and files that are not regular files (FIFOs, sockets, devices) are never
opened, so they cannot hang the scan.

Runs that involve a FIFO go through a subprocess with a timeout: a hang
fails the test instead of stopping the test run."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from taglint.cli import main
from taglint.config import DEFAULT_MAX_FILE_SIZE, Config, config_schema
from taglint.engine import scan
from taglint.source import SkippedFile, format_size, read_file_bytes

ROOT = Path(__file__).resolve().parent.parent
OUTPUT_SCHEMA = json.loads((ROOT / "taglint" / "schemas" / "output.schema.json").read_text(encoding="utf-8"))
POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx:latest\n"

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def taglint(cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """taglint in its own process, bounded in time."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    env.pop("FORCE_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "taglint", "--no-config", *args],
        cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env,
    )


def report(proc: subprocess.CompletedProcess[str]) -> dict:
    data = json.loads(proc.stdout)
    jsonschema.validate(data, OUTPUT_SCHEMA)
    return data


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    """taglint in this process: (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORCE_COLOR", raising=False)

    def _run(*args: str) -> tuple[int, str, str]:
        code = main(["--no-config", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return _run


# --------------------------------------------------------------------------
# FIFOs and other files that are not regular files


@needs_fifo
def test_a_fifo_in_a_folder_outside_git_is_listed_not_opened(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", "FROM python\n")
    os.mkfifo(tmp_path / "x.Dockerfile")
    os.mkfifo(tmp_path / "deploy.yaml")  # content would decide its kind
    os.mkfifo(tmp_path / "pipe")  # no known kind by name: not listed
    proc = taglint(tmp_path, "--format", "json", ".")
    data = report(proc)
    assert proc.returncode == 1, proc.stderr
    assert [(f["path"], f["rule"]) for f in data["findings"]] == [("Dockerfile", "TL101")]
    assert data["summary"]["skipped"] == [
        {"path": "deploy.yaml", "reason": "not a regular file"},
        {"path": "x.Dockerfile", "reason": "not a regular file"},
    ]
    assert data["summary"]["files_scanned"] == 1
    assert proc.stderr == ""  # nothing was named


@needs_fifo
def test_a_named_fifo_gets_a_notice(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.Dockerfile")
    proc = taglint(tmp_path, "x.Dockerfile")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "taglint: note: x.Dockerfile: skipped (not a regular file)\n"
    assert proc.stdout.splitlines()[-2:] == [
        "No findings in 0 files.",
        "Skipped 1 file (1 not a regular file); --verbose lists them.",
    ]


@needs_fifo
@pytest.mark.skipif(subprocess.run(["git", "--version"], capture_output=True).returncode != 0, reason="no git")
def test_a_fifo_in_a_git_checkout(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    write(tmp_path / "k8s" / "pod.yaml", POD)
    os.mkfifo(tmp_path / "k8s" / "x.yaml")
    data = report(taglint(tmp_path, "--format", "json", "k8s", "k8s/x.yaml"))
    assert [(f["path"], f["line"], f["rule"]) for f in data["findings"]] == [("k8s/pod.yaml", 8, "TL102")]
    assert data["summary"]["skipped"] == [{"path": "k8s/x.yaml", "reason": "not a regular file"}]


@needs_fifo
def test_fifos_beside_scanned_files_are_not_read(tmp_path: Path) -> None:
    """Neighbours the extractors and resolvers read: a Compose file's
    .env, a Helm chart's values.yaml, a kustomization's resources."""
    write(tmp_path / "compose" / "compose.yaml", "services:\n  web:\n    image: nginx:${TAG}\n")
    os.mkfifo(tmp_path / "compose" / ".env")
    write(tmp_path / "chart" / "Chart.yaml", "apiVersion: v2\nname: app\nversion: 1.0.0\nappVersion: 1.2.3\n")
    os.mkfifo(tmp_path / "chart" / "values.yaml")
    write(tmp_path / "chart" / "templates" / "deploy.yaml",
          "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n"
          "      - name: app\n        image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\n")
    write(tmp_path / "kustomize" / "kustomization.yaml", "resources:\n- pod.yaml\nimages:\n- name: nginx\n  newTag: latest\n")
    os.mkfifo(tmp_path / "kustomize" / "pod.yaml")
    proc = taglint(tmp_path, "--format", "json", ".")
    data = report(proc)
    assert {s["path"] for s in data["summary"]["skipped"]} == {
        "chart/values.yaml", "kustomize/pod.yaml",
    }
    assert all(s["reason"] == "not a regular file" for s in data["summary"]["skipped"])


@needs_fifo
def test_read_file_bytes_never_opens_what_is_not_a_regular_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    for name in ("fifo", "folder"):
        with pytest.raises(SkippedFile) as info:
            read_file_bytes(tmp_path / name, 1024)
        assert info.value.reason == "not a regular file"
    if os.path.exists("/dev/null"):
        with pytest.raises(SkippedFile):
            read_file_bytes("/dev/null", 1024)


def test_read_file_bytes_limits_the_size(tmp_path: Path) -> None:
    path = write(tmp_path / "f", b"x" * 2048)
    assert read_file_bytes(path, 2048) == b"x" * 2048
    with pytest.raises(SkippedFile) as info:
        read_file_bytes(path, 2047)
    assert info.value.reason == "larger than max-file-size (2047 bytes)"
    with pytest.raises(FileNotFoundError):
        read_file_bytes(tmp_path / "missing", 10)


# --------------------------------------------------------------------------
# Size, binary, unreadable


def test_the_default_max_file_size_is_64_mib() -> None:
    assert DEFAULT_MAX_FILE_SIZE == Config().max_file_size == 64 * 1024 * 1024
    assert "64 MiB" in config_schema()["properties"]["max-file-size"]["description"]
    assert [format_size(n) for n in (64 * 1024 * 1024, 512 * 1024, 1000)] == ["64 MiB", "512 KiB", "1000 bytes"]


def test_files_over_max_file_size_are_listed_and_named_ones_noted(run, tmp_path: Path) -> None:
    write(tmp_path / ".taglint.yaml", "max-file-size: 1024\n")
    write(tmp_path / "deploy" / "small.yaml", POD)
    write(tmp_path / "deploy" / "bundle.yaml", POD + "# padding\n" * 200)
    write(tmp_path / "Dockerfile", "FROM python:3.12.7\n" + "# padding\n" * 200)
    code, out, err = run("--config", ".taglint.yaml", "--format", "json", "deploy", "Dockerfile")
    data = json.loads(out)
    jsonschema.validate(data, OUTPUT_SCHEMA)
    assert data["summary"]["skipped"] == [
        {"path": "Dockerfile", "reason": "larger than max-file-size (1 KiB)"},
        {"path": "deploy/bundle.yaml", "reason": "larger than max-file-size (1 KiB)"},
    ]
    assert [(f["path"], f["rule"]) for f in data["findings"]] == [("deploy/small.yaml", "TL102")]
    assert err == "taglint: note: Dockerfile: skipped (larger than max-file-size (1 KiB))\n"
    assert code == 1  # the findings decide; a skipped file is no error


def test_binary_and_unknown_files(run, tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", b"FROM \0python\n")  # binary, of a known kind: listed
    write(tmp_path / "data.json", b"{\0\0\0")  # binary, named like a manifest: listed
    write(tmp_path / "tool", b"\x7fELF\0\0\0")  # binary of no known kind: not listed
    write(tmp_path / "README.md", "FROM python\n")  # no known kind: not listed
    write(tmp_path / "notes.txt", "image: nginx\n")  # no known kind, but named below
    code, out, err = run("--format", "json", ".", "notes.txt")
    skipped = json.loads(out)["summary"]["skipped"]
    assert skipped == [
        {"path": "Dockerfile", "reason": "binary"},
        {"path": "data.json", "reason": "binary"},
        {"path": "notes.txt", "reason": "not a known file kind"},
    ]
    assert err == "taglint: note: notes.txt: skipped (not a known file kind)\n"
    assert code == 0


def test_unreadable_files(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file of a known kind that cannot be read is a TL001 finding (as
    before); a YAML file whose kind its content would decide is listed as
    skipped, with the reason."""
    import taglint.engine

    write(tmp_path / "Dockerfile", "FROM python:3.12.7\n")
    write(tmp_path / "k8s" / "pod.yaml", POD)
    real = taglint.engine.read_file_bytes

    def denied(path, max_size):
        if Path(path).name in ("Dockerfile", "pod.yaml"):
            raise PermissionError(13, "Permission denied")
        return real(path, max_size)

    monkeypatch.setattr(taglint.engine, "read_file_bytes", denied)
    code, out, err = run("--format", "json", ".")
    data = json.loads(out)
    assert [(f["path"], f["rule"]) for f in data["findings"]] == [("Dockerfile", "TL001")]
    assert data["findings"][0]["message"].endswith(": cannot read file: Permission denied")
    assert data["summary"]["skipped"] == [{"path": "k8s/pod.yaml", "reason": "unreadable: Permission denied"}]


def test_a_named_env_file_is_not_reported_as_skipped(run, tmp_path: Path) -> None:
    write(tmp_path / "compose.yaml", "services:\n  web:\n    image: nginx:${NGINX_TAG}\n")
    write(tmp_path / ".env", "NGINX_TAG=latest\n")
    code, out, err = run("--format", "json", ".env")
    data = json.loads(out)
    assert [(f["path"], f["rule"]) for f in data["findings"]] == [("compose.yaml", "TL102")]
    assert data["summary"]["skipped"] == [] and err == ""


# --------------------------------------------------------------------------
# The text report


def test_text_report_ends_with_the_skipped_line(run, tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", "FROM python\n")
    write(tmp_path / "a.Dockerfile", b"\0")
    write(tmp_path / "b.Dockerfile", b"\0")
    write(tmp_path / "notes.txt", "hello\n")
    code, out, err = run("--color", "never", ".", "notes.txt")
    assert out.splitlines()[-2:] == [
        "Found 1 finding (1 warning) in 1 file; 1 file scanned.",
        "Skipped 3 files (2 binary, 1 not a known file kind); --verbose lists them.",
    ]
    code, out, err = run("--color", "never", "--verbose", ".", "notes.txt")
    assert out.splitlines()[-5:] == [
        "Found 1 finding (1 warning) in 1 file; 1 file scanned.",
        "skipped: a.Dockerfile: binary",
        "skipped: b.Dockerfile: binary",
        "skipped: notes.txt: not a known file kind",
        "Skipped 3 files (2 binary, 1 not a known file kind).",
    ]
    code, out, err = run("--quiet", ".", "notes.txt")  # only finding lines
    assert "Skipped" not in out and err == "taglint: note: notes.txt: skipped (not a known file kind)\n"


def test_nothing_skipped_nothing_said(run, tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", "FROM python:3.12.7\n")
    write(tmp_path / "README.md", "docs\n")
    code, out, err = run(".")
    assert out == "No findings in 1 file.\n" and err == ""


# --------------------------------------------------------------------------
# Acceptance: a 5 MB release bundle, CRDs first, the workload last


def _crd(index: int, depth: int) -> str:
    lines = [
        "apiVersion: apiextensions.k8s.io/v1",
        "kind: CustomResourceDefinition",
        "metadata:",
        f"  name: widgets{index}.example.com",
        "spec:",
        "  group: example.com",
        "  names:",
        f"    kind: Widget{index}",
        f"    plural: widgets{index}",
        "  scope: Namespaced",
        "  versions:",
        "  - name: v1",
        "    served: true",
        "    storage: true",
        "    schema:",
        "      openAPIV3Schema:",
    ]
    indent = "        "
    for level in range(depth):
        lines += [
            f"{indent}type: object",
            f"{indent}description: Level {level} of the spec; see the operator documentation for each field.",
            f"{indent}properties:",
            f"{indent}  field{level}:",
        ]
        indent += "    "
    lines.append(f"{indent}type: string")
    return "\n".join(lines) + "\n"


WORKLOAD = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  template:
    spec:
      containers:
      - name: app
        image: app:latest
"""


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> tuple[Path, int]:
    """install.yaml: about 5 MB of CRDs (openAPIV3Schema 40 properties
    deep), then a Deployment with ``image: app:latest``.  Generated, not
    committed."""
    folder = tmp_path_factory.mktemp("release")
    documents: list[str] = []
    size = 0
    while size < 5_000_000:
        documents.append(_crd(len(documents), 40))
        size += len(documents[-1])
    documents.append(WORKLOAD)
    text = "---\n".join(documents)
    path = write(folder / "dist" / "install.yaml", text)
    line = text.splitlines().index("        image: app:latest") + 1
    assert path.stat().st_size > 5_000_000
    return folder, line


@pytest.mark.parametrize("named", ["dist/install.yaml", "dist", "."])
def test_a_5_mb_bundle_is_checked_to_its_last_line(bundle: tuple[Path, int], named: str) -> None:
    folder, line = bundle
    proc = taglint(folder, "--format", "json", named, timeout=120)
    data = report(proc)
    assert [(f["path"], f["rule"], f["line"], f["column"], f["end_column"]) for f in data["findings"]] == [
        ("dist/install.yaml", "TL102", line, 16, 26),
    ]
    assert data["summary"]["skipped"] == [] and data["summary"]["files_scanned"] == 1
    assert proc.stderr == ""


def test_the_bundle_through_the_engine(bundle: tuple[Path, int]) -> None:
    folder, line = bundle
    result = scan(["dist"], Config(select=("TL102",)), cwd=folder)
    assert [(f.path, f.span.line) for f in result.findings] == [("dist/install.yaml", line)]
    small = scan(["dist"], Config(select=("TL102",), max_file_size=2 * 1024 * 1024), cwd=folder)
    assert small.findings == [] and [(s.path, s.reason) for s in small.skipped] == [
        ("dist/install.yaml", "larger than max-file-size (2 MiB)"),
    ]
