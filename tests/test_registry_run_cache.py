"""Per-run cache and bounded concurrency of ``Registry.pin_many``, against a small counting server.

The server answers like a registry (``HEAD manifests/<tag>`` with a digest,
``tags/list``) and records how many requests were in flight at once and
which it received.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from taglint.registry import Pin, Registry, RegistryOptions

DIGESTS = {"latest": "sha256:" + "1" * 64, "2.0.1": "sha256:" + "1" * 64, "2.0": "sha256:" + "1" * 64,
           "1.9.0": "sha256:" + "2" * 64}


class CountingServer:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.deleted_tags: list[str] = []  # listed, but HEAD answers 404
        self.requests: list[tuple[str, str]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                with server._lock:
                    server.requests.append((self.command, self.path))
                    server.in_flight += 1
                    server.most_in_flight = max(server.most_in_flight, server.in_flight)
                time.sleep(server.delay)
                with server._lock:
                    server.in_flight -= 1
                if "/tags/list" in self.path:
                    body = json.dumps({"tags": list(DIGESTS) + server.deleted_tags}).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                tag = self.path.rsplit("/", 1)[1]
                if tag not in DIGESTS:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Docker-Content-Digest", DIGESTS[tag])
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_HEAD = _answer  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.host = f"127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server() -> Iterator[CountingServer]:
    running = CountingServer(delay=0.15)
    try:
        yield running
    finally:
        running.httpd.shutdown()
        running.httpd.server_close()


def _client(tmp_path: Path, server: CountingServer, **options: Any) -> Registry:
    client = Registry(RegistryOptions(cache_dir=tmp_path / "cache", docker_config=tmp_path / "d",
                                      use_disk_cache=False, **options))
    client.transport._schemes[server.host] = "http"  # skip the HTTPS probe: only API requests are counted
    return client


def test_pin_many_runs_at_most_max_workers_look_ups_at_once(server: CountingServer, tmp_path: Path) -> None:
    images = [f"{server.host}/team/app{n}" for n in range(8)]
    results = _client(tmp_path, server, max_workers=3).pin_many(images)
    assert all(isinstance(r, Pin) and r.version_tag == "2.0.1" for r in results.values())
    assert server.most_in_flight == 3  # parallel, and bounded


def test_the_run_cache_asks_each_question_once(server: CountingServer, tmp_path: Path) -> None:
    client = _client(tmp_path, server)
    first = client.pin(f"{server.host}/team/app")
    assert first == Pin(f"{server.host}/team/app", DIGESTS["latest"], "2.0.1")
    asked = list(server.requests)
    assert asked == [("HEAD", "/v2/team/app/manifests/latest"), ("GET", "/v2/team/app/tags/list?n=1000"),
                     ("HEAD", "/v2/team/app/manifests/2.0.1")]
    assert client.pin(f"{server.host}/team/app:latest").version_tag == "2.0.1"
    assert client.digest(f"{server.host}/team/app:2.0") == DIGESTS["2.0"]
    assert client.tags(f"{server.host}/team/app") == list(DIGESTS)
    assert server.requests == asked + [("HEAD", "/v2/team/app/manifests/2.0")]


def test_a_listed_tag_that_is_gone_is_skipped(server: CountingServer, tmp_path: Path) -> None:
    server.deleted_tags = ["2.0.9"]
    pin = _client(tmp_path, server).pin(f"{server.host}/team/app")
    assert pin.version_tag == "2.0.1"
    assert ("HEAD", "/v2/team/app/manifests/2.0.9") in server.requests
