"""SHA-256 without paying for OpenSSL on a short run.

``hashlib`` loads OpenSSL's libcrypto when imported: some milliseconds, a
noticeable part of a one-file run that hashes a few hundred bytes (the
file's digest for ``--fix``, the key of the compiled rule cache).
CPython's own SHA-256 (``_sha256``, ``_sha2`` from 3.12) needs no shared
library but is several times slower per byte, so it hashes only the
first :data:`SMALL_RUN_BYTES`; past that, or once something else has
imported ``hashlib``, OpenSSL's is used.  Both give the same digests.
"""
from __future__ import annotations

import sys
from typing import Any, Callable

SMALL_RUN_BYTES = 512 * 1024  # about what CPython's SHA-256 hashes in the time hashlib takes to import

_builtin_bytes = 0


def _builtin_sha256() -> Callable[..., Any] | None:
    for name in ("_sha2", "_sha256"):
        module = sys.modules.get(name)
        if module is None:
            try:
                module = __import__(name)
            except ImportError:
                continue
        return getattr(module, "sha256", None)
    return None


def sha256(data: bytes = b"") -> Any:
    """A SHA-256 hash object holding ``data`` (``hashlib.sha256(data)``)."""
    global _builtin_bytes
    if "hashlib" not in sys.modules and _builtin_bytes + len(data) <= SMALL_RUN_BYTES:
        builtin = _builtin_sha256()
        if builtin is not None:
            _builtin_bytes += len(data)
            return builtin(data)
    import hashlib

    return hashlib.sha256(data)


def sha256_hex(data: bytes) -> str:
    """The hexadecimal SHA-256 of ``data``."""
    return str(sha256(data).hexdigest())
