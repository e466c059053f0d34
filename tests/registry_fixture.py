"""A real Distribution registry for the tests (Debian package ``docker-registry``).

The fixtures start ``docker-registry serve CONFIG`` on a free loopback port
with temporary storage (one process per session and auth mode), wait until
it answers, and populate it through the HTTP API with real blobs (a gzip'd
tar layer and an image config), image manifests and a multi-arch OCI index
(:func:`populate`, described by :data:`EXPECTED_TAGS`).

Three modes:

* ``registry`` — no auth;
* ``registry_basic_auth`` — htpasswd basic auth (the bcrypt hash made with
  the ``bcrypt`` package, a test extra); user :data:`USER`, password
  :data:`PASSWORD`;
* ``registry_token_auth`` — the registry's own *token* auth: it answers 401
  with ``WWW-Authenticate: Bearer realm=…,service=…,scope=…`` and accepts JWTs
  (RS256, ``x5c`` header) signed by a test key whose self-signed certificate
  is the registry's ``rootcertbundle``.  The token endpoint is a small HTTP
  server the tests run (:class:`TokenServer`, ``cryptography`` test extra):
  anonymous callers get ``pull`` tokens (the Docker Hub / GHCR / Quay style
  anonymous flow), callers with :data:`USER`/:data:`PASSWORD` also
  ``push``, and ``grant_type=refresh_token`` with :data:`IDENTITY_TOKEN`
  (the OAuth2 flow ``identitytoken`` credentials use) counts as that user.

Without the binary the tests skip, except under ``CI=true``, where they
fail (``.ci/run`` installs the package).  ``tests/conftest.py`` registers
the fixtures, so any test can ask for them by name; one registry per mode
runs for the whole test process (also when a module imports the fixtures),
stopped when the process ends.  A test that stops or changes a registry
starts its own with :func:`start_registry` and :func:`populate`.
"""
from __future__ import annotations

import atexit
import base64
import gzip
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

BINARY = "docker-registry"
USER = "tester"
PASSWORD = "s3cret-Pa55word"
IDENTITY_TOKEN = "refresh-7c1d4e0b9f"
SERVICE = "taglint-test-registry"

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
ACCEPT_ALL = ", ".join((OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST))

# What populate() pushes: tag groups sharing one digest, per repository.
# `ml/model`: a multi-arch index under latest/1.2.3/1.2/1, older releases,
# and `0.0.N` filler tags so the tag list has over 100 entries.
MODEL_FILLER = [f"0.0.{n}" for n in range(110)]
EXPECTED_TAGS: dict[str, list[list[str]]] = {
    "ml/model": [["latest", "1.2.3", "1.2", "1"], ["1.2.2"], ["1.1.0", "1.1"], MODEL_FILLER],
    "library/python": [
        ["latest", "3.13.1", "3.13", "3"],
        ["3.12.7-slim", "3.12-slim", "3.12.7-slim-bookworm", "3.12-slim-bookworm"],
        ["3.12.6-slim"],
        ["3.12.7-alpine", "3.12-alpine"],
        ["slim-nothing"],
    ],
    "library/node": [
        ["lts-alpine", "22.11.0-alpine3.20", "22.11-alpine3.20", "22-alpine3.20", "22.11.0-alpine", "22-alpine"],
        ["current-alpine", "23.3.0-alpine3.20", "23.3.0-alpine"],
        ["22.10.0-alpine3.20"],
    ],
    "team/only-floating": [["latest", "edge"]],
}


def binary_or_skip(name: str = BINARY) -> str:
    """The registry program; a skip without it, a failure under ``CI=true``."""
    found = shutil.which(name) or (f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else None)
    if found:
        return found
    message = f"{name} is not installed (Debian package `docker-registry`; .ci/run installs it)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=True).encode()


