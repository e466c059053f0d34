"""Rendering a parsed template to output pieces, as Helm would.

:class:`Renderer` walks a :class:`~taglint.helmtemplate.parse.Tree` with a
context (``.``), the named templates of the chart, and the functions of
:mod:`taglint.helmtemplate.functions`.  The output is a list of
:class:`~taglint.helmtemplate.text.Piece` values: each knows where its
characters are written and under which undecided conditions it is output.

Conditions follow Go's truthiness on the chart's default values.  When a
condition cannot be decided (it depends on :class:`Unknown` values such as
``.Capabilities`` or ``.Release``), both branches are rendered, the pieces
of each marked with the assumption (``(condition as written, True)`` or
``False``), and variables the branches set differently become unknown
after it.  ``range`` over something unknown renders its body once, with an
unknown item.

Work is bounded (:mod:`taglint.helmtemplate.limits`): a render stops with
:class:`RenderError` after too many evaluation steps, nested template
calls or output characters.
"""
from __future__ import annotations

import bisect
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable

from taglint.helmtemplate.parse import (
    Action,
    Branch,
    Break,
    Call,
    Command,
    Continue,
    Dot,
    Field,
    Group,
    Identifier,
    Literal,
    Node,
    Pipe,
    TextNode,
    Tree,
    Variable,
)
from taglint.helmtemplate.limits import MAX_DEPTH, MAX_OUTPUT, MAX_RANGE, MAX_STEPS, RenderError
from taglint.helmtemplate.text import Cond, Piece, Source, Text
from taglint.helmtemplate.values import (
    Builtin,
    Method,
    Missing,
    Null,
    Num,
    Unknown,
    ValuesMap,
    as_text,
    truth,
)
from taglint.model import Span

class Template:
    """A template's text, tree and where its characters are written.

    ``text`` is a :class:`Text`: for a file, one piece covering the file;
    for a string rendered by ``tpl``, the string's own pieces, so what the
    string's characters came from is kept."""

    def __init__(self, name: str, text: Text, tree: Tree) -> None:
        self.name = name
        self.text = text
        self.tree = tree
        # How the tree's nodes name the template their cached texts belong
        # to: weakly, or template → tree → node → template would be a
        # reference cycle, freed only by the cyclic collector (paused
        # during a scan).
        self.ref = weakref.ref(self)
        self._value = str(text)
        self._line_starts: list[int] | None = None
        single = text.pieces[0] if len(text.pieces) == 1 else None
        self._file: Source | None = (
            single.source
            if single is not None and single.source is not None and single.source.exact and single.source.span.line == 1 and single.source.span.column == 1
            else None
        )

    @classmethod
    def from_file(cls, name: str, path: str, text: str, tree: Tree) -> Template:
        lines = text.count("\n")
        last = len(text) - (text.rfind("\n") + 1)
        source = Source(path, Span(1, 1, lines + 1, last + 1))
        return cls(name, Text.plain(text, source), tree)

    def slice(self, start: int, end: int) -> Text:
        """The template's characters ``start:end`` with their sources."""
        if self._file is not None:
            if self._line_starts is None:
                starts = [0]
                value = self._value
                index = value.find("\n")
                while index >= 0:
                    starts.append(index + 1)
                    index = value.find("\n", index + 1)
                self._line_starts = starts
            line = bisect.bisect_right(self._line_starts, start)
            end_line = bisect.bisect_right(self._line_starts, end) if end > start else line
            column = start - self._line_starts[line - 1] + 1
            end_column = end - self._line_starts[end_line - 1] + 1
            source = Source(self._file.path, Span(line, column, end_line, end_column))
            return Text.plain(self._value[start:end], source)
        return self.text.slice(start, end)

    def location(self, start: int, end: int) -> Source | None:
        text = self.slice(start, end)
        return next((p.source for p in text.pieces if p.source is not None), None)


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


_NO_FINAL = object()  # no value piped into a command


@dataclass
class Frame:
    template: Template
    dot: Any
    scopes: list[dict[str, Any]]


@dataclass
class Condition:
    """An undecided condition: as written, and where."""

    text: str
    source: Source | None


