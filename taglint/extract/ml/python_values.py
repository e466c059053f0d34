"""String values of Python expressions, as far as a file says them, with
exact spans: what the SDK readers (:mod:`taglint.extract.ml.python_sdks`)
turn into image references.

Resolved: string constants, module-level names bound once to something
resolved (``IMAGE = f"{REGISTRY}/train:1.2"``), f-strings and ``+`` of
those.  Environment reads become ``${TAG}`` (``os.environ["TAG"]``) or
their default (``os.getenv("TAG", "1.0")`` is ``1.0`` unless the variable is
set, as a Dockerfile ``ARG`` default is); anything else (a function
parameter, a call, an attribute) becomes ``{{ expression }}``.  Each
substitution is a :class:`~taglint.model.Step`: a resolved name with its
value and where it is set, an unknown one with value None naming the
expression, so TL108 names the source and notes say where values come
from.

Positions: :mod:`ast` counts lines at ``\\n``, ``\\r\\n`` and ``\\r`` and
columns in UTF-8 bytes; :class:`Positions` maps them to taglint's lines
(``\\n`` only) and character columns.
"""
from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass

from taglint.limits import MAX_VALUE_CHARS, too_large_step
from taglint.model import Location, Span, Step

MAX_DEPTH = 8  # names defined from names, at most this deep
_PY_BREAK = re.compile(r"\r\n|\r|\n")
_NEWLINE = re.compile("\n")
_STRING_PREFIX = re.compile(r"^[rRuU]?(\"\"\"|'''|\"|')")


@dataclass(frozen=True)
class Value:
    """What an expression evaluates to: ``text`` (placeholders for what is
    unknown) and the substitutions that made it."""

    text: str
    via: tuple[Step, ...] = ()


