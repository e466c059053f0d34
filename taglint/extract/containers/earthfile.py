"""Earthly ``Earthfile`` builds.

An Earthfile is a sequence of targets (``name:`` at the start of a line,
its commands indented below); commands before the first target form the
base target.  What this extractor records:

* ``FROM image`` — the image a target starts from.  ``FROM +target`` and
  ``FROM ./dir+target`` name Earthly targets, and ``FROM DOCKERFILE``
  builds a Dockerfile (read by the Dockerfile extractor): none of these
  is an image to pull.  ``BUILD`` only names targets.
* ``WITH DOCKER --pull image`` — images pulled into the embedded Docker.
* ``SAVE IMAGE [--push] name…`` — the names a target's image gets; with
  ``--push`` they are pushed by ``earthly --push`` (a push target whose
  missing tag means ``:latest``).  Earthly pushes with the credentials of
  the Docker configuration it runs with, so no login is expected in the
  file (``authenticated``).

``$NAME``/``${NAME}`` in those places are substituted from ``ARG`` (and
``LET``/``SET``) defaults: ``ARG --global`` ones and those of the target
itself; an ``ARG`` with no default is known but has no value (TL108
names it).  Lines continued with ``\\`` are joined, with each character
mapped back to its line and column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from taglint.extract.ci.common import CiFile, Env, expand_env
from taglint.model import FileFacts, Location, Span, Step, Word
from taglint.source import ExtractContext, SourceFile

KIND = "earthfile"
BASE_TARGET = "base"
_TARGET = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*):[ \t]*(?:#.*)?$")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Options of FROM and WITH DOCKER that take the next word as their value.
_VALUE_OPTIONS = frozenset({"--platform", "--build-arg", "--pull", "--load", "--compose", "--service",
                            "--cache-from", "--cache-id"})


@dataclass(frozen=True)
class _Token:
    written: str  # as in the file (quotes kept)
    text: str  # quotes removed
    start: int  # offset in the logical line


@dataclass
class _Line:
    """One logical line (continuations joined) and where each character is."""

    text: str
    places: list[tuple[int, int]]  # (line, column) of each character

    def span(self, start: int, end: int) -> Span:
        line, column = self.places[start]
        end_line, end_column = self.places[max(start, end - 1)]
        return Span(line, column, end_line, end_column + (1 if end > start else 0))


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    ci = CiFile(source, KIND)
    global_env: Env = {}
    env: Env = {}
    target = BASE_TARGET
    for line in _logical_lines(source.lines):
        stripped = line.text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        header = _TARGET.match(line.text)
        if header is not None:
            target, env = header.group(1), dict(global_env)
            continue
        tokens = _tokens(line.text)
        if not tokens:
            continue
        keyword = tokens[0].text.upper()
        if keyword in ("ARG", "LET", "SET"):
            _define(ci, line, tokens[1:], keyword, env, global_env, in_base=target == BASE_TARGET)
        elif keyword == "FROM":
            _from(ci, line, tokens[1:], target, env)
        elif keyword == "WITH" and len(tokens) > 1 and tokens[1].text.upper() == "DOCKER":
            for token in _option_values(tokens[2:], "--pull"):
                _image(ci, line, token, "WITH DOCKER --pull", target, env)
        elif keyword == "SAVE" and len(tokens) > 1 and tokens[1].text.upper() == "IMAGE":
            _save_image(ci, line, tokens[2:], target, env)
    return ci.facts


def _logical_lines(lines: list[str]) -> list[_Line]:
    out: list[_Line] = []
    text: list[str] = []
    places: list[tuple[int, int]] = []
    for number, raw in enumerate(lines, start=1):
        body = raw.rstrip()
        continued = body.endswith("\\") and not body.lstrip().startswith("#")
        if continued:
            body = body[:-1]
        for column, char in enumerate(body, start=1):
            text.append(char)
            places.append((number, column))
        if continued:
            text.append(" ")
            places.append((number, len(body) + 1))
            continue
        out.append(_Line("".join(text), places))
        text, places = [], []
    if text:
        out.append(_Line("".join(text), places))
    return out


def _tokens(text: str) -> list[_Token]:
    """Whitespace-separated words; quotes group and are removed from ``text``."""
    tokens: list[_Token] = []
    index = 0
    while index < len(text):
        if text[index].isspace():
            index += 1
            continue
        start = index
        value: list[str] = []
        quote: str | None = None
        while index < len(text) and (quote is not None or not text[index].isspace()):
            char = text[index]
            if quote is None and char in "\"'":
                quote = char
            elif char == quote:
                quote = None
            else:
                value.append(char)
            index += 1
        tokens.append(_Token(text[start:index], "".join(value), start))
    return tokens


def _define(ci: CiFile, line: _Line, tokens: list[_Token], keyword: str, env: Env, global_env: Env,
            *, in_base: bool) -> None:
    is_global = any(t.text == "--global" for t in tokens)
    words = [t for t in tokens if not t.text.startswith("--")]
    if not words:
        return
    first = words[0]
    name, equals, default = first.text.partition("=")
    if not _VARIABLE.match(name):
        return
    if not equals and len(words) >= 3 and words[1].text == "=":  # ARG name = value
        equals, default, first = "=", words[2].text, words[2]
        value_start = first.start
        value_written = first.written
    else:
        value_start = first.start + len(name) + 1
        value_written = first.written[len(name) + 1:]
    if equals:
        expanded, _via = expand_env(default, env)
        location = Location(ci.source.path, line.span(value_start, value_start + len(value_written)))
        step = Step(f"{keyword} {name}", expanded, location)
    else:
        step = Step(f"{keyword} {name}", None, Location(ci.source.path, line.span(first.start, first.start + len(name))))
    env[name] = step
    if is_global and in_base:
        global_env[name] = step


def _option_values(tokens: list[_Token], option: str) -> list[_Token]:
    """The values of ``option`` (``--pull x`` or ``--pull=x``) among ``tokens``."""
    found: list[_Token] = []
    for index, token in enumerate(tokens):
        if token.text == option and index + 1 < len(tokens):
            found.append(tokens[index + 1])
        elif token.text.startswith(option + "=") and token.written.startswith(option + "="):
            skip = len(option) + 1
            found.append(_Token(token.written[skip:], token.text[skip:], token.start + skip))
    return found


def _operands(tokens: list[_Token]) -> list[_Token]:
    """The words after the options (``--x`` / ``--x=v`` / ``--x v``)."""
    out: list[_Token] = []
    skip_next = False
    for token in tokens:
        if skip_next:
            skip_next = False
            continue
        if token.text.startswith("--"):
            skip_next = "=" not in token.text and token.text in _VALUE_OPTIONS
            continue
        out.append(token)
    return out


def _is_target_reference(text: str) -> bool:
    """``+build``, ``./lib+build``, ``github.com/org/repo:v1+build``."""
    return text.startswith(("+", "./", "../", "/")) or "+" in text


def _from(ci: CiFile, line: _Line, tokens: list[_Token], target: str, env: Env) -> None:
    operands = _operands(tokens)
    if not operands or operands[0].text.upper() == "DOCKERFILE":
        return
    if _is_target_reference(operands[0].text):
        return
    _image(ci, line, operands[0], "FROM", target, env)


def _unquoted(token: _Token) -> tuple[int, str]:
    """Offset and text of ``token`` without surrounding quotes."""
    written = token.written
    if len(written) >= 2 and written[0] == written[-1] and written[0] in "\"'":
        return token.start + 1, written[1:-1]
    return token.start, written


def _image(ci: CiFile, line: _Line, token: _Token, context: str, target: str, env: Env) -> None:
    start, written = _unquoted(token)
    if not written:
        return
    value, via = expand_env(written, env)
    ci.add_image(line.span(start, start + len(written)), written, value, context, via=via, stage=target)


def _save_image(ci: CiFile, line: _Line, tokens: list[_Token], target: str, env: Env) -> None:
    push = any(t.text == "--push" for t in tokens)
    names = _operands(tokens)
    if not names:
        return
    words: list[Word] = []
    for token in names:
        start, written = _unquoted(token)
        value, via = expand_env(written, env)
        words.append(Word(written, value, line.span(start, start + len(written)), via))
    first, last = tokens[0], tokens[-1]
    span = line.span(first.start, last.start + len(last.written))
    ci.command(
        span, "earthly", "build", target,
        args=tuple(words), written=line.text.strip(), targets=tuple(words), push=push,
        default_tag="latest", verb="SAVE IMAGE --push" if push else "SAVE IMAGE",
        authenticated=True, editable=False,
    )
