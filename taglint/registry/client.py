"""The registry client behind ``--resolve``."""
from __future__ import annotations

from collections.abc import Iterable

from taglint.registry.types import Pin, RegistryError, RegistryOptions


class Registry:
    """Answers about images from their registries, with a per-run and a disk cache.

    Thread-safe: :meth:`pin_many` runs look-ups on ``options.max_workers``
    threads.  Every method raises :class:`RegistryError` (never another
    exception) when a registry cannot answer.
    """

    def __init__(self, options: RegistryOptions) -> None:
        self.options = options

    def digest(self, image: str) -> str:
        """The current digest of ``image``'s tag (``latest`` when it has none)."""
        raise NotImplementedError

    def manifest_exists(self, image: str, digest: str) -> bool:
        """Whether ``image``'s repository holds a manifest with ``digest``."""
        raise NotImplementedError

    def tags(self, repository: str) -> list[str]:
        """Every tag of ``repository`` (an image name, tag ignored), all pages."""
        raise NotImplementedError

    def pin(self, image: str) -> Pin:
        """The digest of ``image``'s tag and the most specific version tag sharing it."""
        raise NotImplementedError

    def pin_many(self, images: Iterable[str]) -> dict[str, Pin | RegistryError]:
        """:meth:`pin` for each distinct image, ``options.max_workers`` at a time."""
        raise NotImplementedError

    def close(self) -> None:
        """Close open connections."""
