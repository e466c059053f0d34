"""``--format html``: one self-contained page.  Static checks (nothing
loaded from anywhere, everything from scanned files escaped) and, in real
headless Chromium driven over the DevTools protocol: the page loads with no
console error and no request, the filters work (from the controls and from
the address's fragment), and a screenshot is taken (``docs/images/html-report.png``,
refreshed with ``TAGLINT_UPDATE_SCREENSHOT=1``).

Chromium is the Debian package ``chromium`` (``.ci/run`` installs it).
Without it these tests skip, except under ``CI=true``, where they fail."""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from taglint.cli import main

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "tests" / "golden" / "project"
SCREENSHOT = ROOT / "docs" / "images" / "html-report.png"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def report(tmp_path, monkeypatch) -> Path:
    """The HTML report of the golden project (14 findings in 5 files)."""
    monkeypatch.chdir(PROJECT)
    out = tmp_path / "report.html"
    assert main(["--no-config", "--format", "html", "--output", str(out), "."]) == 1
    return out


# -- the page itself -----------------------------------------------------------------


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.tags


def test_page_loads_nothing_from_anywhere(report):
    html = report.read_text(encoding="utf-8")
    tags = _elements(html)
    assert not re.search(r"<script[^>]+src|<link[^>]+href|<img|<iframe|@import|url\(", html, re.I)
    assert [t for t, a in tags if t in ("script", "style")] == ["style", "script"]
    # the only URLs are links to the rule docs, in <a href> attributes
    links = [a["href"] for t, a in tags if t == "a" and (a.get("href") or "").startswith("http")]
    assert links and all(link.startswith("https://github.com/taglint/taglint/blob/main/docs/rules.md#") for link in links)
    without_links = html
    for link in links:
        without_links = without_links.replace(f'href="{link}"', "")
    assert re.findall(r"https?://", without_links) == []
    # and the policy forbids everything but the page's own style and script
    (policy,) = [a["content"] for t, a in tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert policy.startswith("default-src 'none'; style-src 'sha256-")
    assert "script-src 'sha256-" in policy and "unsafe" not in policy


def test_page_has_charts_files_findings_and_fixes(report):
    html = report.read_text(encoding="utf-8")
    tags = _elements(html)
    findings = [a for t, a in tags if t == "article"]
    assert len(findings) == 14
    assert {a["data-severity"] for a in findings} == {"error", "warning", "info"}
    assert [a["data-path"] for t, a in tags if t == "section" and "data-path" in a] == sorted(
        ["app/Dockerfile", "deploy/app.yaml", "scripts/release.sh", "tools/prod.dockerfile", ".github/workflows/ci.yml"]
    )
    assert [t for t, _ in tags].count("svg") == 3
    for caption in ("Findings by severity", "Findings by rule", "Findings by file kind"):
        assert f"<figcaption>{caption}</figcaption>" in html
    assert '<span class="kind">kubernetes</span>' in html
    # a code frame with the span marked, and the suggested change of the TL208 fix
    assert "image: <mark>nginx:latest</mark>" in html
    # (the password, a secret, is masked in the frame and in the change alike)
    assert '<span class="del">- docker login -u ci -p *** registry.example.com</span>' in html
    assert ("<span class=\"add\">+ printf &#x27;%s&#x27; &#x27;***&#x27; | docker login -u ci "
            "--password-stdin registry.example.com</span>") in html
    assert "hunter2" not in html


def test_text_from_scanned_files_is_escaped(tmp_path, monkeypatch):
    manifest = tmp_path / "pod.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n"
        "    - name: x\n      image: \"evil<script>alert(1)</script>\\u001b[31m\"\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "r.html"
    assert main(["--no-config", "--fail-on", "info", "--format", "html", "-o", str(out), "."]) == 1
    html = out.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\x1b" not in html
    assert html.count("<script>") == 1


def test_a_clean_scan_says_so(tmp_path, monkeypatch, capsys):
    (tmp_path / "Dockerfile").write_text("FROM python:3.12.7-slim\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["--no-config", "--format", "html", "."]) == 0
    html = capsys.readouterr().out
    assert '<p class="clean">No findings.</p>' in html and "No findings in 1 file." in html


def test_long_lines_are_shown_as_a_window_around_the_span(tmp_path, monkeypatch, capsys):
    padding = "x" * 5000
    (tmp_path / "Dockerfile").write_text(f"FROM python AS {padding}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    main(["--no-config", "--format", "html", "."])
    html = capsys.readouterr().out
    assert "<mark>python</mark>" in html and padding not in html


# -- in Chromium ---------------------------------------------------------------------


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    message = "Chromium is not installed (Debian package `chromium`; .ci/run installs it)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


class DevTools:
    """A Chromium browser driven over ``--remote-debugging-pipe``: requests
    and replies as JSON messages ending in a NUL byte, on file descriptors
    3 (to the browser) and 4 (from it)."""

    def __init__(self, binary: str, profile: Path) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire() -> None:  # in the child: the pipe ends on fds 3 and 4 (inheritable)
            import fcntl

            # moved above 4 first: either end may itself be fd 3 or 4
            high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--disable-default-apps", "--hide-scrollbars", "--window-size=1200,900",
             f"--user-data-dir={profile}", "--remote-debugging-pipe"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire, close_fds=False,  # fds 3 and 4 stay open; the others are close-on-exec
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    def _read_message(self, timeout: float) -> dict[str, Any]:
        import select

        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_browser], [], [], timeout)
            if not ready:
                raise TimeoutError("no message from Chromium")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise EOFError("Chromium closed the pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)  # type: ignore[no-any-return]

    def send(self, method: str, params: dict[str, Any] | None = None, *, session: bool = True,
             timeout: float = 30) -> dict[str, Any]:
        self._next_id += 1
        request: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            request["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(request).encode() + b"\0")
        while True:
            message = self._read_message(timeout)
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})  # type: ignore[no-any-return]
            self.events.append(message)

    def wait_for(self, method: str, timeout: float = 30) -> dict[str, Any]:
        for event in self.events:
            if event.get("method") == method:
                self.events.remove(event)
                return event
        while True:
            message = self._read_message(timeout)
            if message.get("method") == method:
                return message
            self.events.append(message)

    def open(self, url: str) -> None:
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)[
            "sessionId"]
        for domain in ("Runtime", "Log", "Page", "Network"):
            self.send(f"{domain}.enable")
        self.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        reply = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in reply:
            raise AssertionError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions, browser log errors
        (a Content-Security-Policy violation is one)."""
        self.evaluate("1")  # let pending events arrive
        out = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                out.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                out.append(f"exception: {params.get('exceptionDetails')}")
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
                out.append(f"log: {params['entry'].get('text')}")
        return out

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def screenshot(self) -> bytes:
        metrics = self.send("Page.getLayoutMetrics")
        height = min(1500, int(metrics["cssContentSize"]["height"]))
        shot = self.send("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": 1200, "height": height, "scale": 1},
        })
        return base64.b64decode(shot["data"])

    def close(self) -> None:
        try:
            self.send("Browser.close", session=False, timeout=10)
        except (OSError, EOFError, TimeoutError, RuntimeError):
            pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


@pytest.fixture
def browser(tmp_path):
    devtools = DevTools(_chromium(), tmp_path / "profile")
    try:
        yield devtools
    finally:
        devtools.close()


VISIBLE = "document.querySelectorAll('article.finding:not([hidden])').length"
VISIBLE_FILES = "Array.from(document.querySelectorAll('section.file:not([hidden])')).map(s => s.dataset.path)"


def _choose(browser: DevTools, select: str, value: str) -> None:
    browser.evaluate(
        f"(() => {{ const s = document.getElementById({json.dumps(select)}); s.value = {json.dumps(value)};"
        " s.dispatchEvent(new Event('change')); })()"
    )


def test_page_loads_without_errors_or_requests(browser, report):
    url = report.as_uri()
    browser.open(url)
    assert browser.problems() == []
    assert browser.requests() == [url]
    assert browser.evaluate(VISIBLE) == 14
    assert browser.evaluate("document.getElementById('shown').textContent") == "Showing 14 of 14 findings"


def test_filters_by_rule_and_severity(browser, report):
    browser.open(report.as_uri())
    _choose(browser, "filter-rule", "TL101")
    assert browser.evaluate(VISIBLE) == 2
    assert browser.evaluate(VISIBLE_FILES) == ["app/Dockerfile", "deploy/app.yaml"]
    assert browser.evaluate("location.hash") == "#rule=TL101"
    _choose(browser, "filter-rule", "")
    _choose(browser, "filter-severity", "error")
    assert browser.evaluate(VISIBLE) == 3
    assert browser.evaluate(VISIBLE_FILES) == ["app/Dockerfile", "scripts/release.sh"]
    _choose(browser, "filter-rule", "TL208")
    assert browser.evaluate(VISIBLE) == 1
    assert browser.evaluate("location.hash") == "#rule=TL208&severity=error"
    _choose(browser, "filter-severity", "info")
    assert browser.evaluate(VISIBLE) == 0
    assert browser.evaluate(VISIBLE_FILES) == []
    assert browser.evaluate("document.getElementById('shown').textContent") == "Showing 0 of 14 findings"
    assert browser.problems() == []


def test_the_fragment_applies_a_filter_on_load_and_chart_links_set_it(browser, report):
    browser.open(report.as_uri() + "#severity=warning")
    assert browser.evaluate(VISIBLE) == 8
    assert browser.evaluate("document.getElementById('filter-severity').value") == "warning"
    # a bar label of the rule chart is a link to its filter
    browser.evaluate("document.querySelector('svg a[href=\"#rule=TL102\"]').dispatchEvent("
                     "new MouseEvent('click', {bubbles: true}))")
    browser.evaluate("new Promise(r => setTimeout(r, 50))")
    assert browser.evaluate("location.hash") == "#rule=TL102"
    assert browser.evaluate(VISIBLE) == 1
    # an unknown rule in the fragment shows everything
    browser.evaluate("location.hash = 'rule=TL999'")
    browser.evaluate("new Promise(r => setTimeout(r, 50))")
    assert browser.evaluate(VISIBLE) == 14
    assert browser.problems() == []


def test_screenshot_for_the_docs(browser, report, tmp_path):
    browser.open(report.as_uri())
    png = browser.screenshot()
    assert png.startswith(PNG_MAGIC)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width == 1200 and height > 900
    assert len(png) > 20_000  # a page with content, not a blank one
    if os.environ.get("TAGLINT_UPDATE_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.write_bytes(png)
    assert SCREENSHOT.read_bytes().startswith(PNG_MAGIC)  # the docs show one
