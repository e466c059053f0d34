"""Docker Compose files: ``services.*.image``.

* A service with ``build:`` *and* ``image:`` names the image it builds
  (``ImageRef.built = True``); a service with only ``build:`` names none.
* Interpolation follows Compose: ``$VAR``, ``${VAR}``, ``${VAR:-default}``,
  ``${VAR-default}``, ``${VAR:?error}``, ``${VAR?error}``, ``${VAR:+alt}``,
  ``${VAR+alt}`` (nested in defaults too) and ``$$`` for a literal ``$``.
  Values come from the ``.env`` file beside the compose file — and only
  from there: the environment of the process that runs taglint is not the
  one that deploys, so it is not read.  A variable ``.env`` does not set
  takes its default when there is one (``${TAG:-latest}`` → ``latest``);
  otherwise it stays as written (``app:${TAG}``), which the classifier
  reports as unresolved.  Every substitution is a :class:`Step` in ``via``,
  with the ``.env`` line when the value came from there.
* ``x-*`` extension blocks are read through YAML anchors and merge keys
  (``<<: *defaults``); an image written once and merged into several
  services is reported once, at the place it is written.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from taglint import limits
from taglint.extract import broken_yaml
from taglint.model import FileFacts, ImageRef, Location, Span, Step
from taglint.source import ExtractContext, SkippedFile, SourceFile, decode, read_file_bytes
from taglint.tags import matching_bracket
from taglint.yamlnodes import (
    MappingNode,
    Node,
    ScalarNode,
    YamlError,
    is_null,
    iter_mapping,
    load_documents,
    mapping_get,
    node_span,
    span_text,
    split_lines,
)

KIND = "compose"


class EnvValue(NamedTuple):
    value: str
    location: Location | None = None


# --------------------------------------------------------------------------
# .env files


_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*?)\s*$")
_DQ_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$"}


_MAX_ENV_SIZE = 1024 * 1024  # a larger .env is not read


def parse_dotenv(text: str, path: str = ".env") -> dict[str, EnvValue]:
    """``NAME=value`` lines of a ``.env`` file (Compose's dialect).

    ``export`` prefixes, ``#`` comments, single quotes (literal), double
    quotes (``\\n``-style escapes) and inline `` # comments`` after unquoted
    values are understood.  Later lines win.
    """
    env: dict[str, EnvValue] = {}
    for number, line in enumerate(split_lines(text), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _ENV_LINE.match(line)
        if match is None:
            continue
        name, raw = match.group(1), match.group(2)
        column = match.start(2) + 1
        if raw[:1] == "'" and raw.find("'", 1) > 0:
            value = raw[1 : raw.find("'", 1)]
            column += 1
        elif raw[:1] == '"' and _closing_quote(raw) > 0:
            body = raw[1 : _closing_quote(raw)]
            value = re.sub(r"\\(.)", lambda m: _DQ_ESCAPES.get(m.group(1), "\\" + m.group(1)), body)
            column += 1
        else:
            value = re.split(r"\s+#", raw, maxsplit=1)[0].rstrip()
        span = Span(number, column, number, column + len(value))
        env[name] = EnvValue(value, Location(path, span))
    return env


def _closing_quote(raw: str) -> int:
    index = 1
    while index < len(raw):
        if raw[index] == "\\":
            index += 2
            continue
        if raw[index] == '"':
            return index
        index += 1
    return -1


# --------------------------------------------------------------------------
# Interpolation


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")


def interpolate(text: str, env: Mapping[str, EnvValue]) -> tuple[str, tuple[Step, ...]]:
    """Substitute Compose variables in ``text``; see the module docstring."""
    steps: list[Step] = []
    value = _interpolate(text, env, steps, depth=0)
    if limits.grew_too_large(text, value):
        return limits.unresolved(text, steps)
    return value, tuple(steps)


def _interpolate(text: str, env: Mapping[str, EnvValue], steps: list[Step], depth: int) -> str:
    out: list[str] = []
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char != "$":
            next_dollar = text.find("$", index)
            if next_dollar < 0:
                out.append(text[index:])
                break
            out.append(text[index:next_dollar])
            index = next_dollar
            continue
        following = text[index + 1 : index + 2]
        if following == "$":
            out.append("$")
            index += 2
            continue
        if following == "{":
            end = matching_bracket(text, index + 1, "{", "}")
            if end < 0 or depth > 20:
                out.append(text[index:])
                break
            out.append(_expand_braced(text[index : end + 1], env, steps, depth))
            index = end + 1
            continue
        match = _NAME.match(text, index + 1)
        if match is None:
            out.append("$")
            index += 1
            continue
        name = match.group(0)
        known = env.get(name)
        if known is None:
            steps.append(Step(f"${name}", None))
            out.append(text[index : match.end()])
        elif not limits.budget().admit(known.value):
            steps.append(limits.too_large_step(f"${name}", known.location))
            out.append(text[index : match.end()])
        else:
            steps.append(Step(f"${name}", known.value, known.location))
            out.append(known.value)
        index = match.end()
    return "".join(out)


def _expand_braced(written: str, env: Mapping[str, EnvValue], steps: list[Step], depth: int) -> str:
    body = written[2:-1]
    match = _NAME.match(body)
    if match is None:
        return written  # not a valid expression: Compose rejects it; keep it visible
    name = match.group(0)
    rest = body[match.end() :]
    operator = next((op for op in _OPERATORS if rest.startswith(op)), None)
    if rest and operator is None:
        return written
    argument = rest[len(operator) :] if operator else ""
    known = env.get(name)
    is_set = known is not None
    non_empty = is_set and known.value != ""  # type: ignore[union-attr]

    def use_known() -> str:
        assert known is not None
        if not limits.budget().admit(known.value):
            steps.append(limits.too_large_step(f"${name}", known.location))
            return written
        steps.append(Step(f"${name}", known.value, known.location))
        return known.value

    def use_argument() -> str:
        value = _interpolate(argument, env, steps, depth + 1)
        steps.append(Step(written, value, known.location if known else None))
        return value

    if operator in (":-", "-"):
        if non_empty or (operator == "-" and is_set):
            return use_known()
        return use_argument()
    if operator in (":?", "?"):
        if non_empty or (operator == "?" and is_set):
            return use_known()
        steps.append(Step(f"${name}", None))
        return written
    if operator in (":+", "+"):
        if non_empty or (operator == "+" and is_set):
            return use_argument()
        if is_set:
            steps.append(Step(written, "", known.location if known else None))
            return ""
        steps.append(Step(f"${name}", None))
        return written
    if is_set:
        return use_known()
    steps.append(Step(f"${name}", None))
    return written


# --------------------------------------------------------------------------
# Extraction


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    env_path = Path(source.fs_path).parent / ".env"
    env: dict[str, EnvValue] = {}
    try:  # never a FIFO, socket or device named .env (they could block forever)
        if "$" in source.text and env_path.exists():
            display = posixpath.normpath(posixpath.join(posixpath.dirname(source.path), ".env"))
            text = decode(read_file_bytes(env_path, _MAX_ENV_SIZE)).text
            env = parse_dotenv(text, display) if text is not None else {}
    except (OSError, SkippedFile):
        env = {}
    return extract_with_env(source, env)


def extract_with_env(source: SourceFile, env: Mapping[str, EnvValue]) -> FileFacts:
    """:func:`extract` with the ``.env`` values given (pure)."""
    facts = FileFacts(source.path, KIND)
    if "image" not in source.text:
        return facts
    try:
        documents = load_documents(source.text)
    except YamlError as error:
        _read_unparsed(source, facts, error, env)
    else:
        facts.images.extend(_images_of(documents, source.path, source.text, env))
    facts.images.sort(key=lambda ref: ref.span)
    return facts


def _images_of(documents: list[Node], path: str, text: str, env: Mapping[str, EnvValue]) -> list[ImageRef]:
    """The service images of a file's documents (``text`` is what they were read from)."""
    images: list[ImageRef] = []
    lines = split_lines(text)
    seen: set[tuple[Span, bool]] = set()
    for document in documents:
        services = mapping_get(document, "services")
        for name, _, service in iter_mapping(services):
            if not isinstance(service, MappingNode):
                continue
            image = mapping_get(service, "image")
            if not isinstance(image, ScalarNode) or is_null(image):
                continue
            built = not is_null(mapping_get(service, "build"))
            span = node_span(image, text)
            if (span, built) in seen:
                continue
            seen.add((span, built))
            raw = str(image.value)
            written = span_text(lines, span)
            value, via = interpolate(raw, env)
            images.append(
                ImageRef(
                    path=path,
                    span=span,
                    written=written if written is not None else raw,
                    value=value,
                    kind=KIND,
                    context=f"services.{name}.image",
                    via=via,
                    stage=name,
                    built=built,
                )
            )
    return images


# --------------------------------------------------------------------------
# A file that does not parse (taglint.extract.broken_yaml)


def _read_unparsed(source: SourceFile, facts: FileFacts, error: YamlError, env: Mapping[str, EnvValue]) -> None:
    """An unrendered template (problems only from ``{{ … }}``) is read as
    usual, no TL001; anything else is TL001, and the ``image:`` lines of its
    services are still checked."""
    def images_of(documents: list[Node], masked: str) -> list[ImageRef]:
        return _images_of(documents, source.path, masked, env)

    if broken_yaml.read_unrendered_template(source.text, facts, images_of):
        return
    keys = broken_yaml.key_lines(source.text)
    built = {(k.document, k.parents) for k in keys if k.key == "build" and k.parents[:1] == ("services",)}
    refs: list[ImageRef] = []
    for line in keys:
        if line.key != "image" or line.value is None or line.parents[:1] != ("services",) or len(line.parents) > 2:
            continue
        name = line.parents[1] if len(line.parents) == 2 else None
        value, via = interpolate(line.value, env)
        ref = broken_yaml.recovered_ref(
            line, source.path, KIND, f"services.{name}.image" if name else "services.image", stage=name,
            built=(line.document, line.parents) in built,
        )
        refs.append(replace(ref, value=value, via=via))
    broken_yaml.recover_image_lines(facts, error, refs)
