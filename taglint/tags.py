"""Tag classes (SPEC §2): what kind of tag an image reference carries.

:func:`classify_reference` parses a reference (placeholders such as
``${TAG}``, ``$(git rev-parse HEAD)`` or ``{{ .Values.tag }}`` included) and
returns a :class:`Classification`; :func:`classify_tag` classifies one tag.

A literal tag is read as tokens (split on ``-`` and ``_``).  The first
numeric token — ``3.12.7``, ``v1.4.0``, ``3.14.0rc1`` — is the *version
core*, unless it is the version of a platform word before it
(``ubuntu-22.04``, ``golang-1.24``).  A core with three or more parts (or a
date) is a version, or a prerelease when a prerelease word follows it;
one or two parts are a partial version.  Variant words (``slim``,
``alpine3.20``, ``cuda12.4``, ``bookworm``…) never make a prerelease.  Tags
without a core are commits, random strings, or floating.

The word lists, the entropy threshold and the variable-name hints live in
``taglint/data/tag_words.yaml`` and are loaded on first use.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from functools import cached_property, lru_cache
from typing import Any

from taglint.lazy_pattern import LazyPattern  # patterns most runs never use: compiled on first use
from taglint.reference import Reference, ReferenceError, parse_reference, validate_tag

__all__ = [
    "Classification",
    "Placeholder",
    "ReleaseVersion",
    "TagClass",
    "Vocabulary",
    "classify_reference",
    "classify_tag",
    "find_placeholders",
    "release_version",
    "semantic_version",
]

_DATA_FILE = "tag_words.yaml"


class TagClass(str, Enum):
    NONE = "none"
    LATEST = "latest"
    FLOATING = "floating"
    PARTIAL = "partial-version"
    VERSION = "version"
    PRERELEASE = "prerelease"
    COMMIT = "commit"
    RANDOM = "random"
    DIGEST = "digest-pinned"
    UNRESOLVED = "unresolved"
    INVALID = "invalid"


# Sources of values built from variables, strongest first: a tag that mixes a
# branch with a commit is as immutable as the commit; any random part makes
# it random.
SOURCES = ("random", "commit", "release", "build id", "unknown", "branch")
_SOURCE_CLASS = {
    "random": TagClass.RANDOM,
    "commit": TagClass.COMMIT,
    "release": TagClass.VERSION,
    "build id": TagClass.UNRESOLVED,
    "unknown": TagClass.UNRESOLVED,
    "branch": TagClass.FLOATING,
}
_SOURCE_DESCRIPTION = {
    "random": "a random or time-based value",
    "commit": "a commit SHA",
    "release": "a release tag",
    "build id": "a build id",
    "unknown": "a value that cannot be determined statically",
    "branch": "a branch name",
}


# --- vocabulary ----------------------------------------------------------------


def _words(values: Iterable[Any]) -> frozenset[str]:
    return frozenset(str(value).lower() for value in values)


def _snake(name: str) -> str:
    """``Build.SourceBranchName`` → ``build.source_branch_name``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return spaced.replace("-", "_").lower()


