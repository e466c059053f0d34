"""The registry client against the real Distribution registry (tests/registry_fixture.py).

Pins, digests, tag lists and manifests through the OCI distribution API,
with no auth, htpasswd basic auth (``auths`` in a Docker config and a
credential helper program on PATH) and bearer tokens (anonymous, basic and
identity-token flows) from the token endpoint the fixture runs.
"""
from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from taglint.registry import Pin, Registry, RegistryError, RegistryOptions
from tests.registry_fixture import (
    IDENTITY_TOKEN,
    MODEL_FILLER,
    PASSWORD,
    USER,
    TestRegistry,
)

ROOT = Path(__file__).resolve().parent.parent


def client(tmp_path: Path, docker_config: dict | None = None, **options: object) -> Registry:
    config_dir = tmp_path / "docker"
    config_dir.mkdir(parents=True, exist_ok=True)
    if docker_config is not None:
        (config_dir / "config.json").write_text(json.dumps(docker_config))
    return Registry(RegistryOptions(cache_dir=tmp_path / "cache", docker_config=config_dir, **options))


def basic_config(host: str, user: str = USER, password: str = PASSWORD) -> dict:
    return {"auths": {host: {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}}}


# -- pins --------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "expected"), [
    ("ml/model:latest", "1.2.3"),
    ("ml/model", "1.2.3"),
    ("ml/model:1.2", "1.2.3"),
    ("ml/model:1", "1.2.3"),
    ("library/python:latest", "3.13.1"),
    ("library/python:3", "3.13.1"),
    ("library/python:3.12-slim", "3.12.7-slim"),
    ("library/python:3.12-alpine", "3.12.7-alpine"),
    ("library/node:lts-alpine", "22.11.0-alpine3.20"),
    ("library/node:current-alpine", "23.3.0-alpine3.20"),
])
def test_pin_finds_the_most_specific_version_tag_with_the_same_digest_and_variant(
        registry: TestRegistry, tmp_path: Path, written: str, expected: str) -> None:
    image = f"{registry.host}/{written}"
    floating_tag = written.partition(":")[2] or "latest"
    pin = client(tmp_path).pin(image)
    assert pin == Pin(image=image, digest=registry.digest_of(written.partition(":")[0], floating_tag),
                      version_tag=expected)


def test_the_digest_of_a_multi_arch_image_is_its_index_digest(registry: TestRegistry, tmp_path: Path) -> None:
    status, headers, _ = registry.request("GET", "/v2/ml/model/manifests/latest",
                                          headers={"Accept": "application/vnd.oci.image.index.v1+json"})
    assert status == 200
    assert client(tmp_path).digest(f"{registry.host}/ml/model") == headers["Docker-Content-Digest"]


def test_no_version_tag_sharing_the_digest_gives_none(registry: TestRegistry, tmp_path: Path) -> None:
    pin = client(tmp_path).pin(f"{registry.host}/team/only-floating:edge")
    assert pin.version_tag is None
    assert pin.digest == registry.digest_of("team/only-floating", "edge")


def test_a_full_version_tag_is_its_own_version(registry: TestRegistry, tmp_path: Path) -> None:
    pin = client(tmp_path).pin(f"{registry.host}/ml/model:1.2.2")
    assert pin.version_tag == "1.2.2"


def test_tag_list_over_100_entries(registry: TestRegistry, tmp_path: Path) -> None:
    tags = client(tmp_path).tags(f"{registry.host}/ml/model:whatever")
    assert len(tags) == len(set(tags)) > 100
    assert set(MODEL_FILLER) | {"latest", "1.2.3", "1.2", "1", "1.2.2", "1.1.0", "1.1"} == set(tags)


def test_manifest_exists(registry: TestRegistry, tmp_path: Path) -> None:
    reg = client(tmp_path)
    image = f"{registry.host}/ml/model"
    assert reg.manifest_exists(image, registry.digest_of("ml/model", "1.2.2"))
    assert not reg.manifest_exists(image, "sha256:" + "0" * 64)
    # a digest of another repository is not in this one
    assert not reg.manifest_exists(image, registry.digest_of("library/python", "latest"))


