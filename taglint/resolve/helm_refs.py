"""Image references from the ``image:`` lines of a rendered Helm template.

A rendered value knows where each of its characters is written (see
:mod:`taglint.helmtemplate.text`).  The finding goes where the part that
decides it is written — the digest (it pins the image, or breaks the
reference), else the tag, else the name:

* a tag from a values file (also an empty ``tag: ""`` that ``default``
  replaced): on that values line, the template line as a related place;
* a tag from ``Chart.yaml`` (``.Chart.AppVersion`` with no values entry in
  between): on the ``appVersion`` line;
* a tag written in the template line itself (``image: "nginx:latest"``,
  ``image: "{{ .Values.image.repository }}:latest"``): on that line's
  value; the values it used (the repository) are ``via`` steps, which the
  report shows as notes where they are set;
* a tag written elsewhere in a template (a named template in
  ``_helpers.tpl``): on those characters, the image line as a related place.

Undecided conditions the line depends on are named in a related place each
(where the condition is written: "rendered only if `…` is true…").
"""
from __future__ import annotations

from typing import Callable

from taglint.extract.kubernetes.helm import image_value
from taglint.helmtemplate.lines import ImageLine
from taglint.helmtemplate.render import Condition
from taglint.helmtemplate.text import Piece, Source
from taglint.model import ImageRef, Location, Related, Span, Step

_PRIORITY = {"values": 3, "chart": 2, "template": 1}


def reference_ranges(value: str) -> tuple[tuple[int, int], tuple[int, int] | None, tuple[int, int] | None]:
    """``(name, tag, digest)`` index ranges of a reference (None when absent)."""
    at = value.find("@")
    name_part = value if at < 0 else value[:at]
    slash = name_part.rfind("/")
    colon = name_part.rfind(":")
    if colon > slash:
        name, tag = (0, colon), (colon + 1, len(name_part))
    else:
        name, tag = (0, len(name_part)), None
    digest = (at + 1, len(value)) if at >= 0 else None
    return name, tag, digest


def _located(pieces: tuple[Piece, ...], start: int, end: int) -> list[tuple[str, Source, int]]:
    """``(class, source, characters)`` for the located pieces overlapping ``start:end``."""
    out: list[tuple[str, Source, int]] = []
    position = 0
    for piece in pieces:
        piece_end = position + len(piece.text)
        low, high = max(start, position), min(end, piece_end)
        if (low < high or (not piece.text and start <= position <= end)) and not piece.placeholder:
            if piece.replaces is not None:
                out.append(("values", piece.replaces, high - low))
            elif piece.source is not None:
                source = piece.source
                if source.is_values:
                    out.append(("values", source, high - low))
                elif source.name.startswith("Chart.yaml"):
                    out.append(("chart", source, high - low))
                else:
                    out.append(("template", source.sub(piece.text, low - position, high - position), high - low))
        position = piece_end
    return out


def _blame(pieces: tuple[Piece, ...], ranges: list[tuple[int, int] | None]) -> tuple[str, Source] | None:
    for span in ranges:
        if span is None:
            continue
        found = _located(pieces, *span)
        if found:
            best = max(enumerate(found), key=lambda item: (_PRIORITY[item[1][0]], item[1][2], item[0]))[1]
            return best[0], best[1]
    return None


def written_value_span(line_text: str, line: int) -> Span | None:
    """Where the value of an ``image:`` line is written (inside quotes, without a comment)."""
    found = image_value(line_text)
    if found is None:
        return None
    return Span(line, found[0] + 1, line, found[1] + 1)


def image_ref(
    line: ImageLine,
    template_path: str,
    conditions: dict[str, Condition],
    lines_of: Callable[[str], list[str] | None],
) -> ImageRef | None:
    """The reference of a rendered ``image:`` line, or None when it names
    nothing taglint can place (an empty value, text with no source)."""
    rendered = str(line.value)
    if not rendered.strip(":/@ "):
        return None
    # An empty tag or digest (`repo:`, a tag that falls back to a missing
    # appVersion) is no tag: the reference is untagged.
    value = rendered[:-1] if rendered.endswith((":", "@")) else rendered
    pieces = line.value.pieces
    key_source = next((p.source for p in line.key.pieces if p.source is not None and not p.placeholder), None)
    # Where the image line is written; None when its key comes from a
    # value (a list of containers in values, printed with toYaml).
    here = _image_location(key_source, lines_of) if key_source is not None else None
    name, tag, digest = reference_ranges(rendered)
    blamed = _blame(pieces, [digest, tag, name, (0, len(rendered))])
    if blamed is None:
        if here is None or not line.value.placeholder:
            return None  # nothing of it is written anywhere taglint can point at
        blamed = ("template", Source(here.path, here.span))  # all unknown: the image line
    kind, source = blamed
    via = _steps(pieces)
    related: list[Related] = []
    if here is not None and kind == "template" and source.path == here.path and _within(source.span, here.span):
        path, span, ref_kind = here.path, here.span, "helm-template"
        written = _text_at(lines_of(here.path), span) or value
        origin = None  # the values it used are notes of their own (their via steps)
    else:
        path, span = source.path, source.span
        ref_kind = {"values": "helm-values", "chart": "helm-chart"}.get(kind, "helm-template")
        written = source.written if source.written is not None else (_text_at(lines_of(path), span) or value)
        origin = here
        if here is not None:
            related.append(Related(here, "the image is written here, in the template"))
    for key, truth in line.conds:
        condition = conditions.get(key)
        if condition is not None and condition.source is not None:
            where = Location(condition.source.path, condition.source.span)
            related.append(Related(where, f"rendered only if `{key}` is {'true' if truth else 'false'}: taglint cannot decide this condition from the chart's values"))
    return ImageRef(
        path=path,
        span=span,
        written=written,
        value=value,
        kind=ref_kind,
        context=f"image in {here.path}:{here.span.line}" if here is not None else f"image rendered by {template_path}",
        via=tuple(via),
        origin=origin,
        related=tuple(related),
    )


def _within(inner: Span, outer: Span) -> bool:
    return (inner.line, inner.column) >= (outer.line, outer.column) and (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column)


def _image_location(key_source: Source, lines_of: Callable[[str], list[str] | None]) -> Location:
    """Where the image line's value is written in the template."""
    line = key_source.span.line
    lines = lines_of(key_source.path)
    if lines is not None and 0 < line <= len(lines):
        span = written_value_span(lines[line - 1], line)
        if span is not None:
            return Location(key_source.path, span)
    return Location(key_source.path, key_source.span)


def _text_at(lines: list[str] | None, span: Span) -> str | None:
    if lines is None or span.line != span.end_line or not 0 < span.line <= len(lines):
        return None
    return lines[span.line - 1][span.column - 1 : span.end_column - 1]


def _steps(pieces: tuple[Piece, ...]) -> list[Step]:
    """A step for each value from a values file or ``Chart.yaml``, in order."""
    steps: list[Step] = []
    seen: set[tuple[str, Span]] = set()
    for piece in pieces:
        source = piece.source
        if source is None or piece.placeholder or not (source.is_values or source.name.startswith("Chart.yaml")):
            continue
        key = (source.name, source.span)
        if key in seen:
            continue
        seen.add(key)
        name = "Chart.yaml appVersion" if source.name == "Chart.yaml appVersion" else source.name
        steps.append(Step(name, piece.text, Location(source.path, source.span)))
    return steps