@dataclass(frozen=True)
class Vocabulary:
    """Word lists and thresholds of the classifier (``tag_words.yaml``)."""

    floating: frozenset[str]
    variants: frozenset[str]
    entropy_threshold: float
    channels: frozenset[str] = frozenset()
    branches: frozenset[str] = frozenset()
    codenames: frozenset[str] = frozenset()
    environments: frozenset[str] = frozenset()
    pull_requests: frozenset[str] = frozenset()
    platforms: frozenset[str] = frozenset()
    prerelease_words: frozenset[str] = frozenset()
    prerelease_short_words: frozenset[str] = frozenset()
    random_min_length: int = 10
    random_min_class_switches: int = 4
    build_schemes: tuple[tuple[str, str], ...] = ()
    source_names: tuple[tuple[str, str], ...] = ()  # (lower-case name, source)
    source_patterns: tuple[tuple[str, str], ...] = ()  # (regex over snake_case name, source)
    command_patterns: tuple[tuple[str, str], ...] = ()  # (regex over command text, source)

    @classmethod
    def default(cls) -> Vocabulary:
        """The shipped vocabulary (loaded once, on first use)."""
        return _default_vocabulary()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Vocabulary:
        """Build a vocabulary from the structure of ``tag_words.yaml``."""
        floating = data.get("floating", {})
        variants = data.get("variants", {})
        groups = {key: _words(floating.get(key, ())) for key in floating}
        platforms = _words(variants.get("platforms", ()))
        random = data.get("random", {})
        prerelease = data.get("prerelease", {})
        sources = data.get("sources", {})
        return cls(
            floating=frozenset().union(*groups.values()),
            variants=platforms | _words(variants.get("flavours", ())),
            entropy_threshold=float(random.get("entropy_threshold", 3.0)),
            channels=groups.get("channels", frozenset()),
            branches=groups.get("branches", frozenset()),
            codenames=groups.get("codenames", frozenset()),
            environments=groups.get("environments", frozenset()),
            pull_requests=groups.get("pull_requests", frozenset()),
            platforms=platforms,
            prerelease_words=_words(prerelease.get("words", ())),
            prerelease_short_words=_words(prerelease.get("short_words", ())),
            random_min_length=int(random.get("min_length", 10)),
            random_min_class_switches=int(random.get("min_class_switches", 4)),
            build_schemes=tuple((str(k), str(v)) for k, v in data.get("build_schemes", {}).items()),
            source_names=tuple(
                (str(name).lower(), source)
                for source, names in sources.get("names", {}).items()
                for name in names
            ),
            source_patterns=tuple((p, s) for s, p in sources.get("patterns", ())),
            command_patterns=tuple((p, s) for s, p in sources.get("commands", ())),
        )

    def extended(self, floating: Iterable[str] = (), variants: Iterable[str] = ()) -> Vocabulary:
        """A copy with extra floating words and variant suffixes (config keys
        ``floating-tags`` / ``variant-suffixes``)."""
        more_floating, more_variants = _words(floating), _words(variants)
        if more_floating <= self.floating and more_variants <= self.variants:
            return self
        return replace(
            self, floating=self.floating | more_floating, variants=self.variants | more_variants
        )

    # Derived tables (cached per instance; not part of equality).

    @cached_property
    def _name_table(self) -> dict[str, str]:
        return dict(self.source_names)

    @cached_property
    def _compiled_patterns(self) -> tuple[tuple[re.Pattern[str], str], ...]:
        return tuple((re.compile(p), s) for p, s in self.source_patterns)

    @cached_property
    def _compiled_commands(self) -> tuple[tuple[re.Pattern[str], str], ...]:
        return tuple((re.compile(p, re.IGNORECASE), s) for p, s in self.command_patterns)

    @cached_property
    def _prerelease(self) -> re.Pattern[str]:
        words = "|".join(sorted(map(re.escape, self.prerelease_words), key=len, reverse=True))
        short = "|".join(sorted(map(re.escape, self.prerelease_short_words), key=len, reverse=True))
        alternatives = [f"(?:{words})(?:\\.?\\d+)*"] if words else []
        if short:
            alternatives.append(f"(?:{short})\\.?\\d+(?:\\.\\d+)*")
        return re.compile("|".join(alternatives) or "(?!)")

    def is_prerelease_word(self, token: str) -> bool:
        return token not in self.variants and bool(self._prerelease.fullmatch(token))

    def is_variant(self, token: str) -> bool:
        """``slim``, ``bookworm``, ``alpine3.20``, ``py311``, ``ltsc2022``."""
        if token in self.variants or token in self.codenames:
            return True
        word = _WORD_WITH_NUMBER.fullmatch(token)
        return word is not None and word.group(1) in self.variants

    def source_of_name(self, name: str) -> str | None:
        """The source a variable name hints at, or None."""
        bare = name.strip().lstrip("$")
        for candidate in (bare, bare.lstrip("."), bare.rsplit(".", 1)[-1]):
            found = self._name_table.get(candidate.lower())
            if found:
                return found
        snake = _snake(bare.lstrip("."))
        for pattern, source in self._compiled_patterns:
            if pattern.search(snake):
                return source
        return None

    def source_of_command(self, command: str) -> str | None:
        """The source a shell command hints at (``date +%s`` → random), or None."""
        for pattern, source in self._compiled_commands:
            if pattern.search(command):
                return source
        return None


@lru_cache(maxsize=1)
def _default_vocabulary() -> Vocabulary:
    from taglint.rule_cache import shipped_data  # compiled once: no YAML parse per start

    return Vocabulary.from_mapping(shipped_data(_DATA_FILE))


# --- placeholders ---------------------------------------------------------------


@dataclass(frozen=True)
class Placeholder:
    """A template placeholder inside a reference, e.g. ``${TAG}`` at [4, 10)."""

    start: int
    end: int
    text: str
    names: tuple[str, ...]  # variable names / expressions it reads
    command: str | None = None  # the command of ``$(…)`` / backticks
    bare: bool = False  # an ALL_CAPS_NAME substituted by sed & co.


_SHELL_PARAM = LazyPattern(r"[!#]?([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])")
_SIMPLE_NAME = LazyPattern(r"\s*([A-Za-z_][\w.-]*)\s*")
_AUTOCONF = re.compile(r"@([A-Za-z_][A-Za-z0-9_]*)@")
_EXPR_NAME = LazyPattern(r"\$?\.?[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[[^\]]*\])*")
_EXPR_STRING = LazyPattern(r"'[^']*'|\"[^\"]*\"|`[^`]*`")
_EXPR_KEYWORDS = frozenset(
    """default quote squote printf print println include tpl toString toYaml toJson if
    else end with range and or not eq ne lt gt le ge format join toJSON fromJSON contains
    startsWith endsWith true false null nil trimPrefix trimSuffix trim replace lower upper
    trunc required coalesce template hashFiles success always failure cancelled substr len
    index ternary empty get sha256sum b64enc""".split()
)
# ALL_CAPS_NAMES with at least two lettered words, standing alone between
# '/', ':' and '@' (e.g. `CONTAINER_IMAGES_REGISTRY/app:CONTAINER_IMAGES_TAG`).
_BARE = re.compile(r"(?<![^/:@])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?![^/:@])")


