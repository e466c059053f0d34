"""The tree walk: variables, quote removal, simple commands in order.

Internal to :mod:`taglint.shell`; see its docstring for the contract.
"""
from __future__ import annotations

import fnmatch
import re
from bisect import bisect_right
from itertools import product
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from taglint import limits
from taglint.model import Location, Span, Step, Word
from taglint.source import line_starts

# Set by the fuzz tests: re-raise internal errors instead of skipping the command.
STRICT = False

MAX_DEPTH = 150
MAX_ENV_EXPANSION = 8
MAX_LOOP_VALUES = 8
MAX_CALL_DEPTH = 4
MAX_WORLDS = 8  # branch combinations a command is evaluated for

# A command name that runs the function's own arguments: `"$@"`, `$*`, `"${@:2}"`.
_RERUN = re.compile(r'^"?\$(?:[@*]|\{[@*](?::[^}]*)?\})"?$')

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ENV_REF = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
# Variables whose value is not a property of the script.
_DYNAMIC = frozenset(
    {"RANDOM", "SRANDOM", "SECONDS", "EPOCHSECONDS", "EPOCHREALTIME", "BASHPID", "LINENO", "PPID", "UID", "EUID"}
)
_WORDISH = frozenset(
    {
        "word", "string", "raw_string", "ansi_c_string", "translated_string", "concatenation",
        "simple_expansion", "expansion", "command_substitution", "process_substitution",
        "arithmetic_expansion", "number", "brace_expression",
    }
)


class _Unknown:
    """A variable defined with a value the script does not know."""


UNKNOWN = _Unknown()
UNSET = object()

Branch = tuple[tuple[str, int], ...]  # (branch point, index of the branch taken), sorted


@dataclass(frozen=True)
class Choice:
    """A variable whose value depends on which branch of an ``if``/``case``
    ran: each alternative is the value (a :class:`Value`, ``UNKNOWN`` or
    ``UNSET``) under the branches that lead to it."""

    alternatives: tuple[tuple[Branch, Any], ...]


@dataclass
class Value:
    text: str
    via: tuple[Step, ...] = ()
    items: tuple[str, ...] | None = None  # bash arrays: the elements


_ARRAY_WORD = re.compile(r'^("?)\$(?:\{[A-Za-z_][A-Za-z0-9_]*\[([@*])\]\}|\{?([@*])\}?)\1$')


@dataclass
class Arg:
    """One word of a simple command, with its offsets in the analysed text."""

    word: Word
    start: int
    end: int
    node_type: str
    expanded: bool = False  # produced by an unquoted expansion (field splitting applied)

    @property
    def value(self) -> str:
        return self.word.value

    @property
    def written(self) -> str:
        return self.word.written


@dataclass
class SimpleCommand:
    args: list[Arg]
    start: int
    end: int
    written: str
    prefix_env: dict[str, str | None] = field(default_factory=dict)
    stdin: SimpleCommand | None = None  # previous element of a pipeline
    stdin_redirected: bool = False  # <, <<, <<< on this command
    redirect_targets: list[Arg] = field(default_factory=list)  # > and >> destinations
    herestring: Arg | None = None  # the word of <<< WORD
    in_pipeline_head: bool = True  # first (or only) element of its pipeline
    in_substitution: bool = False
    branch: Branch = ()  # the if/case branches whose variable values this command used
    reruns_arguments: bool = False  # `"$@"` in a function called with a command line


class _Skip(Exception):
    pass


def _too_large(name: str, location: Location | None = None) -> Value:
    """A variable whose value is too large to expand: ``$NAME`` as written,
    with a step that says why (and makes anything built from it too large)."""
    return Value(f"${name}", (limits.too_large_step(f"${name}", location),))


def _merge_via(*groups: tuple[Step, ...]) -> tuple[Step, ...]:
    out: list[Step] = []
    seen: set[tuple[str, str | None]] = set()
    for group in groups:
        for step in group:
            key = (step.name, step.value)
            if key not in seen:
                seen.add(key)
                out.append(step)
    return tuple(out)


def _offset_position(text: str) -> Callable[[int], tuple[int, int]]:
    """(line, column) of an offset in ``text``; its lines are found on the first call."""
    starts: list[int] = []

    def position(offset: int) -> tuple[int, int]:
        if not starts:
            starts.extend(line_starts(text))
        index = bisect_right(starts, offset) - 1
        return index + 1, offset - starts[index] + 1

    return position


