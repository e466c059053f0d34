"""The image reference grammar used by Docker (distribution/reference).

Grammar (written from the published grammar, not copied)::

    reference       := name [ ":" tag ] [ "@" digest ]
    name            := [domain "/"] path-component ["/" path-component]*
    domain          := host [":" port-number]
    host            := domain-name | "[" ipv6 "]"
    domain-name     := domain-component ["." domain-component]*
    domain-component:= /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
    path-component  := alnum [separator alnum]*
    alnum           := /[a-z0-9]+/
    separator       := /[_.]|__|[-]+/
    tag             := /[\\w][\\w.-]{0,127}/
    digest          := algorithm ":" hex
    algorithm       := /[a-z0-9]+([+._-][a-z0-9]+)*/

The first path component is a registry (domain) only if it contains ``.``
or ``:``, is ``localhost``, or has an upper-case letter; otherwise the image
lives on Docker Hub (``docker.io``) and one-component names get ``library/``.
The canonical name (``domain/path``) may be at most 255 characters.

:func:`parse_reference` raises :class:`ReferenceError` whose ``message`` says
exactly what is wrong and whose ``hint`` (when there is one) suggests a fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "DEFAULT_DOMAIN",
    "NAME_TOTAL_LENGTH_MAX",
    "TAG_LENGTH_MAX",
    "Reference",
    "ReferenceError",
    "parse_reference",
    "validate_tag",
]

DEFAULT_DOMAIN = "docker.io"
OFFICIAL_NAMESPACE = "library"
NAME_TOTAL_LENGTH_MAX = 255
TAG_LENGTH_MAX = 128
# Docker rewrites this historical Hub host to docker.io.
_LEGACY_DEFAULT_DOMAINS = frozenset({"index.docker.io"})

_PATH_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_PATH_CHARS = re.compile(r"[a-z0-9._-]")
_SEPARATOR_RUN = re.compile(r"[._-]+")
_VALID_SEPARATOR = re.compile(r"[._]|__|-+")
_DOMAIN_COMPONENT = re.compile(r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?")
_DOMAIN_CHARS = re.compile(r"[a-zA-Z0-9.-]")
_IPV6_HOST = re.compile(r"\[[a-fA-F0-9:]+\]")
_PORT = re.compile(r"[0-9]+")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_TAG_CHAR = re.compile(r"[A-Za-z0-9_.-]")
_ALGORITHM = re.compile(r"[a-z0-9]+(?:[+._-][a-z0-9]+)*")
_HEX_LENGTH = {"sha256": 64, "sha384": 96, "sha512": 128}
_MIN_OTHER_HEX = 32
_IMAGE_ID = re.compile(r"[a-f0-9]{64}")
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_ANGLE_PLACEHOLDER = re.compile(r"<[^<>]*>")


class ReferenceError(ValueError):
    """A reference that breaks the grammar.

    ``message`` is one exact, human sentence; ``hint`` an optional fix
    (``"did you mean `mysql:8.0.44`?"``); ``position`` the index in the
    input where the problem starts, when there is one.
    """

    def __init__(self, message: str, hint: str | None = None, position: int | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.position = position


@dataclass(frozen=True)
class Reference:
    """A parsed reference; indexes point into the text that was parsed."""

    domain: str  # "docker.io" when implicit
    path: str  # "library/python"
    tag: str | None
    digest: str | None
    explicit_domain: bool
    tag_start: int | None  # index of the first tag character, None without a tag
    digest_start: int | None  # index of the first digest character (after "@")
    name_end: int  # index where the name (domain/path) ends

    @property
    def canonical_name(self) -> str:
        """``docker.io/library/python``."""
        return f"{self.domain}/{self.path}"

    @property
    def familiar_name(self) -> str:
        """The short form Docker prints: ``python``, ``user/app``, ``ghcr.io/o/a``."""
        if self.domain != DEFAULT_DOMAIN:
            return self.canonical_name
        prefix = OFFICIAL_NAMESPACE + "/"
        rest = self.path[len(prefix) :]
        if self.path.startswith(prefix) and "/" not in rest:
            return rest
        if "/" in self.path and _is_domain(self.path.split("/", 1)[0]):
            # `docker.io/a.b/c`: without the host, `a.b` would read as a registry.
            return self.canonical_name
        return self.path

    @property
    def familiar(self) -> str:
        """The familiar name with tag and digest: ``python:3.12@sha256:…``."""
        return self.familiar_name + self._suffix()

    @property
    def canonical(self) -> str:
        """The canonical name with tag and digest."""
        return self.canonical_name + self._suffix()

    def _suffix(self) -> str:
        tag = f":{self.tag}" if self.tag is not None else ""
        digest = f"@{self.digest}" if self.digest is not None else ""
        return tag + digest


def parse_reference(text: str) -> Reference:
    """Parse ``text`` exactly by the reference grammar or raise ReferenceError."""
    _check_whole(text)
    name_part, digest, digest_start = _split_digest(text)
    name, tag, tag_start = _split_tag(name_part)
    domain, written_domain, path, path_start = _split_domain(name)
    if written_domain is not None:
        _check_domain(written_domain, text)
    _check_path(path, path_start, text)
    path = _normalised_path(domain, path)
    _check_length(domain, path)
    if tag is not None:
        assert tag_start is not None
        _check_tag(tag, tag_start, name, text)
    if digest is not None:
        assert digest_start is not None
        _check_digest(digest, digest_start, name, tag)
    return Reference(
        domain=domain,
        path=path,
        tag=tag,
        digest=digest,
        explicit_domain=written_domain is not None,
        tag_start=tag_start,
        digest_start=digest_start,
        name_end=len(name),
    )


def validate_tag(tag: str) -> None:
    """Raise ReferenceError when ``tag`` alone breaks the tag grammar."""
    _check_tag(tag, 0, "image", "image:" + tag)


# --- splitting ---------------------------------------------------------------


def _check_whole(text: str) -> None:
    if not text:
        raise ReferenceError("image reference is empty", position=0)
    scheme = _URL_SCHEME.match(text)
    if scheme:
        raise ReferenceError(
            f"'{scheme.group()}' is a URL scheme, not part of an image reference",
            hint=f"remove '{scheme.group()}'",
            position=0,
        )
    if _IMAGE_ID.fullmatch(text):
        raise ReferenceError(
            "repository name cannot be a 64-character hexadecimal string",
            hint="that is an image ID; name the image by repository instead",
            position=0,
        )


def _split_digest(text: str) -> tuple[str, str | None, int | None]:
    at = text.find("@")
    if at == -1:
        return text, None, None
    return text[:at], text[at + 1 :], at + 1


def _split_tag(name_part: str) -> tuple[str, str | None, int | None]:
    """The tag starts at the first ':' after the last '/' (ports come before it)."""
    colon = name_part.find(":", name_part.rfind("/") + 1)
    if colon == -1:
        return name_part, None, None
    return name_part[:colon], name_part[colon + 1 :], colon + 1


def _is_domain(first: str) -> bool:
    return "." in first or ":" in first or first == "localhost" or first != first.lower()


def _split_domain(name: str) -> tuple[str, str | None, str, int]:
    """(domain, domain as written or None, path as written, path start index)."""
    slash = name.find("/")
    if slash == -1 or not _is_domain(name[:slash]):
        return DEFAULT_DOMAIN, None, name, 0
    written = name[:slash]
    domain = DEFAULT_DOMAIN if written in _LEGACY_DEFAULT_DOMAINS else written
    return domain, written, name[slash + 1 :], slash + 1


def _normalised_path(domain: str, path: str) -> str:
    if domain == DEFAULT_DOMAIN and "/" not in path:
        return f"{OFFICIAL_NAMESPACE}/{path}"
    return path


# --- name --------------------------------------------------------------------


def _show(char: str) -> str:
    """A character as it may safely appear in a message."""
    return char if char.isprintable() else repr(char)[1:-1]


def _check_domain(domain: str, text: str) -> None:
    host, port = _split_port(domain)
    if port is not None:
        _check_port(port, domain)
    if _IPV6_HOST.fullmatch(host):
        return
    if host.startswith("["):
        raise ReferenceError(f"invalid IPv6 registry host '{host}'", position=0)
    _check_host(host, text)


def _split_port(domain: str) -> tuple[str, str | None]:
    if domain.startswith("["):
        close = domain.find("]")
        if close != -1 and domain[close + 1 : close + 2] == ":":
            return domain[: close + 1], domain[close + 2 :]
        return domain, None
    host, colon, port = domain.partition(":")
    return host, port if colon else None


def _check_port(port: str, domain: str) -> None:
    if not port:
        raise ReferenceError(f"registry port is empty in '{domain}'", position=len(domain))
    if not _PORT.fullmatch(port):
        raise ReferenceError(
            f"registry port '{port}' must be a number", position=domain.rfind(":") + 1
        )


def _check_host(host: str, text: str) -> None:
    for index, char in enumerate(host):
        if not _DOMAIN_CHARS.fullmatch(char):
            raise ReferenceError(
                f"invalid character '{_show(char)}' in registry host '{host}'",
                hint=_domain_hint(host, text),
                position=index,
            )
    for label in host.split("."):
        if not label:
            raise ReferenceError(f"registry host '{host}' has an empty label", position=0)
        if not _DOMAIN_COMPONENT.fullmatch(label):
            raise ReferenceError(
                f"registry host label '{label}' must not start or end with '-'", position=0
            )


def _domain_hint(host: str, text: str) -> str | None:
    if host != host.lower() and "." not in host:
        return (
            f"'{host}' is read as a registry host because it has upper-case letters; "
            "repository names must be lower case"
        )
    return _placeholder_hint(text)


def _placeholder_hint(text: str) -> str | None:
    found = _ANGLE_PLACEHOLDER.search(text)
    if found:
        return f"'{found.group()}' looks like a documentation placeholder; put a real image here"
    return None


def _check_path(path: str, start: int, text: str) -> None:
    if not path:
        message = (
            "repository name is empty"
            if start == 0
            else f"repository path is missing after '{text[:start]}'"
        )
        raise ReferenceError(message, position=start)
    _check_path_chars(path, start, text)
    if path.startswith("/"):
        message = (
            "repository name must not start with '/'"
            if start == 0
            else "repository name contains an empty path component ('//')"
        )
        raise ReferenceError(message, position=start)
    if path.endswith("/"):
        raise ReferenceError(
            "repository name must not end with '/'", position=start + len(path) - 1
        )
    if "//" in path:
        raise ReferenceError(
            "repository name contains an empty path component ('//')",
            position=start + path.index("//"),
        )
    offset = start
    for component in path.split("/"):
        _check_component(component, offset)
        offset += len(component) + 1


def _check_path_chars(path: str, start: int, text: str) -> None:
    for index, char in enumerate(path):
        if char != "/" and not (char.isascii() and _PATH_CHARS.fullmatch(char.lower())):
            raise ReferenceError(
                f"invalid character '{_show(char)}' in repository name",
                hint=_placeholder_hint(text) or _whitespace_hint(char),
                position=start + index,
            )
    if path != path.lower():
        raise ReferenceError(
            "repository name must be lowercase",
            hint=_lowercase_hint(path, start, text),
            position=start + next(i for i, c in enumerate(path) if c != c.lower()),
        )


def _whitespace_hint(char: str) -> str | None:
    return "image references contain no whitespace" if char.isspace() else None


def _lowercase_hint(path: str, start: int, text: str) -> str:
    fixed = text[:start] + path.lower() + text[start + len(path) :]
    return f"did you mean `{fixed}`?"


def _check_component(component: str, offset: int) -> None:
    if _PATH_COMPONENT.fullmatch(component):
        return
    if component[0] in "._-":
        raise ReferenceError(
            f"path component '{component}' must start with a lowercase letter or digit",
            position=offset,
        )
    if component[-1] in "._-":
        raise ReferenceError(
            f"path component '{component}' must end with a lowercase letter or digit",
            position=offset + len(component) - 1,
        )
    for run in _SEPARATOR_RUN.finditer(component):
        if not _VALID_SEPARATOR.fullmatch(run.group()):
            raise ReferenceError(
                f"invalid separator '{run.group()}' in path component '{component}'",
                hint="separators are '.', '_', '__' or one or more '-'",
                position=offset + run.start(),
            )
    raise ReferenceError(f"invalid path component '{component}'", position=offset)


def _check_length(domain: str, path: str) -> None:
    total = len(domain) + 1 + len(path)
    if total > NAME_TOTAL_LENGTH_MAX:
        raise ReferenceError(
            f"repository name is longer than {NAME_TOTAL_LENGTH_MAX} characters",
            hint=f"'{domain}/{path[:20]}…' has {total} characters",
        )


# --- tag and digest ----------------------------------------------------------


def _check_tag(tag: str, start: int, name: str, text: str) -> None:
    if not tag:
        raise ReferenceError(
            "tag is empty after ':'", hint="add a tag or remove the ':'", position=start
        )
    if tag[0] in "-.":
        raise ReferenceError(f"tag may not start with '{tag[0]}'", position=start)
    for index, char in enumerate(tag):
        if not _TAG_CHAR.fullmatch(char):
            raise ReferenceError(
                f"invalid character '{_show(char)}' in tag",
                hint=_tag_char_hint(char, tag, name, text),
                position=start + index,
            )
    if len(tag) > TAG_LENGTH_MAX:
        raise ReferenceError(
            f"tag is longer than {TAG_LENGTH_MAX} characters",
            hint=f"it has {len(tag)}",
            position=start + TAG_LENGTH_MAX,
        )


def _tag_char_hint(char: str, tag: str, name: str, text: str) -> str | None:
    if char == "+" and _TAG.fullmatch(tag.replace("+", "_")):
        fixed = tag.replace("+", "_")
        return f"did you mean `{name}:{fixed}`? (build metadata is written with '_' in tags)"
    return _placeholder_hint(text) or _whitespace_hint(char)


def _check_digest(digest: str, start: int, name: str, tag: str | None) -> None:
    if not digest:
        raise ReferenceError("digest is empty after '@'", position=start)
    if "@" in digest:
        raise ReferenceError("invalid character '@' in digest", position=start + digest.index("@"))
    algorithm, colon, encoded = digest.partition(":")
    if not colon:
        _not_a_digest(digest, start, name, tag)
    if not _ALGORITHM.fullmatch(algorithm):
        raise ReferenceError(
            f"invalid digest algorithm '{algorithm}'",
            hint="algorithms are lower case, e.g. sha256"
            if algorithm.lower() != algorithm
            else None,
            position=start,
        )
    _check_encoded(algorithm, encoded, start + len(algorithm) + 1)


def _not_a_digest(digest: str, start: int, name: str, tag: str | None) -> None:
    if tag is None and _TAG.fullmatch(digest) and len(digest) <= TAG_LENGTH_MAX:
        suggestion = f"did you mean `{name}:{digest}`?"
        raise ReferenceError(
            f"'{digest}' is not a digest; {suggestion}", hint=suggestion, position=start
        )
    raise ReferenceError(
        f"'{digest}' is not a digest (expected algorithm:hex, e.g. sha256:…)", position=start
    )


def _check_encoded(algorithm: str, encoded: str, start: int) -> None:
    expected = _HEX_LENGTH.get(algorithm)
    if expected is not None:
        if not re.fullmatch(f"[a-f0-9]{{{expected}}}", encoded):
            raise ReferenceError(
                f"digest must be {expected} lowercase hex characters",
                hint=_hex_hint(encoded),
                position=start,
            )
        return
    if not re.fullmatch(f"[a-f0-9]{{{_MIN_OTHER_HEX},}}", encoded):
        raise ReferenceError(
            f"digest must be at least {_MIN_OTHER_HEX} lowercase hex characters",
            hint=_hex_hint(encoded),
            position=start,
        )


def _hex_hint(encoded: str) -> str:
    if encoded and re.fullmatch(r"[a-fA-F0-9]+", encoded) and encoded != encoded.lower():
        return "use lower-case hex"
    return f"got {len(encoded)} characters" if encoded else "the hex part is missing"