def test_pin_many_gives_each_reference_its_answer_or_its_error(registry: TestRegistry, tmp_path: Path) -> None:
    good = f"{registry.host}/ml/model:latest"
    missing_tag = f"{registry.host}/ml/model:no-such-tag"
    missing_repo = f"{registry.host}/nobody/here"
    results = client(tmp_path).pin_many([good, missing_tag, good, missing_repo, "Not A Reference"])
    assert list(results) == [good, missing_tag, missing_repo, "Not A Reference"]
    assert isinstance(results[good], Pin) and results[good].version_tag == "1.2.3"
    for bad in (missing_tag, missing_repo, "Not A Reference"):
        assert isinstance(results[bad], RegistryError)
        assert results[bad].reference == bad
    assert "no-such-tag" in str(results[missing_tag]) and "not found" in str(results[missing_tag])


def test_a_registry_that_is_not_running_is_an_error_not_a_hang(tmp_path: Path) -> None:
    from tests.registry_fixture import free_port

    image = f"127.0.0.1:{free_port()}/ml/model:latest"
    result = client(tmp_path, timeout=5.0).pin_many([image])[image]
    assert isinstance(result, RegistryError) and "cannot connect" in str(result)


# -- caches ------------------------------------------------------------------------

WARM_RUN = r"""
import sys
def guard(event, args):
    if event == "socket.connect":
        print("NETWORK: " + repr(args[1]), file=sys.stderr)
        raise SystemExit(3)
sys.addaudithook(guard)
from pathlib import Path
from taglint.registry import Registry, RegistryOptions
cache, images = Path(sys.argv[1]), sys.argv[2:]
answers = Registry(RegistryOptions(cache_dir=cache, docker_config=cache / "no-docker")).pin_many(images)
for image in images:
    print(image, answers[image].digest, answers[image].version_tag)
"""


def _run_guarded(cache: Path, images: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", WARM_RUN, str(cache), *images], capture_output=True, text=True,
                          env=env, timeout=60, check=False)


def test_a_warm_disk_cache_answers_without_opening_a_socket(registry: TestRegistry, tmp_path: Path) -> None:
    images = [f"{registry.host}/ml/model", f"{registry.host}/library/node:lts-alpine"]
    cold = client(tmp_path).pin_many(images)
    warm = _run_guarded(tmp_path / "cache", images)
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout.splitlines() == [f"{i} {cold[i].digest} {cold[i].version_tag}" for i in images]


def test_the_guard_sees_a_socket_on_a_cold_cache(registry: TestRegistry, tmp_path: Path) -> None:
    """The audit hook above is not a test that cannot fail."""
    cold = _run_guarded(tmp_path / "empty-cache", [f"{registry.host}/ml/model"])
    assert cold.returncode == 3 and "NETWORK" in cold.stderr


def test_refresh_skips_cached_tag_answers_and_the_ttl_expires_them(registry: TestRegistry, tmp_path: Path) -> None:
    first, _ = registry.push_image("moving/app", ["latest", "1.0.0"], seed="moving-1")
    image = f"{registry.host}/moving/app"
    assert client(tmp_path).pin(image) == Pin(image, first, "1.0.0")
    second, _ = registry.push_image("moving/app", ["latest", "1.1.0"], seed="moving-2")
    assert client(tmp_path).pin(image) == Pin(image, first, "1.0.0")  # cached, within the TTL
    assert client(tmp_path, refresh=True).pin(image) == Pin(image, second, "1.1.0")
    assert client(tmp_path).pin(image) == Pin(image, second, "1.1.0")  # the refreshed answer was stored
    registry.retag("moving/app", "1.0.0", ["latest"])
    assert client(tmp_path, tag_ttl=0.0).pin(image) == Pin(image, first, "1.0.0")


def test_corrupt_cache_entries_are_ignored_and_rewritten(registry: TestRegistry, tmp_path: Path) -> None:
    image = f"{registry.host}/ml/model"
    expected = client(tmp_path).pin(image)
    files = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert files
    for path in files:
        path.write_bytes(b"\x00{not json")
    assert client(tmp_path).pin(image) == expected
    assert all(path.read_bytes() != b"\x00{not json" for path in files)