class Analyzer:
    def __init__(
        self,
        text: str,
        *,
        path: str,
        kind: str,
        scope: str,
        position: Callable[[int], tuple[int, int]] | None,
        env: Mapping[str, Any],
        original: Callable[[int, int], str] | None,
        editable: bool,
        end_position: Callable[[int], tuple[int, int]] | None = None,
        via_ranges: Sequence[tuple[int, int, tuple[Step, ...]]] = (),
    ) -> None:
        # A carriage return (CRLF files) is blank to the shell layer; written
        # text is still read from the original.
        self.source_text = text
        self.text = text.replace("\r", " ") if "\r" in text else text
        self.path = path
        self.kind = kind
        self.scope = scope
        self.env = env
        self.editable = editable
        # Not a bound method: the analyzer would hold itself (its commands
        # and words with it) in a reference cycle, which only the cyclic
        # collector frees, and a scan pauses it (taglint.gcpause).
        self._position = position or _offset_position(self.text)
        self._end_position = end_position or self._position
        self.via_ranges = [r for r in via_ranges if r[2]]
        self._original = original
        self._env_cache: dict[str, Any] = {}
        self.commands: list[SimpleCommand] = []
        self.nesting = 0  # sh -c '...' depth
        self.functions: dict[str, tuple[Any, dict[str, Any], bool]] = {}
        self.uncalled: dict[str, None] = {}  # defined, not called yet (in order)
        self.call_depth = 0
        self._runs_arguments: dict[str, bool] = {}
        # branch-dependent values (see Choice): the branches fixed for the
        # evaluation under way, the choices read that it did not fix, and
        # the branches it used
        self.world: dict[str, int] = {}
        self._seen: list[Choice] | None = None
        self._used: dict[str, int] | None = None
        self.branch_context: Branch = ()  # branches of the call (or the Makefile conditional) being analysed
        self.branch_counts: dict[str, int] = {}  # branch point -> how many branches it has
        self._has_choices = False  # a Choice was made: evaluations must look for them
        self._branch_points = 0

    # -- positions ---------------------------------------------------------

    def span(self, start: int, end: int) -> Span:
        line, column = self._position(start)
        end_line, end_column = self._end_position(end) if end > start else (line, column)
        end_line, end_column = max((end_line, end_column), (line, column))
        return Span(line, column, end_line, end_column)

    def original(self, start: int, end: int) -> str:
        if self._original is not None:
            return self._original(start, end)
        return self.source_text[start:end]

    def location(self, start: int, end: int) -> Location:
        return Location(self.path, self.span(start, end))

    def bounds(self, node: Any) -> tuple[int, int]:
        # the parsed text is ASCII (see _parse.prepare): bytes are characters
        return node.start_byte, node.end_byte

    def raw(self, node: Any) -> str:
        start, end = self.bounds(node)
        return self.text[start:end]

    # -- entry -------------------------------------------------------------

    def run(self) -> list[SimpleCommand]:
        from taglint.shell._parse import parse

        tree = parse(self.text)
        self.visit(tree.root_node, {}, 0, None)
        while self.uncalled:
            name = next(iter(self.uncalled))
            del self.uncalled[name]
            body, scope, in_sub = self.functions[name]
            self.visit(body, scope, 1, None, in_sub)
        return self.commands

    def call(self, name: str, args: list[Arg], scope: dict[str, Any], depth: int, in_sub: bool) -> None:
        """Run a function's body with ``$1``... bound to the call's words."""
        body, _defined, _in_sub = self.functions[name]
        self.uncalled.pop(name, None)
        if self.call_depth >= MAX_CALL_DEPTH:
            return
        positional = {str(i): Value(a.value, a.word.via) for i, a in enumerate(args, start=1)}
        positional["@"] = Value(" ".join(a.value for a in args), (), tuple(a.value for a in args))
        positional["*"] = Value(" ".join(a.value for a in args))
        positional["#"] = Value(str(len(args)))
        saved = {key: scope[key] for key in list(scope) if key.isdigit() or key in ("@", "*", "#")}
        for key in saved:
            del scope[key]
        scope.update(positional)
        self.call_depth += 1
        try:
            self.visit(body, scope, depth + 1, None, in_sub)
        finally:
            self.call_depth -= 1
            for key in positional:
                scope.pop(key, None)
            scope.update(saved)

    # -- variables ---------------------------------------------------------

    def lookup(self, name: str, scope: dict[str, Any]) -> Any:
        """A :class:`Value`, ``UNKNOWN`` or ``UNSET``.  A value the file's
        substitution budget cannot pay for is ``$NAME`` as written, with a
        step saying it is too large (:mod:`taglint.limits`)."""
        found = scope[name] if name in scope else self._env_value(name, 0)
        if isinstance(found, Choice):
            found = self._pick(found)
        if isinstance(found, Value) and not limits.budget().admit(found.text):
            return _too_large(name)
        return found

    def _pick(self, choice: Choice) -> Any:
        """The alternative of ``choice`` for the branches fixed now; UNKNOWN
        (and the choice noted as read) when they do not decide it."""
        for branch, value in choice.alternatives:
            if all(self.world.get(key) == index for key, index in branch):
                if self._used is not None:
                    self._used.update(branch)
                return value
        if self._seen is not None:
            self._seen.append(choice)
        return UNKNOWN

    def in_worlds(self, build: Callable[[], Any]) -> list[tuple[dict[str, int], Branch, Any]]:
        """``build()`` once for each combination of the if/case branches
        whose variable values it reads (once when it reads none): a list of
        (branches fixed, branches used, result).  More than ``MAX_WORLDS``
        combinations: one evaluation with those values unknown."""
        if not self._has_choices:
            return [(self.world, (), build())]
        out: list[tuple[dict[str, int], Branch, Any]] = []
        pending = [dict(self.world)]
        while pending:
            world = pending.pop(0)
            saved = (self.world, self._seen, self._used)
            self.world, self._seen, self._used = world, [], {}
            try:
                result = build()
                seen, used = self._seen or [], self._used or {}
            finally:
                self.world, self._seen, self._used = saved
            open_keys: dict[str, set[int]] = {}
            for choice in seen:
                for branch, _value in choice.alternatives:
                    for key, index in branch:
                        if key not in world:
                            open_keys.setdefault(key, set()).add(index)
            if open_keys:
                keys = sorted(open_keys)
                combinations = list(product(*(sorted(open_keys[k]) for k in keys)))
                if len(out) + len(pending) + len(combinations) <= MAX_WORLDS:
                    pending.extend({**world, **dict(zip(keys, c))} for c in combinations)
                    continue
            out.append((world, tuple(sorted(used.items())), result))
        return out

    def _env_value(self, name: str, depth: int) -> Any:
        if name in self._env_cache:
            return self._env_cache[name]
        if name not in self.env:
            return UNSET
        from taglint.shell import Binding

        raw = self.env[name]
        result: Any
        if isinstance(raw, Binding):
            result = UNKNOWN if raw.value is None else Value(raw.value, tuple(raw.via))
        elif isinstance(raw, Step):
            if raw.note == limits.TOO_LARGE:
                result = Value(f"${name}", (raw,))
            elif raw.value is None:
                result = UNKNOWN
            else:
                text, inner = self._expand_env_text(raw.value, depth)
                result = Value(text, _merge_via((raw,), inner))
                if limits.grew_too_large(raw.value, text) or limits.any_too_large(inner):
                    result = Value(f"${name}", (limits.too_large(raw),))
        else:
            value = str(raw)
            text, inner = self._expand_env_text(value, depth)
            result = Value(text, _merge_via((Step(f"${name}", value),), inner))
            if limits.grew_too_large(value, text) or limits.any_too_large(inner):
                result = _too_large(name)
        self._env_cache[name] = result
        return result

    def _expand_env_text(self, value: str, depth: int) -> tuple[str, tuple[Step, ...]]:
        if "$" not in value or depth >= MAX_ENV_EXPANSION:
            return value, ()
        via: list[Step] = []

        def repl(m: re.Match[str]) -> str:
            name = m.group(1) or m.group(2)
            if name in _DYNAMIC or name not in self.env:
                return m.group(0)
            found = self._env_value(name, depth + 1)
            if isinstance(found, Value):
                if not limits.budget().admit(found.text):
                    via.append(limits.too_large_step(f"${name}"))
                    return m.group(0)
                via.extend(found.via)
                return found.text
            return m.group(0)

        return _ENV_REF.sub(repl, value), tuple(via)

    def assign(self, node: Any, scope: dict[str, Any]) -> None:
        name_node = node.child_by_field_name("name")
        if name_node is None or name_node.type != "variable_name":
            return
        name = self.raw(name_node)
        worlds = self.in_worlds(lambda: self._assigned(node, name, scope))
        if len(worlds) == 1:
            scope[name] = worlds[0][2]
        else:  # the value depends on which branch of an earlier if/case ran
            scope[name] = Choice(tuple((used, value) for _world, used, value in worlds))

    def _assigned(self, node: Any, name: str, scope: dict[str, Any]) -> Any:
        """The value ``NAME=word`` gives NAME: a :class:`Value` or UNKNOWN."""
        value_node = node.child_by_field_name("value")
        append = any(c.type == "+=" for c in node.children)
        start, end = self.bounds(node)
        if value_node is None:
            value = Value("")
        elif value_node.type == "array":
            try:
                parts = [self.word_value(child, scope) for child in value_node.named_children]
            except _Skip:
                return UNKNOWN
            items = tuple(p.text for p in parts)
            value = Value(" ".join(items), _merge_via(*(p.via for p in parts)), items)
        else:
            try:
                value = self.word_value(value_node, scope)
            except _Skip:
                return UNKNOWN
        if append:
            old = self.lookup(name, scope)
            if old is UNKNOWN:
                return UNKNOWN
            if isinstance(old, Value):
                if value.items is not None:
                    items = (old.items if old.items is not None else (old.text,)) + value.items
                    value = Value(" ".join(items), _merge_via(old.via, value.via), items)
                else:
                    value = Value(old.text + value.text, _merge_via(old.via, value.via))
        if limits.grew_too_large(self.text[start:end], value.text) or limits.any_too_large(value.via):
            # A=$A$A, forty times: unresolved from here on
            return _too_large(name, self.location(start, end))
        step = Step(f"${name}", value.text, self.location(start, end))
        inner = tuple(s for s in value.via if s.name != step.name)
        return Value(value.text, _merge_via((step,), inner), value.items)

    # -- words -------------------------------------------------------------

    def word_value(self, node: Any, scope: dict[str, Any]) -> Value:
        t = node.type
        if t == "ERROR" or node.is_missing:
            raise _Skip
        if t == "word":
            return Value(_unescape_unquoted(self.raw(node)))
        if t in ("number", "regex", "extglob_pattern", "special_variable_name", "variable_name", "test_operator"):
            return Value(self.raw(node))
        if t == "raw_string":
            return Value(self.raw(node)[1:-1])
        if t == "ansi_c_string":
            return Value(_ansi_c(self.raw(node)[2:-1]))
        if t in ("string", "translated_string"):
            return self._string(node, scope)
        if t == "concatenation":
            return self._concat(node, scope, *self.bounds(node))
        if t == "simple_expansion":
            return self._simple_expansion(node, scope)
        if t == "expansion":
            return self._expansion(node, scope)
        # command/process substitution, arithmetic, brace expressions: as written
        return Value(self.raw(node))

    def _concat(self, node: Any, scope: dict[str, Any], start: int, end: int, skip: int = 0) -> Value:
        parts: list[str] = []
        via: tuple[Step, ...] = ()
        cursor = start
        for child in node.children[skip:]:
            c_start, c_end = self.bounds(child)
            if c_start < start or c_end > end:
                continue
            if c_start > cursor:
                parts.append(self.text[cursor:c_start])
            value = self.word_value(child, scope)
            parts.append(value.text)
            via = _merge_via(via, value.via)
            cursor = max(cursor, c_end)
        if cursor < end:
            parts.append(self.text[cursor:end])
        return Value("".join(parts), via)

    def _string(self, node: Any, scope: dict[str, Any]) -> Value:
        start, end = self.bounds(node)
        open_len = 2 if self.text.startswith('$"', start) else 1
        inner_start, inner_end = start + open_len, max(start + open_len, end - 1)
        parts: list[str] = []
        via: tuple[Step, ...] = ()
        last: Value | None = None
        cursor = inner_start
        for child in node.children:
            c_start, c_end = self.bounds(child)
            if child.type in ('"', '$"') or c_end <= inner_start or c_start >= inner_end:
                continue
            if c_start > cursor:
                parts.append(_unescape_double(self.text[cursor:c_start]))
            if child.type == "string_content":
                parts.append(_unescape_double(self.text[c_start:c_end]))
            else:
                value = self.word_value(child, scope)
                parts.append(value.text)
                via = _merge_via(via, value.via)
                last = value
            cursor = max(cursor, c_end)
        if cursor < inner_end:
            parts.append(_unescape_double(self.text[cursor:inner_end]))
        if len(parts) == 1 and last is not None and last.items is not None:
            return last  # "${array[@]}"
        return Value("".join(parts), via)

    def _simple_expansion(self, node: Any, scope: dict[str, Any]) -> Value:
        written = self.raw(node)
        name = written[1:]
        if name.isdigit() or name in ("@", "*", "#"):
            found = scope.get(name)  # bound by a function call
            return found if isinstance(found, Value) else Value(written)
        if not _NAME.fullmatch(name) or name in _DYNAMIC:
            return Value(written)
        found = self.lookup(name, scope)
        if isinstance(found, Value):
            if found.items is not None:  # $array is its first element
                return Value(found.items[0] if found.items else "", found.via)
            return found
        return Value(written)

    def _expansion(self, node: Any, scope: dict[str, Any]) -> Value:
        written = self.raw(node)
        inner = written[2:-1] if written.endswith("}") else written[2:]
        m = re.match(r"([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*])", inner)
        if not m:
            return Value(written)
        name = m.group(1)
        rest = inner[m.end():]
        if name in _DYNAMIC:
            return Value(written)
        positional = not (name[0].isalpha() or name[0] == "_")
        found = scope.get(name, UNSET) if positional else self.lookup(name, scope)
        subscript = re.match(r"\[([^\]]*)\]$", rest)
        if subscript:
            if not isinstance(found, Value):
                return Value(written)
            items = found.items if found.items is not None else (found.text,)
            index = subscript.group(1)
            if index in ("@", "*"):
                return Value(" ".join(items), found.via, items)
            if index.isdigit():
                return Value(items[int(index)] if int(index) < len(items) else "", found.via)
            return Value(written)
        if rest == "":
            if isinstance(found, Value) and found.items is not None:
                return Value(found.items[0] if found.items else "", found.via)
            return found if isinstance(found, Value) else Value(written)
        op_m = re.match(r":-|:=|:\+|:\?|-|=|\+|\?|##|#|%%|%|//|/#|/%|/|\^\^|\^|,,|,|:", rest)
        if not op_m:
            return Value(written)
        op = op_m.group(0)
        if op in (":-", "-", ":=", "=", ":+", "+"):
            operand = self._operand(node, scope, written, op)
            if found is UNKNOWN:
                return Value(written)
            is_set = isinstance(found, Value)
            non_empty = is_set and found.text != ""
            use_value = non_empty if op.startswith(":") else is_set
            if op in (":-", "-", ":=", "="):
                if use_value:
                    return found
                if operand is None:
                    return Value(written)
                start, end = self.bounds(node)
                step = Step(f"${name}", operand.text, self.location(start, end))
                result = Value(operand.text, _merge_via((step,), operand.via))
                if op in (":=", "="):
                    scope[name] = result
                return result
            # :+ / +
            if use_value:
                return operand if operand is not None else Value(written)
            return Value("")
        if not isinstance(found, Value):
            return Value(written)
        value = found.text
        arg = rest[len(op):]
        if "$" in arg or "`" in arg:
            return Value(written)
        raw_arg = arg
        arg = _strip_quotes(arg)
        try:
            if op in ("#", "##"):
                text_out = _remove_prefix(value, arg, longest=op == "##")
            elif op in ("%", "%%"):
                text_out = _remove_suffix(value, arg, longest=op == "%%")
            elif op in ("/", "//", "/#", "/%"):
                split = re.match(r"((?:\\.|[^/\\])*)(?:/(.*))?$", raw_arg, re.DOTALL)
                if split is None:
                    return Value(written)
                pattern = _strip_quotes(split.group(1))
                replacement = _strip_quotes(split.group(2) or "")
                if any(ch in pattern for ch in "*?["):
                    return Value(written)
                if op == "/":
                    text_out = value.replace(pattern, replacement, 1) if pattern else value
                elif op == "//":
                    text_out = value.replace(pattern, replacement) if pattern else value
                elif op == "/#":
                    text_out = replacement + value[len(pattern):] if value.startswith(pattern) else value
                else:
                    text_out = value[: len(value) - len(pattern)] + replacement if pattern and value.endswith(pattern) else value
            elif op in ("^^", "^"):
                if arg:
                    return Value(written)
                text_out = value.upper() if op == "^^" else value[:1].upper() + value[1:]
            elif op in (",,", ","):
                if arg:
                    return Value(written)
                text_out = value.lower() if op == ",," else value[:1].lower() + value[1:]
            elif op == ":":
                bits = arg.split(":")
                offset = int(bits[0].strip() or "0")
                if len(bits) > 1:
                    length = int(bits[1].strip())
                    text_out = value[offset:][:length] if length >= 0 else value[offset:length]
                else:
                    text_out = value[offset:]
            else:
                return Value(written)
        except (ValueError, re.error):
            return Value(written)
        return Value(text_out, found.via)

    def _operand(self, node: Any, scope: dict[str, Any], written: str, op: str) -> Value | None:
        """The word after ``:-``/``:=``/``:+`` inside ``${...}``."""
        end = self.bounds(node)[1]
        close = end - 1 if written.endswith("}") else end
        op_index = None
        for i, child in enumerate(node.children):
            if child.type == op:
                op_index = i
                break
        if op_index is None:
            return None
        op_end = self.bounds(node.children[op_index])[1]
        try:
            return self._concat(node, scope, op_end, close, skip=op_index + 1)
        except _Skip:
            return None

    def make_args(self, node: Any, scope: dict[str, Any]) -> list[Arg]:
        start, end = self.bounds(node)
        value = self.word_value(node, scope)
        for r_start, r_end, steps in self.via_ranges:
            if r_start < end and start < r_end:
                value = Value(value.text, _merge_via(value.via, steps))
        word = Word(self.original(start, end), value.text, self.span(start, end), value.via)
        array = _ARRAY_WORD.match(self.text[start:end])
        if array and value.items is not None and ("@" in (array.group(2), array.group(3)) or not array.group(1)):
            return [Arg(Word(word.written, item, word.span, value.via), start, end, node.type, expanded=True)
                    for item in value.items]
        if node.type in ("simple_expansion", "expansion") and value.via and any(ch.isspace() for ch in value.text):
            pieces = value.text.split()
            return [
                Arg(Word(word.written, piece, word.span, value.via), start, end, node.type, expanded=True)
                for piece in pieces
            ]
        return [Arg(word, start, end, node.type)]

    # -- tree walk ---------------------------------------------------------

    def visit(self, node: Any, scope: dict[str, Any], depth: int, stdin: SimpleCommand | None,
              in_sub: bool = False, head: bool = True) -> SimpleCommand | None:
        """Walk ``node``; returns the last simple command seen (for pipelines)."""
        if depth > MAX_DEPTH:
            return None
        t = node.type
        try:
            if t == "command":
                return self.command(node, scope, depth, stdin, in_sub, head, [])
            if t == "variable_assignment":
                self._substitutions(node, scope, depth, in_sub)
                self.assign(node, scope)
                return None
            if t in ("variable_assignments", "declaration_command"):  # A=1 B=2; export/local/readonly
                for child in node.named_children:
                    if child.type == "variable_assignment":
                        self._substitutions(child, scope, depth, in_sub)
                        self.assign(child, scope)
                return None
            if t == "unset_command":
                for child in node.named_children:
                    if child.type in ("word", "variable_name"):
                        scope[self.raw(child)] = UNSET
                return None
            if t == "redirected_statement":
                return self._redirected(node, scope, depth, stdin, in_sub, head)
            if t == "pipeline":
                previous = stdin
                first = True
                for child in node.named_children:
                    previous = self.visit(child, scope, depth + 1, previous if not first else stdin, in_sub,
                                          head and first)
                    first = False
                return previous
            if t in ("subshell", "command_substitution", "process_substitution"):
                inner = dict(scope)
                last = None
                for child in node.named_children:
                    last = self.visit(child, inner, depth + 1, None, in_sub or t != "subshell")
                return last
            if t == "function_definition":
                # analysed where it is called, with its arguments; or at the
                # end of the script when it is never called
                body = node.child_by_field_name("body")
                name_node = node.child_by_field_name("name")
                if body is not None and name_node is not None:
                    name = self.raw(name_node)
                    self.functions[name] = (body, dict(scope), in_sub)
                    self.uncalled[name] = None
                return None
            if t == "if_statement":
                self._if(node, scope, depth, in_sub)
                return None
            if t == "case_statement":
                self._case(node, scope, depth, in_sub)
                return None
            if t in ("for_statement", "select_statement"):
                return self._for(node, scope, depth, in_sub)
            if t == "heredoc_body" or t in _WORDISH - {"command_substitution", "process_substitution"}:
                self._substitutions(node, scope, depth, in_sub)
                return None
            last = None
            for child in node.named_children:
                last = self.visit(child, scope, depth + 1, None, in_sub)
            return last
        except _Skip:
            return None
        except RecursionError:
            raise
        except Exception:
            if STRICT:
                raise
            return None

    def _for(self, node: Any, scope: dict[str, Any], depth: int, in_sub: bool) -> SimpleCommand | None:
        """``for t in "$VERSION" latest; do ...; done``: the body runs once per
        value when the list is short and every value is known; otherwise the
        loop variable is unknown."""
        var = node.child_by_field_name("variable")
        values_nodes = []
        body = []
        for index, child in enumerate(node.children):
            if not child.is_named or child is var:
                continue
            if node.field_name_for_child(index) == "value":
                values_nodes.append(child)
            else:
                body.append(child)
        name = self.raw(var) if var is not None else ""
        items: list[Value] | None = []
        for value_node in values_nodes:
            self._substitutions(value_node, scope, depth, in_sub)
            try:
                args = self.make_args(value_node, scope)
            except _Skip:
                items = None
                break
            for arg in args:
                if "$" in arg.value or "`" in arg.value or any(ch in arg.value for ch in "*?[") and arg.node_type == "word":
                    items = None
                    break
                assert items is not None
                items.append(Value(arg.value, arg.word.via))
            if items is None:
                break
        if not values_nodes or items is None or not items or len(items) > MAX_LOOP_VALUES:
            if name:
                scope[name] = UNKNOWN
            last = None
            for child in body:
                last = self.visit(child, scope, depth + 1, None, in_sub)
            return last
        start, end = self.bounds(node)
        location = self.location(start, end)
        last = None
        for item in items:
            if name:
                step = Step(f"${name}", item.text, location)
                scope[name] = Value(item.text, _merge_via((step,), item.via))
            for child in body:
                last = self.visit(child, scope, depth + 1, None, in_sub)
        return last

    # -- branches: a variable set differently on two paths takes each path's value --

    def _run_branch(self, nodes: list[Any], scope: dict[str, Any], depth: int, in_sub: bool) -> dict[str, Any]:
        branch = dict(scope)
        for child in nodes:
            self.visit(child, branch, depth + 1, None, in_sub)
        return branch

    def _if(self, node: Any, scope: dict[str, Any], depth: int, in_sub: bool) -> None:
        branches: list[dict[str, Any]] = []
        body: list[Any] = []
        has_else = False
        for index, child in enumerate(node.children):
            if not child.is_named:
                continue
            if node.field_name_for_child(index) == "condition":
                self.visit(child, scope, depth + 1, None, in_sub)
            elif child.type in ("elif_clause", "else_clause"):
                has_else = has_else or child.type == "else_clause"
                parts: list[Any] = []
                for inner_index, inner in enumerate(child.children):
                    if inner.is_named:
                        parts.append(inner)
                branches.append(self._run_branch(parts, scope, depth, in_sub))
            else:
                body.append(child)
        branches.insert(0, self._run_branch(body, scope, depth, in_sub))
        if not has_else:
            branches.append(dict(scope))
        self._merge(scope, branches, self._branch_point(node))

    def _case(self, node: Any, scope: dict[str, Any], depth: int, in_sub: bool) -> None:
        branches: list[dict[str, Any]] = []
        has_default = False
        for index, child in enumerate(node.children):
            if not child.is_named:
                continue
            if child.type != "case_item":
                self.visit(child, scope, depth + 1, None, in_sub)
                continue
            body = []
            for inner_index, inner in enumerate(child.children):
                if not inner.is_named:
                    continue
                if child.field_name_for_child(inner_index) == "value":
                    has_default = has_default or self.raw(inner) in ("*", "*)")
                    continue
                body.append(inner)
            branches.append(self._run_branch(body, scope, depth, in_sub))
        if not has_default:
            branches.append(dict(scope))
        self._merge(scope, branches, self._branch_point(node))

    def _branch_point(self, node: Any) -> str:
        """A name for one if/case statement as analysed (each loop pass and
        each call gets its own)."""
        self._branch_points += 1
        line, column = self._position(self.bounds(node)[0])
        return f"{line}:{column}:{self.nesting}#{self._branch_points}"

    def _merge(self, scope: dict[str, Any], branches: list[dict[str, Any]], point: str) -> None:
        """After an if/case: a variable every branch leaves alike keeps that
        value; one the branches set differently takes each branch's value
        (a :class:`Choice`), or is unknown past ``MAX_WORLDS`` alternatives."""
        missing = object()
        self.branch_counts[point] = len(branches)
        keys = set().union(*branches) if branches else set()
        for key in keys:
            values = [branch.get(key, missing) for branch in branches]
            first = values[0]
            if all(v is first for v in values) or all(isinstance(v, Value) for v in values) and len({(v.text, v.items) for v in values}) == 1:
                merged = first
            else:
                alternatives: list[tuple[Branch, Any]] = []
                for index, value in enumerate(values):
                    if isinstance(value, Choice):
                        alternatives.extend((tuple(sorted(((point, index),) + inner)), found)
                                            for inner, found in value.alternatives)
                    else:
                        alternatives.append((((point, index),), UNSET if value is missing else value))
                merged = Choice(tuple(alternatives)) if len(alternatives) <= MAX_WORLDS else UNKNOWN
                self._has_choices = self._has_choices or merged is not UNKNOWN
            if merged is missing:
                scope.pop(key, None)
            else:
                scope[key] = merged

    def _substitutions(self, node: Any, scope: dict[str, Any], depth: int, in_sub: bool) -> None:
        """Commands inside ``$(...)``/backticks/``<(...)`` anywhere below ``node``."""
        for sub in _find(node, ("command_substitution", "process_substitution"), depth):
            self.visit(sub, scope, depth + 1, None, True)

    def _redirected(self, node: Any, scope: dict[str, Any], depth: int, stdin: SimpleCommand | None,
                    in_sub: bool, head: bool) -> SimpleCommand | None:
        body = node.child_by_field_name("body")
        redirects = [c for c in node.named_children if c is not body]
        stdin_redirected = False
        herestring: Arg | None = None
        targets: list[Arg] = []
        trailing: list[Any] = []
        for redirect in redirects:
            if redirect.type in ("heredoc_redirect", "herestring_redirect"):
                stdin_redirected = True
                if redirect.type == "herestring_redirect":
                    herestring = self._herestring(redirect, scope)
                for child in redirect.named_children:
                    if child.type in ("pipeline", "list", "command", "redirected_statement"):
                        trailing.append(child)
                    elif child.type == "heredoc_body":
                        self._substitutions(child, scope, depth, in_sub)
            elif redirect.type == "file_redirect":
                op = "".join(c.type for c in redirect.children if not c.is_named)
                dest = redirect.child_by_field_name("destination")
                if op in ("<", "<&") or op.startswith("<"):
                    stdin_redirected = True
                if dest is not None and op in (">", ">>", ">|", "&>", "&>>"):
                    try:
                        targets.extend(self.make_args(dest, scope))
                    except _Skip:
                        pass
        result = None
        if body is not None:
            if body.type == "command":
                result = self.command(body, scope, depth + 1, stdin, in_sub, head, targets,
                                      stdin_redirected=stdin_redirected, herestring=herestring)
            else:
                result = self.visit(body, scope, depth + 1, stdin, in_sub, head)
        for child in trailing:
            # `cat <<EOF | docker login --password-stdin`: tree-sitter hangs the
            # rest of the pipeline under the heredoc redirect.
            if child.type == "pipeline":
                previous = result
                for element in child.named_children:
                    previous = self.visit(element, scope, depth + 1, previous, in_sub, False)
                result = previous
            else:
                result = self.visit(child, scope, depth + 1, None, in_sub)
        return result

    def _herestring(self, redirect: Any, scope: dict[str, Any]) -> Arg | None:
        words = [c for c in redirect.named_children if c.type in _WORDISH]
        if not words:
            return None
        try:
            return self.make_args(words[0], scope)[0]
        except _Skip:
            return None

    def command(self, node: Any, scope: dict[str, Any], depth: int, stdin: SimpleCommand | None,
                in_sub: bool, head: bool, redirect_targets: list[Arg],
                stdin_redirected: bool = False, herestring: Arg | None = None) -> SimpleCommand | None:
        self._substitutions(node, scope, depth, in_sub)
        if node.has_error:
            return None

        def words() -> tuple[dict[str, str | None], list[Arg], list[Arg], bool, Arg | None]:
            return self._words(node, scope, redirect_targets, stdin_redirected, herestring)

        worlds = self.in_worlds(words)
        start, end = self.bounds(node)
        reruns = self.call_depth > 0 and self._reruns(node)
        first: SimpleCommand | None = None
        done: set[tuple[tuple[str, ...], Branch]] = set()
        for world, used, (prefix, args, targets, redirected, here) in worlds:
            if not args:
                continue
            branch = tuple(sorted(set(self.branch_context) | set(used)))
            key = (tuple(a.value for a in args), branch)
            if key in done:
                continue
            done.add(key)
            simple = SimpleCommand(
                args=args,
                start=start,
                end=end,
                written=self.original(start, end),
                prefix_env=prefix,
                stdin=stdin,
                stdin_redirected=redirected,
                redirect_targets=targets,
                in_pipeline_head=head and stdin is None,
                in_substitution=in_sub,
                herestring=here,
                branch=branch,
                reruns_arguments=reruns,
            )
            self.commands.append(simple)
            name = args[0].value
            if name in self.functions:
                saved = (self.world, self.branch_context)
                self.world, self.branch_context = world, branch
                try:
                    self.call(name, args[1:], scope, depth, in_sub)
                finally:
                    self.world, self.branch_context = saved
            if first is None:
                first = simple
                if name == "read" or name == "mapfile" or name == "readarray":
                    for arg in args[1:]:
                        if _NAME.fullmatch(arg.value):
                            scope[arg.value] = UNKNOWN
                elif name == "unset":
                    for arg in args[1:]:
                        if _NAME.fullmatch(arg.value):
                            scope[arg.value] = UNSET
        return first

    def _words(self, node: Any, scope: dict[str, Any], redirect_targets: list[Arg], stdin_redirected: bool,
               herestring: Arg | None) -> tuple[dict[str, str | None], list[Arg], list[Arg], bool, Arg | None]:
        """A simple command's prefix assignments, words, redirect targets,
        whether stdin is redirected, and its here-string."""
        prefix: dict[str, str | None] = {}
        args: list[Arg] = []
        for child in node.children:
            t = child.type
            if t == "variable_assignment":
                name_node = child.child_by_field_name("name")
                value_node = child.child_by_field_name("value")
                if name_node is not None:
                    try:
                        value = self.word_value(value_node, scope).text if value_node is not None else ""
                    except _Skip:
                        value = None
                    prefix[self.raw(name_node)] = value
                continue
            if t in ("file_redirect", "heredoc_redirect", "herestring_redirect"):
                if t == "herestring_redirect":
                    herestring = self._herestring(child, scope) or herestring
                if t != "file_redirect":
                    stdin_redirected = True
                else:
                    op = "".join(c.type for c in child.children if not c.is_named)
                    if op.startswith("<"):
                        stdin_redirected = True
                    dest = child.child_by_field_name("destination")
                    if dest is not None and op in (">", ">>", ">|", "&>", "&>>"):
                        redirect_targets = redirect_targets + self.make_args(dest, scope)
                continue
            if t == "command_name":
                for inner in child.named_children:
                    args.extend(self.make_args(inner, scope))
                continue
            if child.is_named and t in _WORDISH:
                args.extend(self.make_args(child, scope))
        return prefix, args, redirect_targets, stdin_redirected, herestring

    def _reruns(self, node: Any) -> bool:
        name = node.child_by_field_name("name")
        return name is not None and bool(_RERUN.match(self.raw(name)))

    def wrapper_functions(self) -> set[str]:
        """Functions that run their arguments as a command (``retry() { …;
        "$@"; }``): a call is a wrapper around the command it names."""
        out = set()
        for name, (body, _scope, _in_sub) in self.functions.items():
            runs = self._runs_arguments.get(name)
            if runs is None:
                runs = any(self._reruns(c) for c in _find(body, ("command",), 0))
                self._runs_arguments[name] = runs
            if runs:
                out.add(name)
        return out


