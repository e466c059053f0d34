"""HCL (Terraform, Nomad) read through python-hcl2's parser, with positions.

``hcl2.parses_to_tree`` gives the Lark parse tree, built with
``propagate_positions``: every rule and token carries its 1-based line and
column (end column exclusive), counting lines at ``\\n`` as taglint does.
This module turns that tree into :class:`Block` values and reads the few
expression shapes that name images: quoted strings (templates with
``${…}``), references such as ``var.tag``, objects, tuples, function calls
(``jsonencode([...])``) and heredocs.  The parser is imported on first
use, so scans without HCL files never load it.

Variables: :class:`Variables` holds ``variable "x" { default = … }`` as
``var.x`` and ``locals { y = … }`` as ``local.y`` (string values only), and
substitutes ``${var.x}``/``${local.y}`` in templates and bare references,
recording each substitution as a :class:`~taglint.model.Step`.  A variable
without a string default is known but has no value, so the reference keeps
``${var.x}`` and TL108 names it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from taglint import limits
from taglint.model import Location, Span, Step

Tree = Any  # lark.Tree (imported lazily)

_INTERPOLATION = re.compile(r"\$\{\s*([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)?)\s*\}")
_REFERENCE = re.compile(r"(?:var|local)\.[A-Za-z_][A-Za-z0-9_-]*")


class HclError(Exception):
    """The text is not HCL the parser reads; ``span`` says where."""

    def __init__(self, span: Span, message: str) -> None:
        super().__init__(message)
        self.span = span
        self.message = message


def parse(text: str) -> Tree:
    """The parse tree of ``text``, or :class:`HclError`."""
    import hcl2
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        return hcl2.parses_to_tree(text if text.endswith("\n") else text + "\n")
    except UnexpectedInput as error:
        line, column = max(getattr(error, "line", 1) or 1, 1), max(getattr(error, "column", 1) or 1, 1)
        first = str(error).strip().splitlines()[0] if str(error).strip() else "unexpected input"
        return _raise(Span(line, column, line, column), first)
    except (LarkError, ValueError, RecursionError) as error:
        return _raise(Span(1, 1, 1, 1), str(error).strip().splitlines()[0] if str(error).strip() else "invalid HCL")


def _raise(span: Span, message: str) -> Tree:
    raise HclError(span, message)


# A top-level block as ``terraform fmt`` writes it: its header alone on a
# line at column 0, ending in ``{``, closed by a ``}`` alone at column 0.
_BLOCK_START = re.compile(r'^[A-Za-z_][\w-]*(?:[ \t]+(?:"[^"\n]*"|[A-Za-z_][\w-]*))*[ \t]*\{[ \t]*\r?$')
_BLOCK_END = re.compile(r"^\}[ \t]*\r?$")


def parse_blocks(text: str, keep: Callable[[str], bool]) -> list[Block]:
    """The top-level blocks of ``text`` whose own text ``keep`` accepts, each
    parsed alone, with the file's positions.

    The parser reads about 70 KB a second, so a big file is cut at its
    top-level blocks (a cheap line scan) and only the blocks worth reading
    are parsed; when the file is not laid out that way, or a piece does
    not parse alone (a ``}`` at column 0 inside a heredoc), the whole file
    is parsed instead."""
    pieces = _top_level_pieces(text)
    if pieces is None:
        return top_blocks(parse(text))
    blocks: list[Block] = []
    for first_line, piece in pieces:
        if not keep(piece):
            continue
        try:
            tree = parse(piece)
        except HclError:
            return top_blocks(parse(text))
        _shift(tree, first_line - 1)
        blocks.extend(top_blocks(tree))
    return blocks


def _top_level_pieces(text: str) -> list[tuple[int, str]] | None:
    """``(first line, text)`` of each top-level block; None when a line
    outside the blocks is neither blank nor a comment."""
    lines = text.split("\n")
    pieces: list[tuple[int, str]] = []
    start: int | None = None
    for index, line in enumerate(lines):
        if start is None:
            if _BLOCK_START.match(line):
                start = index
            elif line.strip() and not line.lstrip().startswith(("#", "//")):
                return None
        elif _BLOCK_END.match(line):
            pieces.append((start + 1, "\n".join(lines[start : index + 1]) + "\n"))
            start = None
    return pieces if start is None else None


def _shift(tree: Tree, lines: int) -> None:
    """Move every position of ``tree`` down by ``lines``."""
    if not lines:
        return
    stack = [tree]
    while stack:
        node = stack.pop()
        if _is_tree(node):
            meta = node.meta
            if not getattr(meta, "empty", True):
                meta.line += lines
                meta.end_line += lines
            stack.extend(node.children)
        elif _is_token(node):
            if node.line is not None:
                node.line += lines
            if node.end_line is not None:
                node.end_line += lines


def _is_tree(node: Any) -> bool:
    return hasattr(node, "data") and hasattr(node, "children")


def _is_token(node: Any, kind: str | None = None) -> bool:
    return hasattr(node, "type") and not _is_tree(node) and (kind is None or node.type == kind)


def span_of(node: Any) -> Span:
    if _is_tree(node):
        meta = node.meta
        return Span(meta.line, meta.column, meta.end_line, meta.end_column)
    return Span(node.line, node.column, node.end_line, node.end_column)


@dataclass
class Block:
    """``type "label" … { body }``."""

    type: str
    labels: tuple[str, ...]
    tree: Tree

    def _body(self) -> list[Any]:
        for child in self.tree.children:
            if _is_tree(child) and child.data == "body":
                return list(child.children)
        return []

    def attributes(self) -> dict[str, Tree]:
        """Attribute name → its expression (the last one when repeated)."""
        return {name: expr for name, expr in _attributes(self._body())}

    def blocks(self, *types: str) -> list[Block]:
        return [b for b in _blocks(self._body()) if not types or b.type in types]

    def descendants(self, *types: str) -> Iterator[Block]:
        """Every block inside this one, at any depth, of ``types``."""
        for block in self.blocks():
            if not types or block.type in types:
                yield block
            yield from block.descendants(*types)


def top_blocks(tree: Tree) -> list[Block]:
    for child in tree.children:
        if _is_tree(child) and child.data == "body":
            return list(_blocks(child.children))
    return []


def top_attributes(tree: Tree) -> dict[str, Tree]:
    """The attributes at the top level of a file (``*.tfvars``)."""
    for child in tree.children:
        if _is_tree(child) and child.data == "body":
            return dict(_attributes(child.children))
    return {}


def _identifier(node: Any) -> str | None:
    if _is_tree(node) and node.data in ("identifier", "keyword", "literal_value") and node.children:
        token = node.children[0]
        return str(token) if _is_token(token) else _identifier(token)
    return None


def _attributes(children: list[Any]) -> Iterator[tuple[str, Tree]]:
    for child in children:
        if _is_tree(child) and child.data == "attribute":
            name = _identifier(child.children[0])
            if name is not None:
                yield name, child.children[-1]


def _blocks(children: list[Any]) -> Iterator[Block]:
    for child in children:
        if _is_tree(child) and child.data == "block":
            kind = _identifier(child.children[0])
            labels: list[str] = []
            for part in child.children[1:]:
                if _is_token(part, "LBRACE"):
                    break
                if _is_tree(part) and part.data == "string":
                    labels.append(_plain_string(part) or "")
                elif _identifier(part) is not None:
                    labels.append(_identifier(part) or "")
            if kind is not None:
                yield Block(kind, tuple(labels), child)


def unwrap(expr: Any) -> Any:
    """The expression inside ``expr_term``/``expression`` wrappers and parentheses."""
    while _is_tree(expr) and expr.data in ("expr_term", "expression") and expr.children:
        inner = [c for c in expr.children if not _is_token(c, "LPAR") and not _is_token(c, "RPAR")]
        if len(inner) != 1:
            return expr
        expr = inner[0]
    return expr


def _plain_string(node: Tree) -> str | None:
    parts: list[str] = []
    for child in node.children:
        if _is_tree(child) and child.data == "string_part":
            for token in child.children:
                if not _is_token(token):
                    return None
                parts.append(str(token))
    return "".join(parts)


@dataclass(frozen=True)
class Text:
    """A string as written between its quotes (``${…}`` kept) and where."""

    written: str
    span: Span


def string_text(expr: Any, lines: list[str]) -> Text | None:
    """A quoted string expression's inner text and span (one line only)."""
    node = unwrap(expr)
    if not (_is_tree(node) and node.data == "string"):
        return None
    span = span_of(node)
    if span.line != span.end_line or not 0 < span.line <= len(lines):
        return None
    inner = Span(span.line, span.column + 1, span.line, span.end_column - 1)
    return Text(lines[span.line - 1][inner.column - 1 : inner.end_column - 1], inner)