@dataclass
class TestRegistry:
    """A running registry and helpers to push to it through the HTTP API."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    host: str  # "127.0.0.1:PORT"
    process: subprocess.Popen[bytes]
    root: Path
    auth: tuple[str, str] | None = None  # basic credentials, when the registry wants them
    token_server: TokenServer | None = None
    digests: dict[str, dict[str, str]] = field(default_factory=dict)  # repo -> tag -> digest

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    @property
    def port(self) -> int:
        return int(self.host.rsplit(":", 1)[1])

    def digest_of(self, repository: str, tag: str) -> str:
        """The digest populate() (or a later push) put under ``repository:tag``."""
        return self.digests[repository][tag]

    # -- HTTP ------------------------------------------------------------------

    def request(self, method: str, path: str, data: bytes | None = None, headers: dict[str, str] | None = None,
                scope: str | None = None) -> tuple[int, Any, bytes]:
        """One request with the credentials this registry wants; (status, headers (any case), body)."""
        url = path if path.startswith("http") else self.url + path
        all_headers = dict(headers or {})
        if self.token_server is not None and scope is not None:
            all_headers["Authorization"] = "Bearer " + self.token_server.issue(scope, "pull,push")
        elif self.auth is not None:
            pair = f"{self.auth[0]}:{self.auth[1]}".encode()
            all_headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        req = urllib.request.Request(url, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def push_blob(self, repository: str, data: bytes) -> str:
        """Upload ``data`` as a blob (monolithic POST + PUT); its digest."""
        digest = sha256_digest(data)
        scope = f"repository:{repository}:pull,push"
        status, headers, _ = self.request("POST", f"/v2/{repository}/blobs/uploads/", b"", scope=scope)
        assert status == 202, (status, headers)
        location = headers["Location"]
        if location.startswith("/"):
            location = self.url + location
        joiner = "&" if "?" in location else "?"
        status, headers, body = self.request(
            "PUT", f"{location}{joiner}digest={urllib.parse.quote(digest)}", data,
            {"Content-Type": "application/octet-stream"}, scope=scope,
        )
        assert status == 201, (status, body)
        return digest

    def put_manifest(self, repository: str, reference: str, body: bytes, media_type: str) -> str:
        """PUT a manifest under a tag (or digest); its digest."""
        status, headers, answer = self.request(
            "PUT", f"/v2/{repository}/manifests/{reference}", body, {"Content-Type": media_type},
            scope=f"repository:{repository}:pull,push",
        )
        assert status == 201, (status, answer)
        digest = sha256_digest(body)
        assert headers.get("Docker-Content-Digest") == digest
        if not reference.startswith("sha256:"):
            self.digests.setdefault(repository, {})[reference] = digest
        return digest

    def push_image(self, repository: str, tags: list[str], *, seed: str, platform: str = "linux/amd64",
                   media_type: str = OCI_MANIFEST) -> tuple[str, bytes]:
        """Push a one-layer image (content from ``seed``) under ``tags``; (digest, manifest bytes)."""
        os_name, arch = platform.split("/", 1)
        layer = _layer(f"{repository} {seed} {platform}".encode())
        diff_id = sha256_digest(gzip.decompress(layer))
        config = canonical_json({
            "architecture": arch, "os": os_name,
            "config": {"Labels": {"seed": seed}},
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        })
        config_digest = self.push_blob(repository, config)
        layer_digest = self.push_blob(repository, layer)
        oci = media_type == OCI_MANIFEST
        manifest = {
            "schemaVersion": 2,
            "mediaType": media_type,
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json" if oci
                else "application/vnd.docker.container.image.v1+json",
                "digest": config_digest, "size": len(config),
            },
            "layers": [{
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip" if oci
                else "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "digest": layer_digest, "size": len(layer),
            }],
        }
        body = canonical_json(manifest)
        digest = sha256_digest(body)
        self.put_manifest(repository, digest, body, media_type)
        self.put_tags(repository, tags, body, media_type)
        return digest, body

    def put_tags(self, repository: str, tags: list[str], body: bytes, media_type: str) -> None:
        """PUT one manifest under many tags, a few at a time."""
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda tag: self.put_manifest(repository, tag, body, media_type), tags))

    def push_index(self, repository: str, tags: list[str], *, seed: str,
                   platforms: tuple[str, ...] = ("linux/amd64", "linux/arm64")) -> str:
        """Push one image per platform and an OCI index of them under ``tags``; the index digest."""
        entries = []
        for platform in platforms:
            digest, body = self.push_image(repository, [], seed=seed, platform=platform)
            os_name, arch = platform.split("/", 1)
            entries.append({"mediaType": OCI_MANIFEST, "digest": digest, "size": len(body),
                            "platform": {"os": os_name, "architecture": arch}})
        body = canonical_json({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries})
        digest = self.put_manifest(repository, sha256_digest(body), body, OCI_INDEX)
        self.put_tags(repository, tags, body, OCI_INDEX)
        return digest

    def retag(self, repository: str, source_tag: str, tags: list[str]) -> str:
        """Point ``tags`` at the manifest ``source_tag`` names now (a moved tag)."""
        status, headers, body = self.request(
            "GET", f"/v2/{repository}/manifests/{source_tag}", headers={"Accept": ACCEPT_ALL},
            scope=f"repository:{repository}:pull,push",
        )
        assert status == 200, status
        media_type = headers["Content-Type"]
        digest = sha256_digest(body)
        for tag in tags:
            self.put_manifest(repository, tag, body, media_type)
        return digest

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.token_server is not None:
            self.token_server.stop()


def _layer(content: bytes) -> bytes:
    """A real gzip'd tar holding one file, reproducible byte for byte."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        info = tarfile.TarInfo("etc/seed")
        info.size = len(content)
        info.mtime = 0
        archive.addfile(info, io.BytesIO(content))
    return gzip.compress(raw.getvalue(), mtime=0)


