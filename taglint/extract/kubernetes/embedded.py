"""Documents inside documents: YAML or JSON written as a string in a file.

Argo CD's ``helm.values``, Kustomize's inline ``patches[].patch``, a
ConfigMap's ``data`` entries and shell heredocs hold whole YAML (or JSON)
documents as text.  :func:`load_in_scalar` parses such a string and moves
every node's marks to where its characters are written in the *file*, so
that :func:`taglint.yamlnodes.node_span` and the helpers built on it give
file spans for the inner nodes, exactly as for nodes of the file itself.

The string's characters are placed by :func:`taglint.yamlnodes.scalar_line_map`
(literal and folded blocks, quoted and plain scalars); a heredoc's body is
written verbatim, so :func:`load_at` only shifts its lines.
"""
from __future__ import annotations

import bisect
from collections.abc import Callable

import yaml

from taglint.source import line_starts
from taglint.yamlnodes import Node, ScalarNode, YamlError, each_node, load_documents, scalar_line_map

Place = Callable[[int], tuple[int, int]]  # offset in the inner text -> 1-based (line, column) in the file
MAX_INNER_CHARS = 1_000_000  # larger strings are not parsed as documents


def load_in_scalar(node: ScalarNode, text: str) -> list[Node]:
    """The documents of the string ``node`` (a scalar of the file ``text``),
    their marks in the file's lines and columns.  Raises :class:`YamlError`
    placed in the file when the string is not YAML."""
    inner = str(node.value)
    return _load(inner, scalar_line_map(node, text))


def load_at(inner: str, first_line: int, indents: list[int] | None = None) -> list[Node]:
    """The documents of ``inner``, a text written in a file from line
    ``first_line`` (1-based) on, one inner line per file line, each
    written after ``indents[i]`` characters the text leaves out (a
    ``<<-`` heredoc's leading tabs; default none)."""
    starts = line_starts(inner)

    def place(offset: int) -> tuple[int, int]:
        line0 = bisect.bisect_right(starts, offset) - 1
        shift = indents[line0] if indents is not None and line0 < len(indents) else 0
        return first_line + line0, offset - starts[line0] + 1 + shift

    return _load(inner, place)


def _load(inner: str, place: Place) -> list[Node]:
    if len(inner) > MAX_INNER_CHARS:
        raise YamlError(*place(0), f"an embedded document over {MAX_INNER_CHARS} characters is not read")
    starts = line_starts(inner)
    try:
        documents = load_documents(inner)
    except YamlError as error:
        line0 = max(0, min(error.line - 1, len(starts) - 1))
        offset = min(starts[line0] + error.column - 1, len(inner))
        raise YamlError(*place(offset), error.message) from None
    _relocate(documents, starts, place)
    return documents


def _relocate(documents: list[Node], starts: list[int], place: Place) -> None:
    """Every node's marks (each node once: aliases share them) moved from
    the inner text to the file."""

    def moved(mark: yaml.Mark | None) -> yaml.Mark | None:
        if mark is None:
            return None
        line0 = min(mark.line, len(starts) - 1)
        offset = starts[line0] + mark.column
        line, column = place(offset)
        return yaml.Mark(mark.name, offset, line - 1, column - 1, None, None)

    def offset_of(mark: yaml.Mark) -> int:
        return starts[min(mark.line, len(starts) - 1)] + mark.column

    for node in each_node(documents):
        if isinstance(node, ScalarNode) and node.style in ('"', "'") and node.start_mark is not None and node.end_mark is not None:
            _place_quoted(node, offset_of(node.start_mark), offset_of(node.end_mark), place)
            continue
        node.start_mark = moved(node.start_mark)
        node.end_mark = moved(node.end_mark)


def _place_quoted(node: ScalarNode, start: int, end: int, place: Place) -> None:
    """Marks for a quoted inner scalar placed by its first and last
    characters, not by its quotes: in a double-quoted file string an inner
    quote is written ``\\"`` (two characters), and
    :func:`~taglint.yamlnodes.node_span` puts a quoted scalar's value one
    character inside its marks."""
    if end - start < 3:  # an empty string: only quotes
        line, column = place(start)
        end_line, end_column = place(end)
        node.start_mark = yaml.Mark(None, start, line - 1, column - 1, None, None)
        node.end_mark = yaml.Mark(None, end, end_line - 1, end_column - 1, None, None)
        return
    line, column = place(start + 1)  # first character of the value
    end_line, end_column = place(end - 2)  # last character of the value
    node.start_mark = yaml.Mark(None, start, line - 1, column - 2, None, None)
    node.end_mark = yaml.Mark(None, end, end_line - 1, end_column + 1, None, None)