def reference_name(expr: Any, lines: list[str]) -> Text | None:
    """``var.tag`` / ``local.image`` written as a bare expression."""
    node = unwrap(expr)
    if not (_is_tree(node) and node.data == "get_attr_expr_term"):
        return None
    span = span_of(node)
    if span.line != span.end_line or not 0 < span.line <= len(lines):
        return None
    written = lines[span.line - 1][span.column - 1 : span.end_column - 1]
    return Text(written, span) if _REFERENCE.fullmatch(written) else None


def object_items(expr: Any) -> list[tuple[str, Tree]]:
    """``{ key = value, "k" = v }`` → ``[(key, value expression)]``."""
    node = unwrap(expr)
    out: list[tuple[str, Tree]] = []
    if not (_is_tree(node) and node.data == "object"):
        return out
    for elem in node.children:
        if not (_is_tree(elem) and elem.data == "object_elem"):
            continue
        key_node = unwrap(elem.children[0].children[0]) if elem.children and _is_tree(elem.children[0]) else None
        key = None
        if _is_tree(key_node) and key_node.data == "string":
            key = _plain_string(key_node)
        elif key_node is not None:
            key = _identifier(key_node)
        if key is not None:
            out.append((key, elem.children[-1]))
    return out


def tuple_items(expr: Any) -> list[Tree]:
    node = unwrap(expr)
    if not (_is_tree(node) and node.data == "tuple"):
        return []
    return [c for c in node.children if _is_tree(c)]


