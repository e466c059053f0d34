"""Make's conditional directives (``ifeq``/``ifneq``/``ifdef``/``ifndef``),
evaluated on the values a Makefile gives its variables.

A :class:`Condition` is one directive as written.  Inside one part of a
conditional (the lines after ``ifeq …``, or after ``else``) some
conditions are known to hold and others known not to: each is a
:class:`Held`, with the truth the file's own values give it (``None``
when it depends on the environment or the command line).

What a part says about a variable:

- :func:`narrowed` — ``ifeq ($(TAG),latest)`` (or the ``else`` of
  ``ifneq``) pins ``TAG`` to ``latest`` inside; ``ifndef TAG`` pins it
  to the empty value;
- a part whose conditions are decidably false with the file's values only
  runs when some variable it reads has another value (given on the command
  line or in the environment): inside it those variables are unknown
  (:attr:`Held.reads`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from taglint.model import Location, Step

KINDS = ("ifeq", "ifneq", "ifdef", "ifndef")

_REFERENCE = re.compile(r"\$[({]([A-Za-z_][A-Za-z0-9_.-]*)[)}]")
_SOLE_REFERENCE = re.compile(r"^\$[({](?:strip\s+\$[({])?([A-Za-z_][A-Za-z0-9_.-]*)[)}](?:[)}])?$")
_QUOTED = re.compile(r"""^\s*(["'])(.*?)\1\s+(["'])(.*?)\3\s*$""", re.DOTALL)

# expand(text) -> (value, steps): make's expansion with the file's values
Expand = Callable[[str], "tuple[str, tuple[Step, ...]]"]
# defined(name) -> the raw value the file gives NAME, None when the file never defines it
Defined = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Condition:
    kind: str  # ifeq | ifneq | ifdef | ifndef
    left: str  # ifdef/ifndef: the variable name (unexpanded)
    right: str
    text: str  # the directive as written
    location: Location

    @property
    def reads(self) -> frozenset[str]:
        """The variables the condition reads."""
        if self.kind in ("ifdef", "ifndef"):
            return frozenset([self.left.strip()]) | frozenset(_REFERENCE.findall(self.left))
        return frozenset(_REFERENCE.findall(self.left)) | frozenset(_REFERENCE.findall(self.right))


@dataclass(frozen=True)
class Held:
    """``condition`` holds (``holds``) or does not, inside one part;
    ``truth``: whether that is so with the file's values (None: undecidable)."""

    condition: Condition
    holds: bool
    truth: bool | None

    @property
    def reads(self) -> frozenset[str]:
        return self.condition.reads


def parse(text: str, location: Location) -> Condition | None:
    """``ifneq ($(TAG),latest)``, ``ifeq "$(A)" "b"``, ``ifdef VAR``."""
    match = re.match(r"^\s*(ifeq|ifneq|ifdef|ifndef)\b\s*(.*)$", text, re.DOTALL)
    if match is None:
        return None
    kind, rest = match.group(1), match.group(2).strip()
    written = f"{kind} {rest}"
    if kind in ("ifdef", "ifndef"):
        return Condition(kind, rest, "", written, location) if rest else None
    if rest.startswith("(") and rest.endswith(")"):
        parts = _split_comma(rest[1:-1])
        if parts is None:
            return None
        return Condition(kind, parts[0], parts[1], written, location)
    quoted = _QUOTED.match(rest)
    if quoted:
        return Condition(kind, quoted.group(2), quoted.group(4), written, location)
    return None


def evaluate(condition: Condition, expand: Expand, defined: Defined) -> bool | None:
    """Whether ``condition`` is true with the file's values; None when that
    depends on values the file does not give."""
    if condition.kind in ("ifdef", "ifndef"):
        name, via = expand(condition.left.strip())
        if _unresolved(name, via):
            return None
        raw = defined(name.strip())
        if raw is None:
            return None  # the environment may define it
        has_value = raw.strip() != ""  # ifdef does not expand the value
        return has_value if condition.kind == "ifdef" else not has_value
    left, left_via = expand(condition.left)
    right, right_via = expand(condition.right)
    if _unresolved(left, left_via) or _unresolved(right, right_via):
        return None
    equal = left.strip() == right.strip()
    return equal if condition.kind == "ifeq" else not equal


def held(condition: Condition, holds: bool, truth: bool | None) -> Held:
    """The condition as one part sees it (``holds`` False in an ``else``)."""
    if truth is not None and not holds:
        truth = not truth
    return Held(condition, holds, truth)


def narrowed(item: Held) -> tuple[str, str] | None:
    """``(NAME, value)`` when the part pins a variable to one value."""
    condition = item.condition
    if condition.kind in ("ifdef", "ifndef"):
        empty = (condition.kind == "ifndef") == item.holds
        name = condition.left.strip()
        return (name, "") if empty and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", name) else None
    equal = (condition.kind == "ifeq") == item.holds
    if not equal:
        return None
    for side, other in ((condition.left.strip(), condition.right.strip()),
                        (condition.right.strip(), condition.left.strip())):
        sole = _SOLE_REFERENCE.match(side)
        if sole and "$" not in other:
            return sole.group(1), other
    return None


def state(items: tuple[Held, ...]) -> bool | None:
    """Whether a part with these conditions runs with the file's values."""
    if any(item.truth is False for item in items):
        return False
    if all(item.truth is True for item in items):
        return True
    return None


def _unresolved(value: str, via: tuple[Step, ...]) -> bool:
    return "$(" in value or "${" in value or any(step.value is None for step in via)


def _split_comma(inner: str) -> tuple[str, str] | None:
    depth = 0
    for index, char in enumerate(inner):
        if char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
        elif char == "," and depth == 0:
            return inner[:index], inner[index + 1:]
    return None
