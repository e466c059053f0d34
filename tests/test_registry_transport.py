"""The registry client's HTTP rules, against small HTTP servers the tests run on this machine.

Retries on 429/5xx honouring ``Retry-After``, tag list pagination (``Link``
and ``last``), plain HTTP refused for a host that is not loopback (unless
named with ``--insecure-registry``), ``Authorization`` dropped on a
redirect to another host.  These behaviours cannot be provoked in the
Distribution registry (2.8 answers a tag list in one page), so a tiny
server stands in for it here; everything else is tested against the real
registry (tests/test_registry_client.py).
"""
from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from taglint.registry import Registry, RegistryError, RegistryOptions
from taglint.registry.auth import parse_challenge
from taglint.registry.credentials import Credentials
from taglint.registry.names import credential_keys, is_loopback, parse_image
from taglint.registry.transport import Transport, TransportError

Answer = tuple[int, dict[str, str], bytes]


@contextmanager
def serve(answer: Callable[[BaseHTTPRequestHandler], Answer], address: str = "127.0.0.1") -> Iterator[list[dict[str, Any]]]:
    """A server calling ``answer`` for each GET/HEAD; yields the list of requests it saw (and its port in [0])."""
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _reply(self) -> None:
            seen.append({"method": self.command, "path": self.path, "headers": dict(self.headers.items())})
            status, headers, body = answer(self)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_HEAD = _reply  # noqa: N815

    httpd = ThreadingHTTPServer((address, 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    seen.append({"port": httpd.server_address[1]})
    try:
        yield seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def port_of(seen: list[dict[str, Any]]) -> int:
    return int(seen[0]["port"])


def requests_of(seen: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return seen[1:]


def make_client(tmp_path: Path, **options: Any) -> Registry:
    return Registry(RegistryOptions(cache_dir=tmp_path / "cache", docker_config=tmp_path / "docker", **options))


def tags_body(tags: list[str]) -> bytes:
    return json.dumps({"name": "x/y", "tags": tags}).encode()


# -- retries --------------------------------------------------------------------------


def test_429_with_retry_after_is_waited_for_then_retried(tmp_path: Path) -> None:
    calls = []

    def answer(_request: BaseHTTPRequestHandler) -> Answer:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return 429, {"Retry-After": "1"}, b'{"errors":[{"code":"TOOMANYREQUESTS"}]}'
        return 200, {"Content-Type": "application/json"}, tags_body(["1.0.0"])

    with serve(answer) as seen:
        started = time.monotonic()
        tags = make_client(tmp_path).tags(f"127.0.0.1:{port_of(seen)}/x/y")
        elapsed = time.monotonic() - started
    assert tags == ["1.0.0"]
    assert len(requests_of(seen)) == 2
    assert calls[1] - calls[0] >= 1.0 and elapsed >= 1.0


@pytest.mark.parametrize(("status", "retry_after"), [(503, None), (502, None), (500, None), (429, "2"),
                                                      (429, "Wed, 21 Oct 2015 07:28:00 GMT")])
def test_5xx_and_429_are_retried_with_backoff_then_reported(tmp_path: Path, status: int,
                                                            retry_after: str | None) -> None:
    headers = {"Retry-After": retry_after} if retry_after else {}
    with serve(lambda _r: (status, headers, b"busy")) as seen:
        client = make_client(tmp_path, retries=2)
        waits: list[float] = []
        client.transport.sleep = waits.append
        with pytest.raises(RegistryError) as caught:
            client.tags(f"127.0.0.1:{port_of(seen)}/x/y")
    assert len(requests_of(seen)) == 3
    assert len(waits) == 2
    if retry_after == "2":
        assert waits == [2.0, 2.0]
    elif retry_after:  # a date in the past: no wait
        assert waits == [0.0, 0.0]
    else:  # exponential backoff with a little jitter
        assert 0.5 <= waits[0] < 0.56 and 1.0 <= waits[1] < 1.11
    assert str(status) in str(caught.value)


def test_a_retry_after_longer_than_a_minute_is_reported_not_waited_for(tmp_path: Path) -> None:
    with serve(lambda _r: (429, {"Retry-After": "3600"}, b"")) as seen:
        client = make_client(tmp_path)
        waits: list[float] = []
        client.transport.sleep = waits.append
        with pytest.raises(RegistryError, match="rate limiting"):
            client.tags(f"127.0.0.1:{port_of(seen)}/x/y")
    assert waits == [] and len(requests_of(seen)) == 1


def test_a_404_is_not_retried(tmp_path: Path) -> None:
    with serve(lambda _r: (404, {}, b"")) as seen:
        with pytest.raises(RegistryError, match="not found"):
            make_client(tmp_path).digest(f"127.0.0.1:{port_of(seen)}/x/y:1")
    assert len(requests_of(seen)) == 1


# -- pagination ----------------------------------------------------------------------------

ALL_TAGS = [f"1.0.{n}" for n in range(250)]


def _paged(link_style: str) -> Callable[[BaseHTTPRequestHandler], Answer]:
    def answer(request: BaseHTTPRequestHandler) -> Answer:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request.path).query))
        size = min(int(query.get("n", "100")), 100)  # the server caps pages at 100, as Docker Hub does
        start = ALL_TAGS.index(query["last"]) + 1 if "last" in query else 0
        page = ALL_TAGS[start:start + size]
        headers = {"Content-Type": "application/json"}
        if start + size < len(ALL_TAGS):
            target = f"/v2/x/y/tags/list?n={size}&last={page[-1]}"
            if link_style == "absolute":
                target = f"http://{request.headers['Host']}{target}"
            headers["Link"] = f'<{target}>; rel="next"'
        return 200, headers, tags_body(page)
    return answer