def test_manifests_are_cached_by_digest_and_checked(registry: TestRegistry, tmp_path: Path) -> None:
    digest = registry.digest_of("ml/model", "1.1.0")
    assert client(tmp_path).manifest_exists(f"{registry.host}/ml/model", digest)
    stored = tmp_path / "cache" / "registry-v1" / "manifests" / "sha256" / digest.split(":")[1]
    assert stored.is_file()
    for folder in (stored.parent, stored.parent.parent, tmp_path / "cache" / "registry-v1"):
        assert folder.stat().st_mode & 0o077 == 0  # private
    stored.write_bytes(b"tampered")  # no longer matches its digest: ignored, asked again, rewritten
    assert client(tmp_path).manifest_exists(f"{registry.host}/ml/model", digest)
    assert stored.read_bytes() != b"tampered"


# -- auth ----------------------------------------------------------------------------


def _secrets_absent(text: str) -> None:
    pair = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    for secret in (PASSWORD, pair, IDENTITY_TOKEN):
        assert secret not in text


def test_basic_auth_from_docker_config_auths(registry_basic_auth: TestRegistry, tmp_path: Path) -> None:
    reg = registry_basic_auth
    image = f"{reg.host}/ml/model"
    pin = client(tmp_path, basic_config(reg.host)).pin(image)
    assert pin.version_tag == "1.2.3"
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            _secrets_absent(path.read_text(errors="replace"))


def test_basic_auth_with_username_and_password_keys_and_a_url_key(
        registry_basic_auth: TestRegistry, tmp_path: Path) -> None:
    reg = registry_basic_auth
    config = {"auths": {f"https://{reg.host}/v1/": {"username": USER, "password": PASSWORD}}}
    assert client(tmp_path, config).pin(f"{reg.host}/ml/model:1").version_tag == "1.2.3"


def test_basic_auth_without_or_with_wrong_credentials_is_an_error_without_secrets(
        registry_basic_auth: TestRegistry, tmp_path: Path) -> None:
    reg = registry_basic_auth
    image = f"{reg.host}/ml/model"
    anonymous = client(tmp_path / "a").pin_many([image])[image]
    assert isinstance(anonymous, RegistryError) and "docker login" in str(anonymous)
    wrong = client(tmp_path / "b", basic_config(reg.host, password=PASSWORD + "x")).pin_many([image])[image]
    assert isinstance(wrong, RegistryError) and "denied" in str(wrong)
    for error in (anonymous, wrong):
        _secrets_absent(str(error) + repr(error) + repr(error.args) + repr(error.__context__))


HELPER = """#!{python}
import json, sys
server = sys.stdin.read().strip()
with open({log!r}, "a") as log:
    log.write(sys.argv[1] + " " + server + "\\n")
if sys.argv[1] == "get" and server == {host!r}:
    print(json.dumps({{"ServerURL": server, "Username": {user!r}, "Secret": {password!r}}}))
else:
    print("credentials not found in native keychain")
    sys.exit(1)
"""