def populate(registry: TestRegistry) -> None:
    """Push :data:`EXPECTED_TAGS`: ``ml/model`` multi-arch, the others one-platform images."""
    for repository, groups in EXPECTED_TAGS.items():
        for number, tags in enumerate(groups):
            seed = f"{repository}#{number}"
            if repository == "ml/model" and number == 0:
                registry.push_index(repository, tags, seed=seed)
            else:
                media_type = DOCKER_MANIFEST if repository == "library/node" else OCI_MANIFEST
                registry.push_image(repository, tags, seed=seed, media_type=media_type)


# -- starting the registry ----------------------------------------------------------


def start_registry(tmp: Path, auth_config: str = "") -> TestRegistry:
    """Start the registry on a free loopback port with storage under ``tmp``; wait until it answers."""
    binary = binary_or_skip()
    storage = tmp / "storage"
    storage.mkdir(parents=True, exist_ok=True)
    last_error = ""
    for _attempt in range(5):
        port = free_port()
        config = tmp / "config.yml"
        config.write_text(
            "version: 0.1\n"
            "log:\n  level: error\n  accesslog:\n    disabled: true\n"
            f"storage:\n  filesystem:\n    rootdirectory: {storage}\n  delete:\n    enabled: true\n"
            f"http:\n  addr: 127.0.0.1:{port}\n  secret: taglint-test-secret\n"
            + auth_config
        )
        log = open(tmp / "registry.log", "wb")  # noqa: SIM115 - kept open for the process
        process = subprocess.Popen([binary, "serve", str(config)], stdout=log, stderr=subprocess.STDOUT)
        log.close()
        registry = TestRegistry(host=f"127.0.0.1:{port}", process=process, root=tmp)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return registry
            except OSError:
                time.sleep(0.05)
        registry.stop()
        last_error = (tmp / "registry.log").read_text(errors="replace")[-2000:]
    raise RuntimeError(f"the registry did not start: {last_error}")


def htpasswd_line(user: str, password: str) -> str:
    import bcrypt

    return f"{user}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=5)).decode()}\n"


# -- token auth ---------------------------------------------------------------------