def find_placeholders(text: str) -> tuple[Placeholder, ...]:
    """Every template placeholder in ``text``, in order.

    Understood: ``${VAR}``, ``${VAR:-x}``, ``$VAR``, ``$$VAR``, ``$(cmd)``,
    ``$(Build.BuildId)``, ``$(params.x)``, backticks, ``{{ … }}``, ``${{ … }}``,
    ``$[[ inputs.x ]]`` (GitLab), ``<< parameters.x >>`` (CircleCI),
    ``@VAR@``, ``#{VAR}#`` and bare ``ALL_CAPS_NAMES`` as whole components.
    """
    found: list[Placeholder] = []
    index = 0
    while index < len(text):
        placeholder = _placeholder_at(text, index)
        if placeholder is None:
            index += 1
            continue
        found.append(placeholder)
        index = placeholder.end
    found.extend(_bare_placeholders(text, found))
    return tuple(sorted(found, key=lambda p: p.start))


def _placeholder_at(text: str, index: int) -> Placeholder | None:
    if text.startswith("$$", index) and _starts_placeholder(text, index + 2):
        inner = _placeholder_at(text, index + 1)
        return None if inner is None else replace(inner, start=index, text=text[index : inner.end])
    if text.startswith("${{", index):
        return _expression(text, index, 3, "}}")
    if text.startswith("$[[", index):  # GitLab CI/CD inputs
        return _expression(text, index, 3, "]]")
    if text.startswith("${", index):
        return _shell_parameter(text, index)
    if text.startswith("$(", index):
        return _command(text, index)
    if text.startswith("$", index):
        name = _SHELL_PARAM.match(text, index + 1)
        if name:
            return Placeholder(index, name.end(), text[index : name.end()], (name.group(1),))
        return None
    if text.startswith("`", index):
        return _backticks(text, index)
    if text.startswith("{{", index):
        return _expression(text, index, 2, "}}")
    if text.startswith("#{", index):
        return _expression(text, index, 2, "}#")
    if text.startswith("<<", index):  # CircleCI pipeline values and parameters
        return _expression(text, index, 2, ">>")
    autoconf = _AUTOCONF.match(text, index)
    if autoconf:
        return Placeholder(index, autoconf.end(), autoconf.group(), (autoconf.group(1),))
    return None


def _starts_placeholder(text: str, index: int) -> bool:
    """After ``$$`` (Make/Compose escape): ``{``, ``(`` or a name follows."""
    char = text[index : index + 1]
    return bool(char) and (char in "{(" or char.isalpha() or char == "_")


def _backticks(text: str, index: int) -> Placeholder:
    close = text.find("`", index + 1)
    end = len(text) if close == -1 else close + 1
    command = text[index + 1 : close if close != -1 else end].strip()
    return Placeholder(index, end, text[index:end], (command,), command=command)


def matching_bracket(text: str, index: int, opening: str, closing: str) -> int:
    """Index of the bracket matching the one at ``text[index]``, or -1 when
    the text ends first."""
    depth = 0
    for position in range(index, len(text)):
        char = text[position]
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return position
    return -1


def closing_bracket(text: str, index: int, opening: str, closing: str) -> int:
    """Index just past the bracket matching ``text[index]`` (or the end of text)."""
    position = matching_bracket(text, index, opening, closing)
    return len(text) if position < 0 else position + 1


def _expression(text: str, index: int, width: int, closing: str) -> Placeholder:
    close = text.find(closing, index + width)
    end = len(text) if close == -1 else close + len(closing)
    inner = text[index + width : close if close != -1 else end]
    return Placeholder(index, end, text[index:end], _expression_names(inner))


def _expression_names(inner: str) -> tuple[str, ...]:
    cleaned = _EXPR_STRING.sub(" ", inner)
    names = [
        name
        for name in _EXPR_NAME.findall(cleaned)
        if name.lstrip("$.") and name.lstrip("$.") not in _EXPR_KEYWORDS
    ]
    return tuple(dict.fromkeys(names)) or (inner.strip(),)


def _shell_parameter(text: str, index: int) -> Placeholder:
    end = closing_bracket(text, index + 1, "{", "}")
    name = _SHELL_PARAM.match(text, index + 2)
    names = (name.group(1),) if name else (text[index + 2 : end - 1].strip(),)
    return Placeholder(index, end, text[index:end], names)


