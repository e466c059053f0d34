"""What image publishers do with their tags (``taglint/data/publishers.yaml``):
repositories that publish no version tags, and references whose moving
major-version tag is the recommended form."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from taglint.globs import matches_exact

_DATA_FILE = "publishers.yaml"


@dataclass(frozen=True)
class Publishers:
    unversioned: tuple[str, ...] = ()  # globs over canonical names
    floating_by_design: tuple[tuple[str, str], ...] = ()  # (canonical name, context)

    def unversioned_publisher(self, canonical_name: str) -> str | None:
        """The publisher (the glob without its ``/**``) when ``canonical_name``
        belongs to one that publishes no version tags."""
        for glob in self.unversioned:
            if matches_exact(canonical_name, glob):
                return glob.split("*", 1)[0].rstrip("/")
        return None

    def floats_by_design(self, canonical_name: str, context: str) -> bool:
        return (canonical_name, context) in self.floating_by_design


def _from_mapping(data: Any) -> Publishers:
    return Publishers(
        unversioned=tuple(str(g) for g in data.get("unversioned", ())),
        floating_by_design=tuple(
            (str(item["name"]), str(item["context"])) for item in data.get("floating-by-design", ())
        ),
    )


@lru_cache(maxsize=1)
def publishers() -> Publishers:
    """The shipped publisher facts (loaded once, on first use)."""
    from taglint.rule_cache import shipped_data  # compiled once: no YAML parse per start

    return _from_mapping(shipped_data(_DATA_FILE) or {})
