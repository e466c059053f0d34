"""Go ``text/template`` source as a tree.

:func:`parse` turns a template's text into a list of nodes and the named
templates it defines.  Every node keeps offsets into the text, so the
renderer can say where each output character is written.

Understood: text, actions with pipelines (``a | b``), variable declarations
and assignments (``$x := …``, ``$x = …``, ``$k, $v := …`` in ``range``),
``if``/``else if``/``else``, ``with``/``else with``/``else``, ``range``
(with ``break``/``continue``), ``define``, ``template``, ``block``,
comments, and the ``{{-``/``-}}`` trim markers.  Operands: ``.``, field
chains (``.Values.image.tag``, ``$x.a``, ``(pipe).a``), variables, string
(``"…"``, raw ```…```), character, number, ``true``/``false``/``nil``
literals, function names and parenthesised pipelines.

A template that does not parse raises :class:`TemplateSyntaxError`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Union

MAX_NESTING = 200  # control structures nested deeper than this are refused


class TemplateSyntaxError(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


# --------------------------------------------------------------------------
# Nodes


@dataclass(eq=False)
class TextNode:
    text: str
    offset: int  # of text[0] in the template source
    cache: Any = None  # the renderer's Text for it


@dataclass(eq=False)
class Field:
    chain: tuple[str, ...]  # ("Values", "image", "tag")
    offset: int


@dataclass(eq=False)
class Variable:
    name: str  # "$" or "$name"
    chain: tuple[str, ...]
    offset: int


@dataclass(eq=False)
class Dot:
    offset: int


@dataclass(eq=False)
class Literal:
    value: Any  # str (a string literal), int, float, bool or None
    offset: int  # of the literal's first character
    content_offset: int = -1  # strings: offset of the first character inside the quotes
    raw: bool = False  # strings: written so that content == source text (no escapes)
    cache: Any = None


@dataclass(eq=False)
class Identifier:
    name: str  # a function name
    offset: int


@dataclass(eq=False)
class Group:
    pipe: Pipe
    chain: tuple[str, ...]
    offset: int


Operand = Union[Field, Variable, Dot, Literal, Identifier, Group]


@dataclass(eq=False)
class Command:
    args: list[Operand]
    offset: int
    text: str  # as written


@dataclass(eq=False)
class Pipe:
    decl: list[str]  # variables declared or assigned
    assign: bool  # `=` rather than `:=`
    cmds: list[Command]
    offset: int
    text: str  # as written (without declarations)


@dataclass(eq=False)
class Action:
    pipe: Pipe
    offset: int  # of the `{{`
    end: int  # just after the `}}`


@dataclass(eq=False)
class Branch:
    """``if``/``with``/``range``: ``body`` when the pipeline is true (or for
    each item), ``otherwise`` (the ``else`` part) when not."""

    kind: str  # "if" | "with" | "range"
    pipe: Pipe
    body: list[Node]
    otherwise: list[Node] | None
    offset: int
    end: int  # just after the `}}` of the opening action


@dataclass(eq=False)
class Call:
    """``{{ template "name" pipe }}`` (and the call part of ``block``)."""

    name: str
    pipe: Pipe | None
    offset: int


@dataclass(eq=False)
class Break:
    offset: int


@dataclass(eq=False)
class Continue:
    offset: int


Node = Union[TextNode, Action, Branch, Call, Break, Continue]


@dataclass
class Tree:
    nodes: list[Node]
    defines: dict[str, list[Node]] = field(default_factory=dict)


# --------------------------------------------------------------------------
# Lexing the inside of an action

_SPACE = " \t\r\n"


@dataclass
class _Token:
    kind: str  # field, var, dot, string, char, number, ident, lparen, rparen, pipe, decl, assign, comma, bool, nil
    value: Any
    start: int
    end: int
    raw: bool = False  # strings without escapes
    content_start: int = -1


_TOKEN = re.compile(
    r"""(?P<space>\s+)
    |(?P<var>\$[A-Za-z0-9_]*)(?P<varchain>(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    |(?P<field>(?:\.[A-Za-z_][A-Za-z0-9_]*)+)
    |(?P<number>[+-]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9]+)?))
    |(?P<dot>\.)
    |(?P<string>"(?:[^"\\\n]|\\.)*")
    |(?P<raw>`[^`]*`)
    |(?P<char>'(?:[^'\\\n]|\\[^'\n]{1,9})')
    |(?P<lparen>\()
    |(?P<rparen>\))(?P<chain>(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    |(?P<pipe>\|)
    |(?P<comma>,)
    |(?P<decl>:=)
    |(?P<assign>=)
    |(?P<ident>[A-Za-z_][A-Za-z0-9_]*)""",
    re.VERBOSE,
)


def _lex(text: str, base: int) -> list[_Token]:
    """Tokens of an action's inside; offsets are ``base`` + index."""
    tokens: list[_Token] = []
    position = 0
    size = len(text)
    match = _TOKEN.match
    while position < size:
        found = match(text, position)
        if found is None:
            char = text[position]
            if char in "\"`'":
                raise TemplateSyntaxError("unterminated quoted string", base + position)
            raise TemplateSyntaxError(f"unexpected {char!r} in action", base + position)
        kind = found.lastgroup
        start, end = found.start(), found.end()
        position = end
        if kind == "space":
            continue
        if kind == "varchain":  # the last group of a variable with a chain
            kind = "var"
        if kind == "var":
            name = found.group("var")
            chain_text = found.group("varchain")
            tokens.append(_Token("var", (name, tuple(chain_text[1:].split(".")) if chain_text else ()), base + start, base + end))
        elif kind == "field":
            tokens.append(_Token("field", tuple(text[start + 1 : end].split(".")), base + start, base + end))
        elif kind == "number":
            tokens.append(_Token("number", _number(text[start:end], base + start), base + start, base + end))
        elif kind == "dot":
            tokens.append(_Token("dot", None, base + start, base + end))
        elif kind == "string":
            body = text[start + 1 : end - 1]
            raw = "\\" not in body
            value = body if raw else _unescape(body, base + start + 1)
            tokens.append(_Token("string", value, base + start, base + end, raw, base + start + 1))
        elif kind == "raw":
            tokens.append(_Token("string", text[start + 1 : end - 1], base + start, base + end, True, base + start + 1))
        elif kind == "char":
            body = text[start + 1 : end - 1]
            value = body if body[0] != "\\" else _unescape(body, base + start + 1)
            if len(value) != 1:
                raise TemplateSyntaxError("bad character constant", base + start)
            tokens.append(_Token("number", ord(value), base + start, base + end))
        elif kind in ("rparen", "chain"):
            tokens.append(_Token("rparen", None, base + start, base + start + 1))
            chain_text = found.group("chain")
            if chain_text:  # (pipe).field
                tokens.append(_Token("chain", tuple(chain_text[1:].split(".")), base + start + 1, base + end))
        elif kind == "ident":
            word = text[start:end]
            if word in ("true", "false"):
                tokens.append(_Token("bool", word == "true", base + start, base + end))
            elif word == "nil":
                tokens.append(_Token("nil", None, base + start, base + end))
            else:
                tokens.append(_Token("ident", word, base + start, base + end))
        else:  # lparen, pipe, comma, decl, assign
            tokens.append(_Token(kind, None, base + start, base + end))  # type: ignore[arg-type]
    return tokens