def _command(text: str, index: int) -> Placeholder:
    end = closing_bracket(text, index + 1, "(", ")")
    body = text[index + 2 : end - 1] if text[end - 1 : end] == ")" else text[index + 2 : end]
    simple = _SIMPLE_NAME.fullmatch(body)
    if simple:  # Azure $(Build.BuildId), Tekton $(params.x), Make $(VERSION)
        return Placeholder(index, end, text[index:end], (simple.group(1),))
    command = body.strip("() \t")
    return Placeholder(index, end, text[index:end], (command,), command=command)


def _bare_placeholders(text: str, found: Sequence[Placeholder]) -> list[Placeholder]:
    bare = []
    for match in _BARE.finditer(text):
        words = [part for part in match.group().split("_") if re.search("[A-Z]", part)]
        overlaps = any(p.start < match.end() and match.start() < p.end for p in found)
        if len(words) >= 2 and not overlaps:
            bare.append(
                Placeholder(match.start(), match.end(), match.group(), (match.group(),), bare=True)
            )
    return bare


_MAX_NESTING = 5


def _placeholder_source(placeholder: Placeholder, vocab: Vocabulary, depth: int = 0) -> str:
    if placeholder.command is not None:
        found = vocab.source_of_command(placeholder.command)
        if found:
            return found
        inner = find_placeholders(placeholder.command) if depth < _MAX_NESTING else ()
        return _strongest(inner, vocab, depth + 1)[0] if inner else "unknown"
    sources = [
        vocab.source_of_name(name) or vocab.source_of_command(name) for name in placeholder.names
    ]
    known = [source for source in sources if source]
    return min(known, key=SOURCES.index) if known else "unknown"


def _strongest(
    placeholders: Sequence[Placeholder], vocab: Vocabulary, depth: int = 0
) -> tuple[str, Placeholder]:
    """The source that decides the tag class, and the placeholder it came from."""
    ranked = [(_placeholder_source(p, vocab, depth), p) for p in placeholders]
    return min(ranked, key=lambda pair: SOURCES.index(pair[0]))


def _variable_names(placeholders: Sequence[Placeholder]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for p in placeholders for name in p.names))


# --- classification -------------------------------------------------------------


@dataclass(frozen=True)
class Classification:
    tag_class: TagClass
    reason: str  # short human explanation
    reference: Reference | None = None  # parsed reference when parseable
    error: ReferenceError | None = None  # for INVALID
    source: str | None = None  # for values built from variables
    variables: tuple[str, ...] = ()  # names of unresolved variables in the text


def classify_tag(tag: str, vocab: Vocabulary | None = None) -> tuple[TagClass, str]:
    """The class of one tag (placeholders allowed) and the reason."""
    vocab = vocab or Vocabulary.default()
    placeholders = find_placeholders(tag)
    if placeholders:
        found = _from_placeholders("tag", placeholders, vocab)
        return found.tag_class, found.reason
    try:
        validate_tag(tag)
    except ReferenceError as error:
        return TagClass.INVALID, error.message
    return _classify_literal_tag(tag, vocab)


# A documentation placeholder: a name to fill in, in single braces or angle
# brackets (`{username}/model:latest`, `<your-registry>/app:<tag>`), which no
# reference grammar allows; not `${…}`, `#{…}#`, `{{ … }}` or `<< … >>`.
_DOC_PLACEHOLDER = re.compile(r"(?<![{$#])\{([A-Za-z_][\w.-]*)\}(?!\})|(?<!<)<([A-Za-z_][\w .-]*)>(?!>)")


def classify_reference(text: str, vocab: Vocabulary | None = None) -> Classification:
    """Parse ``text`` and classify its tag (SPEC §2)."""
    vocab = vocab or Vocabulary.default()
    for scheme, description in vocab.build_schemes:
        if text.startswith(scheme):
            return Classification(
                TagClass.UNRESOLVED, f"'{_shorten(text)}' is {description}", source="unknown"
            )
    sample = _DOC_PLACEHOLDER.search(text)
    if sample is not None:  # a sample to fill in, not a reference anyone pulls
        names = tuple(dict.fromkeys(m.group(1) or m.group(2) for m in _DOC_PLACEHOLDER.finditer(text)))
        return Classification(
            TagClass.UNRESOLVED, f"'{sample.group()}' is a placeholder to fill in: the reference is a sample",
            source="unknown", variables=names,
        )
    placeholders = find_placeholders(text)
    if not placeholders:
        return _classify_literal_reference(text, vocab)
    if len(placeholders) == 1 and placeholders[0].start == 0 and placeholders[0].end == len(text):
        return _from_placeholders("image reference", placeholders, vocab, TagClass.UNRESOLVED)
    return _classify_templated(text, placeholders, vocab)


def _classify_literal_reference(text: str, vocab: Vocabulary) -> Classification:
    try:
        reference = parse_reference(text)
    except ReferenceError as error:
        return Classification(TagClass.INVALID, error.message, error=error)
    tag_class, reason = _classify_parsed(reference, vocab)
    return Classification(tag_class, reason, reference)