@pytest.mark.parametrize("link_style", ["relative", "absolute"])
def test_tag_list_pages_are_followed_by_link_header(tmp_path: Path, link_style: str) -> None:
    with serve(_paged(link_style)) as seen:
        tags = make_client(tmp_path).tags(f"127.0.0.1:{port_of(seen)}/x/y")
    assert tags == ALL_TAGS
    paths = [r["path"] for r in requests_of(seen)]
    assert paths == ["/v2/x/y/tags/list?n=1000", "/v2/x/y/tags/list?n=100&last=1.0.99",
                     "/v2/x/y/tags/list?n=100&last=1.0.199"]


def test_tag_list_pages_without_link_header_are_followed_with_last(tmp_path: Path) -> None:
    many = [f"2.{n // 100}.{n % 100}" for n in range(2500)]

    def answer(request: BaseHTTPRequestHandler) -> Answer:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request.path).query))
        start = many.index(query["last"]) + 1 if "last" in query else 0
        return 200, {}, tags_body(many[start:start + int(query["n"])])

    with serve(answer) as seen:
        tags = make_client(tmp_path).tags(f"127.0.0.1:{port_of(seen)}/x/y")
    assert tags == many
    assert len(requests_of(seen)) == 3


# -- TLS and plain HTTP ---------------------------------------------------------------------


def _non_loopback_address() -> str:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 9))  # UDP: no packet is sent; picks the outgoing address
        address = probe.getsockname()[0]
    except OSError:
        address = ""
    finally:
        probe.close()
    if not address or is_loopback(address):
        pytest.skip("this machine has no non-loopback IPv4 address")
    return address


def test_plain_http_is_refused_for_a_host_that_is_not_loopback(tmp_path: Path) -> None:
    address = _non_loopback_address()
    with serve(lambda _r: (200, {}, tags_body(["1.0.0"])), address="0.0.0.0") as seen:
        host = f"{address}:{port_of(seen)}"
        with pytest.raises(RegistryError, match="TLS handshake failed"):
            make_client(tmp_path).tags(f"{host}/x/y")
        assert requests_of(seen) == []  # the TLS hello was not an HTTP request; no plain request followed
        assert make_client(tmp_path / "a", insecure_hosts=(host,)).tags(f"{host}/x/y") == ["1.0.0"]
        assert make_client(tmp_path / "b", insecure_hosts=(address,)).tags(f"{host}/x/y") == ["1.0.0"]
    assert len(requests_of(seen)) == 2


