"""The registry client behind ``--resolve``: the OCI distribution API, cached.

Requests (``/v2/<repository>/…`` on the registry's API host):

* ``HEAD manifests/<tag>`` with an ``Accept`` for the OCI index, Docker
  manifest list, OCI manifest and Docker v2 manifest, read for
  ``Docker-Content-Digest`` (a ``GET`` hashed when a registry omits it), so
  a multi-arch image answers with its index digest;
* ``GET manifests/<digest>`` to check a pinned digest exists;
* ``GET tags/list?n=…``, following ``Link: <…>; rel="next"`` pages.

Each answer is kept for the run, and on disk (:mod:`taglint.registry.cache`):
manifests by digest forever, tag -> digest and tag lists for ``tag_ttl``
(``refresh`` skips reading those).  A repeated run with a warm cache sends
no request at all.
"""
from __future__ import annotations

import hashlib
import json
import threading
import urllib.parse
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from taglint.registry.auth import AuthError, Authenticator
from taglint.registry.cache import DiskCache
from taglint.registry.credentials import CredentialStore
from taglint.registry.names import ImageName, parse_image
from taglint.registry.transport import Response, Transport, TransportError
from taglint.registry.types import Pin, RegistryError, RegistryOptions
from taglint.registry.versions import candidates, version_parts

MANIFEST_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
ACCEPT_MANIFESTS = ", ".join(MANIFEST_TYPES)
TAGS_PAGE_SIZE = 1000
MAX_TAG_PAGES = 100


class TagNotFound(RegistryError):
    """The registry has no such tag (HTTP 404)."""


