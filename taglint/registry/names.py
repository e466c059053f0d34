"""Where an image lives: registry host, API host and repository, by the reference grammar."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from taglint.registry.types import RegistryError

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
# The key Docker's own tools store Docker Hub credentials under.
DOCKER_HUB_CREDENTIAL_KEY = "https://index.docker.io/v1/"
DEFAULT_TAG = "latest"


@dataclass(frozen=True)
class ImageName:
    """An image reference taken apart for the distribution API.

    ``registry`` is the host as Docker names it (``docker.io``,
    ``localhost:5000``); ``api_host`` the host the API is on
    (``registry-1.docker.io`` for Docker Hub); ``repository`` the path with
    ``library/`` for official images; ``tag`` is ``latest`` when none is written.
    """

    written: str
    registry: str
    api_host: str
    repository: str
    tag: str
    digest: str | None

    @property
    def key(self) -> str:
        """``registry/repository``: what caches are keyed by."""
        return f"{self.registry}/{self.repository}"


def parse_image(image: str) -> ImageName:
    """``image`` as an :class:`ImageName`; a :class:`RegistryError` when it breaks the grammar."""
    from taglint.reference import ReferenceError, parse_reference

    try:
        ref = parse_reference(image)
    except ReferenceError as error:
        raise RegistryError(image, f"not an image reference: {error.message}") from None
    api_host = DOCKER_HUB_API if ref.domain == DOCKER_HUB else ref.domain
    return ImageName(
        written=image,
        registry=ref.domain,
        api_host=api_host,
        repository=ref.path,
        tag=ref.tag or DEFAULT_TAG,
        digest=ref.digest,
    )


def host_name(host: str) -> str:
    """``host`` without its port (``[::1]:5000`` -> ``::1``)."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        return host.split(":", 1)[0]
    return host


def is_loopback(host: str) -> bool:
    """Whether ``host`` (with or without port) names this machine: ``localhost`` or a loopback address.

    Decided by name, without a DNS look-up, so the answer cannot be steered
    by a resolver.
    """
    name = host_name(host).lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def credential_keys(registry: str) -> list[str]:
    """The ``auths`` keys Docker may have stored ``registry``'s credentials under, best first."""
    if registry == DOCKER_HUB:
        return [DOCKER_HUB_CREDENTIAL_KEY, "index.docker.io", "docker.io", "registry-1.docker.io"]
    return [registry, f"https://{registry}", f"http://{registry}"]


def normalise_credential_key(key: str) -> str:
    """An ``auths``/``credHelpers`` key as a bare host (``https://host/v1/`` -> ``host``)."""
    if "://" in key:
        key = key.split("://", 1)[1]
    host = key.split("/", 1)[0]
    if host in ("index.docker.io", "registry-1.docker.io"):
        return DOCKER_HUB
    return host
