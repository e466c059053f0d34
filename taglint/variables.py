"""``$VAR`` / ``${VAR}`` / ``${VAR:-default}`` substitution that records
where each value came from and leaves unknown variables as written.

Used for Dockerfile ``ARG``s (and any extractor with POSIX-style
variables).  A variable is *known* when the lookup returns a
:class:`Binding`; a binding whose value is None is declared but has no
value (``ARG TAG`` with no default): ``${TAG}`` stays as written, while
``${TAG:-latest}`` takes its default.

Substitution is bounded (:mod:`taglint.limits`): a value too large to
substitute, or one that would go past the file's budget, stays as written
and its step says why; a result that substitution made too large is
returned as written, its steps marked the same way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from taglint import limits
from taglint.model import Location, Step

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAX_DEPTH = 20


@dataclass(frozen=True)
class Binding:
    value: str | None
    step: Step  # how a message names it: "ARG BASE"


Lookup = Callable[[str], "Binding | None"]


def expand(text: str, lookup: Lookup, _depth: int = 0) -> tuple[str, tuple[Step, ...]]:
    """Substitute what ``lookup`` knows; return the value and the steps used."""
    if "$" not in text or _depth > _MAX_DEPTH:
        return text, ()
    value, steps = _expand(text, lookup, _depth)
    if limits.grew_too_large(text, value):
        return limits.unresolved(text, steps)
    return value, steps


def _expand(text: str, lookup: Lookup, _depth: int) -> tuple[str, tuple[Step, ...]]:
    budget = limits.budget()
    out: list[str] = []
    steps: list[Step] = []
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] == "$":
            out.append(text[i : i + 2])
            i += 2
            continue
        if char != "$" or i + 1 >= n:
            out.append(char)
            i += 1
            continue
        if text[i + 1] == "{":
            end = _closing_brace(text, i + 2)
            if end < 0:
                out.append(text[i:])
                break
            replaced, used = _expand_braced(text[i : end + 1], text[i + 2 : end], lookup, _depth, budget)
            out.append(replaced)
            steps.extend(used)
            i = end + 1
            continue
        match = _NAME.match(text, i + 1)
        if not match:
            out.append(char)
            i += 1
            continue
        name = match.group(0)
        binding = lookup(name)
        if binding is None or binding.value is None:
            out.append(text[i : match.end()])
            if binding is not None:
                steps.append(binding.step)
        elif not budget.admit(binding.value):
            out.append(text[i : match.end()])
            steps.append(limits.too_large(binding.step))
        else:
            out.append(binding.value)
            steps.append(binding.step)
        i = match.end()
    return "".join(out), tuple(_unique(steps))


def _closing_brace(text: str, start: int) -> int:
    depth = 1
    for j in range(start, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return -1


def _expand_braced(
    written: str, inner: str, lookup: Lookup, depth: int, budget: limits.Budget
) -> tuple[str, list[Step]]:
    match = _NAME.match(inner)
    if not match:
        return written, []
    name = match.group(0)
    rest = inner[match.end() :]
    binding = lookup(name)
    value = binding.value if binding is not None else None
    steps = [binding.step] if binding is not None else []
    if binding is not None and limits.any_too_large(steps):
        return written, steps  # set, to a value too large to know: no branch can be told
    if value is not None and not budget.admit(value):
        return written, [limits.too_large(binding.step)]  # type: ignore[union-attr]
    if not rest:
        return (written if value is None else value), steps
    for operator in (":-", ":+", ":?", ":=", "-", "+", "?", "="):
        if rest.startswith(operator):
            word = rest[len(operator) :]
            break
    else:
        return written, steps  # ${VAR#pattern} and friends: leave as written
    if binding is None:
        return written, steps  # unknown variable: cannot tell which branch applies
    empty_counts = operator.startswith(":")
    is_set = value is not None and (value != "" or not empty_counts)
    if operator in (":-", "-", ":=", "="):
        if is_set:
            return value or "", steps
        expanded, used = expand(word, lookup, depth + 1)
        return expanded, steps + [Step(f"default of {name}", expanded, binding.step.location)] + list(used)
    if operator in (":+", "+"):
        if not is_set:
            return "", steps
        expanded, used = expand(word, lookup, depth + 1)
        return expanded, steps + list(used)
    return (value or "") if is_set else written, steps  # ${VAR:?message}


def _unique(steps: list[Step]) -> list[Step]:
    seen: set[tuple[str, str | None]] = set()
    out = []
    for step in steps:
        key = (step.name, step.value)
        if key not in seen:
            seen.add(key)
            out.append(step)
    return out


def binding(name: str, value: str | None, location: Location | None = None, label: str = "") -> Binding:
    return Binding(value, Step(label or name, value, location))