def _classify_parsed(reference: Reference, vocab: Vocabulary) -> tuple[TagClass, str]:
    if reference.digest is not None:
        return TagClass.DIGEST, _digest_reason(reference.digest, reference.tag)
    if reference.tag is None:
        return TagClass.NONE, "no tag or digest: pulls ':latest'"
    return _classify_literal_tag(reference.tag, vocab)


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _digest_reason(digest: str, tag: str | None) -> str:
    shown = digest if len(digest) <= 19 else digest[:19] + "…"
    if tag is None:
        return f"pinned by digest {shown}"
    return f"pinned by digest {shown} (the tag '{tag}' is not used to pull)"


def _from_placeholders(
    subject: str,
    placeholders: Sequence[Placeholder],
    vocab: Vocabulary,
    forced: TagClass | None = None,
) -> Classification:
    source, decisive = _strongest(placeholders, vocab)
    tag_class = forced or _SOURCE_CLASS[source]
    shown = _shorten(decisive.text)
    reason = f"{subject} comes from {shown}, {_SOURCE_DESCRIPTION[source]}"
    if decisive.bare:
        reason = f"{subject} '{shown}' looks like a placeholder substituted before use"
    return Classification(tag_class, reason, source=source, variables=_variable_names(placeholders))


def _classify_templated(
    text: str, placeholders: Sequence[Placeholder], vocab: Vocabulary
) -> Classification:
    variables = _variable_names(placeholders)
    masked = _mask(text, placeholders)
    try:
        reference = _unmask(parse_reference(masked.text), text, masked)
    except ReferenceError as error:
        error = _unmask_error(error, text, placeholders)
        return Classification(TagClass.INVALID, error.message, error=error, variables=variables)
    in_tag, in_name = _placeholders_by_part(reference, placeholders, len(text))
    if reference.digest is not None:
        found = Classification(TagClass.DIGEST, _digest_reason(reference.digest, reference.tag))
        if masked.templated_digest:
            found = replace(found, reason=f"pinned by a digest from {_shorten(reference.digest)}")
    elif in_tag:
        found = _from_placeholders("tag", in_tag, vocab)
    elif reference.tag is not None:
        found = Classification(*_classify_literal_tag(reference.tag, vocab))
    elif in_name and in_name[-1].end == reference.name_end:
        found = _from_placeholders("image name", in_name[-1:], vocab, TagClass.UNRESOLVED)
        found = replace(found, reason=found.reason + " (it may carry a tag)")
    else:
        found = Classification(TagClass.NONE, "no tag or digest: pulls ':latest'")
    return replace(found, reference=reference, variables=variables)


def _placeholders_by_part(
    reference: Reference, placeholders: Sequence[Placeholder], length: int
) -> tuple[list[Placeholder], list[Placeholder]]:
    tag_start = reference.tag_start if reference.tag_start is not None else length + 1
    tag_end = reference.digest_start - 1 if reference.digest_start is not None else length
    in_tag = [p for p in placeholders if tag_start <= p.start < tag_end]
    in_name = [p for p in placeholders if p.start < reference.name_end]
    return in_tag, in_name


@dataclass(frozen=True)
class _Masked:
    """``text`` with placeholders replaced by grammar-safe letters.

    Name placeholders keep their length (so name indexes stay valid); one in
    the first of several path components becomes upper case (read as a
    registry host).  Tag placeholders shrink to one letter (their value's
    length is unknown) and a templated digest becomes a well-formed one;
    ``at`` is the index of '@' in the original text (-1 without).
    """

    text: str
    at: int
    templated_digest: bool


_FAKE_DIGEST = "sha256:" + "0" * 64


def _mask(text: str, placeholders: Sequence[Placeholder]) -> _Masked:
    chars = list(text)
    for placeholder in placeholders:
        chars[placeholder.start : placeholder.end] = "x" * (placeholder.end - placeholder.start)
    full = "".join(chars)
    at = full.find("@")
    name_tag = full if at == -1 else full[:at]
    slash = name_tag.find("/")
    if slash != -1 and re.fullmatch(r"[A-Za-z0-9.:-]+", name_tag[:slash]):
        for placeholder in (p for p in placeholders if p.end <= slash):
            size = placeholder.end - placeholder.start
            name_tag = name_tag[: placeholder.start] + "X" * size + name_tag[placeholder.end :]
    colon = name_tag.find(":", name_tag.rfind("/") + 1)
    if colon != -1:
        name_tag = name_tag[: colon + 1] + _mask_tag(text, colon + 1, len(name_tag), placeholders)
    templated_digest = at != -1 and any(p.start > at for p in placeholders)
    digest = "" if at == -1 else "@" + (_FAKE_DIGEST if templated_digest else text[at + 1 :])
    return _Masked(name_tag + digest, at, templated_digest)


def _mask_tag(text: str, start: int, end: int, placeholders: Sequence[Placeholder]) -> str:
    out, index = [], start
    for placeholder in (p for p in placeholders if start <= p.start < end):
        out.append(text[index : placeholder.start] + "x")
        index = placeholder.end
    out.append(text[index:end])
    return "".join(out)


