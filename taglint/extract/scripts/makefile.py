"""Makefiles: variables, rules and recipes; recipes go to :mod:`taglint.shell`.

Each target's recipe is one scope (named after the target).  Each logical
recipe line is its own shell script, as make runs it, unless ``.ONESHELL:``
appears, when the whole recipe is one script.  Before the shell sees a
line, make's own syntax is undone the way make would: the recipe prefix
(tab, or ``.RECIPEPREFIX``) and the ``@``/``-``/``+`` markers are dropped,
``$$`` becomes ``$``, and every make reference (``$(VAR)``, ``${VAR}``,
``$@``, ``$(shell cmd)``, ``$(subst ...)``...) is handed to the shell layer
as a variable whose value make would substitute, with the chain of
definitions (``Makefile variable IMG``, ``Makefile variable TAG``) as its
steps.  ``$(shell cmd)`` becomes the command substitution ``$(cmd)`` so
the tag classifier can name its source.  Positions and written text map
back into the Makefile, so spans and fixes point at the file.

Variables: ``=`` (recursive), ``:=``/``::=``/``:::=`` (simple), ``?=``
(only when undefined), ``+=`` (append), ``!=`` (shell), with ``override``,
``export``, ``private`` prefixes and target-specific ``target: VAR = x``.
The last definition in the file wins; a variable the file never defines is
unknown (environment or command line) and stays as written.
``define``/``endef`` blocks are skipped.

``include``/``-include``/``sinclude`` of files that exist beside the
Makefile (``.env``, ``*.mk``, ``env_make``…; globs and variables in the
name are expanded) define the variables they assign, at that point of the
file, as make reads them (a ``.env``'s ``KEY=VALUE`` lines are make
assignments too); their rules are not this file's.

Conditionals (``ifeq``/``ifneq`` with ``(a,b)`` or ``"a" "b"``,
``ifdef``/``ifndef``, ``else``, ``else ifeq …``) are evaluated with the
values the file gives (:mod:`taglint.extract.scripts.make_conditions`):

- an assignment in a part that is decidably false with those values does
  not happen; one in a part that is decidably true is certain; one in a
  part that cannot be decided makes the variable depend on the
  environment (unknown) when the file defines it differently elsewhere;
- a recipe line in a part that is decidably false only runs when a
  variable the condition reads has another value (from the command line):
  it is judged with those variables unknown, never with the value that
  makes the condition false (``docker push $(IMG):latest`` inside
  ``ifneq ($(TAG),latest)`` is not judged with ``TAG=latest``);
- inside ``ifeq ($(TAG),latest)`` (or the ``else`` of ``ifneq``)
  ``$(TAG)`` is ``latest``; inside ``ifndef TAG`` it is empty;
- a recipe with a line that certainly runs ``$(error …)`` (``ifeq
  ($(REGISTRY),)`` around it, ``REGISTRY`` empty) never runs with the
  file's values: make expands a whole recipe before running it.
"""
from __future__ import annotations

import glob
import os
import posixpath
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from taglint import limits
from taglint.extract.scripts import make_conditions
from taglint.extract.scripts.make_conditions import Held
from taglint.model import FileFacts, Location, Span, Step
from taglint.source import ExtractContext, SourceFile, decode

KIND = "makefile"
MAX_DEPTH = 16
MAX_INCLUDE_DEPTH = 4
MAX_INCLUDE_SIZE = 1 << 20

_ASSIGN = re.compile(
    r"^(?P<mods>(?:(?:override|export|unexport|private)\s+)*)"
    r"(?P<name>[^\s:#=$()]+|\$[({][^)}]*[)}])\s*(?P<op>\?=|:::=|::=|:=|\+=|!=|=)\s*(?P<value>.*)$"
)
_RULE = re.compile(r"^(?P<targets>[^:#=]+?)\s*(?P<colon>::?)(?![=:])\s*(?P<rest>.*)$")
_ERROR_CALL = re.compile(r"\$[({]error[ \t]")
_DIRECTIVE = re.compile(r"^\s*(-?include|sinclude|ifeq|ifneq|ifdef|ifndef|else|endif|vpath|unexport|undefine)\b")
_FUNCTIONS = frozenset(
    ["shell", "strip", "subst", "patsubst", "findstring", "filter", "filter-out", "sort", "word", "words", "wordlist", "firstword", "lastword", "dir", "notdir", "suffix", "basename", "addsuffix", "addprefix", "join", "wildcard", "realpath", "abspath", "if", "or", "and", "foreach", "file", "call", "value", "eval", "origin", "flavor", "error", "warning", "info", "let", "intcmp", "guile"]
)


