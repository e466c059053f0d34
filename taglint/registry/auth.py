"""Registry auth: ``WWW-Authenticate`` challenges, bearer tokens, basic auth.

The flow Docker Hub, GHCR, Quay and the Distribution registry share: a
request answered 401 with ``Bearer realm="…",service="…",scope="…"`` is
sent again with a token from the realm (``GET realm?service=…&scope=…``,
anonymous or with basic credentials; with an identity token, the OAuth2
``POST grant_type=refresh_token``).  A ``Basic`` challenge gets the
credentials directly.  Tokens are kept for the run, per realm, service and
scope, until shortly before they expire; never written to disk.
"""
from __future__ import annotations

import base64
import json
import re
import threading
import time
import urllib.parse

from taglint.registry.credentials import Credentials
from taglint.registry.transport import Transport, TransportError

_PARAM = re.compile(r'\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?')
DEFAULT_TOKEN_LIFETIME = 60.0
CLIENT_ID = "taglint"


class AuthError(Exception):
    """Credentials refused or a token service that did not answer; never holds a secret."""


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """``Bearer realm="x",service="y"`` -> (``"bearer"``, ``{"realm": "x", "service": "y"}``)."""
    scheme, _, rest = header.strip().partition(" ")
    params: dict[str, str] = {}
    position = 0
    while position < len(rest):
        match = _PARAM.match(rest, position)
        if not match or match.end() == position:
            break
        value = match.group(2) if match.group(2) is not None else match.group(3)
        params[match.group(1).lower()] = re.sub(r"\\(.)", r"\1", value)
        position = match.end()
    return scheme.lower(), params


def basic_header(credentials: Credentials) -> str:
    pair = f"{credentials.username}:{credentials.password}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


class Authenticator:
    """Answers a challenge with an ``Authorization`` header value, caching bearer tokens for the run."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self._tokens: dict[tuple[str, str, str, bool], tuple[str, float]] = {}
        self._lock = threading.Lock()

    def cached(self, realm_key: tuple[str, str, str, bool]) -> str | None:
        with self._lock:
            found = self._tokens.get(realm_key)
        if found and found[1] > time.monotonic():
            return "Bearer " + found[0]
        return None

    def authorization(self, challenge: str, scope: str, credentials: Credentials | None) -> tuple[str, tuple | None]:
        """The header value answering ``challenge``, and the token cache key it came from (None for basic)."""
        scheme, params = parse_challenge(challenge)
        if scheme == "basic":
            if credentials is None or credentials.identity_token or not credentials.username:
                raise AuthError("the registry wants a user name and password (docker login)")
            return basic_header(credentials), None
        if scheme != "bearer" or not params.get("realm"):
            raise AuthError(f"unsupported auth challenge '{scheme}'")
        scope = params.get("scope") or scope
        key = (params["realm"], params.get("service", ""), scope, credentials is not None)
        cached = self.cached(key)
        if cached:
            return cached, key
        token, lifetime = self._fetch_token(params["realm"], params.get("service", ""), scope, credentials)
        with self._lock:
            self._tokens[key] = (token, time.monotonic() + max(5.0, lifetime - 5.0))
        return "Bearer " + token, key

    def _fetch_token(self, realm: str, service: str, scope: str, credentials: Credentials | None) -> tuple[str, float]:
        query = {"service": service, "scope": scope} if service else {"scope": scope}
        try:
            if credentials is not None and credentials.identity_token:
                form = urllib.parse.urlencode({
                    "grant_type": "refresh_token", "refresh_token": credentials.identity_token,
                    "client_id": CLIENT_ID, **query,
                }).encode()
                response = self.transport.request(
                    "POST", realm, {"Content-Type": "application/x-www-form-urlencoded"}, form,
                )
            else:
                headers = {"Accept": "application/json"}
                if credentials is not None and credentials.username:
                    headers["Authorization"] = basic_header(credentials)
                joiner = "&" if "?" in realm else "?"
                response = self.transport.request("GET", realm + joiner + urllib.parse.urlencode(query), headers)
        except TransportError as error:
            raise AuthError(f"token service: {error}") from None
        service_host = urllib.parse.urlsplit(realm).netloc
        if response.status in (401, 403):
            raise AuthError(f"the token service {service_host} refused the credentials (HTTP {response.status})")
        if response.status != 200:
            raise AuthError(f"the token service {service_host} answered HTTP {response.status}")
        try:
            answer = json.loads(response.body)
        except ValueError:
            raise AuthError(f"the token service {service_host} sent no JSON") from None
        token = answer.get("token") or answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise AuthError(f"the token service {service_host} sent no token")
        lifetime = answer.get("expires_in")
        return token, float(lifetime) if isinstance(lifetime, (int, float)) and lifetime > 0 else DEFAULT_TOKEN_LIFETIME