def _unescape(body: str, offset: int) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        if body[i] == "\\":
            char, i = _escape(body, i, offset)
            out.append(char)
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _escape(text: str, j: int, base: int) -> tuple[str, int]:
    """The character of the escape at ``text[j]`` (a backslash) and the index after it."""
    code = text[j + 1] if j + 1 < len(text) else ""
    if code in ("x", "u", "U"):
        size = {"x": 2, "u": 4, "U": 8}[code]
        digits = text[j + 2 : j + 2 + size]
        try:
            return chr(int(digits, 16)), j + 2 + size
        except ValueError:
            raise TemplateSyntaxError("bad escape", base + j) from None
    if code in _ESCAPES:
        return _ESCAPES[code], j + 2
    if code.isdigit():
        digits = text[j + 1 : j + 4]
        try:
            return chr(int(digits, 8)), j + 4
        except ValueError:
            raise TemplateSyntaxError("bad escape", base + j) from None
    raise TemplateSyntaxError("unknown escape sequence", base + j)


def _number(text: str, offset: int) -> int | float:
    clean = text.replace("_", "")
    try:
        if re.fullmatch(r"[+-]?0[xX][0-9a-fA-F]+", clean):
            return int(clean, 16)
        if re.fullmatch(r"[+-]?0[oO][0-7]+", clean):
            return int(clean.replace("o", "").replace("O", ""), 8)
        if re.fullmatch(r"[+-]?0[bB][01]+", clean):
            return int(clean, 2)
        if re.fullmatch(r"[+-]?[0-9]+", clean):
            if len(clean.lstrip("+-")) > 1 and clean.lstrip("+-").startswith("0"):
                return int(clean, 8)  # Go: a leading 0 is octal
            return int(clean)
        return float(clean)
    except ValueError:
        raise TemplateSyntaxError(f"bad number syntax: {text!r}", offset) from None


