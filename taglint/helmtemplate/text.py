"""Strings that remember where their characters are written.

A :class:`Text` is a tuple of :class:`Piece` values.  Each piece is a run of
characters with one :class:`Source` (a template literal, a values scalar,
``Chart.yaml``'s ``appVersion``…) or none (characters a function made up,
such as the quotes ``quote`` adds), and the undecided conditions
(:data:`Cond`) under which it is output.  Functions that keep characters
(concatenation, ``printf``, ``trimPrefix``…) keep their pieces, so a
rendered image reference still knows that its tag came from line 7 of
``values.yaml``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from taglint.model import Span

# An assumption about a condition taglint cannot decide: (condition as
# written in the template, the truth value assumed).
Cond = tuple[str, bool]


@dataclass(frozen=True, slots=True)
class Source:
    """Where a piece of text is written.

    ``name`` says how the text was obtained (``.Values.image.tag``,
    ``Chart.yaml appVersion``; empty for template text).  ``exact``: the
    piece's text is what is written at ``span``, character for character,
    so the place of any part of it can be computed; otherwise only the
    whole ``span`` is known.  ``written``: the text at ``span`` when known
    (a values scalar as written: ``1.10`` for the value ``1.1``).
    """

    path: str
    span: Span
    name: str = ""
    exact: bool = True
    written: str | None = None

    def sub(self, text: str, start: int, end: int) -> Source:
        """The source of ``text[start:end]`` when this is the source of ``text``."""
        if not self.exact or (start == 0 and end == len(text)):
            return self
        line, column = _advance(self.span.line, self.span.column, text[:start])
        end_line, end_column = _advance(line, column, text[start:end])
        return Source(self.path, Span(line, column, end_line, end_column), self.name, True, None)

    @property
    def is_values(self) -> bool:
        return self.name.startswith(".Values")


def _advance(line: int, column: int, text: str) -> tuple[int, int]:
    breaks = text.count("\n")
    if not breaks:
        return line, column + len(text)
    return line + breaks, len(text) - text.rfind("\n")


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of output characters: where they are written, under which
    assumptions they are output, and whether they stand for a value taglint
    does not know (``placeholder``: the text is the action as written).
    ``replaces``: the empty value these characters stand in for (``tag:
    ""`` that ``default .Chart.AppVersion`` replaced), where a chart's
    user would set it."""

    text: str
    source: Source | None = None
    conds: tuple[Cond, ...] = ()
    placeholder: bool = False
    replaces: Source | None = None


class Text:
    """An immutable string made of pieces; ``str(text)`` is the string.

    ``origin`` is where the whole value is written when it came from one
    place (a values scalar, even an empty one: ``tag: ""``); it survives
    where the pieces cannot say (an empty value has none).  An empty value
    printed into the output leaves an empty piece that keeps its source (a
    *marker*), so that ``repo:`` still knows where its empty tag is set.
    """

    __slots__ = ("pieces", "origin", "_value")

    def __init__(self, pieces: Iterable[Piece] = (), origin: Source | None = None) -> None:
        self.pieces: tuple[Piece, ...] = tuple(
            p for p in pieces if p.text or p.source is not None or p.replaces is not None
        )
        self.origin = origin
        self._value: str | None = None

    @classmethod
    def plain(cls, text: str, source: Source | None = None) -> Text:
        return cls((Piece(text, source),), source)

    def __str__(self) -> str:
        if self._value is None:
            self._value = "".join(p.text for p in self.pieces)
        return self._value

    def __repr__(self) -> str:
        return f"Text({str(self)!r})"

    def __len__(self) -> int:
        return len(str(self))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Text):
            return str(self) == str(other)
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def __add__(self, other: Text) -> Text:
        return Text(self.pieces + other.pieces)

    @property
    def placeholder(self) -> bool:
        return any(p.placeholder for p in self.pieces)

    @property
    def conds(self) -> tuple[Cond, ...]:
        out: list[Cond] = []
        for piece in self.pieces:
            out.extend(c for c in piece.conds if c not in out)
        return tuple(out)

    def slice(self, start: int, end: int | None = None) -> Text:
        """``str(self)[start:end]`` keeping the pieces' sources."""
        value = str(self)
        start, end, _ = slice(start, end).indices(len(value))
        if start == 0 and end == len(value):
            return self
        out: list[Piece] = []
        position = 0
        for piece in self.pieces:
            piece_end = position + len(piece.text)
            low, high = max(start, position), min(end, piece_end)
            if low < high or (not piece.text and start <= position <= end):
                a, b = low - position, high - position
                source = piece.source.sub(piece.text, a, b) if piece.source is not None else None
                out.append(Piece(piece.text[a:b], source, piece.conds, piece.placeholder, piece.replaces))
            position = piece_end
            if position > end:
                break
        return Text(out)

    def derived(self, value: str) -> Text:
        """A new string computed from this one (``upper``, ``replace``…):
        one piece, located (inexactly) where this text's first located
        piece is written."""
        if value == str(self):
            return self
        source = next((p.source for p in self.pieces if p.source is not None), self.origin)
        if source is not None and source.exact:
            source = Source(source.path, source.span, source.name, False, source.written)
        conds = self.conds
        placeholder = self.placeholder
        replaces = next((p.replaces for p in self.pieces if p.replaces is not None), None)
        return Text((Piece(value, source, conds, placeholder, replaces),), source)


def replacing(text: Text, replaced: Source) -> Text:
    """``text`` standing in for the empty value written at ``replaced``."""
    return Text((Piece(p.text, p.source, p.conds, p.placeholder, p.replaces or replaced) for p in text.pieces), replaced)


def concat(parts: Iterable[Text]) -> Text:
    pieces: list[Piece] = []
    for part in parts:
        pieces.extend(part.pieces)
    return Text(pieces)
