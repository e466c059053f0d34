"""Pins for GitHub Actions (TL301/TL302): the commit a ref names, by ``git ls-remote``."""
from __future__ import annotations


class RefLookupError(Exception):
    """The refs of an action repository could not be listed, or ``ref`` is not among them."""

    def __init__(self, reference: str, message: str) -> None:
        super().__init__(f"{reference}: {message}")
        self.reference = reference
        self.message = message


def action_pin(repository: str, ref: str, *, base_url: str = "https://github.com") -> tuple[str, str | None]:
    """(40-hex commit that ``ref`` names now, most specific version tag at that commit or None).

    Lists ``<base_url>/<repository>`` with ``git ls-remote`` (no shell, with
    a timeout); ``base_url`` may be a ``file://`` URL (tests use a local
    bare repository).  Raises :class:`RefLookupError` on failure.
    """
    raise NotImplementedError