# --------------------------------------------------------------------------
# Parsing the inside of an action


class _Tokens:
    def __init__(self, tokens: list[_Token], source: str, end: int) -> None:
        self.tokens = tokens
        self.index = 0
        self.source = source
        self.end = end  # offset after the action's inside

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def next(self) -> _Token:
        token = self.peek()
        if token is None:
            raise TemplateSyntaxError("unexpected end of action", self.end)
        self.index += 1
        return token

    def done(self) -> bool:
        return self.index >= len(self.tokens)


def _parse_pipe(tokens: _Tokens, *, allow_decl: bool = True, stop_at_rparen: bool = False) -> Pipe:
    decl: list[str] = []
    assign = False
    if allow_decl:
        decl, assign = _declaration(tokens)
    cmds: list[Command] = []
    start = tokens.peek().start if tokens.peek() is not None else tokens.end  # type: ignore[union-attr]
    while True:
        command = _parse_command(tokens, stop_at_rparen)
        cmds.append(command)
        token = tokens.peek()
        if token is None or (stop_at_rparen and token.kind == "rparen"):
            break
        if token.kind != "pipe":
            raise TemplateSyntaxError(f"unexpected {tokens.source[token.start:token.end]!r} in pipeline", token.start)
        tokens.next()
    last = tokens.tokens[tokens.index - 1].end if tokens.index else start
    return Pipe(decl, assign, cmds, start, tokens.source[start:last])


def _declaration(tokens: _Tokens) -> tuple[list[str], bool]:
    """``$x :=``, ``$x =`` or ``$k, $v :=`` at the start of a pipeline."""
    save = tokens.index
    names: list[str] = []
    while True:
        token = tokens.peek()
        if token is None or token.kind != "var" or token.value[1]:
            tokens.index = save
            return [], False
        tokens.next()
        names.append(token.value[0])
        following = tokens.peek()
        if following is not None and following.kind == "comma" and len(names) == 1:
            tokens.next()
            continue
        if following is not None and following.kind in ("decl", "assign"):
            tokens.next()
            return names, following.kind == "assign"
        tokens.index = save
        return [], False


def _parse_command(tokens: _Tokens, stop_at_rparen: bool) -> Command:
    args: list[Operand] = []
    first = tokens.peek()
    if first is None:
        raise TemplateSyntaxError("missing command", tokens.end)
    while True:
        token = tokens.peek()
        if token is None or token.kind == "pipe" or (token.kind == "rparen" and stop_at_rparen):
            break
        args.append(_parse_operand(tokens))
    if not args:
        raise TemplateSyntaxError("empty command", first.start)
    end = tokens.tokens[tokens.index - 1].end
    return Command(args, first.start, tokens.source[first.start:end])


def _parse_operand(tokens: _Tokens) -> Operand:
    token = tokens.next()
    kind = token.kind
    if kind == "field":
        return Field(token.value, token.start)
    if kind == "var":
        return Variable(token.value[0], token.value[1], token.start)
    if kind == "dot":
        return Dot(token.start)
    if kind == "string":
        return Literal(token.value, token.start, token.content_start, token.raw)
    if kind in ("number", "bool", "nil"):
        return Literal(token.value, token.start)
    if kind == "ident":
        return Identifier(token.value, token.start)
    if kind == "lparen":
        pipe = _parse_pipe(tokens, allow_decl=True, stop_at_rparen=True)
        closing = tokens.next()
        if closing.kind != "rparen":
            raise TemplateSyntaxError("unclosed left paren", token.start)
        chain: tuple[str, ...] = ()
        following = tokens.peek()
        if following is not None and following.kind == "chain":
            tokens.next()
            chain = following.value
        return Group(pipe, chain, token.start)
    raise TemplateSyntaxError(f"unexpected {tokens.source[token.start:token.end]!r} in operand", token.start)


# --------------------------------------------------------------------------
# The template: text and actions


