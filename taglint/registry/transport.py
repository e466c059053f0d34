"""HTTP for the registry client: TLS always verified, timeouts, retries, redirects.

Standard library only (``http.client`` + ``ssl``; docs/decisions.md says
why).  Plain HTTP is used only for loopback hosts and hosts the user named
with ``--insecure-registry``, and only after HTTPS failed on them, as
Docker does.  Connections are kept alive and reused (a pin is a few
requests to one host); one the server closed meanwhile is replaced by a
new one.  A redirect never carries the ``Authorization`` header to another
host and never goes from HTTPS to plain HTTP on a host where plain HTTP is
not allowed.  Errors raised from here name the host and what went
wrong, never a header value.
"""
from __future__ import annotations

import email.utils
import http.client
import random
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass

from taglint.registry.names import host_name, is_loopback

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 60.0  # seconds; a registry asking for longer is reported, not waited for
MAX_REDIRECTS = 5
MAX_BODY = 16 * 1024 * 1024  # a manifest, token or tag list page is far smaller
MAX_IDLE_PER_HOST = 8  # kept-alive connections per host (pin_many runs a few threads)


class TransportError(Exception):
    """A request that got no usable answer; ``str()`` names the host, never a credential."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    url: str


class Transport:
    """Sends requests with the TLS rules, timeouts and retries of :class:`RegistryOptions`."""

    def __init__(self, timeout: float, retries: int, insecure_hosts: tuple[str, ...] = ()) -> None:
        self.timeout = timeout
        self.retries = retries
        self.insecure_hosts = frozenset(h.lower() for h in insecure_hosts)
        self._schemes: dict[str, str] = {}  # host -> "https" | "http", learnt this run
        self._idle: dict[tuple, list[http.client.HTTPConnection]] = {}  # kept-alive connections by host
        self._unreachable: dict[tuple[str, str], str] = {}  # (scheme, host) -> why, for the rest of the run
        self._lock = threading.Lock()
        self._tls = ssl.create_default_context()
        self.sleep = time.sleep  # tests may replace it to record waits

    # -- policy -----------------------------------------------------------------

    def plain_http_allowed(self, host: str) -> bool:
        """Loopback hosts (as Docker allows) and hosts named by ``--insecure-registry`` (with or without port)."""
        return (is_loopback(host) or host.lower() in self.insecure_hosts
                or host_name(host).lower() in self.insecure_hosts)

    def base_url(self, host: str) -> str:
        """``https://host``, or ``http://host`` once HTTPS failed on a host allowed plain HTTP."""
        with self._lock:
            return f"{self._schemes.get(host, 'https')}://{host}"

    # -- requests ---------------------------------------------------------------

    def registry_request(self, method: str, host: str, path: str, headers: dict[str, str]) -> Response:
        """A request to a registry API host, over HTTPS or (where allowed, after HTTPS failed) HTTP."""
        url = self.base_url(host) + path
        try:
            return self.request(method, url, headers)
        except TransportError as error:
            if not (url.startswith("https:") and self.plain_http_allowed(host)
                    and isinstance(error.__cause__, (ssl.SSLError, ConnectionResetError))):
                raise
            tls_error = error
        try:
            response = self.request(method, f"http://{host}{path}", headers, probe=True)
        except TransportError:
            raise tls_error from None  # the host speaks neither: the TLS failure says more
        with self._lock:
            self._schemes[host] = "http"
        return response

    def request(self, method: str, url: str, headers: dict[str, str], body: bytes | None = None,
                probe: bool = False) -> Response:
        """``method url`` with retries on 429/5xx and transient network errors, following redirects.

        A ``probe`` (plain HTTP tried after HTTPS failed) is not retried on
        network errors: a host that drops the connection is not speaking HTTP.
        """
        for _redirect in range(MAX_REDIRECTS + 1):
            response = self._with_retries(method, url, headers, body, 0 if probe else self.retries)
            if response.status not in (301, 302, 303, 307, 308) or "location" not in response.headers:
                return response
            target = urllib.parse.urljoin(url, response.headers["location"])
            headers = self._redirect_headers(url, target, headers)
            if response.status == 303:
                method, body = ("HEAD" if method == "HEAD" else "GET"), None
            url = target
        raise TransportError(f"{_host_of(url)}: too many redirects")

    def _redirect_headers(self, source: str, target: str, headers: dict[str, str]) -> dict[str, str]:
        old, new = urllib.parse.urlsplit(source), urllib.parse.urlsplit(target)
        if new.scheme not in ("https", "http"):
            raise TransportError(f"{old.netloc}: redirect to an unsupported URL scheme")
        if new.netloc.lower() != old.netloc.lower() or new.scheme != old.scheme:
            headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
        return headers

    def _with_retries(self, method: str, url: str, headers: dict[str, str], body: bytes | None,
                      network_retries: int) -> Response:
        attempt = 0
        while True:
            try:
                response = self._send(method, url, headers, body)
            except TransportError as error:
                transient = isinstance(error.__cause__, (TimeoutError, socket.timeout, ConnectionResetError,
                                                         http.client.RemoteDisconnected))
                if not transient or attempt >= network_retries:
                    if _unreachable(error.__cause__):
                        with self._lock:  # ask no more this run: each try would wait for the same failure
                            self._unreachable[(urllib.parse.urlsplit(url).scheme, _host_of(url))] = (
                                f"{error} (earlier in this run)")
                    raise
                self.sleep(_backoff(attempt))
                attempt += 1
                continue
            if response.status not in RETRY_STATUSES or attempt >= self.retries:
                return response
            wait = _retry_after(response.headers.get("retry-after"))
            if wait is None:
                wait = _backoff(attempt)
            elif wait > MAX_RETRY_AFTER:
                return response
            self.sleep(wait)
            attempt += 1

    def _send(self, method: str, url: str, headers: dict[str, str], body: bytes | None) -> Response:
        parts = urllib.parse.urlsplit(url)
        host = _host_of(url)
        if parts.scheme not in ("https", "http") or not parts.hostname or "@" in parts.netloc:
            raise TransportError(f"{host or 'a URL'}: unsupported URL (only http(s)://host/path)")
        if parts.scheme == "http" and not self.plain_http_allowed(host):
            raise TransportError(f"{host}: refusing plain HTTP (TLS is required except for loopback hosts "
                                 f"and hosts named with --insecure-registry)")
        with self._lock:
            unreachable = self._unreachable.get((parts.scheme, host))
        if unreachable is not None:
            raise TransportError(unreachable)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        proxy = _proxy_for(parts.scheme, host)
        key = (parts.scheme, host.lower(), proxy)
        while True:
            connection, reused = self._checkout(key, parts, proxy)
            try:
                connection.request(method, path, body=body, headers={"User-Agent": _user_agent(), **headers})
                raw = connection.getresponse()
                data = raw.read(MAX_BODY + 1)  # b"" for HEAD; reading ends the response either way
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as error:
                connection.close()
                if reused:
                    continue  # a kept-alive connection the server had closed: again on a new one
                raise _transport_error(host, error) from error
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                raise _transport_error(host, error) from error
            if len(data) > MAX_BODY:
                connection.close()
                raise TransportError(f"{host}: answer larger than {MAX_BODY} bytes")
            if raw.will_close or not raw.isclosed():
                connection.close()
            else:
                self._checkin(key, connection)
            return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, data, url)

    # -- connections --------------------------------------------------------------

    def _checkout(self, key: tuple, parts: urllib.parse.SplitResult,
                  proxy: tuple[str, int] | None) -> tuple[http.client.HTTPConnection, bool]:
        """An idle kept-alive connection for ``key`` (reused=True), else a new one."""
        with self._lock:
            idle = self._idle.get(key)
            if idle:
                return idle.pop(), True
        host, port = parts.hostname or "", parts.port
        if parts.scheme == "https":
            if proxy:
                connection = http.client.HTTPSConnection(proxy[0], proxy[1], timeout=self.timeout, context=self._tls)
                connection.set_tunnel(host, port or 443)
                return connection, False
            return http.client.HTTPSConnection(host, port, timeout=self.timeout, context=self._tls), False
        return http.client.HTTPConnection(host, port, timeout=self.timeout), False

    def _checkin(self, key: tuple, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < MAX_IDLE_PER_HOST:
                idle.append(connection)
                return
        connection.close()

    def close(self) -> None:
        """Close the kept-alive connections."""
        with self._lock:
            idle = [connection for connections in self._idle.values() for connection in connections]
            self._idle.clear()
        for connection in idle:
            connection.close()


def _transport_error(host: str, error: Exception) -> TransportError:
    """A :class:`TransportError` naming ``host`` and the kind of failure (never a header or body)."""
    if isinstance(error, ssl.SSLCertVerificationError):
        return TransportError(f"{host}: TLS certificate not trusted ({error.verify_message})")
    if isinstance(error, ssl.SSLError):
        return TransportError(f"{host}: TLS handshake failed ({error.reason or 'SSL error'})")
    reason = getattr(error, "strerror", None) or type(error).__name__
    return TransportError(f"{host}: cannot connect ({reason})")


def _unreachable(error: BaseException | None) -> bool:
    """A failure to reach the host at all (no DNS answer, refused, timed out), not one of TLS or HTTP."""
    return (isinstance(error, (socket.gaierror, ConnectionRefusedError, TimeoutError, socket.timeout))
            and not isinstance(error, ssl.SSLError))


def _proxy_for(scheme: str, netloc: str) -> tuple[str, int] | None:
    """The ``HTTPS_PROXY`` host and port for an HTTPS request (not for loopback or ``NO_PROXY`` hosts)."""
    if scheme != "https" or is_loopback(netloc):
        return None
    proxy = urllib.request.getproxies().get("https")
    if not proxy or urllib.request.proxy_bypass(netloc.split(":")[0]):
        return None
    parts = urllib.parse.urlsplit(proxy if "://" in proxy else "http://" + proxy)
    if not parts.hostname:
        return None
    return parts.hostname, parts.port or 3128


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds (a number or an HTTP date), None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _backoff(attempt: int) -> float:
    """0.5 s, 1 s, 2 s, … with a little jitter so parallel look-ups do not retry in step."""
    return min(8.0, 0.5 * (2 ** attempt)) * (1 + random.random() * 0.1)


def _host_of(url: str) -> str:
    """``host[:port]`` of ``url``, without any user information a URL may carry."""
    return urllib.parse.urlsplit(url).netloc.rpartition("@")[2]


def _user_agent() -> str:
    from taglint import __version__

    return f"taglint/{__version__}"