class Positions:
    """Maps :mod:`ast` positions to file spans."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._py_starts = [0] + [m.end() for m in _PY_BREAK.finditer(text)]
        self._newlines = [m.start() for m in _NEWLINE.finditer(text)]

    def offset(self, lineno: int, byte_column: int) -> int:
        """Character offset in the text of an ast (line, byte column)."""
        start = self._py_starts[min(lineno, len(self._py_starts)) - 1]
        end = self._py_starts[lineno] if lineno < len(self._py_starts) else len(self.text)
        line = self.text[start:end]
        return start + len(line.encode("utf-8", "surrogatepass")[:byte_column].decode("utf-8", "ignore"))

    def at(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        index = bisect.bisect_left(self._newlines, offset)
        line_start = self._newlines[index - 1] + 1 if index else 0
        return index + 1, offset - line_start + 1

    def bounds(self, node: ast.expr) -> tuple[int, int]:
        """Character offsets of the start and end of ``node``."""
        end_lineno = node.end_lineno or node.lineno
        end_col = node.end_col_offset if node.end_col_offset is not None else node.col_offset
        return self.offset(node.lineno, node.col_offset), self.offset(end_lineno, end_col)

    def span(self, start: int, end: int) -> Span:
        line, column = self.at(start)
        end_line, end_column = self.at(end)
        return Span(line, column, end_line, end_column)

    def node_span(self, node: ast.expr) -> Span:
        return self.span(*self.bounds(node))


def string_span(positions: Positions, node: ast.expr) -> tuple[Span, str] | None:
    """For a one-line string constant written as one literal with no escapes:
    the span of the text inside its quotes, and that text."""
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
        return None
    start, end = positions.bounds(node)
    written = positions.text[start:end]
    quote = _STRING_PREFIX.match(written)
    if quote is None or "\n" in written:
        return None
    inner_start = quote.end()
    inner_end = len(written) - len(quote.group(1))
    if inner_end < inner_start or not written.endswith(quote.group(1)) or written[inner_start:inner_end] != node.value:
        return None
    return positions.span(start + inner_start, start + inner_end), node.value


def shown(node: ast.expr, calls: bool = False) -> str:
    """How a note names an expression: its source, calls shortened unless
    ``calls`` (an environment read is clearer with its variable)."""
    if isinstance(node, ast.Call) and not calls:
        return f"{shown(node.func)}(…)"
    try:
        text = ast.unparse(node)
    except (ValueError, RecursionError):  # pragma: no cover - unparse handles every parsed tree
        text = type(node).__name__
    return text if len(text) <= 80 else text[:79] + "…"


def environment_name(node: ast.expr) -> tuple[str, str | None] | None:
    """``os.environ["X"]``, ``os.environ.get("X", d)``, ``os.getenv("X", d)``
    (and ``environ``/``getenv`` imported by name): the variable and its
    string default."""
    if isinstance(node, ast.Subscript) and _dotted(node.value) in ("os.environ", "environ"):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value, None
        return None
    if isinstance(node, ast.Call) and _dotted(node.func) in ("os.environ.get", "environ.get", "os.getenv", "getenv"):
        if not node.args or not isinstance(node.args[0], ast.Constant) or not isinstance(node.args[0].value, str):
            return None
        default = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "default"), None)
        text = default.value if isinstance(default, ast.Constant) and isinstance(default.value, str) else None
        return node.args[0].value, text
    return None


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def module_bindings(tree: ast.Module) -> dict[str, ast.expr | None]:
    """Names bound by the module's own top-level assignments: name → value
    expression, or None when bound more than once (which value holds
    depends on the path taken)."""
    found: dict[str, ast.expr | None] = {}
    for statement in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        elif isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
            found[statement.target.id] = None
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                found[target.id] = value if target.id not in found else None
    return found


class Resolver:
    """Evaluates expressions of one module to :class:`Value`."""

    def __init__(self, path: str, positions: Positions, bindings: dict[str, ast.expr | None]) -> None:
        self.path = path
        self.positions = positions
        self.bindings = bindings
        self._names: dict[str, Value | None] = {}

    def value(self, node: ast.expr, depth: int = 0, name: str | None = None) -> Value:
        """The value of ``node`` (``name``: the module-level name it is bound
        to, which names it when it is too large)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return Value(node.value)
        if isinstance(node, ast.JoinedStr):
            return self._bounded(node, self._joined(
                [self._formatted(part, depth) if isinstance(part, ast.FormattedValue) else self.value(part, depth)
                 for part in node.values]
            ), name)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self._bounded(node, self._joined([self.value(node.left, depth), self.value(node.right, depth)]), name)
        if isinstance(node, ast.Name):
            found = self._name(node.id, depth)
            if found is not None:
                return found
        environment = environment_name(node)
        if environment is not None:
            name, default = environment
            if default is not None:  # what the code reads unless the variable is set, as an ARG default
                return Value(default, (Step(shown(node, calls=True), default),))
            return Value(f"${{{name}}}", (Step(shown(node, calls=True), None),))
        return self.unknown(node)

    def unknown(self, node: ast.expr) -> Value:
        """``{{ expression }}`` (a placeholder whose names are the
        expression's, as the tag classifier reads them), with a step naming
        it and no value."""
        name = node.id if isinstance(node, ast.Name) else shown(node)
        return Value(f"{{{{ {name} }}}}", (Step(name, None),))

    def _formatted(self, part: ast.FormattedValue, depth: int) -> Value:
        if part.conversion not in (-1, ord("s")) or part.format_spec is not None:
            return self.unknown(part.value)
        return self.value(part.value, depth)

    def _joined(self, parts: list[Value]) -> Value:
        text = "".join(part.text for part in parts)
        return Value(text, tuple(dict.fromkeys(step for part in parts for step in part.via)))

    def _bounded(self, node: ast.expr, value: Value, name: str | None = None) -> Value:
        """``value``, or a placeholder for ``node`` when it holds more than
        :data:`~taglint.limits.MAX_VALUE_CHARS` characters (names defined
        from names, each twice: ``B = A + A``, ``C = B + B``…)."""
        if len(value.text) <= MAX_VALUE_CHARS:
            return value
        name = name or shown(node)
        location = Location(self.path, self.positions.node_span(node))
        return Value(f"{{{{ {name} }}}}", (too_large_step(name, location),))

    def _name(self, name: str, depth: int) -> Value | None:
        """The value of a module-level name bound once to a resolved value."""
        if name in self._names:
            return self._names[name]
        bound = self.bindings.get(name)
        if bound is None or depth >= MAX_DEPTH:
            return None
        self._names[name] = None  # a name defined from itself stays unknown
        inner = self._bounded(bound, self.value(bound, depth + 1, name), name)
        literal = string_span(self.positions, bound)
        location = Location(self.path, literal[0] if literal else self.positions.node_span(bound))
        if any(step.name == name for step in inner.via):  # too large: already named
            found = inner
        else:
            known = all(step.value is not None for step in inner.via)
            found = Value(inner.text, inner.via + (Step(name, inner.text if known else None, location),))
        self._names[name] = found
        return found