@dataclass
class MakeVar:
    raw: str
    simple: bool
    location: Location
    value: str = ""
    via: tuple[Step, ...] = ()
    op: str = "="
    unknown: str | None = None  # why the value is not known here (a step name), e.g. inside a conditional
    label: str | None = None  # how a step names it, when not "Makefile variable NAME"


@dataclass
class Recipe:
    scope: str
    lines: list[list[tuple[int, int]]] = field(default_factory=list)  # logical line -> physical (start, end)
    guards: list[tuple[Held, ...]] = field(default_factory=list)  # per logical line: the conditionals around it
    parts: list[tuple[tuple[_Conditional, int], ...]] = field(default_factory=list)  # per logical line: (conditional, part)


@dataclass(eq=False)
class _Conditional:
    """One ``ifeq … [else …] endif`` being read: its conditions so far, what
    holds in the part being read, and which part that is."""

    key: str  # where it starts: path:line
    conditions: list[tuple[make_conditions.Condition, bool | None]] = field(default_factory=list)
    part: tuple[Held, ...] = ()
    index: int = 0  # the part being read: 0 after ifeq, 1 after the first else...
    has_else: bool = False  # ends with a plain `else`

    @property
    def count(self) -> int:
        """How many parts run one at a time (a missing ``else`` is a part too)."""
        return self.index + 1 + (0 if self.has_else else 1)


class _Mapped:
    """Shell text built from pieces of the file, with the offset map back."""

    def __init__(self, file_text: str) -> None:
        self.file_text = file_text
        self.parts: list[str] = []
        self.t_starts: list[int] = []
        self.pieces: list[tuple[int, int, int, int]] = []  # t_start, t_end, s_start, s_end
        self.length = 0

    def add(self, text: str, s_start: int, s_end: int) -> None:
        if not text and s_start == s_end:
            return
        self.parts.append(text)
        self.t_starts.append(self.length)
        self.pieces.append((self.length, self.length + len(text), s_start, s_end))
        self.length += len(text)

    def text(self) -> str:
        return "".join(self.parts)

    def source_offset(self, offset: int, end: bool = False) -> int:
        """Where ``offset`` of the built text is in the file.  A start inside a
        substituted piece maps to the piece's start; an end to its end."""
        if not self.pieces:
            return 0
        index = bisect_right(self.t_starts, offset) - 1
        if end:
            while index > 0 and self.pieces[index][0] == offset:
                index -= 1  # an end offset belongs to the piece it closes
        index = max(0, index)
        t_start, t_end, s_start, s_end = self.pieces[index]
        if offset >= t_end:
            return s_end
        if offset <= t_start:
            return s_start
        if t_end - t_start == s_end - s_start:
            return s_start + (offset - t_start)
        return s_end if end else s_start


