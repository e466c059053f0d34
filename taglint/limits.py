"""How far variable substitution may go: the bounds against expansion bombs.

A scanned file can define a variable from itself twice (``A=$A$A``, ``ARG
A=$A$A``, ``A := $(A)$(A)``): forty such lines double a one-character value
into a trillion characters.  Every place taglint substitutes a variable
(Dockerfile ``ARG``s, shell assignments, Makefile variables, CI
``env:``/``variables:``, ``${{ env.X }}``, Compose ``.env`` values, Jenkins
``environment {}``) goes through this module, so the bounds are the same
everywhere:

* a substituted value, and a value built by substitution, holds at most
  :data:`MAX_VALUE_CHARS` characters (image references are far shorter);
* one file pays for all its substitutions from one :class:`Budget`
  (:data:`FILE_BUDGET`, plus :data:`BUDGET_PER_CHAR` for each character of
  the file): each costs :data:`SUBSTITUTION_COST` plus the characters it
  inserts, so neither huge values nor a huge number of tiny ones (a
  variable that names another one many times, many levels deep) make the
  work grow faster than the file.  About 65,000 substitutions of a short
  value for a small file; real files use a few thousand.

Past a bound the value is not known: the reference stays as written (an
unresolved variable, TL108) and the step that would have supplied it says
why (:data:`TOO_LARGE`, via :func:`too_large`).  A value built from a value
that was too large is too large itself (:func:`any_too_large`).

The engine opens a budget for each file it extracts (:func:`file_budget`);
code that substitutes asks for it with :func:`budget` (outside a file's
extraction, e.g. a test calling an extractor, every call gets a fresh one).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from taglint.model import Location, Step

MAX_VALUE_CHARS = 4096  # characters of one substituted value
FILE_BUDGET = 2 * 1024 * 1024  # units any file may spend on substitutions...
BUDGET_PER_CHAR = 8  # ...and more for each character of the file (a big file has more to substitute)
SUBSTITUTION_COST = 32  # units one substitution costs besides its characters
TOO_LARGE = "value too large to expand"  # why such a value is unresolved


class Budget:
    """What is left of one file's substitution work."""

    __slots__ = ("left",)

    def __init__(self, units: int = FILE_BUDGET) -> None:
        self.left = units

    def admit(self, value: str) -> bool:
        """Whether ``value`` may be substituted; pays for it when it may.

        False for a value over :data:`MAX_VALUE_CHARS` and once the budget
        is spent (it stays spent: every later substitution is refused)."""
        if len(value) > MAX_VALUE_CHARS:
            return False
        cost = len(value) + SUBSTITUTION_COST
        if cost > self.left:
            self.left = 0
            return False
        self.left -= cost
        return True


_CURRENT: ContextVar[Budget | None] = ContextVar("taglint_substitution_budget", default=None)


def budget() -> Budget:
    """The budget of the file being extracted (a fresh one outside :func:`file_budget`)."""
    return _CURRENT.get() or Budget()


@contextmanager
def file_budget(size: int = 0) -> Iterator[Budget]:
    """One budget for everything substituted until the block ends: one
    file of ``size`` characters."""
    token = _CURRENT.set(Budget(FILE_BUDGET + BUDGET_PER_CHAR * size))
    try:
        yield _CURRENT.get()  # type: ignore[misc]
    finally:
        _CURRENT.reset(token)


def grew_too_large(written: str, value: str) -> bool:
    """Whether substitution made ``written`` into a value over the bound
    (text that is long as written is not a substituted value)."""
    return len(value) > MAX_VALUE_CHARS and len(value) > len(written)


def too_large(step: Step) -> Step:
    """``step`` as a source whose value is too large: no value, and why."""
    if step.note == TOO_LARGE and step.value is None:
        return step
    return Step(step.name, None, step.location, TOO_LARGE)


def substituted(step: Step, written: str, budget: Budget, via: list[Step]) -> str:
    """The value ``step`` supplies for ``written``, recorded in ``via``;
    ``written`` itself (unresolved, the step marked too large) when the
    budget refuses the value."""
    assert step.value is not None
    if not budget.admit(step.value):
        via.append(too_large(step))
        return written
    via.append(step)
    return step.value


def too_large_step(name: str, location: Location | None = None) -> Step:
    """A step named ``name`` whose value is too large to expand."""
    return Step(name, None, location, TOO_LARGE)


def any_too_large(steps: Iterable[Step]) -> bool:
    """Whether a value was built from a value that was too large."""
    return any(step.note == TOO_LARGE for step in steps)


def unresolved(written: str, steps: Iterable[Step]) -> tuple[str, tuple[Step, ...]]:
    """The result of a substitution that went past a bound: the text as
    written, the steps it used marked too large (deduplicated, in order)."""
    marked = tuple(dict.fromkeys(too_large(step) for step in steps))
    return written, marked