def _unmask_error(
    error: ReferenceError, text: str, placeholders: Sequence[Placeholder]
) -> ReferenceError:
    """The error with masked letters in its message shown as the placeholders."""
    message = error.message
    for placeholder in sorted(placeholders, key=lambda p: p.start - p.end):
        size = placeholder.end - placeholder.start
        if size > 2:
            for mask in ("x" * size, "X" * size):
                message = message.replace(mask, placeholder.text)
    if message == error.message:
        return error
    return ReferenceError(message, hint=error.hint, position=error.position)


def _unmask(reference: Reference, text: str, masked: _Masked) -> Reference:
    """The parsed fields, read back from the original text."""
    end = reference.name_end
    path_start = masked.text.index("/") + 1 if reference.explicit_domain else 0
    domain = reference.domain
    if reference.explicit_domain and masked.text[:path_start] != text[:path_start]:
        domain = text[: path_start - 1]
    written_path = text[path_start:end]
    prefix = reference.path[: len(reference.path) - len(written_path)]
    tag_end = len(text) if masked.at == -1 else masked.at
    tag = None if reference.tag_start is None else text[reference.tag_start : tag_end]
    digest = None if masked.at == -1 else text[masked.at + 1 :]
    return replace(
        reference,
        domain=domain,
        path=prefix + written_path,
        tag=tag,
        digest=digest,
        digest_start=None if masked.at == -1 else masked.at + 1,
    )


# --- literal tags ---------------------------------------------------------------

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_EPOCH = re.compile(r"1\d{9}|1\d{12}")  # seconds or milliseconds, 2001–2033
# A calendar date (2024.11.27, 2024-11-27, 20241127), optionally with a time
# glued on (202411271530, 20241127153000).
_DATE = re.compile(
    r"(?<!\d)(?:19|20)\d\d([-._]?)(?:0[1-9]|1[0-2])\1(?:0[1-9]|[12]\d|3[01])"
    r"(?:[0-2]\d[0-5]\d(?:[0-5]\d)?)?(?!\d)"
)
_VERSION_TOKEN = re.compile(r"(v?)(\d+(?:\.\d+)*)(?:\.?([a-z][a-z0-9.]*))?")
_WORD_WITH_NUMBER = LazyPattern(r"([a-z]+)(\d+(?:\.\d+)*)")
_WORD_WITH_VERSION = LazyPattern(r"([a-z]+)(\d+(?:\.\d+)+)")
_COMMIT_TOKEN = re.compile(r"(?:sha|git|g)?([0-9a-f]{7,40})")
_BUILD_NUMBER = re.compile(r"\d+(?:\.\d+)*")
_ARCH_ALIASES = re.compile(r"x86[_-]64")


@dataclass(frozen=True)
class _Core:
    index: int  # token index
    text: str  # the token as it reads in the tag
    parts: tuple[int, ...]
    qualifier: str  # attached suffix: "rc1" in 3.14.0rc1, "post2" in 0.3.9post2


def _tokens(tag: str) -> list[str]:
    lowered = _ARCH_ALIASES.sub("amd64", tag.lower())
    return [token for token in re.split(r"[-_]+", lowered) if token]


def _is_commit_token(token: str) -> bool:
    match = _COMMIT_TOKEN.fullmatch(token)
    if match is None:
        return False
    hexes = match.group(1)
    return any(c.isdigit() for c in hexes) and any(c.isalpha() for c in hexes)


def _find_core(tokens: Sequence[str], vocab: Vocabulary) -> _Core | None:
    for index, token in enumerate(tokens):
        if _is_commit_token(token):
            continue
        match = _VERSION_TOKEN.fullmatch(token)
        if match is None:
            continue
        if index and tokens[index - 1] in vocab.platforms and not match.group(1):
            continue  # ubuntu-22.04, golang-1.24: the platform's version
        parts = tuple(int(part) for part in match.group(2).split("."))
        return _Core(index, token, parts, match.group(3) or "")
    for index, token in enumerate(tokens):  # ngc-th2.6.0-…: tool name glued to its version
        match = _WORD_WITH_VERSION.fullmatch(token)
        if match and match.group(1) not in vocab.variants and match.group(1) not in vocab.floating:
            parts = tuple(int(part) for part in match.group(2).split("."))
            return _Core(index, token, parts, "")
    return None


def _classify_literal_tag(tag: str, vocab: Vocabulary) -> tuple[TagClass, str]:
    lowered = tag.lower()
    if lowered == "latest":
        return TagClass.LATEST, "'latest' is whatever was pushed last"
    if lowered in vocab.floating:  # also multi-token words from config: `prod-eu`
        return TagClass.FLOATING, _floating_word_reason(lowered, tag, vocab)
    random_reason = _random_shape(tag, lowered)
    if random_reason:
        return TagClass.RANDOM, random_reason
    tokens = _tokens(tag)
    core = _find_core(tokens, vocab)
    if core is not None and len(core.parts) >= 3:
        return _full_version(tag, tokens, core, vocab)
    if _DATE.search(lowered):
        return TagClass.VERSION, f"'{tag}' carries a release date"
    if core is not None:
        return _short_version(tag, tokens, core, vocab)
    return _unversioned(tag, tokens, vocab)