def function_call(expr: Any) -> tuple[str, list[Tree]] | None:
    """``name(arg, …)`` → ``(name, [argument expressions])``."""
    node = unwrap(expr)
    if not (_is_tree(node) and node.data == "function_call"):
        return None
    name = _identifier(node.children[0])
    args: list[Tree] = []
    for child in node.children[1:]:
        if _is_tree(child) and child.data == "arguments":
            args = [c for c in child.children if _is_tree(c)]
    return (name, args) if name is not None else None


def heredoc(expr: Any) -> tuple[str, int] | None:
    """A heredoc's body and the line (1-based) its body starts on."""
    node = unwrap(expr)
    if _is_tree(node) and node.data in ("heredoc_template", "heredoc_template_trim") and node.children:
        token = node.children[0]
        raw = str(token)
        first_break = raw.find("\n")
        body = raw[first_break + 1 :]
        last_break = body.rstrip("\r\n").rfind("\n")
        body = body[: last_break + 1] if last_break >= 0 else ""
        return body, token.line + 1
    return None


@dataclass
class Variables:
    """``var.*`` and ``local.*`` values known in one module (or job file)."""

    path: str
    values: dict[str, Step] = field(default_factory=dict)

    def read(self, blocks: list[Block], lines: list[str], path: str | None = None) -> None:
        where = path or self.path
        for block in blocks:
            if block.type == "variable" and block.labels:
                name = f"var.{block.labels[0]}"
                default = block.attributes().get("default")
                text = string_text(default, lines) if default is not None else None
                if text is not None and "${" not in text.written:
                    self.values.setdefault(name, Step(name, text.written, Location(where, text.span)))
                else:
                    label = span_of(block.tree)
                    self.values.setdefault(name, Step(name, None, Location(where, Span(label.line, label.column, label.line, label.column)), "no default"))
            elif block.type == "locals":
                for key, expr in block.attributes().items():
                    text = string_text(expr, lines)
                    if text is not None and "${" not in text.written:
                        self.values.setdefault(f"local.{key}", Step(f"local.{key}", text.written, Location(where, text.span)))

    def substitute(self, written: str) -> tuple[str, tuple[Step, ...]]:
        """``${var.x}``, ``${local.y}`` (and any other name held, such as
        Nomad's ``${NOMAD_META_x}``) replaced by known values."""
        via: list[Step] = []
        budget = limits.budget()

        def replace(match: re.Match[str]) -> str:
            step = self.values.get(match.group(1))
            if step is None:
                return match.group(0)
            via.append(step)
            if step.value is None or not budget.admit(step.value):
                return match.group(0)
            return step.value

        return _INTERPOLATION.sub(replace, written), tuple(via)

    def reference(self, name: str) -> tuple[str, tuple[Step, ...]]:
        """A bare ``var.x`` reference: its value, or ``${var.x}`` unresolved."""
        return self.substitute("${" + name + "}")
