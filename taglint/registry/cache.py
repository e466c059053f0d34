"""The on-disk cache of registry answers, so a repeated ``--resolve`` run opens no socket.

Under ``<cache dir>/registry-v1/``:

* ``manifests/<algorithm>/<hex>`` — a manifest by digest, kept forever (a
  digest names its content; the content is checked against it on read);
* ``tags/<sha256 of registry/repository:tag>.json`` — the digest a tag
  pointed to and when that was learnt, trusted for ``tag_ttl`` seconds;
* ``lists/<sha256 of registry/repository>.json`` — a repository's tag list,
  with the same time limit.

Only public facts are stored (names, digests, tags), never a credential or
token.  Files are written by :mod:`taglint.safewrite` (a temporary file
renamed over the entry: atomic, never through a planted link); an
entry that cannot be read or parsed, or does not match its key, is ignored
and written again.  The folder is created private (0700).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import time
from pathlib import Path
from typing import Any

LAYOUT = "registry-v1"
_DIGEST = re.compile(r"(sha256|sha384|sha512):([a-f0-9]{64,128})")


def default_cache_dir() -> Path:
    """``$TAGLINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/taglint``, else ``~/.cache/taglint``."""
    explicit = os.environ.get("TAGLINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "taglint"


class DiskCache:
    """Reads and writes cache entries; every failure to read or write is silent (a cache miss)."""

    def __init__(self, root: Path | None, enabled: bool = True) -> None:
        try:
            base = root or default_cache_dir()
        except RuntimeError:  # no home folder to put it in: run without a disk cache
            base, enabled = Path("."), False
        self.root = base / LAYOUT
        self.enabled = enabled

    # -- manifests by digest ------------------------------------------------------

    def manifest(self, digest: str) -> bytes | None:
        path = self._manifest_path(digest)
        if path is None:
            return None
        data = _read(path)
        if data is None or _digest_of(data, digest.split(":", 1)[0]) != digest:
            return None
        return data

    def put_manifest(self, digest: str, body: bytes) -> None:
        path = self._manifest_path(digest)
        if path is not None and _digest_of(body, digest.split(":", 1)[0]) == digest:
            self._write(path, body)

    # -- tag -> digest, tag lists -----------------------------------------------------

    def tag_digest(self, key: str, ttl: float) -> str | None:
        entry = self._entry("tags", key, ttl)
        digest = entry.get("digest") if entry else None
        return digest if isinstance(digest, str) and _DIGEST.fullmatch(digest) else None

    def put_tag_digest(self, key: str, digest: str) -> None:
        self._put_entry("tags", key, {"digest": digest})

    def tag_list(self, key: str, ttl: float) -> list[str] | None:
        entry = self._entry("lists", key, ttl)
        tags = entry.get("tags") if entry else None
        if isinstance(tags, list) and all(isinstance(tag, str) for tag in tags):
            return tags
        return None

    def put_tag_list(self, key: str, tags: list[str]) -> None:
        self._put_entry("lists", key, {"tags": tags})

    # -- files ------------------------------------------------------------------------

    def _manifest_path(self, digest: str) -> Path | None:
        match = _DIGEST.fullmatch(digest)
        if not self.enabled or not match:
            return None
        return self.root / "manifests" / match.group(1) / match.group(2)

    def _entry_path(self, folder: str, key: str) -> Path:
        return self.root / folder / (hashlib.sha256(key.encode()).hexdigest() + ".json")

    def _entry(self, folder: str, key: str, ttl: float) -> dict[str, Any] | None:
        if not self.enabled:
            return None
        data = _read(self._entry_path(folder, key))
        if data is None:
            return None
        try:
            entry = json.loads(data)
        except ValueError:
            return None
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        learnt = entry.get("time")
        if not isinstance(learnt, (int, float)) or not (0 <= time.time() - learnt <= ttl):
            return None
        return entry

    def _put_entry(self, folder: str, key: str, values: dict[str, Any]) -> None:
        if self.enabled:
            body = json.dumps({"key": key, "time": time.time(), **values}, sort_keys=True).encode()
            self._write(self._entry_path(folder, key), body)

    def _write(self, path: Path, data: bytes) -> None:
        """Through :mod:`taglint.safewrite`: a temporary file renamed over the entry, never through a link."""
        from taglint.safewrite import write_file

        try:
            if not path.parent.is_dir():
                self.root.parent.mkdir(parents=True, exist_ok=True)
                folder = self.root
                folder.mkdir(exist_ok=True, mode=0o700)  # private: it names private images too
                for part in path.parent.relative_to(self.root).parts:
                    folder = folder / part
                    folder.mkdir(exist_ok=True, mode=0o700)
            write_file(path, data)
        except OSError:
            pass  # a cache that cannot be written costs a request next time, nothing more


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _digest_of(data: bytes, algorithm: str) -> str | None:
    try:
        return f"{algorithm}:" + hashlib.new(algorithm, data).hexdigest()
    except ValueError:
        return None
