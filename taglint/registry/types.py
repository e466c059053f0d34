"""The values the registry client hands out: options, pins and its error.

Kept apart from the client so the fixes (``taglint/fix``) can name them
without pulling in the HTTP code, and so every module of this package can
import them without an import cycle.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RegistryOptions:
    """How ``--resolve`` talks to registries.

    ``insecure_hosts`` are the hosts named by ``--insecure-registry HOST``:
    plain HTTP is allowed for them (and always for loopback hosts, as Docker
    allows), after HTTPS failed.  ``refresh`` ignores cached tag -> digest
    answers and tag lists (a digest's manifest never changes, so those stay).
    ``cache_dir`` defaults to ``$TAGLINT_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/taglint``, else ``~/.cache/taglint``;
    ``docker_config`` to ``$DOCKER_CONFIG``, else ``~/.docker``.
    ``max_candidates`` bounds the version tags a pin asks about;
    ``use_disk_cache=False`` keeps answers for the run only.
    """

    insecure_hosts: tuple[str, ...] = ()
    refresh: bool = False
    cache_dir: Path | None = None
    docker_config: Path | None = None
    timeout: float = 10.0
    retries: int = 3
    max_workers: int = 4
    tag_ttl: float = 24 * 3600
    max_candidates: int = 20  # version tags HEADed at most per pin
    use_disk_cache: bool = True


class RegistryError(Exception):
    """A registry that cannot answer for one reference.

    ``str()`` is one sentence naming the reference and what went wrong; it
    never holds a credential, a token or a response body.
    """

    def __init__(self, reference: str, message: str) -> None:
        super().__init__(f"{reference}: {message}")
        self.reference = reference
        self.message = message


@dataclass(frozen=True)
class Pin:
    """What a floating reference points at now.

    ``image`` is the reference asked about, as the user wrote it;
    ``digest`` the ``sha256:…`` its tag points to (the index digest for a
    multi-arch image); ``version_tag`` the most specific version tag with
    the same digest and the same variant (``latest`` -> ``3.13.1``,
    ``3.12-slim`` -> ``3.12.7-slim``), or None when no version tag shares it.
    """

    image: str
    digest: str
    version_tag: str | None