def _random_shape(tag: str, lowered: str) -> str | None:
    if _UUID.search(lowered):
        return f"'{tag}' contains a UUID"
    if _EPOCH.fullmatch(tag):
        unit = "seconds" if len(tag) == 10 else "milliseconds"
        return f"'{tag}' is a Unix timestamp ({unit})"
    return None


def _prerelease_marker(tokens: Sequence[str], core: _Core, vocab: Vocabulary) -> str | None:
    if core.qualifier and vocab.is_prerelease_word(core.qualifier.strip(".")):
        return core.qualifier.strip(".")
    for token in tokens[core.index + 1 :]:
        if vocab.is_prerelease_word(token):
            return token
    return None


def _full_version(
    tag: str, tokens: Sequence[str], core: _Core, vocab: Vocabulary
) -> tuple[TagClass, str]:
    marker = _prerelease_marker(tokens, core, vocab)
    if marker:
        return TagClass.PRERELEASE, f"'{marker}' marks a prerelease"
    return TagClass.VERSION, f"'{tag}' names an exact version"


def _short_version(
    tag: str, tokens: Sequence[str], core: _Core, vocab: Vocabulary
) -> tuple[TagClass, str]:
    first = tokens[0]
    if first == "latest" or (core.index > 0 and first in vocab.floating):
        return TagClass.FLOATING, _floating_word_reason(first, tag, vocab)
    following = tokens[core.index + 1] if core.index + 1 < len(tokens) else ""
    if _BUILD_NUMBER.fullmatch(following) and not core.qualifier:
        return TagClass.VERSION, f"'{tag}' names a version and build number"
    commit = next((t for t in tokens if _is_commit_token(t)), None)
    if commit:
        return TagClass.COMMIT, f"'{commit}' is a commit"
    marker = _prerelease_marker(tokens, core, vocab)
    if marker:
        return TagClass.PRERELEASE, f"'{marker}' marks a prerelease"
    if len(core.parts) == 1 and _EPOCH.fullmatch(core.text):
        return TagClass.RANDOM, f"'{core.text}' is a Unix timestamp"
    if len(core.parts) == 1:
        return TagClass.PARTIAL, f"'{core.text}' names only a major version"
    return TagClass.PARTIAL, f"'{core.text}' names no patch version"


def _unversioned(tag: str, tokens: Sequence[str], vocab: Vocabulary) -> tuple[TagClass, str]:
    if tokens and tokens[0] == "latest":
        return TagClass.FLOATING, f"'{tag}' follows latest"
    commit = next((t for t in tokens if _is_commit_token(t)), None)
    if commit:
        return TagClass.COMMIT, f"'{commit}' is a commit"
    known = [t for t in tokens if t in vocab.floating or vocab.is_variant(t)]
    if not known and _looks_random(tag, vocab):
        return TagClass.RANDOM, f"'{tag}' looks random (high entropy)"
    return TagClass.FLOATING, _floating_reason(tag, tokens, vocab)


def _floating_reason(tag: str, tokens: Sequence[str], vocab: Vocabulary) -> str:
    for token in tokens:
        if token in vocab.floating and token not in vocab.codenames:
            return _floating_word_reason(token, tag, vocab)
    if tokens and all(_is_variant_token(tokens, i, vocab) for i in range(len(tokens))):
        if len(tokens) == 1 and tokens[0] in vocab.codenames:
            return f"'{tokens[0]}' is a distribution codename"
        return f"'{tag}' is a variant-only tag"
    codename = next((t for t in tokens if t in vocab.codenames), None)
    if codename:
        return f"'{codename}' is a distribution codename"
    return f"'{tag}' carries no version, commit or build id"


def _is_variant_token(tokens: Sequence[str], index: int, vocab: Vocabulary) -> bool:
    token = tokens[index]
    if vocab.is_variant(token):
        return True
    after_platform = index > 0 and tokens[index - 1] in vocab.platforms
    return after_platform and _BUILD_NUMBER.fullmatch(token) is not None


def _floating_word_reason(word: str, tag: str, vocab: Vocabulary) -> str:
    if word == "latest":
        return f"'{tag}' follows latest"
    if word in vocab.channels:
        return f"'{word}' is a release channel"
    if word in vocab.branches:
        return f"'{word}' is a branch name"
    if word in vocab.environments:
        return f"'{word}' names an environment"
    if word in vocab.pull_requests:
        return f"'{tag}' names a pull request, which moves with every push"
    if word in vocab.codenames:
        return f"'{word}' is a distribution codename"
    return f"'{word}' is a floating tag"


def _char_class(char: str) -> str:
    if char.isdigit():
        return "digit"
    return "upper" if char.isupper() else "lower"