class Registry:
    """Answers about images from their registries, with a per-run and a disk cache.

    Thread-safe: :meth:`pin_many` runs look-ups on ``options.max_workers``
    threads.  Every method raises :class:`RegistryError` (never another
    exception) when a registry cannot answer.
    """

    def __init__(self, options: RegistryOptions) -> None:
        self.options = options
        self.transport = Transport(options.timeout, options.retries, options.insecure_hosts)
        self.credentials = CredentialStore(options.docker_config)
        self.auth = Authenticator(self.transport)
        self.disk = DiskCache(options.cache_dir, enabled=options.use_disk_cache)
        self._lock = threading.Lock()
        self._tag_digests: dict[str, str] = {}
        self._tag_lists: dict[str, list[str]] = {}
        self._authorization: dict[tuple[str, str], str] = {}  # (api host, scope) -> header, this run

    # -- the API ----------------------------------------------------------------------

    def digest(self, image: str) -> str:
        """The current digest of ``image``'s tag (``latest`` when it has none)."""
        name = parse_image(image)
        return self._tag_digest(name, name.tag)

    def manifest_exists(self, image: str, digest: str) -> bool:
        """Whether ``image``'s repository holds a manifest with ``digest``."""
        name = parse_image(image)
        if self.disk.manifest(digest) is not None:
            return True
        response = self._api(name, "GET", f"manifests/{digest}", {"Accept": ACCEPT_MANIFESTS})
        if response.status == 404:
            return False
        self._expect_ok(name, response, f"manifest {digest}")
        algorithm = digest.split(":", 1)[0]
        try:
            body_digest = f"{algorithm}:" + hashlib.new(algorithm, response.body).hexdigest()
        except ValueError:
            raise RegistryError(image, f"unsupported digest algorithm '{algorithm}'") from None
        if body_digest != digest:
            raise RegistryError(image, f"the registry sent a manifest that does not match {digest}")
        self.disk.put_manifest(digest, response.body)
        return True

    def tags(self, repository: str) -> list[str]:
        """Every tag of ``repository`` (an image name; a tag or digest on it is ignored), all pages."""
        return list(self._tags(parse_image(repository)))

    def pin(self, image: str) -> Pin:
        """The digest of ``image``'s tag and the most specific version tag sharing it (same variant).

        The tag list is filtered and sorted (:func:`versions.candidates`),
        then at most ``options.max_candidates`` candidates are HEADed,
        newest first, until one has the same digest.  A tag that is itself
        a full version (three numbers or more) is its own answer when no
        more specific one shares the digest.
        """
        name = parse_image(image)
        digest = self._tag_digest(name, name.tag)
        version_tag = None
        for candidate in candidates(name.tag, self._tags(name), self.options.max_candidates):
            try:
                candidate_digest = self._tag_digest(name, candidate)
            except TagNotFound:
                continue  # listed but gone (deleted since the list was made)
            if candidate_digest == digest:
                version_tag = candidate
                break
        if version_tag is None:
            parts = version_parts(name.tag)
            if parts is not None and len(parts.version) >= 3:
                version_tag = name.tag
        return Pin(image=image, digest=digest, version_tag=version_tag)

    def pin_many(self, images: Iterable[str]) -> dict[str, Pin | RegistryError]:
        """:meth:`pin` for each distinct image, ``options.max_workers`` at a time."""
        distinct = list(dict.fromkeys(images))
        results: dict[str, Pin | RegistryError] = {}
        if not distinct:
            return results
        with ThreadPoolExecutor(max_workers=max(1, min(self.options.max_workers, len(distinct)))) as pool:
            for image, result in zip(distinct, pool.map(self._pin_or_error, distinct)):
                results[image] = result
        return results

    def close(self) -> None:
        """Close the connections kept alive for further requests."""
        self.transport.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- look-ups -----------------------------------------------------------------------

    def _pin_or_error(self, image: str) -> Pin | RegistryError:
        try:
            return self.pin(image)
        except RegistryError as error:
            return error
        except Exception as error:  # noqa: BLE001 - one reference's failure must not end the scan
            return RegistryError(image, f"unexpected {type(error).__name__} while asking the registry")

    def _tag_digest(self, name: ImageName, tag: str) -> str:
        key = f"{name.key}:{tag}"
        with self._lock:
            known = self._tag_digests.get(key)
        if known:
            return known
        digest = None if self.options.refresh else self.disk.tag_digest(key, self.options.tag_ttl)
        if digest is None:
            digest = self._fetch_tag_digest(name, tag)
            self.disk.put_tag_digest(key, digest)
        with self._lock:
            self._tag_digests[key] = digest
        return digest

    def _fetch_tag_digest(self, name: ImageName, tag: str) -> str:
        headers = {"Accept": ACCEPT_MANIFESTS}
        response = self._api(name, "HEAD", f"manifests/{tag}", headers)
        if response.status == 404:
            raise TagNotFound(name.written, f"tag '{tag}' not found in {name.key}")
        if response.status != 405:  # 405: a registry without HEAD; GET below
            self._expect_ok(name, response, f"tag '{tag}'")
            digest = response.headers.get("docker-content-digest", "")
            if digest.startswith("sha256:") and len(digest) == 71:
                return digest
        # No digest header (or no HEAD): the digest of the manifest's bytes, as the registry would compute it.
        response = self._api(name, "GET", f"manifests/{tag}", headers)
        if response.status == 404:
            raise TagNotFound(name.written, f"tag '{tag}' not found in {name.key}")
        self._expect_ok(name, response, f"tag '{tag}'")
        digest = "sha256:" + hashlib.sha256(response.body).hexdigest()
        self.disk.put_manifest(digest, response.body)
        return digest

    def _tags(self, name: ImageName) -> list[str]:
        key = name.key
        with self._lock:
            known = self._tag_lists.get(key)
        if known is not None:
            return known
        tags = None if self.options.refresh else self.disk.tag_list(key, self.options.tag_ttl)
        if tags is None:
            tags = self._fetch_tags(name)
            self.disk.put_tag_list(key, tags)
        with self._lock:
            self._tag_lists[key] = tags
        return tags

    def _fetch_tags(self, name: ImageName) -> list[str]:
        """All pages of ``tags/list``: ``Link`` headers, or ``last=`` after a full page without one."""
        tags: list[str] = []
        seen: set[str] = set()
        path = f"tags/list?n={TAGS_PAGE_SIZE}"
        for _page in range(MAX_TAG_PAGES):
            response = self._api(name, "GET", path, {"Accept": "application/json"})
            if response.status == 404:
                raise RegistryError(name.written, f"repository {name.key} not found")
            self._expect_ok(name, response, "the tag list")
            try:
                page = json.loads(response.body).get("tags") or []
            except (ValueError, AttributeError):
                raise RegistryError(name.written, "the registry sent a tag list that is not JSON") from None
            fresh = [tag for tag in page if isinstance(tag, str) and tag not in seen]
            seen.update(fresh)
            tags.extend(fresh)
            next_path = _next_page(response.headers.get("link", ""), name)
            if next_path is None and len(page) >= TAGS_PAGE_SIZE and isinstance(page[-1], str):
                next_path = f"tags/list?n={TAGS_PAGE_SIZE}&last={urllib.parse.quote(page[-1], safe='')}"
            if next_path is None or not fresh:
                return tags
            path = next_path
        return tags

    # -- requests with auth -------------------------------------------------------------

    def _api(self, name: ImageName, method: str, path: str, headers: dict[str, str]) -> Response:
        """``method /v2/<repository>/<path>``, answering an auth challenge once."""
        scope = f"repository:{name.repository}:pull"
        full_path = f"/v2/{name.repository}/{path}"
        with self._lock:
            authorization = self._authorization.get((name.api_host, scope))
        send = dict(headers)
        if authorization:
            send["Authorization"] = authorization
        response = self._send(name, method, full_path, send)
        challenge = response.headers.get("www-authenticate")
        if response.status != 401 or not challenge:
            return response
        credentials = self.credentials.get(name.registry)
        try:
            authorization, _token_key = self.auth.authorization(challenge, scope, credentials)
        except AuthError as error:
            raise RegistryError(name.written, str(error)) from None
        with self._lock:
            self._authorization[(name.api_host, scope)] = authorization
        return self._send(name, method, full_path, {**headers, "Authorization": authorization})

    def _send(self, name: ImageName, method: str, path: str, headers: dict[str, str]) -> Response:
        try:
            return self.transport.registry_request(method, name.api_host, path, headers)
        except TransportError as error:
            raise RegistryError(name.written, str(error)) from None

    def _expect_ok(self, name: ImageName, response: Response, what: str) -> None:
        if 200 <= response.status < 300:
            return
        if response.status in (401, 403):
            raise RegistryError(name.written, f"access to {name.key} denied (HTTP {response.status}); "
                                              f"docker login {name.registry} may help")
        if response.status == 429:
            raise RegistryError(name.written, f"{name.registry} is rate limiting requests (HTTP 429)")
        raise RegistryError(name.written, f"{name.registry} answered HTTP {response.status} for {what}")


def _next_page(link: str, name: ImageName) -> str | None:
    """The ``rel="next"`` target of a ``Link`` header as a path below ``/v2/<repository>/``."""
    for part in link.split(","):
        target, _, params = part.partition(";")
        if 'rel="next"' not in params.replace(" ", "") and "rel=next" not in params.replace(" ", ""):
            continue
        url = urllib.parse.urlsplit(target.strip().strip("<>"))
        prefix = f"/v2/{name.repository}/"
        if url.path.startswith(prefix):
            return url.path[len(prefix):] + (f"?{url.query}" if url.query else "")
    return None
