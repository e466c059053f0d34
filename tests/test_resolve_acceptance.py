"""Issue 11 acceptance: ``taglint --fix --resolve`` against the real
Distribution registry (``tests/registry_fixture.py``).

A Dockerfile ``FROM localhost:PORT/ml/model:latest``, a Deployment's
``image: localhost:PORT/ml/model``, a Helm values block and a Kustomize
overlay become the matching ``1.2.3`` (``1.2.3@sha256:…`` with
``pin-style: tag@digest``); no other byte changes; a second run changes
nothing; a warm disk cache answers a later run without a socket; a registry
that stops answering gives per-reference notices and exit 2, and no file is
half-written.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.registry_fixture import (  # noqa: F401 - pytest fixtures
    TestRegistry, populate, registry, registry_basic_auth, start_registry,
)
from tests.test_security import GUARDED_CLI


def _files(host: str) -> dict[str, str]:
    return {
        "Dockerfile": f"FROM {host}/ml/model:latest AS model\nRUN echo ready\n",
        "deploy/deployment.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: model\nspec:\n  template:\n"
            "    spec:\n      containers:\n        - name: model\n"
            f"          image: {host}/ml/model  # the model server\n"
        ),
        "chart/Chart.yaml": "apiVersion: v2\nname: model\nversion: 0.1.0\n",
        "chart/values.yaml": f"# model server\nimage:\n  repository: {host}/ml/model\n  tag: \"latest\"\n",
        "chart/templates/deployment.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n"
            "  template:\n    spec:\n      containers:\n        - name: model\n"
            '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n'
        ),
        "kustomize/base/kustomization.yaml": "resources:\n  - pod.yaml\n",
        "kustomize/base/pod.yaml": (
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: model\nspec:\n  containers:\n    - name: model\n"
            f"      image: {host}/ml/model\n"
        ),
        "kustomize/overlays/prod/kustomization.yaml": (
            f"resources:\n  - ../../base\nimages:\n  - name: {host}/ml/model\n    newTag: latest\n"
        ),
    }


def _expected(files: dict[str, str], host: str, pin: str) -> dict[str, str]:
    out = dict(files)
    out["Dockerfile"] = files["Dockerfile"].replace("ml/model:latest", f"ml/model:{pin}")
    out["deploy/deployment.yaml"] = files["deploy/deployment.yaml"].replace(
        f"{host}/ml/model  #", f"{host}/ml/model:{pin}  #"
    )
    out["chart/values.yaml"] = files["chart/values.yaml"].replace('tag: "latest"', f'tag: "{pin}"')
    out["kustomize/overlays/prod/kustomization.yaml"] = files["kustomize/overlays/prod/kustomization.yaml"].replace(
        "newTag: latest", f"newTag: {pin}"
    )
    return out


def _write(root: Path, files: dict[str, str], config: str = "") -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
    if config:
        (root / ".taglint.yaml").write_text(config)


def _read(root: Path, files: dict[str, str]) -> dict[str, str]:
    return {name: (root / name).read_bytes().decode() for name in files}


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(TAGLINT_CACHE_DIR=str(tmp / "cache"), DOCKER_CONFIG=str(tmp / "docker"), NO_COLOR="1")
    env.pop("XDG_CACHE_HOME", None)
    return env


def _taglint(root: Path, env: dict[str, str], *args: str, guarded: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", GUARDED_CLI] if guarded else [sys.executable, "-m", "taglint"]
    return subprocess.run(
        [*command, *args], cwd=root, env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )


def _host(registry: TestRegistry) -> str:
    return f"localhost:{registry.port}"


@pytest.mark.parametrize("style", ["tag", "tag@digest"])
def test_fix_resolve_pins_every_place_and_a_second_run_changes_nothing(
    registry: TestRegistry, tmp_path: Path, style: str  # noqa: F811
) -> None:
    host = _host(registry)
    files = _files(host)
    root = tmp_path / "project"
    _write(root, files, f'fix:\n  pin-style: "{style}"\n')
    env = _env(tmp_path)
    digest = registry.digest_of("ml/model", "latest")
    assert digest == registry.digest_of("ml/model", "1.2.3")
    pin = "1.2.3" if style == "tag" else f"1.2.3@{digest}"

    first = _taglint(root, env, "--fix", "--resolve", ".")
    assert first.returncode == 0, first.stdout + first.stderr
    assert _read(root, files) == _expected(files, host, pin)

    second = _taglint(root, env, "--fix", "--resolve", ".")
    assert second.returncode == 0, second.stdout + second.stderr
    assert _read(root, files) == _expected(files, host, pin)


def test_diff_shows_resolved_fixes_and_writes_nothing(registry: TestRegistry, tmp_path: Path) -> None:  # noqa: F811
    host = _host(registry)
    files = _files(host)
    root = tmp_path / "project"
    _write(root, files)
    proc = _taglint(root, _env(tmp_path), "--diff", "--resolve", ".")
    assert proc.returncode == 1, proc.stderr
    assert f"+FROM {host}/ml/model:1.2.3 AS model" in proc.stdout
    assert "+    newTag: 1.2.3" in proc.stdout
    assert _read(root, files) == files


def test_a_warm_disk_cache_answers_without_a_socket(registry: TestRegistry, tmp_path: Path) -> None:  # noqa: F811
    host = _host(registry)
    files = _files(host)
    env = _env(tmp_path)
    warm = tmp_path / "warm"
    _write(warm, files)
    assert _taglint(warm, env, "--diff", "--resolve", ".").returncode == 1
    cold = tmp_path / "again"
    _write(cold, files)
    proc = _taglint(cold, env, "--fix", "--resolve", ".", guarded=True)
    assert "NETWORK" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _read(cold, files) == _expected(files, host, "1.2.3")


def test_a_registry_that_stops_answering_gives_notices_and_exit_2(tmp_path: Path) -> None:
    own = start_registry(tmp_path / "registry")
    try:
        populate(own)
        host = f"localhost:{own.port}"
        env = _env(tmp_path)
        # ml/model is asked (and cached) while the registry runs; library/python is not
        warm = tmp_path / "warm"
        _write(warm, {"Dockerfile": f"FROM {host}/ml/model\n"})
        assert _taglint(warm, env, "--diff", "--resolve", ".").returncode == 1
    finally:
        own.stop()
    files = {
        "Dockerfile": f"FROM {host}/ml/model\nFROM {host}/library/python:latest AS tools\n",
        "deploy.yaml": f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n"
                       f"    - name: a\n      image: {host}/library/python:3.12-slim\n",
    }
    root = tmp_path / "project"
    _write(root, files)
    proc = _taglint(root, env, "--fix", "--resolve", ".")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    notices = [line for line in (proc.stdout + proc.stderr).splitlines() if "cannot resolve" in line]
    assert any(f"{host}/library/python:latest" in n for n in notices), notices
    assert any(f"{host}/library/python:3.12-slim" in n for n in notices), notices
    after = _read(root, files)
    # each file is whole: the reference the cache answered is pinned, the others are as written
    assert after["Dockerfile"] == f"FROM {host}/ml/model:1.2.3\nFROM {host}/library/python:latest AS tools\n"
    assert after["deploy.yaml"] == files["deploy.yaml"]
    assert not [p for p in root.rglob("*") if p.name.startswith(".") and p.is_file()]  # no temporary file left


def test_resolve_reports_stale_digest_pins_and_fixes_them(tmp_path: Path) -> None:
    """TL115 against the real registry: a tag re-pushed after the pin, a
    version comment that names it, a digest the registry never had."""
    import json

    own = start_registry(tmp_path / "registry")
    try:
        populate(own)
        host = f"localhost:{own.port}"
        old = own.digest_of("ml/model", "1.1.0")
        new = own.retag("ml/model", "1.2.2", ["1.1.0"])  # 1.1.0 re-pushed: it names 1.2.2's content now
        assert new != old
        missing = "sha256:" + "0" * 64
        files = {
            "Dockerfile": f"FROM {host}/ml/model:1.1.0@{old} AS model\n# 1.1.0\nFROM {host}/ml/model@{old} AS again\n",
            "pod.yaml": (
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n"
                f"      image: {host}/ml/model@{missing}\n"
            ),
        }
        root = tmp_path / "project"
        _write(root, files)
        env = _env(tmp_path)
        report = _taglint(root, env, "--resolve", "--format", "json", ".")
        assert report.returncode == 0, report.stderr  # info findings only
        found = {(f["path"], f["line"]): f for f in json.loads(report.stdout)["findings"] if f["rule"] == "TL115"}
        assert set(found) == {("Dockerfile", 1), ("Dockerfile", 3), ("pod.yaml", 8)}
        assert "points at" in found[("Dockerfile", 1)]["message"]
        assert "carries the comment `# 1.1.0`" in found[("Dockerfile", 3)]["message"]
        assert "does not have" in found[("pod.yaml", 8)]["message"]
        assert found[("Dockerfile", 1)]["fix"]["applicability"] == "unsafe"

        fixed = _taglint(root, env, "--fix", "--unsafe-fixes", "--resolve", "--format", "json", ".")
        assert fixed.returncode == 0, fixed.stdout + fixed.stderr
        # what is left after the fix is reported with the registry's answers: the missing digest
        left = [(f["path"], f["line"]) for f in json.loads(fixed.stdout)["findings"] if f["rule"] == "TL115"]
        assert left == [("pod.yaml", 8)]
        assert (root / "Dockerfile").read_text() == (
            f"FROM {host}/ml/model:1.1.0@{new} AS model\n# 1.1.0\nFROM {host}/ml/model@{new} AS again\n"
        )
        assert (root / "pod.yaml").read_text() == files["pod.yaml"]  # nothing names what it should be
    finally:
        own.stop()


def test_digest_pin_style_writes_the_version_in_a_comment_where_it_can(
    registry: TestRegistry, tmp_path: Path  # noqa: F811
) -> None:
    host = _host(registry)
    files = _files(host)
    files["deploy/deployment.yaml"] = files["deploy/deployment.yaml"].replace("  # the model server", "")
    root = tmp_path / "project"
    _write(root, files, 'fix:\n  pin-style: "digest # tag"\n')
    env = _env(tmp_path)
    digest = registry.digest_of("ml/model", "latest")
    proc = _taglint(root, env, "--fix", "--resolve", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    after = _read(root, files)
    # a Dockerfile comment goes on the line above (a trailing # is an argument to Docker)
    assert after["Dockerfile"] == f"# 1.2.3\nFROM {host}/ml/model@{digest} AS model\nRUN echo ready\n"
    assert after["deploy/deployment.yaml"].endswith(f"image: {host}/ml/model@{digest} # 1.2.3\n")
    # places that hold only a tag keep the version beside the digest
    assert f'tag: "1.2.3@{digest}"' in after["chart/values.yaml"]
    assert f"newTag: 1.2.3@{digest}\n" in after["kustomize/overlays/prod/kustomization.yaml"]
    again = _taglint(root, env, "--fix", "--resolve", ".")
    assert again.returncode == 0 and _read(root, files) == after, again.stdout + again.stderr


def test_refresh_asks_again_what_a_cached_tag_points_at(tmp_path: Path) -> None:
    own = start_registry(tmp_path / "registry")
    try:
        populate(own)
        host = f"localhost:{own.port}"
        root = tmp_path / "project"
        _write(root, {"Dockerfile": f"FROM {host}/ml/model:latest\n"})
        env = _env(tmp_path)
        first = _taglint(root, env, "--diff", "--resolve", ".")
        assert f"+FROM {host}/ml/model:1.2.3" in first.stdout, first.stdout + first.stderr
        own.retag("ml/model", "1.2.2", ["latest"])  # a release rolled back: latest is 1.2.2 now
        cached = _taglint(root, env, "--diff", "--resolve", ".")
        assert f"+FROM {host}/ml/model:1.2.3" in cached.stdout, cached.stdout + cached.stderr
        fresh = _taglint(root, env, "--diff", "--resolve", "--refresh", ".")
        assert f"+FROM {host}/ml/model:1.2.2" in fresh.stdout, fresh.stdout + fresh.stderr
    finally:
        own.stop()


def test_fix_resolve_with_basic_auth_from_the_docker_config(registry_basic_auth: TestRegistry, tmp_path: Path) -> None:
    import base64
    import json

    from tests.registry_fixture import PASSWORD, USER

    host = f"localhost:{registry_basic_auth.port}"
    files = {"Dockerfile": f"FROM {host}/ml/model:latest\n"}
    env = _env(tmp_path)
    # without credentials: a notice, exit 2, the file as it was
    root = tmp_path / "anonymous"
    _write(root, files)
    refused = _taglint(root, env, "--fix", "--resolve", ".")
    assert refused.returncode == 2 and "cannot resolve" in refused.stdout + refused.stderr
    assert _read(root, files) == files
    # with `auths` in $DOCKER_CONFIG/config.json: pinned, and the password is shown nowhere
    docker = Path(env["DOCKER_CONFIG"])
    docker.mkdir(parents=True, exist_ok=True)
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    (docker / "config.json").write_text(json.dumps({"auths": {host: {"auth": token}}}))
    root = tmp_path / "authenticated"
    _write(root, files)
    proc = _taglint(root, env, "--fix", "--resolve", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _read(root, files) == {"Dockerfile": f"FROM {host}/ml/model:1.2.3\n"}
    for output in (refused.stdout, refused.stderr, proc.stdout, proc.stderr):
        assert PASSWORD not in output and token not in output
