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

Since a ``---`` line always starts a new document, what one piece holds
(even a syntax error) cannot change what another says: a caller may leave
pieces unread.  A caller that composes a piece and meets an error reads
the text whole instead, so errors keep the message and place the whole
text gives them.  Only libyaml can do this (the pure-Python parser is too
slow for the texts that need it); without it, :func:`split_documents`
returns None.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from taglint.yamlnodes import C_LOADER, Node, each_node, load_documents

_MARKER_ENDS = ("", " ", "\t", "\r", "\n")  # what may follow a line's "---" that starts a document
# Texts read whole: directives (``_has_directive``), a byte-order mark
# after the start, and line breaks libyaml counts but taglint does not.
_LONE_CR = re.compile("\r(?!\n)")
_OTHER_BREAKS = ("\x85", "\u2028", "\u2029", "\ufeff")


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


def _shift_marks(documents: list[Node], lines: int, offset: int) -> None:
    """Every node's marks moved down ``lines`` lines and ``offset`` characters
    (each node once: aliases share nodes)."""
    mark = yaml.Mark
    for node in each_node(documents):
        start, end = node.start_mark, node.end_mark  # libyaml's marks are read-only
        node.start_mark = mark(start.name, start.index + offset, start.line + lines, start.column, None, None)
        node.end_mark = mark(end.name, end.index + offset, end.line + lines, end.column, None, None)