def test_loopback_hosts_fall_back_to_plain_http_after_tls_fails(tmp_path: Path) -> None:
    with serve(lambda _r: (200, {}, tags_body(["1.0.0"]))) as seen:
        client = make_client(tmp_path)
        for host in (f"127.0.0.1:{port_of(seen)}", f"localhost:{port_of(seen)}"):
            assert client.tags(f"{host}/x/y") == ["1.0.0"]
            assert client.transport.base_url(host) == f"http://{host}"


def test_a_plain_http_url_for_another_host_is_refused_before_connecting() -> None:
    transport = Transport(timeout=1, retries=0)
    for url in ("http://registry.example.com/v2/", "http://192.0.2.10:5000/token"):
        with pytest.raises(TransportError, match="refusing plain HTTP") as caught:
            transport.request("GET", url, {})
        assert caught.value.__cause__ is None  # refused by policy, not by a failed connection


def test_a_redirect_to_another_host_drops_the_authorization_header() -> None:
    with serve(lambda _r: (200, {}, b"ok")) as target:
        port = port_of(target)

        def redirect(request: BaseHTTPRequestHandler) -> Answer:
            if request.path.startswith("/same"):
                return 307, {"Location": "/final"}, b""
            return 307, {"Location": f"http://localhost:{port}/final"}, b""

        with serve(redirect) as source:
            transport = Transport(timeout=5, retries=0)
            base = f"http://127.0.0.1:{port_of(source)}"
            assert transport.request("GET", base + "/other", {"Authorization": "Bearer abc"}).body == b"ok"
            assert transport.request("GET", base + "/same", {"Authorization": "Bearer abc"}).status == 200
    assert "Authorization" not in requests_of(target)[0]["headers"]
    assert requests_of(source)[1]["headers"].get("Authorization") == "Bearer abc"


# -- small pieces ------------------------------------------------------------------------------


def test_challenges_are_parsed_with_quoted_commas() -> None:
    scheme, params = parse_challenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
        'scope="repository:samalba/my-app:pull,push"')
    assert scheme == "bearer"
    assert params == {"realm": "https://auth.docker.io/token", "service": "registry.docker.io",
                      "scope": "repository:samalba/my-app:pull,push"}
    assert parse_challenge('Basic realm="Registry Realm"') == ("basic", {"realm": "Registry Realm"})
    assert parse_challenge("Bearer realm=https://ghcr.io/token,service=ghcr.io")[1] == {
        "realm": "https://ghcr.io/token", "service": "ghcr.io"}


def test_docker_hub_names() -> None:
    hub = parse_image("python")
    assert (hub.registry, hub.api_host, hub.repository, hub.tag) == (
        "docker.io", "registry-1.docker.io", "library/python", "latest")
    user = parse_image("docker.io/grafana/grafana:11.3.0")
    assert (user.api_host, user.repository, user.tag) == ("registry-1.docker.io", "grafana/grafana", "11.3.0")
    assert parse_image("index.docker.io/library/node:lts").repository == "library/node"
    assert credential_keys("docker.io")[0] == "https://index.docker.io/v1/"
    ghcr = parse_image("ghcr.io/acme/app@sha256:" + "a" * 64)
    assert (ghcr.api_host, ghcr.repository, ghcr.tag) == ("ghcr.io", "acme/app", "latest")