@dataclass
class _RawAction:
    inside: str  # between the delimiters and trim markers
    inside_offset: int
    start: int  # offset of `{{`
    end: int  # after `}}`
    comment: bool


_ACTION_START = "{{"


def _split(text: str) -> list[TextNode | _RawAction]:
    """Text runs and raw actions, with the trim markers applied."""
    items: list[TextNode | _RawAction] = []
    position = 0
    trim_next = False
    n = len(text)
    while True:
        start = text.find(_ACTION_START, position)
        if start < 0:
            chunk = text[position:]
            offset = position
            if trim_next:
                stripped = chunk.lstrip(_SPACE)
                offset += len(chunk) - len(stripped)
                chunk = stripped
            if chunk:
                items.append(TextNode(chunk, offset))
            return items
        chunk = text[position:start]
        offset = position
        if trim_next:
            stripped = chunk.lstrip(_SPACE)
            offset += len(chunk) - len(stripped)
            chunk = stripped
        inner = start + 2
        trim_left = text.startswith("-", inner) and inner + 1 < n and text[inner + 1] in _SPACE
        if trim_left:
            chunk = chunk.rstrip(_SPACE)
            inner += 2
        if chunk:
            items.append(TextNode(chunk, offset))
        # A comment: `{{/* … */}}`, `{{- /* … */ -}}`.
        probe = inner
        while trim_left and probe < n and text[probe] in _SPACE:
            probe += 1
        if text.startswith("/*", probe):
            close = text.find("*/", probe + 2)
            if close < 0:
                raise TemplateSyntaxError("unclosed comment", start)
            after = close + 2
            trim_right = False
            if text.startswith(" -}}", after) or text.startswith("\t-}}", after) or text.startswith("\n-}}", after):
                trim_right = True
                after += 1
            if not text.startswith("}}", after) and not text.startswith("-}}", after):
                raise TemplateSyntaxError("comment ends before closing delimiter", start)
            if text.startswith("-}}", after):
                trim_right = True
                after += 1
            end = after + 2
            items.append(_RawAction("", inner, start, end, True))
            position = end
            trim_next = trim_right
            continue
        close = _find_close(text, inner)
        if close < 0:
            raise TemplateSyntaxError("unclosed action", start)
        inside_end = close
        trim_right = close - 1 >= inner and text[close - 1] == "-" and close - 2 >= inner and text[close - 2] in _SPACE
        if trim_right:
            inside_end = close - 1
        items.append(_RawAction(text[inner:inside_end], inner, start, close + 2, False))
        position = close + 2
        trim_next = trim_right


_CLOSE_OR_QUOTE = re.compile(r"\}\}|[\"`']")
_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_CHARACTER = re.compile(r"'(?:[^'\\\n]|\\[^'\n]{1,9})'")


def _find_close(text: str, start: int) -> int:
    """Index of the ``}}`` that ends the action starting at ``start``
    (quoted strings, raw strings and character constants may hold ``}}``)."""
    position = start
    search = _CLOSE_OR_QUOTE.search
    while True:
        found = search(text, position)
        if found is None:
            return -1
        token = found.group()
        at = found.start()
        if token == "}}":
            return at
        if token == '"':
            quoted = _QUOTED.match(text, at)
            if quoted is None:
                return -1
            position = quoted.end()
        elif token == "`":
            close = text.find("`", at + 1)
            if close < 0:
                return -1
            position = close + 1
        else:
            character = _CHARACTER.match(text, at)
            position = character.end() if character is not None else at + 1


