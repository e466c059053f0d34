"""Helm chart templates resolved against the chart's ``values.yaml``.

For each ``image:`` line of a template (kind ``helm-template``) whose
template actions the extractor could parse (``.Values`` paths,
``.Chart.AppVersion``, ``default``, ``quote``…), the actions are evaluated
against the chart's ``values.yaml`` and ``Chart.yaml`` (found by walking up
from the template to the folder holding ``Chart.yaml``; read through
:class:`ResolveContext`, so they need not be part of the scan).

Where the result is reported (the double-report choice): a values image
block is judged where it is written, in ``values.yaml``, once.

* Resolved, and the values file is in the scan with a reference at the same
  place (the values extractor recognised the block): the template reference
  is dropped — the values file reports it.
* Resolved otherwise: the reference moves to the values line that decides
  it (the last ``.Values`` scalar used, normally the ``tag:``), with
  ``origin`` = the template line and a ``via`` step per value used.  The
  same values line reached from several templates is reported once.  It
  is added to the values file's facts when that file is scanned, else to
  the template's facts (with ``path`` naming the values file).
* Not resolvable (``include``, ``with`` blocks, ``tpl``…): the reference
  stays on the template line as written, which the classifier reports as
  unresolved (TL108) — unless it names a ``.Values`` path that the values
  extractor reports as an image block of that chart's scanned values file,
  in which case that report covers it and the template line is dropped.
* An empty tag that falls back to a missing ``appVersion`` renders
  ``repo:``; it is treated as untagged (``repo``), as the values extractor
  does.
"""
from __future__ import annotations

import dataclasses
import posixpath
import re
from typing import Any, NamedTuple

from taglint.extract.helm import helm_value_text
from taglint.model import FileFacts, ImageRef, Location, Span, Step
from taglint.resolve import ResolveContext
from taglint.yamlnodes import (
    MappingNode,
    Node,
    ScalarNode,
    YamlError,
    is_null,
    load_documents,
    mapping_get,
    node_span,
    span_text,
    split_lines,
)

MAX_UP = 6


class Chart(NamedTuple):
    folder: str  # display path of the chart folder
    values_path: str  # display path of values.yaml
    values: Node | None
    values_lines: list[str]
    values_text: str
    app_version: str | None
    app_version_location: Location | None


def resolve(files: list[FileFacts], ctx: ResolveContext) -> None:
    templates = [f for f in files if f.kind == "helm-template" and f.extras.get("helm_template_refs")]
    if not templates:
        return
    scanned_values = {f.path: f for f in files if f.kind == "helm-values"}
    moved: dict[tuple[str, Span], tuple[ImageRef, FileFacts]] = {}
    for facts in templates:
        chart = _chart_for(facts.path, ctx)
        if chart is None:
            continue
        parsed = {entry["span"]: entry["parts"] for entry in facts.extras["helm_template_refs"]}
        values_facts = scanned_values.get(chart.values_path)
        reported_spans = {ref.span for ref in values_facts.images} if values_facts else set()
        block_paths = [b["path"] for b in values_facts.extras.get("helm_image_blocks", [])] if values_facts else []
        kept: list[ImageRef] = []
        for ref in facts.images:
            if ref.span not in parsed:
                kept.append(ref)
                continue
            parts = parsed[ref.span]
            result = _evaluate(parts, chart) if parts is not None else None
            if result is None:
                if block_paths and _names_block(ref.written, block_paths):
                    continue  # the values file reports this block
                kept.append(ref)
                continue
            value, steps, decisive = result
            if decisive is None:
                kept.append(dataclasses.replace(ref, value=value, via=ref.via + tuple(steps)))
                continue
            span = decisive
            if span in reported_spans:
                continue
            key = (chart.values_path, span)
            if key in moved:
                continue
            written = span_text(chart.values_lines, span)
            moved[key] = (
                ImageRef(
                    path=chart.values_path,
                    span=span,
                    written=written if written is not None else value,
                    value=value,
                    kind="helm-values",
                    context=f"image in {ref.path}:{ref.span.line}",
                    via=tuple(steps),
                    origin=Location(ref.path, ref.span),
                ),
                facts,
            )
        facts.images[:] = kept
    for (path, _), (ref, owner) in moved.items():
        # Into the values file's facts when it is scanned, else beside the
        # template reference it replaces (no FileFacts is added for files
        # outside the scan).
        holder = scanned_values.get(path) or owner
        holder.images.append(ref)
        holder.images.sort(key=lambda r: (r.path, r.span))


