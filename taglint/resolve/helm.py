"""Helm chart templates resolved against the chart's ``values.yaml``.

For each ``image:`` line of a template (kind ``helm-template``) whose
template actions the extractor could parse (``.Values`` paths,
``.Chart.AppVersion``, ``default``, ``quote``…), the actions are evaluated
against the chart's ``values.yaml`` and ``Chart.yaml`` (found by walking up
from the template to the folder holding ``Chart.yaml``).  When they are in
the scan, what their extractors kept is used (the values file's lookup
table, ``extras["helm_values_table"]``; ``Chart.yaml``'s
``extras["helm_chart"]``); otherwise they are read through
:class:`ResolveContext` and the same table is built from the text, so
they need not be part of the scan.

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

from taglint.extract.helm import (
    VALUES_TABLE,
    chart_info,
    values_table,
    values_table_lookup,
)
from taglint.model import FileFacts, ImageRef, Location, Span, Step
from taglint.resolve import ResolveContext
from taglint.yamlnodes import YamlError, load_documents

MAX_UP = 6
CHART_NAMES = ("Chart.yaml", "Chart.yml")


class Chart(NamedTuple):
    folder: str  # display path of the chart folder
    values_path: str  # display path of values.yaml
    values: Any  # the values lookup table (extract.helm.values_table); None: unknown
    app_version: str | None
    app_version_location: Location | None


class _Scanned(NamedTuple):
    values: dict[str, FileFacts]  # helm-values facts by display path
    charts: dict[str, FileFacts]  # helm-chart facts by display path


def resolve(files: list[FileFacts], ctx: ResolveContext) -> None:
    templates: list[FileFacts] = []
    scanned = _Scanned({}, {})
    scanned_values = scanned.values
    for f in files:
        kind = f.kind
        if kind == "helm-template":
            if f.extras.get("helm_template_refs"):
                templates.append(f)
        elif kind == "helm-values":
            scanned_values[f.path] = f
        elif kind == "helm-chart":
            scanned.charts[f.path] = f
    if not templates:
        return
    moved: dict[tuple[str, Span], tuple[ImageRef, FileFacts]] = {}
    for facts in templates:
        chart = _chart_for(facts.path, ctx, scanned)
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
            span, written = decisive
            if span in reported_spans:
                continue
            key = (chart.values_path, span)
            if key in moved:
                continue
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


def _chart_for(template_path: str, ctx: ResolveContext, scanned: _Scanned) -> Chart | None:
    """The chart a template belongs to: the nearest folder above it with a
    ``Chart.yaml``, else the folder holding its ``templates`` folder."""
    start = posixpath.dirname(template_path)
    key = ("helm", "chart of", start)
    if key in ctx.cache:
        return ctx.cache[key]  # type: ignore[no-any-return]
    folder = start
    templates_parent: str | None = None
    chart: Chart | None = None
    for _ in range(MAX_UP):
        if _chart_yaml(folder, ctx, scanned) is not None:
            chart = _load_chart(folder, ctx, scanned)
            break
        parent = posixpath.dirname(folder)
        if templates_parent is None and posixpath.basename(folder) == "templates":
            templates_parent = parent
        if not folder or parent == folder:
            break
        folder = parent
    if chart is None and templates_parent is not None:
        chart = _load_chart(templates_parent, ctx, scanned)
    ctx.cache[key] = chart
    return chart


def _chart_yaml(folder: str, ctx: ResolveContext, scanned: _Scanned) -> tuple[str, str | None, Span | None] | None:
    """The ``Chart.yaml`` (else ``Chart.yml``) of a folder: (display path,
    appVersion, span of the appVersion value); None when neither can be read."""
    key = ("helm", "Chart.yaml", folder)
    if key in ctx.cache:
        return ctx.cache[key]  # type: ignore[no-any-return]
    found: tuple[str, str | None, Span | None] | None = None
    for name in CHART_NAMES:
        path = posixpath.join(folder, name)
        facts = scanned.charts.get(ctx.display_path(path))
        if facts is not None and "helm_chart" in facts.extras:
            info = facts.extras["helm_chart"]
            found = (facts.path, info.get("appVersion"), info.get("appVersion_span"))
            break
        source = ctx.read(path)
        if source is not None:
            parsed = chart_info(source.text, source.path)
            if parsed is None or not parsed.app_version:
                found = (source.path, None, None)
            else:
                found = (source.path, parsed.app_version, parsed.span)
            break
    ctx.cache[key] = found
    return found


def _load_chart(folder: str, ctx: ResolveContext, scanned: _Scanned) -> Chart:
    key = ("helm", folder)
    if key in ctx.cache:
        return ctx.cache[key]  # type: ignore[no-any-return]
    values_path = posixpath.join(folder, "values.yaml") if folder else "values.yaml"
    found = _values(values_path, ctx, scanned) or _values(posixpath.join(folder, "values.yml"), ctx, scanned)
    if found is not None:
        values_path, table = found
    else:
        values_path, table = ctx.display_path(values_path), None
    app_version = None
    location = None
    chart_yaml = _chart_yaml(folder, ctx, scanned)
    if chart_yaml is not None and chart_yaml[1]:
        app_version = chart_yaml[1]
        location = Location(chart_yaml[0], chart_yaml[2]) if chart_yaml[2] else None
    chart = Chart(folder, values_path, table, app_version, location)
    ctx.cache[key] = chart
    return chart


def _values(path: str, ctx: ResolveContext, scanned: _Scanned) -> tuple[str, Any] | None:
    """(display path, lookup table) of a values file: the table its scan
    kept, else one built from the file read now; None when it cannot be read."""
    facts = scanned.values.get(ctx.display_path(path))
    if facts is not None and VALUES_TABLE in facts.extras:
        return facts.path, facts.extras[VALUES_TABLE]
    source = ctx.read(path)
    if source is None:
        return None
    try:
        documents = load_documents(source.text)
    except YamlError:
        return source.path, None
    return source.path, values_table(documents[0] if documents else None, source.text)


def _evaluate(parts: list[Any], chart: Chart) -> tuple[str, list[Step], tuple[Span, str | None] | None] | None:
    """The rendered value, its steps, and the values scalar that decides it
    (its span and written text), or None when it cannot be evaluated."""
    out: list[str] = []
    steps: list[Step] = []
    decisive: tuple[Span, str | None] | None = None
    for kind, part in parts:
        if kind == "literal":
            out.append(part)
            continue
        value, hit, known = _operand(part["operand"], chart, steps)
        if not known:
            return None
        if hit is not None:
            decisive = hit
        elif value is None and part["default"] is None and part["operand"][0] == "values":
            return None  # not in values.yaml: supplied at install time
        if value is None and part["default"] is not None:
            value, fallback_hit, known = _operand(part["default"], chart, steps)
            if not known:
                return None
            if fallback_hit is not None and decisive is None:
                decisive = fallback_hit
        out.append(value or "")
    value = "".join(out)
    if value.endswith((":", "@")):  # an empty tag or digest renders `repo:`
        value = value[:-1]
    if not value.strip(":/"):
        return None
    return value, steps, decisive


def _operand(
    operand: tuple[str, str], chart: Chart, steps: list[Step]
) -> tuple[str | None, tuple[Span, str | None] | None, bool]:
    kind, name = operand
    if kind == "text":
        return name, None, True
    if kind == "chart":
        steps.append(Step("Chart.yaml appVersion", chart.app_version, chart.app_version_location))
        return chart.app_version, None, True
    value, span, written, known = values_table_lookup(chart.values, name)
    if not known:
        return None, None, False
    steps.append(Step(f".Values.{name}", value, Location(chart.values_path, span) if span else None))
    return value, ((span, written) if span is not None else None), True