_KEYWORD = re.compile(r"\s*(if|else|end|range|with|define|template|block|break|continue)\b")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.items = _split(text)
        self.index = 0
        self.defines: dict[str, list[Node]] = {}
        self.depth = 0

    def parse(self) -> Tree:
        nodes, stop = self.list(top=True)
        if stop is not None:
            raise TemplateSyntaxError(f"unexpected {{{{{stop[0]}}}}}", stop[1].start)
        return Tree(nodes, self.defines)

    def list(self, top: bool = False) -> tuple[list[Node], tuple[str, _RawAction, str] | None]:
        """Nodes up to an ``end``/``else`` action (returned as the stop: keyword, action, rest)."""
        nodes: list[Node] = []
        while self.index < len(self.items):
            item = self.items[self.index]
            self.index += 1
            if isinstance(item, TextNode):
                nodes.append(item)
                continue
            if item.comment:
                continue
            keyword = _KEYWORD.match(item.inside)
            word = keyword.group(1) if keyword else None
            rest = item.inside[keyword.end():] if keyword else item.inside
            rest_offset = item.inside_offset + (keyword.end() if keyword else 0)
            if word in ("end", "else"):
                if top:
                    raise TemplateSyntaxError(f"unexpected {{{{{word}}}}}", item.start)
                return nodes, (word, item, rest)
            if word in ("if", "with", "range"):
                nodes.append(self.branch(word, item, rest, rest_offset))
            elif word == "define":
                self.define(item, rest, rest_offset, top)
            elif word == "block":
                name, pipe = self.call_args(item, rest, rest_offset)
                body = self.body_to_end(item)
                self.defines[name] = body
                nodes.append(Call(name, pipe, item.start))
            elif word == "template":
                name, pipe = self.call_args(item, rest, rest_offset)
                nodes.append(Call(name, pipe, item.start))
            elif word == "break":
                nodes.append(Break(item.start))
            elif word == "continue":
                nodes.append(Continue(item.start))
            else:
                nodes.append(Action(self.pipe(item.inside, item.inside_offset, item), item.start, item.end))
        if top:
            return nodes, None
        raise TemplateSyntaxError("unexpected EOF", len(self.text))

    def pipe(self, inside: str, offset: int, item: _RawAction, allow_decl: bool = True) -> Pipe:
        tokens = _Tokens(_lex(inside, offset), self.text, offset + len(inside))
        if tokens.done():
            raise TemplateSyntaxError("missing value for command", item.start)
        pipe = _parse_pipe(tokens, allow_decl=allow_decl)
        if not tokens.done():
            token = tokens.peek()
            raise TemplateSyntaxError("unexpected token in pipeline", token.start)  # type: ignore[union-attr]
        return pipe

    def branch(self, word: str, item: _RawAction, rest: str, rest_offset: int) -> Branch:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise TemplateSyntaxError("control structures nested too deep", item.start)
        pipe = self.pipe(rest, rest_offset, item)
        body, stop = self.list()
        otherwise: list[Node] | None = None
        assert stop is not None
        keyword, stop_item, stop_rest = stop
        if keyword == "else":
            chained = _KEYWORD.match(stop_rest)
            if chained and chained.group(1) in ("if", "with") and stop_rest.strip():
                # `else if …` / `else with …`: a nested branch that shares our `end`.
                inner_rest = stop_rest[chained.end():]
                inner_offset = stop_item.inside_offset + (len(stop_item.inside) - len(stop_rest)) + chained.end()
                otherwise = [self.branch(chained.group(1), stop_item, inner_rest, inner_offset)]
            else:
                if stop_rest.strip():
                    raise TemplateSyntaxError("unexpected text after else", stop_item.start)
                otherwise, stop = self.list()
                assert stop is not None
                if stop[0] != "end":
                    raise TemplateSyntaxError("expected end; found else", stop[1].start)
        self.depth -= 1
        return Branch(word, pipe, body, otherwise, item.start, item.end)

    def body_to_end(self, item: _RawAction) -> list[Node]:
        self.depth += 1
        body, stop = self.list()
        self.depth -= 1
        assert stop is not None
        if stop[0] != "end":
            raise TemplateSyntaxError("unexpected else in define", stop[1].start)
        return body

    def call_args(self, item: _RawAction, rest: str, rest_offset: int) -> tuple[str, Pipe | None]:
        tokens = _Tokens(_lex(rest, rest_offset), self.text, rest_offset + len(rest))
        name_token = tokens.next()
        if name_token.kind != "string":
            raise TemplateSyntaxError("template name must be a string", item.start)
        pipe = None if tokens.done() else _parse_pipe(tokens, allow_decl=False)
        if not tokens.done():
            raise TemplateSyntaxError("unexpected token after template call", item.start)
        return name_token.value, pipe

    def define(self, item: _RawAction, rest: str, rest_offset: int, top: bool) -> None:
        if not top:
            raise TemplateSyntaxError("define not at top level", item.start)
        tokens = _Tokens(_lex(rest, rest_offset), self.text, rest_offset + len(rest))
        name_token = tokens.next()
        if name_token.kind != "string" or not tokens.done():
            raise TemplateSyntaxError("define takes one string", item.start)
        self.defines[name_token.value] = self.body_to_end(item)


def parse(text: str) -> Tree:
    """The template tree of ``text`` (raises :class:`TemplateSyntaxError`)."""
    return _Parser(text).parse()