@pytest.mark.parametrize(("host", "loopback"), [
    ("localhost", True), ("localhost:5000", True), ("127.0.0.1:5000", True), ("127.8.9.1", True),
    ("[::1]:5000", True), ("registry.localhost:80", True), ("localhost.example.com", False),
    ("10.0.0.1:5000", False), ("ghcr.io", False), ("127.0.0.1.nip.io", False),
])
def test_loopback_is_decided_by_name(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_credentials_never_show_their_secrets() -> None:
    for creds in (Credentials("me", password="hunter2"), Credentials(identity_token="tok-123")):
        assert "hunter2" not in repr(creds) + str(creds) and "tok-123" not in repr(creds) + str(creds)


# -- HTTPS ------------------------------------------------------------------------------------


def _self_signed(tmp_path: Path, address: str) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and ``address`` signed by itself (PEM cert, PEM key)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "taglint test registry")])
    now = datetime.datetime.now(datetime.timezone.utc)
    addresses = [x509.IPAddress(ipaddress.ip_address(a)) for a in {"127.0.0.1", address}]
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(addresses), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@contextmanager
def tls_registry(tmp_path: Path) -> Iterator[tuple[str, Path, list[str]]]:
    """An HTTPS server on a non-loopback address with a self-signed certificate: (host, cert, paths seen)."""
    import ssl

    address = _non_loopback_address()
    cert, key = _self_signed(tmp_path, address)
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            seen.append(self.path)
            body = tags_body(["9.9.9"])
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("0.0.0.0", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"{address}:{httpd.server_address[1]}", cert, seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_https_is_verified_against_the_trust_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A self-signed registry is refused (no fallback to plain HTTP), and accepted once its CA is trusted."""
    with tls_registry(tmp_path) as (host, cert, seen):
        with pytest.raises(RegistryError, match="TLS certificate not trusted"):
            make_client(tmp_path / "a").tags(f"{host}/x/y")
        with pytest.raises(RegistryError, match="TLS certificate not trusted"):
            make_client(tmp_path / "b", insecure_hosts=(host,)).tags(f"{host}/x/y")  # still verified
        assert seen == []
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # read by the default context when the client is made
        client = make_client(tmp_path / "c")
        assert client.tags(f"{host}/x/y") == ["9.9.9"]
        assert client.transport.base_url(host) == f"https://{host}"
        assert seen == ["/v2/x/y/tags/list?n=1000"]


def test_https_goes_through_the_https_proxy_unless_no_proxy_names_the_host(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A CONNECT tunnel (TLS end to end, still verified) through HTTPS_PROXY; NO_PROXY bypasses it."""
    tunnels: list[str] = []
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            target.close()

    def proxy() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            request = b""
            while b"\r\n\r\n" not in request:
                request += client.recv(4096)
            line = request.split(b"\r\n", 1)[0].decode()
            tunnels.append(line)
            host, port = line.split()[1].rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)))
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()

    threading.Thread(target=proxy, daemon=True).start()
    try:
        with tls_registry(tmp_path) as (host, cert, seen):
            monkeypatch.setenv("SSL_CERT_FILE", str(cert))
            monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{listener.getsockname()[1]}")
            monkeypatch.delenv("NO_PROXY", raising=False)
            monkeypatch.delenv("no_proxy", raising=False)
            monkeypatch.delenv("https_proxy", raising=False)
            assert make_client(tmp_path / "a").tags(f"{host}/x/y") == ["9.9.9"]
            assert tunnels == [f"CONNECT {host} HTTP/1.0"]
            monkeypatch.setenv("NO_PROXY", host.split(":")[0])
            assert make_client(tmp_path / "b").tags(f"{host}/x/y") == ["9.9.9"]
            assert len(tunnels) == 1 and len(seen) == 2
    finally:
        listener.close()