def _find(node: Any, types: tuple[str, ...], depth: int) -> Iterator[Any]:
    if depth > MAX_DEPTH:
        return
    for child in node.named_children:
        if child.type in types:
            yield child
        else:
            yield from _find(child, types, depth + 1)


def _unescape(text: str, escaped: Callable[[str], str | None]) -> str:
    """``text`` with each backslash escape replaced by ``escaped(next_char)``;
    where that gives None the backslash stays as written."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            replacement = escaped(text[i + 1])
            if replacement is not None:
                out.append(replacement)
                i += 2
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _unescape_unquoted(text: str) -> str:
    # outside quotes a backslash escapes any character; before a newline it joins lines
    return _unescape(text, lambda nxt: "" if nxt == "\n" else nxt)


def _unescape_double(text: str) -> str:
    # inside "..." only $ ` " \ and newline are escapable
    return _unescape(text, lambda nxt: ("" if nxt == "\n" else nxt) if nxt in '$`"\\\n' else None)


_ANSI = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "v": "\v", "f": "\f"}


def _ansi_c(text: str) -> str:
    # $'...' strings: C-style escapes
    return _unescape(text, _ANSI.get)


def _strip_quotes(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return _unescape_unquoted(text)


def _remove_prefix(value: str, pattern: str, *, longest: bool) -> str:
    ends = range(len(value), -1, -1) if longest else range(len(value) + 1)
    for end in ends:
        if fnmatch.fnmatchcase(value[:end], pattern):
            return value[end:]
    return value


def _remove_suffix(value: str, pattern: str, *, longest: bool) -> str:
    starts = range(len(value) + 1) if longest else range(len(value), -1, -1)
    for start in starts:
        if fnmatch.fnmatchcase(value[start:], pattern):
            return value[:start]
    return value


def analyze(text: str, *, path: str, kind: str, scope: str, position: Callable[[int], tuple[int, int]] | None,
            env: Mapping[str, Any], original: Callable[[int, int], str] | None, editable: bool,
            end_position: Callable[[int], tuple[int, int]] | None = None,
            via_ranges: Sequence[tuple[int, int, tuple[Step, ...]]] = (),
            branch: tuple[tuple[str, int, int], ...] = ()) -> Any:
    from taglint.shell import ScriptFacts
    from taglint.shell._tools import recognise

    facts = ScriptFacts()
    if not text.strip():
        return facts
    analyzer = Analyzer(text, path=path, kind=kind, scope=scope, position=position, env=env,
                        original=original, editable=editable, end_position=end_position, via_ranges=via_ranges)
    analyzer.branch_context = tuple(sorted((point, index) for point, index, _count in branch))
    analyzer.branch_counts.update((point, count) for point, _index, count in branch)
    try:
        simple_commands = analyzer.run()
    except RecursionError:
        simple_commands = analyzer.commands
    built: set[str] = set()
    for simple in simple_commands:
        try:
            commands, images = recognise(simple, analyzer)
        except Exception:
            if STRICT:
                raise
            continue
        facts.commands.extend(commands)
        for command in commands:
            if command.action in ("build", "tag"):
                built.update(_repository(w.value) for w in command.attributes.get("targets") or ())
        # an image this script built or tagged itself is a local name, not a pull
        facts.images.extend(i for i in images if _repository(i.value) not in built)
    return facts


def _repository(reference: str) -> str:
    name = reference.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name
