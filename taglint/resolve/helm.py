"""Helm charts as Helm renders them.

Every scanned file of kind ``helm-template`` (a file under a chart's
``templates/``, or any YAML file with ``{{ }}`` inside a chart) is
rendered with the chart's default values (:mod:`taglint.helmtemplate`),
with its named templates (``define`` in ``_helpers.tpl`` and the other
files under ``templates/`` of the chart and its subcharts) and its files
(``.Files.Get``, ``tpl``).  Conditions pick the branch the defaults pick;
a condition values cannot decide keeps both branches, and the references
it guards name it.  The ``image:`` lines of the output become the file's
references, placed where their deciding part is written
(:mod:`taglint.resolve.helm_refs`): a tag from ``values.yaml`` on its
values line, a tag written in the template on the template line.

* A reference placed in another scanned file (the chart's
  ``values.yaml``) joins that file's facts; otherwise the template's.
  The same place and value reached from several templates is one
  reference.
* A reference the values extractor found in an image block of the chart's
  values file gives way to what the templates render from that block
  (its name or tag appears in a rendered reference); blocks no template
  renders (switched off by default, used by a subchart that is not here)
  stay as the values extractor read them.
* A template that cannot be rendered (it does not parse, or exceeds the
  renderer's limits) keeps its ``image:`` lines as written; simple
  actions on those lines (``.Values`` paths, ``.Chart.AppVersion``,
  ``default``, ``quote``) are still evaluated against the values
  (:func:`_evaluate`), and a line naming an image block the values file
  reports is left to that report.
* Plain manifests in the chart that its templates patch lose the images
  the patches set (:mod:`taglint.resolve.helm_patches`).
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any

from taglint.extract.kubernetes.helm import values_table_lookup
from taglint.helmtemplate.functions import FUNCTIONS
from taglint.helmtemplate.lines import image_lines, output_lines
from taglint.helmtemplate.parse import Node, TemplateSyntaxError, Tree, parse
from taglint.helmtemplate.limits import RenderError
from taglint.helmtemplate.render import Renderer, Template
from taglint.model import FileFacts, ImageRef, Location, Span, Step
from taglint.resolve import ResolveContext
from taglint.resolve.helm_chart import Chart, Scanned, chart_of, parsed_template, root_context, template_name
from taglint.resolve.helm_patches import drop_patched
from taglint.resolve.helm_refs import image_ref
from taglint.yamlnodes import split_lines

_CALLS = re.compile(r"\b(?:include|template)\s+\"([^\"]+)\"")


def resolve(files: list[FileFacts], ctx: ResolveContext) -> None:
    scanned = Scanned({}, {})
    templates: list[FileFacts] = []
    for f in files:
        if f.kind == "helm-template":
            templates.append(f)
        elif f.kind == "helm-values":
            scanned.values[f.path] = f
        elif f.kind == "helm-chart":
            scanned.charts[f.path] = f
    if not templates:
        return
    by_path = {f.path: f for f in files}
    placed: dict[tuple[str, Span, str], tuple[ImageRef, FileFacts]] = {}
    used: dict[str, set[Span]] = {}  # values path -> spans of values the renders used
    by_chart: dict[str, list[str]] = {}  # template paths by chart folder
    held = _HeldCharts(ctx)
    for facts in templates:
        chart = held.chart_of(facts.path, scanned)
        if chart is None:
            continue
        by_chart.setdefault(chart.folder, []).append(facts.path)
        refs = _render(facts, chart, ctx)
        if refs is None:
            _fallback(facts, chart, scanned, placed)
            continue
        facts.images[:] = []
        for ref in refs:
            for step in ref.via:
                if step.location is not None:
                    used.setdefault(step.location.path, set()).add(step.location.span)
            if ref.kind == "helm-values":
                used.setdefault(ref.path, set()).add(ref.span)
            placed.setdefault((ref.path, ref.span, ref.value), (ref, facts))
    for path, spans in used.items():
        values_facts = scanned.values.get(path)
        if values_facts is not None:
            values_facts.images[:] = [ref for ref in values_facts.images if not _superseded(ref, spans)]
    holders: dict[int, FileFacts] = {}
    for (path, _, _), (ref, owner) in placed.items():
        holder = by_path.get(path) or owner
        holder.images.append(ref)
        holders[id(holder)] = holder
    for holder in holders.values():
        holder.images.sort(key=lambda r: (r.path, r.span))
    drop_patched(by_chart, files, ctx)
    held.forget()


# Charts whose loaded state (values as the templates see them, named
# templates, parsed trees, files read) is kept at a time.  The templates
# come chart by chart (in path order), so a chart is seldom loaded twice,
# and a repository of a thousand charts never holds them all at once.
CHARTS_HELD = 16


class _HeldCharts:
    """:func:`chart_of` with a bound on memory: once templates of
    :data:`CHARTS_HELD` charts were rendered, the Helm entries of the
    resolver's cache and the files read since the resolver began are
    forgotten before the next chart is loaded (all of them are pure
    memos: a chart loaded again is the same chart)."""

    def __init__(self, ctx: ResolveContext) -> None:
        self.ctx = ctx
        self.read_before = set(ctx.read_keys())
        self.folders: set[str] = set()

    def chart_of(self, path: str, scanned: Scanned) -> Chart | None:
        chart = chart_of(path, self.ctx, scanned)
        if chart is None or chart.folder in self.folders:
            return chart
        if len(self.folders) >= CHARTS_HELD:
            self.forget()
            chart = chart_of(path, self.ctx, scanned)
            if chart is None:  # pragma: no cover - the same chart again
                return None
        self.folders.add(chart.folder)
        return chart

    def forget(self) -> None:
        self.folders.clear()
        cache = self.ctx.cache
        for key in [key for key in cache if type(key) is tuple and key and key[0] == "helm"]:
            del cache[key]
        self.ctx.forget_reads(keep=self.read_before)


def _superseded(ref: ImageRef, used: set[Span]) -> bool:
    """A values-extractor reference whose values a rendered reference used."""
    if ref.origin is not None:
        return False  # placed by this resolver
    return ref.span in used or any(
        step.location is not None and step.location.path == ref.path and step.location.span in used for step in ref.via
    )


# --------------------------------------------------------------------------
# Rendering


def _render(facts: FileFacts, chart: Chart, ctx: ResolveContext) -> list[ImageRef] | None:
    """The references of a template's rendered ``image:`` lines; None when
    it cannot be rendered."""
    source = ctx.read(facts.path)
    if source is None:
        return None
    text = source.text
    if "image" not in text and not _calls_image_template(text, chart, ctx):
        return []
    parsed = parsed_template(facts.path, ctx)
    if parsed is None:
        return None
    _, tree = parsed
    rel = _relative(facts.path, chart.folder)
    name = template_name(chart.folder, rel, ctx)
    template = Template.from_file(name, source.path, text, tree)
    defines = dict(chart.defines)
    for define, nodes in tree.defines.items():
        defines[define] = (nodes, template)
    renderer = Renderer(defines, FUNCTIONS, parse_text=_tpl_parser(ctx))
    try:
        pieces = renderer.render(template, root_context(chart, name, ctx))
    except (RenderError, RecursionError):
        return None
    except Exception:  # noqa: BLE001 - an evaluator bug must not cost the chart its other files
        return None
    refs: list[ImageRef] = []
    seen: set[tuple[str, Span, str]] = set()

    def lines_of(path: str) -> list[str] | None:
        read = ctx.read(path)
        return split_lines(read.text) if read is not None else None

    for line in image_lines(output_lines(pieces)):
        ref = image_ref(line, facts.path, renderer.conditions, _cached(lines_of))
        if ref is None:
            continue
        key = (ref.path, ref.span, ref.value)
        if key not in seen:
            seen.add(key)
            refs.append(ref)
    return refs


def _cached(function: Any) -> Any:
    memo: dict[str, Any] = {}

    def call(path: str) -> Any:
        if path not in memo:
            memo[path] = function(path)
        return memo[path]

    return call


def _relative(path: str, folder: str) -> str:
    return path[len(folder) + 1 :] if folder and path.startswith(folder + "/") else path


def _tpl_parser(ctx: ResolveContext) -> Any:
    def parse_text(text: str) -> Tree:
        key = ("helm", "tpl", text)
        found = ctx.cache.get(key)
        if found is None:
            try:
                found = parse(text)
            except TemplateSyntaxError as error:
                found = error
            ctx.cache[key] = found
        if isinstance(found, TemplateSyntaxError):
            raise found
        return found  # type: ignore[no-any-return]

    return parse_text


def _calls_image_template(text: str, chart: Chart, ctx: ResolveContext) -> bool:
    """Does the template call a named template that (itself or through the
    ones it calls) writes ``image``?"""
    names = set(_CALLS.findall(text))
    if not names or not chart.defines:
        return False
    key = ("helm", "image defines", chart.folder)
    writers = ctx.cache.get(key)
    if writers is None:
        writers = _image_writers(chart.defines)
        ctx.cache[key] = writers
    return bool(names & writers)


def _image_writers(defines: dict[str, tuple[list[Node], Template]]) -> set[str]:
    from taglint.helmtemplate.parse import Action, Branch, Call, TextNode

    mentions: dict[str, bool] = {}
    calls: dict[str, set[str]] = {}
    for name, (nodes, _) in defines.items():
        found = False
        called: set[str] = set()
        stack: list[Any] = list(nodes)
        while stack:
            node = stack.pop()
            if isinstance(node, TextNode):
                found = found or "image" in node.text
            elif isinstance(node, Action):
                found = found or "image" in node.pipe.text
                called.update(_CALLS.findall(node.pipe.text))
            elif isinstance(node, Branch):
                found = found or "image" in node.pipe.text
                stack.extend(node.body)
                stack.extend(node.otherwise or ())
            elif isinstance(node, Call):
                called.add(node.name)
        mentions[name] = found
        calls[name] = called
    writers = {name for name, found in mentions.items() if found}
    changed = True
    while changed:
        changed = False
        for name, called in calls.items():
            if name not in writers and called & writers:
                writers.add(name)
                changed = True
    return writers


# --------------------------------------------------------------------------
# When a template cannot be rendered: its image lines one by one


def _fallback(
    facts: FileFacts, chart: Chart, scanned: Scanned, placed: dict[tuple[str, Span, str], tuple[ImageRef, FileFacts]]
) -> None:
    parsed = {entry["span"]: entry["parts"] for entry in facts.extras.get("helm_template_refs", ())}
    values_facts = scanned.values.get(chart.values_path)
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
        moved = ImageRef(
            path=chart.values_path,
            span=span,
            written=written if written is not None else value,
            value=value,
            kind="helm-values",
            context=f"image in {ref.path}:{ref.span.line}",
            via=tuple(steps),
            origin=Location(ref.path, ref.span),
        )
        placed.setdefault((moved.path, moved.span, moved.value), (moved, facts))
    facts.images[:] = kept


def _names_block(written: str, block_paths: list[str]) -> bool:
    for path in block_paths:
        if re.search(r"\.Values\." + re.escape(path) + r"(?![A-Za-z0-9_])", written):
            return True
    return False


def _evaluate(parts: list[Any], chart: Chart) -> tuple[str, list[Step], tuple[Span, str | None] | None] | None:
    """The rendered value of one image line's simple actions, its steps,
    and the values scalar that decides it (its span and written text), or
    None when it cannot be evaluated."""
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
        span = chart.info.get("appVersion_span")
        steps.append(Step("Chart.yaml appVersion", chart.app_version, Location(chart.chart_path, span) if span else None))
        return chart.app_version, None, True
    value, span, written, known = values_table_lookup(chart.table, name)
    if not known:
        return None, None, False
    steps.append(Step(f".Values.{name}", value, Location(chart.values_path, span) if span else None))
    return value, ((span, written) if span is not None else None), True