def test_a_dropped_connection_is_retried(tmp_path: Path) -> None:
    """The first connection closes without an answer (a registry restarting); the retry gets the tags."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    handled: list[str] = []

    def run() -> None:
        while len(handled) < 2:
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)
                if not handled:
                    handled.append("dropped")
                    continue
                handled.append("answered")  # before answering: the client may check as soon as it has the answer
                body = tags_body(["1.0.0"])
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: " + str(len(body)).encode()
                                   + b"\r\nConnection: close\r\n\r\n" + body)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        client = make_client(tmp_path)
        client.transport.sleep = lambda _seconds: None
        client.transport._schemes[f"127.0.0.1:{port}"] = "http"  # skip the HTTPS probe
        assert client.tags(f"127.0.0.1:{port}/x/y") == ["1.0.0"]
    finally:
        listener.close()
    assert handled == ["dropped", "answered"]


# -- kept-alive connections ----------------------------------------------------------------------


@contextmanager
def keep_alive_server(drop_after_each: bool) -> Iterator[dict[str, int]]:
    """An HTTP/1.1 server counting connections; with ``drop_after_each`` it closes each connection
    after answering without saying so (as a server's idle timeout does)."""
    counts = {"connections": 0, "requests": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def setup(self) -> None:
            super().setup()
            counts["connections"] += 1

        def do_GET(self) -> None:  # noqa: N802
            counts["requests"] += 1
            body = tags_body([f"1.0.{counts['requests']}"])
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            if drop_after_each:
                self.close_connection = True

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    counts["port"] = httpd.server_address[1]
    try:
        yield counts
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_connections_are_kept_alive_and_reused() -> None:
    with keep_alive_server(drop_after_each=False) as counts:
        transport = Transport(timeout=5, retries=0)
        for _ in range(5):
            assert transport.request("GET", f"http://127.0.0.1:{counts['port']}/v2/x/y/tags/list", {}).status == 200
        transport.close()
    assert counts == {"connections": 1, "requests": 5, "port": counts["port"]}


def test_a_kept_alive_connection_the_server_closed_is_replaced() -> None:
    with keep_alive_server(drop_after_each=True) as counts:
        transport = Transport(timeout=5, retries=0)  # no retries: the replacement is not one
        bodies = [transport.request("GET", f"http://127.0.0.1:{counts['port']}/v2/x/y/tags/list", {}).body
                  for _ in range(3)]
        transport.close()
    assert [json.loads(body)["tags"] for body in bodies] == [["1.0.1"], ["1.0.2"], ["1.0.3"]]
    assert counts["connections"] == 3


def test_a_host_that_cannot_be_reached_is_not_asked_again_in_the_run(tmp_path: Path) -> None:
    """The registry stopped: the first look-up finds it refusing, the others fail at once, each with its notice."""
    from tests.registry_fixture import free_port

    host = f"127.0.0.1:{free_port()}"
    client = make_client(tmp_path, max_workers=1)
    opened: list[tuple] = []
    checkout = client.transport._checkout

    def counting(key: tuple, *args: Any) -> Any:
        opened.append(key)
        return checkout(key, *args)

    client.transport._checkout = counting  # type: ignore[method-assign]
    images = [f"{host}/team/app{n}:latest" for n in range(4)]
    results = client.pin_many(images)
    assert all(isinstance(results[i], RegistryError) and "cannot connect" in str(results[i]) for i in images)
    assert [str(results[i]).split(": ", 1)[0] for i in images] == images  # each reference named
    assert opened == [("https", host, None)]  # refused once; HTTPS refused means no plain-HTTP probe either
    assert "earlier in this run" in str(results[images[-1]])


@pytest.mark.parametrize("head_status", [405, 200])
def test_without_head_or_digest_header_the_manifest_bytes_are_hashed(tmp_path: Path, head_status: int) -> None:
    """A registry that refuses HEAD (405) or sends no Docker-Content-Digest: GET, and hash what came."""
    import hashlib

    manifest = b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}'

    def answer(request: BaseHTTPRequestHandler) -> Answer:
        if request.command == "HEAD":
            return head_status, {}, b""
        return 200, {"Content-Type": "application/vnd.oci.image.manifest.v1+json"}, manifest

    with serve(answer) as seen:
        client = make_client(tmp_path)
        digest = client.digest(f"127.0.0.1:{port_of(seen)}/x/y:1.0")
    assert digest == "sha256:" + hashlib.sha256(manifest).hexdigest()
    assert [r["method"] for r in requests_of(seen)][-2:] == ["HEAD", "GET"]
    assert client.disk.manifest(digest) == manifest  # kept by digest