class _Makefile:
    def __init__(self, source: SourceFile, parent: _Makefile | None = None) -> None:
        self.source = source
        self.text = source.text
        # an included file shares its includer's variables
        self.vars: dict[str, MakeVar] = parent.vars if parent else {}
        self.target_vars: dict[str, dict[str, MakeVar]] = parent.target_vars if parent else {}
        self.definitions: dict[str, list[tuple[str, bool]]] = parent.definitions if parent else {}  # name -> (raw value, uncertain)
        self.included: set[str] = parent.included if parent else {os.path.realpath(source.fs_path)}
        self.include_depth = parent.include_depth + 1 if parent else 0
        # make reads included names from where it runs: the top Makefile's folder
        self.home: tuple[Path, str] = parent.home if parent else (
            Path(source.fs_path).parent, posixpath.dirname(source.path))
        self.outer_guard: tuple[Held, ...] = parent.guard() if parent else ()
        self.recipes: list[Recipe] = []
        self.oneshell = False
        self.prefix = "\t"
        self.stack: list[_Conditional] = []
        self.counter = 0
        starts = [0]
        for m in re.finditer("\n", self.text):
            starts.append(m.end())
        self.line_starts = starts

    # -- positions ---------------------------------------------------------

    def line_col(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1

    def location(self, start: int, end: int) -> Location:
        line, column = self.line_col(start)
        end_line, end_column = self.line_col(end)
        return Location(self.source.path, Span(line, column, end_line, end_column))

    # -- reading -----------------------------------------------------------

    def physical_lines(self) -> list[tuple[int, int]]:
        """(start, end) offsets of each line, without the line ending."""
        out = []
        for i, start in enumerate(self.line_starts):
            end = self.line_starts[i + 1] - 1 if i + 1 < len(self.line_starts) else len(self.text)
            if end > start and self.text[end - 1] == "\r":
                end -= 1
            out.append((start, end))
        return out

    def read(self) -> None:
        lines = self.physical_lines()
        i = 0
        current: Recipe | None = None
        in_define = False
        while i < len(lines):
            start, end = lines[i]
            line = self.text[start:end]
            if in_define:
                if re.match(r"^\s*endef\b", line):
                    in_define = False
                i += 1
                continue
            if current is not None and line.startswith(self.prefix):
                logical = [(start, end)]
                while _continues(self.text[lines[i][0]:lines[i][1]]) and i + 1 < len(lines):
                    i += 1
                    logical.append(lines[i])
                self.add_line(current, logical)
                i += 1
                continue
            # a make line: join continuations
            first = i
            while _continues(self.text[lines[i][0]:lines[i][1]]) and i + 1 < len(lines):
                i += 1
            joined = " ".join(
                _physical(self.text[s:e], k > first, k < i)
                for k, (s, e) in enumerate(lines[first:i + 1], start=first)
            )
            span = (lines[first][0], lines[i][1])
            i += 1
            stripped = _strip_comment(joined).strip()
            if not stripped:
                continue
            if re.match(r"^(?:override\s+)?define\b", stripped):
                in_define = True
                current = None
                continue
            if _DIRECTIVE.match(stripped):
                self.directive(stripped, span)
                continue
            assign = _ASSIGN.match(stripped)
            if assign:
                current = None
                self.assign(assign, span, self.vars)
                continue
            rule = _RULE.match(stripped)
            if rule:
                targets = self.expand(rule.group("targets"), self.vars)[0].split()
                rest = rule.group("rest")
                if ".ONESHELL" in targets:
                    self.oneshell = True
                special = all(t.startswith(".") and t.upper() == t for t in targets)
                target_assign = _ASSIGN.match(rest)
                if target_assign:
                    for target in targets:
                        self.assign(target_assign, span, self.target_vars.setdefault(target, {}))
                    continue
                if special:
                    current = None
                    continue
                current = Recipe(" ".join(targets))
                self.recipes.append(current)
                semicolon = _inline_recipe(self.text, lines[first][0], span[1])
                if semicolon is not None:
                    self.add_line(current, [(semicolon, lines[first][1])])
                continue
            prefix_set = re.match(r"^\.RECIPEPREFIX\s*:?=\s*(.)", stripped)
            if prefix_set:
                self.prefix = prefix_set.group(1)
            current = None

    # -- conditionals and includes ------------------------------------------

    def add_line(self, recipe: Recipe, logical: list[tuple[int, int]]) -> None:
        recipe.lines.append(logical)
        recipe.guards.append(self.guard())
        recipe.parts.append(tuple((frame, frame.index) for frame in self.stack))

    def guard(self) -> tuple[Held, ...]:
        """What holds where the reader is: the parts of the enclosing
        conditionals (an included file's start with its include line's)."""
        return self.outer_guard + tuple(h for frame in self.stack for h in frame.part)

    def directive(self, stripped: str, span: tuple[int, int]) -> None:
        word = _DIRECTIVE.match(stripped).group(1)  # type: ignore[union-attr]
        rest = stripped[len(word):].strip()
        if word in make_conditions.KINDS:
            line, column = self.line_col(span[0])
            frame = _Conditional(f"{self.source.path}:{line}:{column}")
            self.stack.append(frame)
            self.enter(frame, stripped, span)
        elif word == "else" and self.stack:
            frame = self.stack[-1]
            frame.index += 1
            if rest.split(None, 1)[:1] and rest.split(None, 1)[0] in make_conditions.KINDS:
                self.enter(frame, rest, span)
            else:
                frame.has_else = True
                frame.part = tuple(make_conditions.held(c, False, truth) for c, truth in frame.conditions)
        elif word == "endif" and self.stack:
            self.stack.pop()
        elif word in ("include", "-include", "sinclude") and make_conditions.state(self.guard()) is not False:
            self.include(rest)

    def enter(self, frame: _Conditional, text: str, span: tuple[int, int]) -> None:
        """A new part: ``ifeq …`` (or ``else ifeq …``) holds, the earlier
        conditions of the same conditional do not."""
        earlier = tuple(make_conditions.held(c, False, truth) for c, truth in frame.conditions)
        condition = make_conditions.parse(text, self.location(*span))
        if condition is None:
            frame.part = earlier
            return
        truth = make_conditions.evaluate(condition, lambda t: self.expand(t, self.vars), self.defined)
        frame.conditions.append((condition, truth))
        frame.part = earlier + (make_conditions.held(condition, True, truth),)

    def defined(self, name: str) -> str | None:
        var = self.vars.get(name)
        if var is None or self.ambiguous(name):
            return None
        return var.raw

    def include(self, names: str) -> None:
        """Read the variables of the files an ``include`` names."""
        if self.include_depth >= MAX_INCLUDE_DEPTH:
            return
        expanded, _via = self.expand(names, self.vars)
        if "$(" in expanded or "${" in expanded:
            return
        folder, display_folder = self.home
        for name in expanded.split():
            if os.path.isabs(name):
                continue
            for found in sorted(glob.glob(str(folder / name))) if glob.has_magic(name) else [str(folder / name)]:
                relative = os.path.relpath(found, folder).replace(os.sep, "/")
                self.read_included(found, posixpath.normpath(posixpath.join(display_folder, relative)))

    def read_included(self, fs_path: str, display: str) -> None:
        real = os.path.realpath(fs_path)
        if real in self.included or not os.path.isfile(fs_path):
            return
        try:
            if os.path.getsize(fs_path) > MAX_INCLUDE_SIZE:
                return
            with open(fs_path, "rb") as handle:
                text = decode(handle.read()).text
        except OSError:
            return
        if text is None:
            return
        self.included.add(real)
        _Makefile(SourceFile(display, Path(fs_path), text), parent=self).read()

    def assign(self, match: re.Match[str], span: tuple[int, int], table: dict[str, MakeVar]) -> None:
        name = self.expand(match.group("name"), self.vars)[0].strip()
        op = match.group("op")
        raw = match.group("value").strip()
        if name == ".RECIPEPREFIX":
            self.prefix = raw[:1] or "\t"
            return
        runs = make_conditions.state(self.guard())
        if runs is False:
            return  # inside a conditional that is false with the file's values
        location = self.location(*span)
        if table is self.vars:
            self.definitions.setdefault(name, []).append((op + raw, runs is None))
        existing = table.get(name) or (self.vars.get(name) if table is not self.vars else None)
        if op == "?=":
            if name in table:
                return
            table[name] = MakeVar(raw, False, location, op=op)
        elif op in (":=", "::=", ":::="):
            value, via = self.expand(raw, self.vars)
            table[name] = MakeVar(raw, True, location, value, via, op=":=")
        elif op == "!=":
            value, via = self.expand(raw, self.vars)
            table[name] = MakeVar(raw, True, location, f"$({value})", via, op=op)
        elif op == "+=":
            if existing is None:
                table[name] = MakeVar(raw, False, location, op="=")
            elif existing.simple:
                value, via = self.expand(raw, self.vars)
                joined = (existing.value + " " + value).strip()
                via = _merge(existing.via, via)
                if limits.grew_too_large(existing.raw + " " + raw, joined):  # A += $(A), forty times
                    joined, via = limits.unresolved(existing.raw + " " + raw, via)
                table[name] = MakeVar(existing.raw + " " + raw, True, location, joined, via, op=existing.op)
            else:
                table[name] = MakeVar((existing.raw + " " + raw).strip(), False, location, op="=")
        else:
            table[name] = MakeVar(raw, False, location, op=op)

    def guarded(self, table: dict[str, MakeVar], guard: tuple[Held, ...]) -> dict[str, MakeVar]:
        """The variables a recipe line sees inside its conditionals: pinned
        by ``ifeq ($(V),x)``, unknown where the file's value makes the part
        false, and simple variables computed from those again."""
        if not guard:
            return table
        changed: dict[str, MakeVar] = {}
        for item in guard:
            if item.truth is False:
                for name in item.reads:
                    if name not in table and name in self.vars:
                        step = f"Makefile variable {name} inside `{item.condition.text}`"
                        changed[name] = MakeVar(name, True, item.condition.location, unknown=step)
        for item in guard:
            pinned = make_conditions.narrowed(item)
            if pinned is not None and pinned[0] not in table:
                name, value = pinned
                label = f"Makefile variable {name} inside `{item.condition.text}`"
                changed[name] = MakeVar(value, True, item.condition.location, value, label=label)
        if not changed:
            return table
        overlay = {**table, **changed}
        names = {f"Makefile variable {name}" for name in changed}
        for name, var in list(self.vars.items()):
            if name in overlay or not var.simple or var.op != ":=":
                continue
            if any(step.name in names for step in var.via):
                value, via = self.expand(var.raw, overlay)
                overlay[name] = MakeVar(var.raw, True, var.location, value, via, op=var.op)
        return overlay

    # -- expansion -----------------------------------------------------------

    def lookup(self, name: str, table: dict[str, MakeVar]) -> MakeVar | None:
        return table.get(name) or self.vars.get(name)

    def expand(self, text: str, table: dict[str, MakeVar], depth: int = 0,
               active: frozenset[str] = frozenset()) -> tuple[str, tuple[Step, ...]]:
        """Make's expansion of ``text``; unknown references stay as written."""
        if "$" not in text or depth > MAX_DEPTH:
            return text, ()
        out: list[str] = []
        via: tuple[Step, ...] = ()
        i = 0
        n = len(text)
        while i < n:
            ch = text[i]
            if ch != "$" or i + 1 >= n:
                out.append(ch)
                i += 1
                continue
            nxt = text[i + 1]
            if nxt == "$":
                out.append("$$")  # stays escaped until the recipe is handed to the shell
                i += 2
                continue
            if nxt in "({":
                close = _matching(text, i + 1)
                inner = text[i + 2:close - 1] if close <= n and text[close - 1] in ")}" else text[i + 2:close]
                value, steps = self.reference(text[i:close], inner, table, depth, active)
                out.append(value)
                via = _merge(via, steps)
                i = close
                continue
            out.append(text[i:i + 2])
            i += 2
        result = "".join(out)
        if limits.grew_too_large(text, result):  # A := $(A)$(A), forty times
            return limits.unresolved(text, via)
        return result, via

    def reference(self, written: str, inner: str, table: dict[str, MakeVar], depth: int,
                  active: frozenset[str]) -> tuple[str, tuple[Step, ...]]:
        function = re.match(r"([a-z-]+)[ \t]+(.*)$", inner, re.DOTALL)
        if function and function.group(1) in _FUNCTIONS:
            name, args = function.group(1), function.group(2)
            if name == "shell":
                value, via = self.expand(args, table, depth + 1, active)
                return f"$({value.strip()})", via
            if name == "strip":
                value, via = self.expand(args, table, depth + 1, active)
                return " ".join(value.split()), via
            if name in ("subst", "patsubst"):
                parts = _split_args(args, 3)
                if len(parts) == 3:
                    expanded = [self.expand(p, table, depth + 1, active) for p in parts]
                    via = _merge(*(e[1] for e in expanded))
                    src, dst, value = (e[0] for e in expanded)
                    if _grows_too_large(name, src, dst, value):
                        return limits.unresolved(written, via)
                    if name == "subst":
                        return value.replace(src, dst) if src else value, via
                    if "%" not in src:
                        return " ".join(dst if w == src else w for w in value.split()), via
                    head, _, tail = src.partition("%")
                    words = []
                    for word in value.split():
                        if word.startswith(head) and word.endswith(tail) and len(word) >= len(head) + len(tail):
                            stem = word[len(head):len(word) - len(tail)]
                            words.append(dst.replace("%", stem, 1))
                        else:
                            words.append(word)
                    return " ".join(words), via
            if name in ("firstword", "lastword"):
                value, via = self.expand(args, table, depth + 1, active)
                words = value.split()
                return (words[0] if name == "firstword" else words[-1]) if words else "", via
            if name == "or":
                via = ()
                for part in _split_args(args, 99):
                    value, steps = self.expand(part, table, depth + 1, active)
                    via = _merge(via, steps)
                    if value.strip():
                        return value.strip(), via
                return "", via
            return written, ()
        substitution = re.match(r"([^:=\s]+):([^=]*)=(.*)$", inner)
        name_text = substitution.group(1) if substitution else inner
        name, name_via = self.expand(name_text, table, depth + 1, active)
        name = name.strip()
        var = self.lookup(name, table)
        if var is not None and var.unknown is not None:
            return written, name_via + (Step(var.unknown, None, var.location),)
        if var is not None and name not in table and self.ambiguous(name):
            return written, name_via + (Step(f"Makefile variable {name}", None, var.location),)
        if var is None or name in active:
            return written, name_via + ((Step(f"Makefile variable {name}", None),) if var is None and _plain(name) else ())
        label = var.label or f"Makefile variable {name}"
        if var.simple:
            value, inner_via = var.value, var.via
        elif not limits.budget().admit(""):  # each expansion of a recursive variable is work
            return written, name_via + (limits.too_large_step(label, var.location),)
        else:
            value, inner_via = self.expand(var.raw, table, depth + 1, active | {name})
        if limits.any_too_large(inner_via) or not limits.budget().admit(value):
            return written, name_via + (limits.too_large_step(label, var.location),)
        if substitution:
            old, new = substitution.group(2), substitution.group(3)
            if old:
                value = " ".join(w[: -len(old)] + new if w.endswith(old) else w for w in value.split())
        step = Step(label, value, var.location)
        return value, _merge((step,), name_via, inner_via)

    def ambiguous(self, name: str) -> bool:
        """Defined differently on different paths of ifeq/ifdef blocks that
        cannot be decided: which definition wins depends on the environment."""
        found = self.definitions.get(name, [])
        return any(conditional for _raw, conditional in found) and len({raw for raw, _c in found}) > 1

    # -- recipes -------------------------------------------------------------

    def analyse(self, facts: FileFacts) -> None:
        from taglint.shell import analyze_script

        for recipe in self.recipes:
            if self.stops(recipe):
                continue
            table = {}
            for target in recipe.scope.split():
                table.update(self.target_vars.get(target, {}))
            target = recipe.scope.split()[0] if recipe.scope.split() else ""
            guarded = list(zip(recipe.lines, recipe.guards, recipe.parts))
            if self.oneshell:
                scripts = [guarded]
            else:
                scripts = [[line] for line in guarded]
            for script in scripts:
                mapped = _Mapped(self.text)
                ranges: list[tuple[int, int, tuple[Step, ...]]] = []
                # the conditional parts every line of the script sits in
                shared = set.intersection(*(set(parts) for _l, _g, parts in script)) if script else set()
                branch = tuple(sorted((frame.key, index, frame.count) for frame, index in shared))
                for logical, guard, _parts in script:
                    line_table = self.guarded(table, guard)
                    if mapped.length:
                        mapped.add("\n", logical[0][0], logical[0][0])
                    for index, (start, end) in enumerate(logical):
                        at = start
                        if self.text.startswith(self.prefix, at):
                            at += len(self.prefix)
                        if index == 0:
                            while at < end and self.text[at] in "@-+ \t":
                                at += 1
                        self.recipe_text(mapped, at, end, line_table, ranges, target)
                        if index + 1 < len(logical):
                            mapped.add("\n", end, logical[index + 1][0])
                shell_text = mapped.text()
                if not shell_text.strip():
                    continue

                def position(offset: int, mapped: _Mapped = mapped) -> tuple[int, int]:
                    return self.line_col(mapped.source_offset(offset))

                def end_position(offset: int, mapped: _Mapped = mapped) -> tuple[int, int]:
                    return self.line_col(mapped.source_offset(offset, end=True))

                def original(start: int, end: int, mapped: _Mapped = mapped) -> str:
                    return self.text[mapped.source_offset(start):mapped.source_offset(end, end=True)]

                found = analyze_script(shell_text, path=self.source.path, kind=KIND, scope=recipe.scope,
                                       position=position, end_position=end_position, original=original,
                                       via_ranges=ranges, branch=branch)
                facts.commands.extend(found.commands)
                facts.images.extend(found.images)
                facts.problems.extend(found.problems)

    def stops(self, recipe: Recipe) -> bool:
        """A line that certainly runs calls ``$(error …)``: make expands the
        whole recipe before running it, so with the file's values no line
        runs (``ifeq ($(REGISTRY),)`` / ``$(error REGISTRY must be set)``)."""
        for logical, guard in zip(recipe.lines, recipe.guards):
            if make_conditions.state(guard) is True:
                text = self.text[logical[0][0]:logical[-1][1]]
                if _ERROR_CALL.search(text):
                    return True
        return False

    def recipe_text(self, mapped: _Mapped, start: int, end: int, table: dict[str, MakeVar],
                    ranges: list[tuple[int, int, tuple[Step, ...]]], target: str) -> None:
        """Append one recipe line, as make hands it to the shell."""
        text = self.text
        i = start
        literal_start = start

        def flush(upto: int) -> None:
            if upto > literal_start:
                mapped.add(text[literal_start:upto], literal_start, upto)

        while i < end:
            ch = text[i]
            if ch != "$" or i + 1 >= end:
                i += 1
                continue
            nxt = text[i + 1]
            if nxt == "$":
                flush(i)
                mapped.add("$", i, i + 2)
                i += 2
                literal_start = i
                continue
            if nxt in "({":
                close = min(_matching(text, i + 1), end)
                inner = text[i + 2:close - 1]
                value, via = self.reference(text[i:close], inner, table, 0, frozenset())
                value = value.replace("$$", "$")
            elif nxt == "@":
                close = i + 2
                value, via = target, (Step("Makefile automatic variable $@", target),)
            else:
                close = i + 2
                value, via = text[i:close], ()
            flush(i)
            t_start = mapped.length
            mapped.add(value, i, close)
            if via:
                ranges.append((t_start, mapped.length, via))
            i = close
            literal_start = i
        flush(end)


def _physical(line: str, continued: bool, continues: bool) -> str:
    """One physical line of a make logical line: make turns backslash-newline
    and the whitespace around it into one space."""
    if continues:
        line = line[:-1].rstrip()
    if continued:
        line = line.lstrip()
    return line


def _continues(line: str) -> bool:
    stripped = line.rstrip("\r")
    count = len(stripped) - len(stripped.rstrip("\\"))
    return count % 2 == 1


def _strip_comment(line: str) -> str:
    out = []
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line):
            out.append(line[i:i + 2])
            i += 2
            continue
        if ch == "#":
            break
        out.append(ch)
        i += 1
    return "".join(out)


