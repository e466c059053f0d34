"""Registry credentials as Docker keeps them: ``config.json`` and credential helpers.

Read from ``$DOCKER_CONFIG/config.json`` (else ``~/.docker/config.json``):
``credHelpers`` (per host) first, then ``credsStore`` (every host), then the
``auths`` entry (``auth`` = base64 ``user:password``, or ``username`` /
``password``, or ``identitytoken``).  Helpers are the ``docker-credential-
NAME`` programs on ``PATH``, run with ``get`` and the server URL on stdin
(no shell, with a timeout).  Nothing is read until a registry asks for
credentials, and what is read is never logged, cached on disk or shown:
:class:`Credentials` hides its secrets from ``repr``.
"""
from __future__ import annotations

import base64
import binascii
import json
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from taglint.registry.names import DOCKER_HUB, DOCKER_HUB_CREDENTIAL_KEY, normalise_credential_key

HELPER_TIMEOUT = 15.0
HELPER_PREFIX = "docker-credential-"
TOKEN_USERNAME = "<token>"  # a helper's way of saying "Secret is an identity token"


@dataclass(frozen=True)
class Credentials:
    """A user name with a password, or an identity (refresh) token."""

    username: str = ""
    password: str = field(default="", repr=False)
    identity_token: str = field(default="", repr=False)

    def __repr__(self) -> str:
        kind = "identity token" if self.identity_token else "password"
        return f"Credentials(username={self.username!r}, {kind}=***)"

    __str__ = __repr__


def docker_config_dir(explicit: Path | None = None) -> Path:
    """``explicit``, else ``$DOCKER_CONFIG``, else ``~/.docker``."""
    if explicit is not None:
        return explicit
    env = os.environ.get("DOCKER_CONFIG")
    if env:
        return Path(env)
    try:
        return Path.home() / ".docker"
    except RuntimeError:  # no home folder: no Docker configuration either
        return Path(os.devnull)


class CredentialStore:
    """Credentials per registry host, looked up once per run and only when asked for."""

    def __init__(self, config_dir: Path | None = None, timeout: float = HELPER_TIMEOUT) -> None:
        self.config_dir = docker_config_dir(config_dir)
        self.timeout = timeout
        self._config: dict[str, Any] | None = None
        self._found: dict[str, Credentials | None] = {}
        self._lock = threading.Lock()

    def get(self, registry: str) -> Credentials | None:
        """The credentials for ``registry`` (``docker.io``, ``host:port``), or None for anonymous access."""
        with self._lock:
            if registry not in self._found:
                self._found[registry] = self._look_up(registry)
            return self._found[registry]

    def _look_up(self, registry: str) -> Credentials | None:
        config = self._load()
        helpers = config.get("credHelpers")
        if isinstance(helpers, dict):
            for key, helper in helpers.items():
                if normalise_credential_key(key) == registry and isinstance(helper, str):
                    return self._from_helper(helper, registry)
        store = config.get("credsStore")
        if isinstance(store, str) and store:
            found = self._from_helper(store, registry)
            if found is not None:
                return found
        auths = config.get("auths")
        if isinstance(auths, dict):
            for key, entry in auths.items():
                if normalise_credential_key(key) == registry and isinstance(entry, dict):
                    found = _from_auth_entry(entry)
                    if found is not None:
                        return found
        return None

    def _load(self) -> dict[str, Any]:
        if self._config is None:
            try:
                data = json.loads((self.config_dir / "config.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            self._config = data if isinstance(data, dict) else {}
        return self._config

    def _from_helper(self, helper: str, registry: str) -> Credentials | None:
        """``docker-credential-HELPER get``; None when it has nothing (or fails: then access is anonymous)."""
        if not helper.replace("-", "").replace("_", "").replace(".", "").isalnum():
            return None
        program = shutil.which(HELPER_PREFIX + helper)
        if program is None:
            return None
        server = DOCKER_HUB_CREDENTIAL_KEY if registry == DOCKER_HUB else registry
        try:
            done = subprocess.run(  # noqa: S603 - fixed argv, no shell
                [program, "get"], input=server.encode(), capture_output=True, timeout=self.timeout, check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        if done.returncode != 0:
            return None
        try:
            answer = json.loads(done.stdout.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        if not isinstance(answer, dict):
            return None
        username, secret = answer.get("Username"), answer.get("Secret")
        if not isinstance(username, str) or not isinstance(secret, str) or not secret:
            return None
        if username == TOKEN_USERNAME:
            return Credentials(identity_token=secret)
        return Credentials(username=username, password=secret)


def _from_auth_entry(entry: dict[str, Any]) -> Credentials | None:
    token = entry.get("identitytoken")
    if isinstance(token, str) and token:
        return Credentials(username=str(entry.get("username") or ""), identity_token=token)
    auth = entry.get("auth")
    if isinstance(auth, str) and auth:
        try:
            pair = base64.b64decode(auth, validate=False).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        username, sep, password = pair.partition(":")
        return Credentials(username=username, password=password) if sep else None
    username, password = entry.get("username"), entry.get("password")
    if isinstance(username, str) and isinstance(password, str) and username:
        return Credentials(username=username, password=password)
    return None