class TokenServer:
    """A token endpoint issuing JWTs the registry's ``auth: token`` accepts (RS256, x5c)."""

    def __init__(self, tmp: Path) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID
        import datetime

        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "taglint test token issuer")])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(self._key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self._key, hashes.SHA256())
        )
        self.cert_path = tmp / "token-root.pem"
        self.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self._x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
        self.requests: list[dict[str, Any]] = []  # what callers asked for (no secrets)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                server._answer(self, query, self.headers.get("Authorization"), "GET")

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                server._answer(self, form, self.headers.get("Authorization"), "POST")

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = int(self._httpd.server_address[1])
        self.realm = f"http://127.0.0.1:{self.port}/token"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def auth_config(self) -> str:
        return (
            "auth:\n  token:\n"
            f"    realm: {self.realm}\n    service: {SERVICE}\n    issuer: taglint-test-issuer\n"
            f"    rootcertbundle: {self.cert_path}\n"
        )

    def _answer(self, handler: BaseHTTPRequestHandler, params: dict[str, str], authorization: str | None,
                method: str) -> None:
        user = None
        if authorization and authorization.startswith("Basic "):
            pair = base64.b64decode(authorization[6:]).decode(errors="replace")
            if pair != f"{USER}:{PASSWORD}":
                handler.send_response(401)
                handler.end_headers()
                return
            user = USER
        if method == "POST":
            if params.get("grant_type") != "refresh_token" or params.get("refresh_token") != IDENTITY_TOKEN:
                handler.send_response(401)
                handler.end_headers()
                return
            user = USER
        scope = params.get("scope", "")
        self.requests.append({"method": method, "user": user, "scope": scope, "service": params.get("service")})
        allowed = "pull,push" if user else "pull"
        token = self.issue(scope, allowed, subject=user or "")
        body = json.dumps({"token": token, "access_token": token, "expires_in": 300}).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def issue(self, scope: str, allowed: str, subject: str = USER) -> str:
        """A JWT granting ``allowed`` actions on the repositories ``scope`` names."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        access = []
        for item in filter(None, scope.split(" ")):
            kind, _, rest = item.partition(":")
            name, _, actions = rest.rpartition(":")
            granted = [a for a in actions.split(",") if a in allowed.split(",")]
            access.append({"type": kind, "name": name, "actions": granted})
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self._x5c]}
        claims = {"iss": "taglint-test-issuer", "sub": subject, "aud": SERVICE, "exp": now + 300,
                  "nbf": now - 10, "iat": now, "jti": os.urandom(8).hex(), "access": access}
        signing_input = _b64url(canonical_json(header)) + "." + _b64url(canonical_json(claims))
        signature = self._key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + _b64url(signature)

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# -- fixtures ---------------------------------------------------------------------


# One running registry per auth mode per test process, whichever fixture
# definition asks (conftest's, or one imported into a module): stopped when
# the process ends.
_RUNNING: dict[str, TestRegistry] = {}
_RUNNING_LOCK = threading.Lock()


def _shared(mode: str, tmp_path_factory: pytest.TempPathFactory,
            start: Callable[[Path], TestRegistry]) -> TestRegistry:
    binary_or_skip()
    with _RUNNING_LOCK:
        if mode not in _RUNNING:
            running = start(tmp_path_factory.mktemp(f"registry-{mode}"))
            try:
                populate(running)
            except BaseException:
                running.stop()
                raise
            if running.token_server is not None:
                running.token_server.requests.clear()
            atexit.register(running.stop)
            _RUNNING[mode] = running
        return _RUNNING[mode]


def _start_basic(tmp: Path) -> TestRegistry:
    (tmp / "htpasswd").write_text(htpasswd_line(USER, PASSWORD))
    running = start_registry(tmp, f"auth:\n  htpasswd:\n    realm: taglint-test\n    path: {tmp / 'htpasswd'}\n")
    running.auth = (USER, PASSWORD)
    return running


def _start_token(tmp: Path) -> TestRegistry:
    tokens = TokenServer(tmp)
    try:
        running = start_registry(tmp, tokens.auth_config())
    except BaseException:
        tokens.stop()
        raise
    running.token_server = tokens
    return running


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> TestRegistry:
    """A populated registry without auth."""
    return _shared("open", tmp_path_factory, start_registry)


@pytest.fixture(scope="session")
def registry_basic_auth(tmp_path_factory: pytest.TempPathFactory) -> TestRegistry:
    """A populated registry that wants htpasswd basic auth (:data:`USER`/:data:`PASSWORD`)."""
    return _shared("basic", tmp_path_factory, _start_basic)


@pytest.fixture(scope="session")
def registry_token_auth(tmp_path_factory: pytest.TempPathFactory) -> TestRegistry:
    """A populated registry with bearer-token auth from a :class:`TokenServer` the tests run."""
    return _shared("token", tmp_path_factory, _start_token)