def _names_block(written: str, block_paths: list[str]) -> bool:
    for path in block_paths:
        if re.search(r"\.Values\." + re.escape(path) + r"(?![A-Za-z0-9_])", written):
            return True
    return False


def _chart_for(template_path: str, ctx: ResolveContext) -> Chart | None:
    """The chart a template belongs to: the nearest folder above it with a
    ``Chart.yaml``, else the folder holding its ``templates`` folder."""
    folder = posixpath.dirname(template_path)
    templates_parent: str | None = None
    for _ in range(MAX_UP):
        if ctx.read(posixpath.join(folder, "Chart.yaml")) or ctx.read(posixpath.join(folder, "Chart.yml")):
            return _load_chart(folder, ctx)
        parent = posixpath.dirname(folder)
        if templates_parent is None and posixpath.basename(folder) == "templates":
            templates_parent = parent
        if not folder or parent == folder:
            break
        folder = parent
    return _load_chart(templates_parent, ctx) if templates_parent is not None else None


def _load_chart(folder: str, ctx: ResolveContext) -> Chart:
    key = ("helm", folder)
    if key in ctx.cache:
        return ctx.cache[key]  # type: ignore[no-any-return]
    values_path = posixpath.join(folder, "values.yaml") if folder else "values.yaml"
    source = ctx.read(values_path) or ctx.read(posixpath.join(folder, "values.yml"))
    values: Node | None = None
    text = ""
    if source is not None:
        values_path = source.path
        text = source.text
        try:
            documents = load_documents(text)
            values = documents[0] if documents else None
        except YamlError:
            values = None
    else:
        values_path = ctx.display_path(ctx.fs_path(values_path))
    app_version = None
    location = None
    chart_source = ctx.read(posixpath.join(folder, "Chart.yaml")) or ctx.read(posixpath.join(folder, "Chart.yml"))
    if chart_source is not None:
        from taglint.extract.helm import chart_info

        info = chart_info(chart_source.text, chart_source.path)
        if info is not None and info.app_version:
            app_version = info.app_version
            location = Location(chart_source.path, info.span) if info.span else None
    chart = Chart(folder, values_path, values, split_lines(text), text, app_version, location)
    ctx.cache[key] = chart
    return chart


def _lookup(chart: Chart, dotted: str) -> tuple[str | None, Node | None, bool]:
    """(value, node, known): value None = empty/missing; known False = cannot tell."""
    if chart.values is None:
        return None, None, False
    node: Node | None = chart.values
    for part in dotted.split("."):
        if not isinstance(node, MappingNode):
            return None, None, True
        node = mapping_get(node, part)
        if node is None:
            return None, None, True
    if isinstance(node, ScalarNode):
        if is_null(node):
            return None, node, True
        text = helm_value_text(node)
        return (text if text else None), node, True
    return None, node, False  # a mapping or list: not a string


def _evaluate(parts: list[Any], chart: Chart) -> tuple[str, list[Step], Span | None] | None:
    out: list[str] = []
    steps: list[Step] = []
    decisive: Span | None = None
    for kind, part in parts:
        if kind == "literal":
            out.append(part)
            continue
        value, span, known = _operand(part["operand"], chart, steps)
        if not known:
            return None
        if span is not None:
            decisive = span
        elif value is None and part["default"] is None and part["operand"][0] == "values":
            return None  # not in values.yaml: supplied at install time
        if value is None and part["default"] is not None:
            value, fallback_span, known = _operand(part["default"], chart, steps)
            if not known:
                return None
            if fallback_span is not None and decisive is None:
                decisive = fallback_span
        out.append(value or "")
    value = "".join(out)
    if value.endswith((":", "@")):  # an empty tag or digest renders `repo:`
        value = value[:-1]
    if not value.strip(":/"):
        return None
    return value, steps, decisive


def _operand(operand: tuple[str, str], chart: Chart, steps: list[Step]) -> tuple[str | None, Span | None, bool]:
    kind, name = operand
    if kind == "text":
        return name, None, True
    if kind == "chart":
        steps.append(Step("Chart.yaml appVersion", chart.app_version, chart.app_version_location))
        return chart.app_version, None, True
    value, node, known = _lookup(chart, name)
    if not known:
        return None, None, False
    span = node_span(node, chart.values_text) if node is not None else None
    steps.append(Step(f".Values.{name}", value, Location(chart.values_path, span) if span else None))
    return value, span, True
