"""The closest known word to one a user typed, for "did you mean …?" hints."""
from __future__ import annotations

from typing import Iterable


def closest(word: str, known: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The known word most like ``word`` (None when nothing is close)."""
    import difflib  # here: only a mistyped word pays for it

    found = difflib.get_close_matches(word, list(known), n=1, cutoff=cutoff)
    return found[0] if found else None

