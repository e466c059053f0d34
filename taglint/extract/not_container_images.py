"""Known Kubernetes schemas whose image keys are not container images.

The list is data (``taglint/data/not_container_images.yaml``): Ceph RBD
volumes, machine and VM images, policy patterns...  :func:`skips_for` gives,
for one object's API group and kind, what the manifest walker leaves out.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping

DATA_FILE = "not_container_images.yaml"


@dataclass(frozen=True)
class Skips:
    """What to leave out of one object: all of it, or the subtrees under
    ``under`` keys and the (lower-case) ``keys``."""

    whole: bool = False
    under: frozenset[str] = frozenset()
    keys: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Entry:
    group: str | None  # None: any group
    kinds: frozenset[str] | None  # None: any kind
    under: frozenset[str]
    keys: frozenset[str]  # lower-case

    def applies(self, group: str, kind: str) -> bool:
        return (self.group is None or self.group == group) and (self.kinds is None or kind in self.kinds)


def parse_entries(data: Mapping[str, Any]) -> tuple[Entry, ...]:
    """The entries of the data file's structure (``entries: [...]``)."""
    entries = []
    for raw in data.get("entries") or ():
        kinds = raw.get("kinds")
        entries.append(Entry(
            group=raw.get("group"),
            kinds=frozenset(kinds) if kinds is not None else None,
            under=frozenset(raw.get("under") or ()),
            keys=frozenset(str(key).lower() for key in raw.get("keys") or ()),
        ))
    return tuple(entries)


def combine(entries: Iterable[Entry], group: str, kind: str) -> Skips:
    """What every entry that applies to ``group``/``kind`` skips, together."""
    under: set[str] = set()
    keys: set[str] = set()
    for entry in entries:
        if not entry.applies(group, kind):
            continue
        if not entry.under and not entry.keys:
            return Skips(whole=True)
        under |= entry.under
        keys |= entry.keys
    return Skips(under=frozenset(under), keys=frozenset(keys))


@lru_cache(maxsize=1)
def shipped_entries() -> tuple[Entry, ...]:
    import importlib.resources

    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    text = importlib.resources.files("taglint").joinpath("data", DATA_FILE).read_text("utf-8")
    return parse_entries(yaml.load(text, Loader=loader))


def api_group(api_version: str) -> str:
    """The API group of an ``apiVersion`` (``apps/v1`` → ``apps``; the core
    group, ``v1``, is "")."""
    return api_version.rsplit("/", 1)[0] if "/" in api_version else ""


@lru_cache(maxsize=4096)
def skips_for(group: str, kind: str) -> Skips:
    """What the shipped list skips in an object of ``group``/``kind``."""
    return combine(shipped_entries(), group, kind)
