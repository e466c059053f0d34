"""A multi-document YAML text, one document at a time.

Release bundles (``kubectl apply -f`` files of several megabytes) are
mostly CustomResourceDefinition schemas that cannot name an image.  To
read them at the speed of the disk, a reader must not build nodes for such
documents, and must not keep the nodes of one document while it reads the
next.  This module gives it what it needs:

* :func:`split_documents` cuts the text at the ``---`` lines at column 0.
  In YAML such a line always starts a new document: a block scalar, a
  plain scalar or a quoted one ends before it (libyaml reports "found
  unexpected document indicator" for a quoted one, as it would on the
  whole text).  Texts where a cut could change the meaning are refused
  (None), so the caller reads them whole: ``%`` directives (they apply to
  the next document), a byte-order mark inside the text and the line
  breaks libyaml counts but taglint does not (the marks would need the
  whole text to be placed).
* :func:`compose` builds the nodes of one piece with the marks of the
  whole text (line, column and character offset), through the same loader
  and depth bound as :func:`taglint.yamlnodes.load_documents`.
* :func:`parses` tells, without building any node, whether a piece would
  compose without an error: libyaml's own parser in C
  (``CParser.raw_parse``) for the syntax; what only the composer checks
  (aliases to undefined anchors, duplicate anchors, nesting deeper than
  :data:`taglint.yamlnodes.MAX_DEPTH`) is ruled out by a look at the
  text, or else the piece is composed after all.

Together the pieces say exactly what the whole text says: the caller reads
the text whole when any piece has an error, so errors keep their messages
and places.  Only libyaml can do this; with the pure-Python parser
:func:`split_documents` returns None.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

from taglint.yamlnodes import (
    C_LOADER,
    MAX_DEPTH,
    Node,
    YamlError,
    each_node,
    load_documents,
)

_MARKER_ENDS = ("", " ", "\t", "\r", "\n")  # what may follow a line's "---" that starts a document
# Texts read whole: directives (``_has_directive``), a byte-order mark
# after the start, and line breaks libyaml counts but taglint does not.
_LONE_CR = re.compile("\r(?!\n)")
_OTHER_BREAKS = ("\x85", "\u2028", "\u2029", "\ufeff")
# An anchor (``&name``) or an alias (``*name``) follows one of these (or
# starts the text), and a name character follows it.
_NODE_STARTS_AFTER = frozenset(" \t\n[{,")
_NOT_IN_NAMES = frozenset(" \t\r\n,[]{}")
# What a bracket that opens a flow collection follows: a line break, a
# blank, another bracket, a comma or a colon (JSON's ``"a":[1]``).
_BEFORE_FLOW = frozenset("\n \t[{,:")
# The columns a line's indentation and compact indicators (``- - a``,
# ``? - b``, ``- &x c:``) take: no block collection starts further right.
_LINE_PREFIX = re.compile(r"^ *(?:(?:[-?:]|[&!][^ \t\r\n]*)[ \t]+)*", re.MULTILINE)


@dataclass(frozen=True)
class Piece:
    """One document's text: ``text[start:end]``, starting on line ``line``
    (0-based) of the whole text."""

    start: int
    end: int
    line: int


def split_documents(text: str) -> list[Piece] | None:
    """The documents of ``text`` as pieces, or None when it must be read whole."""
    if not C_LOADER or _read_whole(text):
        return None
    starts = [0]
    at = text.find("\n---")
    while at >= 0:
        after = text[at + 4 : at + 5]
        if after in _MARKER_ENDS:
            starts.append(at + 1)
        at = text.find("\n---", at + 4)
    pieces: list[Piece] = []
    line = 0
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        pieces.append(Piece(start, end, line))
        line += text.count("\n", start, end)
    return pieces


def _read_whole(text: str) -> bool:
    """Whether a cut at the ``---`` lines could change what ``text`` says or
    where (one-character tests first, which run at memory speed; the
    regular expression runs rarely).

    A ``...`` line needs no care: after it, a document starts with
    ``---`` (else libyaml refuses the text, in a piece as in the whole),
    and only directives may come between."""
    if "\r" in text and _LONE_CR.search(text) is not None:
        return True
    if any(mark in text for mark in _OTHER_BREAKS):
        return True
    return _has_directive(text)


def _has_directive(text: str) -> bool:
    """Whether a line of ``text`` starts with ``%``."""
    if text.startswith("%"):
        return True
    at = text.find("%")
    for _ in range(1000):  # percent signs in values are common, directives rare
        if at < 0:
            return False
        if text[at - 1] == "\n":
            return True
        at = text.find("%", at + 1)
    return "\n%" in text


def compose(text: str, piece: Piece) -> list[Node]:
    """The documents of one piece as nodes, marked where they are in ``text``.

    Raises :class:`YamlError` as :func:`load_documents` does; its place is
    the piece's own (read the whole text again for the whole text's)."""
    documents = load_documents(text[piece.start : piece.end])
    if piece.line or piece.start:
        _shift_marks(documents, piece.line, piece.start)
    return documents


def parses(text: str, piece: Piece) -> bool:
    """Whether the piece composes without an error, told without nodes
    when the text allows it (see the module docstring).  The piece is
    read where it lies in ``text``, never copied."""
    from yaml._yaml import CParser

    try:
        CParser(_PieceReader(text, piece.start, piece.end)).raw_parse()
    except yaml.YAMLError:
        return False
    if not _may_have_anchors(text, piece.start, piece.end) and _shallower_than(text, piece.start, piece.end, MAX_DEPTH):
        return True
    try:  # anchors, aliases or deep nesting: the composer decides
        load_documents(text[piece.start : piece.end])
    except YamlError:
        return False
    return True


class _PieceReader:
    """``text[start:end]`` as a stream libyaml reads in small parts (a
    piece of a 50 MB file is not copied, nor encoded whole)."""

    __slots__ = ("text", "at", "end")
    name = "<unicode string>"

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text, self.at, self.end = text, start, end

    def read(self, size: int) -> str:
        start = self.at
        self.at = min(start + max(size, 1), self.end)
        return self.text[start : self.at]


def _may_have_anchors(text: str, start: int, end: int) -> bool:
    """Whether an anchor or an alias may be written in ``text[start:end]``."""
    for indicator in "&*":
        at = text.find(indicator, start, end)
        while at >= 0:
            before = text[at - 1] if at > start else " "
            after = text[at + 1 : min(at + 2, end)]
            if before in _NODE_STARTS_AFTER and after and after not in _NOT_IN_NAMES:
                return True
            at = text.find(indicator, at + 1, end)
    return False


def _shallower_than(text: str, start: int, end: int, depth: int) -> bool:
    """Whether every node of ``text[start:end]`` is surely nested in fewer
    than ``depth`` collections.  In block style a nested collection starts
    to the right of its parent's start, except a sequence that is a
    mapping's value, which may start in the key's column: at most two
    levels a column, and no block collection starts right of a line's
    indentation and compact indicators (``- - a``, ``? b``).  Each flow
    level opens a bracket where a node may start (after a blank, a
    bracket, a comma or a colon: a pattern such as ``^[0-9]+$`` opens none)."""
    flows = text.count("[", start, end) + text.count("{", start, end)
    if flows >= depth // 4:
        flows = _flow_starts(text, start, end)
    room = (depth - flows - 4) // 2  # the widest line prefix that cannot nest that deep
    if room <= 0:
        return False
    if _property_in_a_prefix(text, start, end):
        # an anchor or a tag in a line's prefix (``- &x - a``): measure every line
        return max(map(len, _LINE_PREFIX.findall(text, start, end)), default=0) < room
    if _prefix_at_least(room).match(text, start, end) is not None:  # the first line
        return False
    return _later_prefix_at_least(room).search(text, start, end) is None


def _property_in_a_prefix(text: str, start: int, end: int) -> bool:
    """Whether an ``&`` or a ``!`` of ``text[start:end]`` has only
    indentation and indicators before it on its line (so it may be an
    anchor or a tag among a line's compact indicators); one in a value
    (``a && b``, ``!= 0``) does not count."""
    for mark in "&!":
        at = text.find(mark, start, end)
        for _ in range(10_000):
            if at < 0:
                break
            line_start = max(text.rfind("\n", start, at) + 1, start)
            if not text[line_start:at].strip(" \t-?:"):
                return True
            at = text.find(mark, at + 1, end)
        else:
            return True  # too many to look at one by one: assume the worst
    return False


def _flow_starts(text: str, start: int, end: int) -> int:
    """How many brackets of ``text[start:end]`` may open a flow collection."""
    count = 0
    for bracket in "[{":
        at = text.find(bracket, start, end)
        while at >= 0:
            if at == start or text[at - 1] in _BEFORE_FLOW:
                count += 1
            at = text.find(bracket, at + 1, end)
    return count


@lru_cache(maxsize=64)
def _prefix_at_least(width: int) -> re.Pattern[str]:
    """``width`` characters of indentation and indicators."""
    return re.compile("[ \t?:-]{%d}" % width)


@lru_cache(maxsize=64)
def _later_prefix_at_least(width: int) -> re.Pattern[str]:
    """A line after the first that starts with ``width`` characters of indentation and indicators."""
    return re.compile("\n[ \t?:-]{%d}" % width)


def _shift_marks(documents: list[Node], lines: int, offset: int) -> None:
    """Every node's marks moved down ``lines`` lines and ``offset`` characters
    (each node once: aliases share nodes)."""
    mark = yaml.Mark
    for node in each_node(documents):
        start, end = node.start_mark, node.end_mark  # libyaml's marks are read-only
        node.start_mark = mark(start.name, start.index + offset, start.line + lines, start.column, None, None)
        node.end_mark = mark(end.name, end.index + offset, end.line + lines, end.column, None, None)