@pytest.mark.parametrize("style", ["credHelpers", "credsStore"])
def test_a_credential_helper_on_path(registry_basic_auth: TestRegistry, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch, style: str) -> None:
    reg = registry_basic_auth
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helper = bin_dir / "docker-credential-test"
    log = tmp_path / "helper.log"
    helper.write_text(HELPER.format(python=sys.executable, log=str(log), host=reg.host, user=USER, password=PASSWORD))
    helper.chmod(helper.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    config = {"credHelpers": {reg.host: "test"}} if style == "credHelpers" else {"credsStore": "test"}
    registry_client = client(tmp_path, config)
    results = registry_client.pin_many([f"{reg.host}/ml/model", f"{reg.host}/library/python:3.12-slim"])
    assert [r.version_tag for r in results.values()] == ["1.2.3", "3.12.7-slim"]
    assert log.read_text().splitlines() == [f"get {reg.host}"]  # asked once per run, only when challenged


def test_docker_config_env_is_honoured(registry_basic_auth: TestRegistry, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    reg = registry_basic_auth
    config_dir = tmp_path / "elsewhere"
    config_dir.mkdir()
    (config_dir / "config.json").write_text(json.dumps(basic_config(reg.host)))
    monkeypatch.setenv("DOCKER_CONFIG", str(config_dir))
    registry_client = Registry(RegistryOptions(cache_dir=tmp_path / "cache"))
    assert registry_client.pin(f"{reg.host}/ml/model").version_tag == "1.2.3"


def test_anonymous_bearer_token_flow(registry_token_auth: TestRegistry, tmp_path: Path) -> None:
    reg = registry_token_auth
    reg.token_server.requests.clear()
    pin = client(tmp_path).pin(f"{reg.host}/ml/model")
    assert pin.version_tag == "1.2.3"
    asked = reg.token_server.requests
    assert asked and all(r == {"method": "GET", "user": None, "scope": "repository:ml/model:pull",
                               "service": "taglint-test-registry"} for r in asked)
    assert len(asked) == 1  # one token for the run's requests to that repository


def test_bearer_token_with_basic_credentials(registry_token_auth: TestRegistry, tmp_path: Path) -> None:
    reg = registry_token_auth
    reg.token_server.requests.clear()
    assert client(tmp_path, basic_config(reg.host)).pin(f"{reg.host}/library/python").version_tag == "3.13.1"
    assert [r["user"] for r in reg.token_server.requests] == [USER]


def test_bearer_token_from_an_identity_token(registry_token_auth: TestRegistry, tmp_path: Path) -> None:
    reg = registry_token_auth
    reg.token_server.requests.clear()
    config = {"auths": {reg.host: {"identitytoken": IDENTITY_TOKEN}}}
    assert client(tmp_path, config).pin(f"{reg.host}/library/node:lts-alpine").version_tag == "22.11.0-alpine3.20"
    assert [(r["method"], r["user"]) for r in reg.token_server.requests] == [("POST", USER)]


def test_a_refused_identity_token_is_an_error_without_the_token(registry_token_auth: TestRegistry,
                                                                 tmp_path: Path) -> None:
    reg = registry_token_auth
    image = f"{reg.host}/ml/model"
    config = {"auths": {reg.host: {"identitytoken": "not-" + IDENTITY_TOKEN}}}
    error = client(tmp_path, config).pin_many([image])[image]
    assert isinstance(error, RegistryError) and "refused" in str(error)
    assert IDENTITY_TOKEN not in str(error) + repr(error.args)


COUNTED_RUN = r"""
import sys
connects = []
def count(event, args):
    if event == "socket.connect":
        connects.append(args[1])
sys.addaudithook(count)
from pathlib import Path
from taglint.registry import Registry, RegistryOptions
cache = Path(sys.argv[1])
with Registry(RegistryOptions(cache_dir=cache, docker_config=cache / "no-docker")) as registry:
    pin = registry.pin(sys.argv[2])
print(pin.version_tag, len(connects))
"""


def test_one_connection_serves_a_whole_pin(registry: TestRegistry, tmp_path: Path) -> None:
    """HEAD latest, the tag list, HEAD 1.2.3: one kept-alive connection (after the HTTPS probe loopback gets)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", COUNTED_RUN, str(tmp_path / "cache"), f"{registry.host}/ml/model"],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1.2.3", "2"]


def test_a_link_planted_in_the_cache_is_never_written_through(registry: TestRegistry, tmp_path: Path) -> None:
    image = f"{registry.host}/ml/model"
    expected = client(tmp_path).pin(image)
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    entries = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    for path in entries:
        path.unlink()
        path.symlink_to(victim)
    assert client(tmp_path, refresh=True).pin(image) == expected
    assert victim.read_text() == "precious\n"
    assert all(path.is_symlink() for path in entries)


def test_without_a_home_folder_the_client_still_works(registry: TestRegistry, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    for name in ("HOME", "DOCKER_CONFIG", "TAGLINT_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    with Registry(RegistryOptions()) as registry_client:
        assert registry_client.pin(f"{registry.host}/ml/model").version_tag == "1.2.3"
        assert not registry_client.disk.enabled
