"""Rendered output as lines, and the ``image:`` values in them.

Output pieces carry the undecided conditions they depend on.  A line is
made of the pieces that are output together under one consistent set of
assumptions: for ``{{ if X }}a{{ else }}b{{ end }}`` on one line there are
two lines, one assuming ``X`` (with ``a``) and one assuming ``not X``
(with ``b``).  Lines are built piece by piece, splitting a partial line
only where a piece depends on a condition the line has not assumed yet,
and merging partial lines again when they hold the same pieces, so the
number of alternatives stays that of the conditions on one line.
"""
from __future__ import annotations

from dataclasses import dataclass

from taglint.helmtemplate.text import Cond, Piece, Source, Text
from taglint.model import Span

MAX_ALTERNATIVES = 64  # partial lines kept at once; more are dropped


@dataclass(frozen=True)
class Line:
    text: Text
    conds: tuple[Cond, ...]  # the assumptions the line depends on


@dataclass
class _Partial:
    assumed: dict[str, bool]
    pieces: list[Piece]


def _consistent(assumed: dict[str, bool], conds: tuple[Cond, ...]) -> bool:
    return all(assumed.get(key, truth) == truth for key, truth in conds)


def _split_piece(piece: Piece) -> list[Piece]:
    """A piece cut around each newline; each newline is a piece of its own.
    Sources are advanced line by line (one pass over the text)."""
    text = piece.text
    if "\n" not in text:
        return [piece]
    out: list[Piece] = []
    source = piece.source
    exact = source is not None and source.exact
    line, column = (source.span.line, source.span.column) if source is not None else (0, 0)
    position = 0
    while position <= len(text):
        found = text.find("\n", position)
        stop = len(text) if found < 0 else found
        if stop > position:
            chunk = text[position:stop]
            if exact:
                assert source is not None
                sub: Source | None = Source(source.path, Span(line, column, line, column + len(chunk)), source.name)
            else:
                sub = source
            out.append(Piece(chunk, sub, piece.conds, piece.placeholder, piece.replaces))
        if found < 0:
            break
        out.append(Piece("\n", None, piece.conds))
        line, column = line + 1, 1
        position = found + 1
    return out


def _key(pieces: list[Piece]) -> tuple[int, ...]:
    return tuple(id(p) for p in pieces)


def output_lines(pieces: list[Piece]) -> list[Line]:
    """The lines of rendered output, each with the assumptions it needs.
    A line rendered the same way under several assumptions is given once,
    with the assumptions they share."""
    partials: list[_Partial] = [_Partial({}, [])]
    done: dict[tuple[int, ...], tuple[list[Piece], dict[str, bool]]] = {}

    def finish(partial: _Partial) -> None:
        key = _key(partial.pieces)
        if key in done:
            _, assumed = done[key]
            for name in list(assumed):
                if partial.assumed.get(name) != assumed[name]:
                    del assumed[name]
        else:
            done[key] = (list(partial.pieces), dict(partial.assumed))

    for original in pieces:
        for piece in _split_piece(original):
            if not piece.conds and piece.text != "\n":
                for partial in partials:  # output in every world: no split
                    partial.pieces.append(piece)
                continue
            updated: list[_Partial] = []
            for partial in partials:
                if not _consistent(partial.assumed, piece.conds):
                    updated.append(partial)
                    continue
                open_conds = [(k, v) for k, v in piece.conds if k not in partial.assumed]
                # Worlds where the piece is not output: each way one of its open conditions fails.
                prefix = dict(partial.assumed)
                for key, truth in open_conds:
                    updated.append(_Partial({**prefix, key: not truth}, list(partial.pieces)))
                    prefix[key] = truth
                if piece.text == "\n":
                    finish(_Partial(prefix, partial.pieces))
                    updated.append(_Partial(prefix, []))
                else:
                    updated.append(_Partial(prefix, [*partial.pieces, piece]))
            partials = (_merge(updated) if len(updated) > 1 else updated)[:MAX_ALTERNATIVES]
    for partial in partials:
        if partial.pieces:
            finish(partial)
    return [Line(Text(line_pieces), tuple(sorted(assumed.items()))) for line_pieces, assumed in done.values()]


def _merge(partials: list[_Partial]) -> list[_Partial]:
    """Partial lines cover disjoint sets of assumptions.  Two that hold the
    same pieces and differ only in the truth of one condition are one line
    that does not depend on it (after an ``if``/``else`` both end a line)."""
    changed = True
    while changed and len(partials) > 1:
        changed = False
        by_pieces: dict[tuple[int, ...], list[int]] = {}
        for index, partial in enumerate(partials):
            by_pieces.setdefault(_key(partial.pieces), []).append(index)
        for indexes in by_pieces.values():
            if len(indexes) < 2:
                continue
            for i in indexes:
                for j in indexes:
                    if i >= j:
                        continue
                    a, b = partials[i].assumed, partials[j].assumed
                    if a.keys() != b.keys():
                        continue
                    differing = [k for k in a if a[k] != b[k]]
                    if len(differing) == 1:
                        merged = dict(a)
                        del merged[differing[0]]
                        partials = [p for n, p in enumerate(partials) if n not in (i, j)] + [_Partial(merged, partials[i].pieces)]
                        changed = True
                        break
                if changed:
                    break
            if changed:
                break
    return partials


# --------------------------------------------------------------------------
# image: lines


@dataclass(frozen=True)
class ImageLine:
    key: Text  # the text up to the value (`  - image: `): where the key is written
    value: Text  # the value, without quotes and comments
    conds: tuple[Cond, ...]


def image_lines(lines: list[Line]) -> list[ImageLine]:
    """``image: <value>`` lines of the output, with their values."""
    from taglint.extract.kubernetes.helm import image_value

    out: list[ImageLine] = []
    for line in lines:
        found = image_value(str(line.text))
        if found is None:
            continue
        start, end = found
        value = str(line.text)[start:end]
        if value[:1] in ("'", '"', "&", "*", "!"):
            continue  # a quote that does not end on this line, an anchor, an alias, a tag
        key_end = len(str(line.text)[:start].rstrip("'\""))
        out.append(ImageLine(line.text.slice(0, key_end), line.text.slice(start, end), line.conds))
    return out
