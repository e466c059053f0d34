"""Regular expressions compiled on first use.

Compiling a pattern costs tens to thousands of microseconds (case-folded
alternations the most); a module that holds patterns for inputs most runs
never meet (URL passwords, Docker ``auths`` in Kubernetes Secrets) would
pay for them at every start (issue 13).  :class:`LazyPattern` compiles on
the first attribute looked up, then keeps the compiled pattern's methods
as its own attributes, so later calls cost what a compiled pattern's do.
"""
from __future__ import annotations

import re
from typing import Any

# What callers use of a pattern; copied onto the instance once compiled.
_KEPT = ("match", "fullmatch", "search", "finditer", "findall", "sub", "subn", "split", "pattern", "flags",
         "groups", "groupindex")


class LazyPattern:
    """``re.compile(pattern, flags)``, done when first used."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source = (pattern, flags)

    def compiled(self) -> re.Pattern[str]:
        """The compiled pattern (compiled now if not yet)."""
        return re.compile(*self._source)  # re's own cache makes a second call cheap

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes not set yet: compile, keep the methods.
        if name.startswith("__") or name == "_source":
            raise AttributeError(name)
        compiled = self.compiled()
        for kept in _KEPT:
            setattr(self, kept, getattr(compiled, kept))
        return getattr(compiled, name)

    def __reduce__(self) -> tuple[type[LazyPattern], tuple[str, int]]:
        return LazyPattern, self._source  # pickled as its source: compiled again where used

    def __repr__(self) -> str:
        return f"LazyPattern({self._source[0]!r}, {self._source[1]!r})"