@dataclass
class Renderer:
    defines: dict[str, tuple[list[Node], Template]]
    functions: dict[str, Callable[..., Any]]
    # How tpl parses a string (the resolver caches parses): (text) -> Tree
    parse_text: Callable[[str], Tree] | None = None
    conds: tuple[Cond, ...] = ()
    conditions: dict[str, Condition] = field(default_factory=dict)
    steps: int = 0
    depth: int = 0
    output: int = 0

    # -- entry points ------------------------------------------------------

    def render(self, template: Template, dot: Any, nodes: list[Node] | None = None) -> list[Piece]:
        out: list[Piece] = []
        frame = Frame(template, dot, [{"$": dot}])
        self._walk_template(template.tree.nodes if nodes is None else nodes, frame, out)
        return out

    def _walk_template(self, nodes: list[Node], frame: Frame, out: list[Piece]) -> None:
        """A whole template's nodes: a break or continue cannot leave it."""
        try:
            self.walk(nodes, frame, out)
        except (_Break, _Continue):  # Go refuses these outside a range when it parses
            raise RenderError("{{break}} or {{continue}} outside a range") from None

    def include(self, name: str, dot: Any) -> Text | None:
        """The output of the named template as a string; None when it is not defined."""
        entry = self.defines.get(name)
        if entry is None:
            return None
        out: list[Piece] = []
        self._call(entry, dot, out)
        return Text(out)

    def tpl(self, text: Text, dot: Any, caller: Template) -> Text:
        if self.parse_text is None:
            raise RenderError("tpl is not available")
        tree = self.parse_text(str(text))
        template = Template(caller.name, text, tree)
        out: list[Piece] = []
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise RenderError("templates nested too deep")
        try:
            self._walk_template(tree.nodes, Frame(template, dot, [{"$": dot}]), out)
        finally:
            self.depth -= 1
        return Text(out)

    # -- nodes ---------------------------------------------------------------

    def tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise RenderError("template too expensive to render")

    def emit(self, text: Text, out: list[Piece]) -> None:
        conds = self.conds
        for piece in text.pieces:
            if conds:
                merged = piece.conds + tuple(c for c in conds if c not in piece.conds)
                piece = Piece(piece.text, piece.source, merged, piece.placeholder, piece.replaces)
            out.append(piece)
            self.output += len(piece.text)
        if self.output > MAX_OUTPUT:
            raise RenderError("template output too large")

    def walk(self, nodes: list[Node], frame: Frame, out: list[Piece]) -> None:
        for node in nodes:
            self.tick()
            kind = type(node)
            if kind is TextNode:
                text = node.cache  # type: ignore[union-attr]
                if text is None or text[0]() is not frame.template:
                    text = (frame.template.ref, frame.template.slice(node.offset, node.offset + len(node.text)))  # type: ignore[union-attr]
                    node.cache = text  # type: ignore[union-attr]
                self.emit(text[1], out)
            elif kind is Action:
                value = self.pipe(node.pipe, frame)  # type: ignore[union-attr]
                if node.pipe.decl:  # type: ignore[union-attr]
                    continue  # a declaration prints nothing
                self.emit(self.printed(value, frame, node), out)  # type: ignore[arg-type]
            elif kind is Branch:
                self.branch(node, frame, out)  # type: ignore[arg-type]
            elif kind is Call:
                dot = self.pipe(node.pipe, frame) if node.pipe is not None else None  # type: ignore[union-attr]
                entry = self.defines.get(node.name)  # type: ignore[union-attr]
                if entry is not None:
                    self._call(entry, dot, out)
            elif kind is Break:
                raise _Break()
            elif kind is Continue:
                raise _Continue()

    def printed(self, value: Any, frame: Frame, node: Action) -> Text:
        def placeholder() -> Text:
            source = frame.template.location(node.offset, node.end)
            return Text((Piece("{{ " + node.pipe.text + " }}", source, (), True),))

        return as_text(value, placeholder)

    def _call(self, entry: tuple[list[Node], Template], dot: Any, out: list[Piece]) -> None:
        nodes, template = entry
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise RenderError("templates nested too deep")
        try:
            self._walk_template(nodes, Frame(template, dot, [{"$": dot}]), out)
        finally:
            self.depth -= 1

    # -- control structures -------------------------------------------------

    def branch(self, node: Branch, frame: Frame, out: list[Piece]) -> None:
        frame.scopes.append({})
        try:
            if node.kind == "range":
                value = self.pipe(node.pipe, frame, declare=False)
                self.range(node, value, frame, out)
                return
            value = self.pipe(node.pipe, frame)
            decided = truth(value)
            # An undecided condition is named by what it depends on.
            key = value.expr if type(value) is Unknown else node.pipe.text
            if decided is None:
                decided = dict(self.conds).get(key)
            if decided is None:
                self.conditions.setdefault(key, Condition(key, frame.template.location(node.pipe.offset, node.pipe.offset + len(key))))
                dot = value if node.kind == "with" else frame.dot
                self.both(frame, key, lambda: self.body(node.body, frame, dot, out), lambda: self.body(node.otherwise, frame, frame.dot, out))
            elif decided:
                self.body(node.body, frame, value if node.kind == "with" else frame.dot, out)
            else:
                self.body(node.otherwise, frame, frame.dot, out)
        finally:
            frame.scopes.pop()

    def body(self, nodes: list[Node] | None, frame: Frame, dot: Any, out: list[Piece]) -> None:
        if not nodes:
            return
        saved = frame.dot
        frame.dot = dot
        frame.scopes.append({})
        try:
            self.walk(nodes, frame, out)
        finally:
            frame.scopes.pop()
            frame.dot = saved

    def both(self, frame: Frame, key: str, then: Callable[[], None], otherwise: Callable[[], None]) -> None:
        """Run both branches of an undecided condition, each under its
        assumption; variables they set differently become unknown."""
        before = [dict(scope) for scope in frame.scopes]
        saved = self.conds
        try:
            self.conds = saved + ((key, True),)
            then()
            after_then = [dict(scope) for scope in frame.scopes]
            for scope, old in zip(frame.scopes, before):
                scope.clear()
                scope.update(old)
            self.conds = saved + ((key, False),)
            otherwise()
        finally:
            self.conds = saved
        for scope, left in zip(frame.scopes, after_then):
            for name in set(scope) | set(left):
                a, b = left.get(name), scope.get(name)
                if a is not b:
                    scope[name] = Unknown(name)

    def range(self, node: Branch, value: Any, frame: Frame, out: list[Piece]) -> None:
        names = node.pipe.decl
        kind = type(value)
        items: list[tuple[Any, Any]]
        if isinstance(value, dict):
            items = [(Text.plain(k), value[k]) for k in sorted(value)[:MAX_RANGE]]
        elif kind is list:
            items = [(Num(i), item) for i, item in enumerate(value[:MAX_RANGE])]
        elif kind is Num and not value.is_float:
            items = [(Num(i), Num(i)) for i in range(max(0, min(int(value.value), MAX_RANGE)))]
        elif value is None or kind in (Null, Missing):
            items = []
        else:
            key = node.pipe.text
            self.conditions.setdefault(key, Condition(key, frame.template.location(node.pipe.offset, node.pipe.offset + len(key))))
            item = Unknown(f"{key} item")

            def once() -> None:
                self.range_item(node, names, Unknown(f"{key} index"), item, frame, out)

            self.both(frame, key, once, lambda: self.body(node.otherwise, frame, frame.dot, out))
            return
        if not items:
            self.body(node.otherwise, frame, frame.dot, out)
            return
        for index, (key_value, item) in enumerate(items):
            if index >= MAX_RANGE:
                break
            try:
                self.range_item(node, names, key_value, item, frame, out)
            except _Break:
                break
            except _Continue:
                continue

    def range_item(self, node: Branch, names: list[str], key: Any, item: Any, frame: Frame, out: list[Piece]) -> None:
        scope: dict[str, Any] = {}
        if len(names) == 1:
            scope[names[0]] = item
        elif len(names) == 2:
            scope[names[0]] = key
            scope[names[1]] = item
        saved = frame.dot
        frame.dot = item
        frame.scopes.append(scope)
        try:
            self.walk(node.body, frame, out)
        finally:
            frame.scopes.pop()
            frame.dot = saved

    # -- pipelines ---------------------------------------------------------

    def pipe(self, pipe: Pipe, frame: Frame, declare: bool = True) -> Any:
        value: Any = _NO_FINAL
        for command in pipe.cmds:
            value = self.command(command, frame, value)
        if declare and pipe.decl:
            name = pipe.decl[-1]
            if pipe.assign:
                for scope in reversed(frame.scopes):
                    if name in scope:
                        scope[name] = value
                        break
                else:
                    frame.scopes[-1][name] = value
            else:
                frame.scopes[-1][name] = value
        return value

    def command(self, command: Command, frame: Frame, final: Any) -> Any:
        self.tick()
        first = command.args[0]
        rest = command.args[1:]
        if type(first) is Identifier:
            return self.call_function(first.name, rest, frame, final, command)
        chain: tuple[str, ...] = ()
        if type(first) is Field:
            receiver, chain = frame.dot, first.chain
        elif type(first) is Variable:
            receiver, chain = self.variable(first.name, frame), first.chain
        elif type(first) is Group:
            receiver, chain = self.pipe(first.pipe, frame), first.chain
        else:
            receiver = self.operand(first, frame)
        if chain:
            value = self.fields(receiver, chain[:-1], command.text)
            value = self.field(value, chain[-1], command.text)
        else:
            value = receiver
        if type(value) is Method:
            args = [self.operand(arg, frame) for arg in rest]
            if final is not _NO_FINAL:
                args.append(final)
            try:
                return value.call(*args)
            except Exception:  # noqa: BLE001 - a wrong call renders as unknown
                return Unknown(command.text)
        if type(value) is Unknown and (rest or final is not _NO_FINAL):
            return Unknown(command.text)
        if rest or final is not _NO_FINAL:
            return Unknown(command.text)  # arguments to a non-function: an error in Helm
        return value

    def call_function(self, name: str, arg_nodes: list[Any], frame: Frame, final: Any, command: Command) -> Any:
        function = self.functions.get(name)
        if function is None:
            return Unknown(command.text)
        args = [self.operand(arg, frame) for arg in arg_nodes]
        if final is not _NO_FINAL:
            args.append(final)
        try:
            return function(Call_(self, frame, command), *args)
        except RenderError:
            raise
        except Exception:  # noqa: BLE001 - a function Helm would reject: unknown
            return Unknown(command.text)

    def operand(self, node: Any, frame: Frame) -> Any:
        kind = type(node)
        if kind is Field:
            return self.fields(frame.dot, node.chain, ".".join(("",) + node.chain))
        if kind is Variable:
            return self.fields(self.variable(node.name, frame), node.chain, node.name + "".join("." + c for c in node.chain))
        if kind is Dot:
            return frame.dot
        if kind is Literal:
            return self.literal(node, frame)
        if kind is Identifier:
            command = Command([node], node.offset, node.name)
            return self.call_function(node.name, [], frame, _NO_FINAL, command)
        if kind is Group:
            value = self.pipe(node.pipe, frame)
            return self.fields(value, node.chain, f"({node.pipe.text})" + "".join("." + c for c in node.chain))
        return Unknown("?")

    def literal(self, node: Literal, frame: Frame) -> Any:
        value = node.value
        if isinstance(value, str):
            cached = node.cache
            if cached is not None and cached[0]() is frame.template:
                return cached[1]
            if node.raw:
                text = frame.template.slice(node.content_offset, node.content_offset + len(value))
            else:
                end = _closing_quote(str(frame.template.text), node.content_offset)
                text = frame.template.slice(node.content_offset, end).derived(value)
            node.cache = (frame.template.ref, text)
            return text
        if isinstance(value, bool) or value is None:
            return value
        return Num(value, None)

    def variable(self, name: str, frame: Frame) -> Any:
        for scope in reversed(frame.scopes):
            if name in scope:
                return scope[name]
        return Unknown(name)

    def fields(self, value: Any, chain: tuple[str, ...], expr: str) -> Any:
        for name in chain:
            value = self.field(value, name, expr)
        return value

    def field(self, value: Any, name: str, expr: str) -> Any:
        if isinstance(value, dict):
            if name in value:
                return value[name]
            if type(value) is ValuesMap:
                return Missing(f"{value.name}.{name}")
            return None
        kind = type(value)
        if value is None or kind is Null:
            return Missing(expr)
        if kind is Missing:
            return Missing(f"{value.expr}.{name}")
        if kind is Unknown:
            return Unknown(f"{value.expr}.{name}")
        if isinstance(value, Builtin):
            return value.field(name)
        return Unknown(expr)


def _closing_quote(text: str, start: int) -> int:
    """Index of the ``"`` ending a string literal whose content starts at ``start``."""
    i = start
    while i < len(text) and text[i] != '"':
        i += 2 if text[i] == "\\" else 1
    return i


@dataclass
class Call_:
    """What a function sees of the call: the renderer, the frame and the
    command as written (for unknown results)."""

    renderer: Renderer
    frame: Frame
    command: Command

    def unknown(self) -> Unknown:
        return Unknown(self.command.text)