def _inline_recipe(text: str, start: int, end: int) -> int | None:
    """Offset after ``;`` of ``target: deps ; recipe``, outside references."""
    depth = 0
    for i in range(start, end):
        ch = text[i]
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth = max(0, depth - 1)
        elif ch == "#" and depth == 0:
            return None
        elif ch == ";" and depth == 0:
            j = i + 1
            while j < end and text[j] in " \t":
                j += 1
            return j
    return None


def _matching(text: str, index: int) -> int:
    """Index just past the bracket closing ``text[index]``."""
    opening = text[index]
    closing = ")" if opening == "(" else "}"
    depth = 0
    for i in range(index, len(text)):
        if text[i] == opening:
            depth += 1
        elif text[i] == closing:
            depth -= 1
            if depth == 0:
                return i + 1
        elif text[i] == "\n":
            return i
    return len(text)


def _split_args(args: str, count: int) -> list[str]:
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in args:
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        if ch == "," and depth == 0 and len(parts) < count - 1:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts


def _grows_too_large(function: str, src: str, dst: str, value: str) -> bool:
    """Whether ``$(subst …)``/``$(patsubst …)`` could make ``value`` grow
    past the bound (told before any replacement is made)."""
    if function == "subst":
        count = value.count(src) if src else 0
        grown = len(value) + count * (len(dst) - len(src))
    else:  # each word becomes at most dst with the word as its stem
        count = len(value.split())
        grown = len(value) + count * len(dst)
    return count > 0 and grown > limits.MAX_VALUE_CHARS and grown > len(value)


def _plain(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", name))


def _merge(*groups: tuple[Step, ...]) -> tuple[Step, ...]:
    out: list[Step] = []
    for group in groups:
        for step in group:
            if step not in out:
                out.append(step)
    return tuple(out)


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    facts = FileFacts(path=source.path, kind=KIND)
    makefile = _Makefile(source)
    makefile.read()
    makefile.analyse(facts)
    return facts