def _entropy(text: str) -> float:
    counts = Counter(text)
    size = len(text)
    return -sum(n / size * math.log2(n / size) for n in counts.values())


def _looks_random(tag: str, vocab: Vocabulary) -> bool:
    compact = re.sub(r"[-_.]", "", tag)
    if len(compact) < vocab.random_min_length:
        return False
    classes = [_char_class(char) for char in compact]
    if len(set(classes)) < 2:
        return False
    switches = sum(1 for a, b in zip(classes, classes[1:], strict=False) if a != b)
    if switches < vocab.random_min_class_switches:
        return False
    return _entropy(compact) >= vocab.entropy_threshold


# --- release versions -----------------------------------------------------------


@dataclass(frozen=True)
class ReleaseVersion:
    """The version a literal tag names, variants left out: ``v3.14.0`` and
    ``v3.14.0-distroless`` are both ``(3, 14, 0)``.  ``exact`` is False for a
    partial version (``3.12``), which moves to each new patch release."""

    parts: tuple[int, ...]
    prerelease: str = ""  # the prerelease marker ("rc1"), "" for a release
    exact: bool = True
    text: str = ""  # the version as the tag writes it, variants left out: "v3.14.0"

    def key(self) -> tuple[tuple[int, ...], int, str]:
        """Sort key: by parts, a prerelease before its release."""
        return (self.parts, 0 if self.prerelease else 1, self.prerelease)

    def same_line(self, other: ReleaseVersion) -> bool:
        """One is a prefix of the other (``3.12`` and ``3.12.7``): a partial
        version is not older than the exact versions it floats over."""
        size = min(len(self.parts), len(other.parts))
        return self.parts[:size] == other.parts[:size]

    def older_than(self, other: ReleaseVersion) -> bool:
        if self.parts == other.parts:
            return bool(self.prerelease) and not other.prerelease
        return not self.same_line(other) and self.parts < other.parts

    def refines(self, other: ReleaseVersion) -> bool:
        """A more specific version of the same line (``1.0.3`` refines ``1.0``)."""
        return len(self.parts) > len(other.parts) and self.parts[: len(other.parts)] == other.parts


_VERSIONED_CLASSES = (TagClass.VERSION, TagClass.PRERELEASE, TagClass.PARTIAL)


def release_version(tag: str, vocab: Vocabulary | None = None) -> ReleaseVersion | None:
    """The version a literal tag names, or None (commits, floating words,
    placeholders); remembered per tag (a repository repeats a few hundred
    tags tens of thousands of times)."""
    return _release_version(tag, vocab or Vocabulary.default())


@lru_cache(maxsize=16384)
def _release_version(tag: str, vocab: Vocabulary) -> ReleaseVersion | None:
    if find_placeholders(tag):
        return None
    tag_class, _ = _classify_literal_tag(tag, vocab)
    if tag_class not in _VERSIONED_CLASSES:
        return None
    tokens = _tokens(tag)
    core = _find_core(tokens, vocab)
    exact = tag_class is not TagClass.PARTIAL
    if core is None or (exact and len(core.parts) < 3):
        date = _DATE.search(tag.lower())
        if date is not None:
            digits = re.sub(r"\D", "", date.group())
            parts = (int(digits[:4]), int(digits[4:6]), int(digits[6:8]), int(digits[8:] or 0))
            return ReleaseVersion(parts, text=_as_written(tag, date.group()))
        if core is None:
            return None
        following = tokens[core.index + 1] if core.index + 1 < len(tokens) else ""
        if not _BUILD_NUMBER.fullmatch(following):
            return ReleaseVersion(core.parts, exact=exact, text=_as_written(tag, core.text))
        build = tuple(int(p) for p in following.split("."))
        return ReleaseVersion(core.parts + build, exact=exact, text=_as_written(tag, f"{core.text}-{following}"))
    marker = _prerelease_marker(tokens, core, vocab) or ""
    text = core.text if not marker or marker in core.text else f"{core.text}-{marker}"
    return ReleaseVersion(core.parts, marker, exact, _as_written(tag, text))


def _as_written(tag: str, lowered: str) -> str:
    """``lowered`` (a piece of the lower-cased tag) in the tag's own case."""
    start = tag.lower().find(lowered)
    return tag[start : start + len(lowered)] if start >= 0 else lowered


def semantic_version(tag: str, require_patch: bool) -> bool:
    """``[v]MAJOR.MINOR[.PATCH][-prerelease]`` (``require: semver``), or with
    ``require_patch`` a full ``MAJOR.MINOR.PATCH`` (``require: semver-strict``)."""
    import semver

    text = tag[1:] if tag[:1] in "vV" else tag
    if require_patch:
        return bool(semver.Version.is_valid(text))
    core = re.split(r"[-+]", text, maxsplit=1)[0]
    if "." not in core:  # a major version alone moves across minor releases
        return False
    try:
        semver.Version.parse(text, optional_minor_and_patch=True)
    except ValueError:
        return False
    return True
