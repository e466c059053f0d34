"""What a Helm chart gives its templates: values, ``Chart.yaml``, named
templates and files.

A template belongs to the nearest folder above it with a ``Chart.yaml``
(else the folder holding its ``templates`` folder).  A chart inside the
``charts/`` folder of another is a subchart: its values are its own
``values.yaml`` overridden by the parent's ``<subchart name>:`` section,
with the parent's ``global`` values; named templates (``define``/``block``
in any file under ``templates/`` of the top chart and of every subchart)
are shared by all of them, the parent's winning over a subchart's, as
Helm loads them.  A dependency that is not unpacked under ``charts/`` but
lives in the repository (a ``file://`` repository, or a chart folder of its
name beside the chart, as ``common`` in a monorepo of charts) lends its
named templates too.

Files are read through :class:`~taglint.resolve.ResolveContext`; what the
scan already extracted is used when it is there (the values lookup table
of ``extras["helm_values_table"]``, ``Chart.yaml``'s
``extras["helm_chart"]``).
"""
from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from taglint.extract.kubernetes.helm import VALUES_TABLE, chart_info, values_table
from taglint.helmtemplate.parse import Node, TemplateSyntaxError, Tree, parse
from taglint.helmtemplate.render import Template
from taglint.helmtemplate.text import Source, Text
from taglint.helmtemplate.values import Builtin, Method, Unknown, ValuesMap, chart_values, from_table
from taglint.model import FileFacts, Span
from taglint.resolve import ResolveContext
from taglint.yamlnodes import YamlError, load_documents, mapping_get, scalar_str

MAX_UP = 6
CHART_NAMES = ("Chart.yaml", "Chart.yml")
MAX_CHART_FILES = 5_000  # files listed per chart (templates, .Files)
MAX_NESTED_CHARTS = 50


class Scanned(NamedTuple):
    values: dict[str, FileFacts]  # helm-values facts by display path
    charts: dict[str, FileFacts]  # helm-chart facts by display path


@dataclass
class Chart:
    folder: str  # display path of the chart folder ("" for the working directory)
    name: str
    values_path: str  # display path of values.yaml
    table: Any  # the values lookup table; None: unknown
    info: dict[str, Any]  # Chart.yaml fields (extract.helm extract_chart form)
    chart_path: str  # display path of Chart.yaml
    parent: Chart | None = None
    values: ValuesMap = field(default_factory=ValuesMap)
    defines: dict[str, tuple[list[Node], Template]] = field(default_factory=dict)

    @property
    def app_version(self) -> str | None:
        value = self.info.get("appVersion")
        return str(value) if value is not None else None


def chart_of(template_path: str, ctx: ResolveContext, scanned: Scanned) -> Chart | None:
    """The chart a file belongs to (cached per folder)."""
    start = posixpath.dirname(template_path)
    key = ("helm", "chart of", start)
    if key in ctx.cache:
        return ctx.cache[key]  # type: ignore[no-any-return]
    folder = start
    templates_parent: str | None = None
    chart: Chart | None = None
    for _ in range(MAX_UP):
        if chart_yaml(folder, ctx, scanned) is not None:
            chart = load_chart(folder, ctx, scanned)
            break
        parent = posixpath.dirname(folder)
        if templates_parent is None and posixpath.basename(folder) == "templates":
            templates_parent = parent
        if not folder or parent == folder:
            break
        folder = parent
    if chart is None and templates_parent is not None:
        chart = load_chart(templates_parent, ctx, scanned)
    ctx.cache[key] = chart
    return chart


def chart_yaml(folder: str, ctx: ResolveContext, scanned: Scanned) -> tuple[str, dict[str, Any]] | None:
    """``(display path, fields)`` of a folder's ``Chart.yaml`` (else
    ``Chart.yml``); None when neither can be read."""
    key = ("helm", "Chart.yaml", folder)
    if key in ctx.cache:
        return ctx.cache[key]  # type: ignore[no-any-return]
    found: tuple[str, dict[str, Any]] | None = None
    for name in CHART_NAMES:
        path = posixpath.join(folder, name)
        facts = scanned.charts.get(ctx.display_path(path))
        if facts is not None and "helm_chart" in facts.extras:
            found = (facts.path, dict(facts.extras["helm_chart"]))
            break
        source = ctx.read(path)
        if source is not None:
            found = (source.path, _chart_fields(source.text, source.path))
            break
    ctx.cache[key] = found
    return found


def _chart_fields(text: str, path: str) -> dict[str, Any]:
    info: dict[str, Any] = {}
    parsed = chart_info(text, path)
    if parsed is not None and parsed.app_version:
        info["appVersion"] = parsed.app_version
        info["appVersion_span"] = parsed.span
    name = re.search(r"(?m)^name:[ \t]*['\"]?([^'\"\s#]+)", text)
    if name:
        info["name"] = name.group(1)
    version = re.search(r"(?m)^version:[ \t]*['\"]?([^'\"\s#]+)", text)
    if version:
        info["version"] = version.group(1)
    return info


def load_chart(folder: str, ctx: ResolveContext, scanned: Scanned, depth: int = 0) -> Chart:
    key = ("helm", folder)
    if key in ctx.cache:
        return ctx.cache[key]  # type: ignore[no-any-return]
    values_path = posixpath.join(folder, "values.yaml") if folder else "values.yaml"
    found = _values(values_path, ctx, scanned) or _values(posixpath.join(folder, "values.yml"), ctx, scanned)
    if found is not None:
        values_path, table = found
    else:
        values_path, table = ctx.display_path(values_path), None
    yaml_info = chart_yaml(folder, ctx, scanned)
    chart_path, info = yaml_info if yaml_info is not None else (posixpath.join(folder, "Chart.yaml"), {})
    name = str(info.get("name") or posixpath.basename(ctx.abspath(folder or ".")))
    chart = Chart(folder, name, values_path, table, info, chart_path)
    ctx.cache[key] = chart
    own = from_table(table, values_path)
    parent_folder = _parent_chart_folder(folder, ctx, scanned)
    if parent_folder is not None and depth < MAX_NESTED_CHARTS:
        chart.parent = load_chart(parent_folder, ctx, scanned, depth + 1)
        chart.values = _subchart_values(own, chart.parent.values, name, posixpath.basename(ctx.abspath(folder or ".")))
    else:
        chart.values = own
    chart.defines = _defines(_root(chart), ctx)
    return chart


def _root(chart: Chart) -> Chart:
    while chart.parent is not None:
        chart = chart.parent
    return chart


def _parent_chart_folder(folder: str, ctx: ResolveContext, scanned: Scanned) -> str | None:
    """``p`` when ``folder`` is ``p/charts/<name>`` and ``p`` is a chart."""
    charts = posixpath.dirname(folder)
    if posixpath.basename(ctx.abspath(charts or ".")) != "charts":
        return None
    parent = posixpath.dirname(charts)
    if parent == charts:
        return None
    return parent if chart_yaml(parent, ctx, scanned) is not None else None


def _subchart_values(own: ValuesMap, parent: ValuesMap, *names: str) -> ValuesMap:
    """A subchart's values as Helm coalesces them: the parent's section for
    it over its own defaults, and the parent's ``global``."""
    merged = ValuesMap(own.items(), own.name)
    for name in names:
        section = parent.get(name)
        if isinstance(section, dict):
            _coalesce(merged, section)
            break
    parent_global = parent.get("global")
    if isinstance(parent_global, dict):
        own_global = merged.get("global")
        combined = ValuesMap(own_global.items() if isinstance(own_global, dict) else (), ".Values.global")
        _coalesce(combined, parent_global)
        merged["global"] = combined
    return merged


def _coalesce(target: dict[str, Any], source: dict[str, Any], depth: int = 0) -> None:
    for key, value in source.items():
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, dict) and depth < 50:
            copy = ValuesMap(current.items(), getattr(current, "name", ".Values"))
            _coalesce(copy, value, depth + 1)
            target[key] = copy
        else:
            target[key] = value


def _values(path: str, ctx: ResolveContext, scanned: Scanned) -> tuple[str, Any] | None:
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


# --------------------------------------------------------------------------
# Files of a chart


def chart_files(folder: str, ctx: ResolveContext, *, under: str = "") -> list[str]:
    """Paths (relative to the chart folder, ``/``-separated) of the files
    below ``folder/under``, sorted; subcharts' folders are left out unless
    ``under`` names them."""
    key = ("helm", "files", folder, under)
    if key in ctx.cache:
        return ctx.cache[key]  # type: ignore[no-any-return]
    root = ctx.abspath(folder or ".")
    start = os.path.join(root, under) if under else root
    out: list[str] = []
    for current, dirs, files in os.walk(start):
        rel = os.path.relpath(current, root).replace(os.sep, "/")
        rel = "" if rel == "." else rel + "/"
        if not under and rel == "":
            dirs[:] = [d for d in dirs if d != "charts" and not d.startswith(".")]
        else:
            dirs[:] = [d for d in dirs if not d.startswith(".")]
        dirs.sort()
        out.extend(rel + name for name in sorted(files))
        if len(out) > MAX_CHART_FILES:
            break
    out = out[:MAX_CHART_FILES]
    ctx.cache[key] = out
    return out


def _subchart_folders(folder: str, ctx: ResolveContext, depth: int = 0) -> list[str]:
    root = ctx.abspath(folder or ".")
    charts = os.path.join(root, "charts")
    out: list[str] = []
    if depth > 5 or not os.path.isdir(charts):
        return out
    for name in sorted(os.listdir(charts)):
        sub = posixpath.join(folder, "charts", name) if folder else posixpath.join("charts", name)
        if any(os.path.isfile(os.path.join(charts, name, c)) for c in CHART_NAMES):
            out.append(sub)
            out.extend(_subchart_folders(sub, ctx, depth + 1))
    return out


def _dependency_folders(folder: str, ctx: ResolveContext) -> list[str]:
    """Charts a chart depends on (``Chart.yaml`` ``dependencies``) that are
    not unpacked in its ``charts/`` folder but are in the repository: a
    ``file://`` repository, or a folder of that name beside the chart (a
    library chart such as ``common`` in a monorepo of charts).  Their named
    templates are the chart's too."""
    found = chart_yaml(folder, ctx, Scanned({}, {}))
    source = ctx.read(found[0]) if found is not None else None
    if source is None or "dependencies" not in source.text:
        return []
    try:
        documents = load_documents(source.text)
    except YamlError:
        return []
    out: list[str] = []
    for item in getattr(mapping_get(documents[0] if documents else None, "dependencies"), "value", None) or ():
        name = scalar_str(mapping_get(item, "name"))
        repository = scalar_str(mapping_get(item, "repository")) or ""
        if not name or "/" in name or name in (".", ".."):
            continue
        unpacked = posixpath.join(folder, "charts", name) if folder else posixpath.join("charts", name)
        if _has_chart_yaml(unpacked, ctx):
            continue  # a subchart: loaded as one
        if repository.startswith("file://"):
            candidate = posixpath.normpath(posixpath.join(folder or ".", repository[len("file://"):]))
        else:
            candidate = posixpath.join(posixpath.dirname(folder), name) if folder else posixpath.join("..", name)
        if candidate != folder and _has_chart_yaml(candidate, ctx):
            out.append(candidate)
    return out


def _has_chart_yaml(folder: str, ctx: ResolveContext) -> bool:
    root = ctx.abspath(folder or ".")
    return any(os.path.isfile(os.path.join(root, name)) for name in CHART_NAMES)


def parsed_template(path: str, ctx: ResolveContext) -> tuple[str, Tree] | None:
    """The text and tree of a template file; None when it cannot be read or
    does not parse.  Trees are cached by text: charts that vendor the same
    library chart parse its files once."""
    key = ("helm", "tree", ctx.abspath(path))
    if key in ctx.cache:
        return ctx.cache[key]  # type: ignore[no-any-return]
    source = ctx.read(path)
    result: tuple[str, Tree] | None = None
    if source is not None:
        text_key = ("helm", "tree of text", source.text)
        tree = ctx.cache.get(text_key)
        if tree is None:
            try:
                tree = parse(source.text)
            except (TemplateSyntaxError, RecursionError):
                tree = False
            ctx.cache[text_key] = tree
        result = (source.text, tree) if tree is not False else None
    ctx.cache[key] = result
    return result


def _defines(root: Chart, ctx: ResolveContext) -> dict[str, tuple[list[Node], Template]]:
    """Named templates of a chart tree: the charts it depends on that are
    elsewhere in the repository first, then subcharts, so the parent's win."""
    key = ("helm", "defines", root.folder)
    if key in ctx.cache:
        return ctx.cache[key]  # type: ignore[no-any-return]
    defines: dict[str, tuple[list[Node], Template]] = {}
    subcharts = _subchart_folders(root.folder, ctx)
    dependencies = [d for f in [root.folder, *subcharts] for d in _dependency_folders(f, ctx)]
    folders = list(dict.fromkeys([*dependencies, *reversed(subcharts), root.folder]))
    for folder in folders:
        for rel in chart_files(folder, ctx, under="templates"):
            path = posixpath.join(folder, rel) if folder else rel
            source = ctx.read(path)
            if source is None or "define" not in source.text and "block" not in source.text:
                continue
            parsed = parsed_template(path, ctx)
            if parsed is None:
                continue
            text, tree = parsed
            if not tree.defines:
                continue
            template = Template.from_file(template_name(folder, rel, ctx), ctx.display_path(path), text, tree)
            for name, nodes in tree.defines.items():
                defines[name] = (nodes, template)
    ctx.cache[key] = defines
    return defines


def template_name(folder: str, rel: str, ctx: ResolveContext) -> str:
    """Helm's name for a template: ``<chart folder name>/<path in chart>``."""
    return posixpath.basename(ctx.abspath(folder or ".")) + "/" + rel


# --------------------------------------------------------------------------
# The root context


class Files(Builtin):
    """``.Files``: the chart's files (``Get``, ``Glob``, ``Lines``…)."""

    def __init__(self, chart: Chart, ctx: ResolveContext) -> None:
        self.chart = chart
        self.ctx = ctx

    def field(self, name: str) -> Any:
        methods = {
            "Get": self.get,
            "GetBytes": self.get,
            "Glob": self.glob,
            "Lines": self.lines,
        }
        method = methods.get(name)
        return Method(name, method) if method is not None else Unknown(f".Files.{name}")

    def _path(self, rel: Any) -> str | None:
        name = str(rel) if isinstance(rel, Text) else None
        if not name or name.startswith("/") or ".." in name.split("/"):
            return None
        return posixpath.join(self.chart.folder, name) if self.chart.folder else name

    def get(self, rel: Any) -> Any:
        path = self._path(rel)
        source = self.ctx.read(path) if path is not None else None
        if source is None:
            return Text()
        text = source.text
        lines = text.count("\n")
        last = len(text) - (text.rfind("\n") + 1)
        return Text.plain(text, Source(source.path, Span(1, 1, lines + 1, last + 1)))

    def lines(self, rel: Any) -> Any:
        text = self.get(rel)
        value = str(text)
        out: list[Any] = []
        position = 0
        for line in value.split("\n"):
            out.append(text.slice(position, position + len(line)))
            position += len(line) + 1
        return out

    def glob(self, pattern: Any) -> Any:
        if not isinstance(pattern, Text):
            return {}
        regex = _glob_regex(str(pattern))
        found: dict[str, Any] = {}
        for rel in chart_files(self.chart.folder, self.ctx):
            if regex.fullmatch(rel):
                found[rel] = self.get(Text.plain(rel))
        return found


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A gobwas-style glob (``**`` crosses folders, ``*`` does not)."""
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        elif pattern[i] == "{":
            close = pattern.find("}", i)
            if close < 0:
                out += re.escape(pattern[i])
                i += 1
            else:
                out += "(?:" + "|".join(_glob_regex(p).pattern for p in pattern[i + 1 : close].split(",")) + ")"
                i = close + 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out)


def root_context(chart: Chart, template: str, ctx: ResolveContext) -> dict[str, Any]:
    """``.`` of a template of ``chart``: what Helm gives it, with what
    depends on the release or the cluster unknown."""
    release = {
        "Name": Unknown(".Release.Name"),
        "Namespace": Unknown(".Release.Namespace"),
        "Service": Text.plain("Helm"),
        "IsInstall": Unknown(".Release.IsInstall"),
        "IsUpgrade": Unknown(".Release.IsUpgrade"),
        "Revision": Unknown(".Release.Revision"),
    }
    return {
        "Values": chart.values,
        "Chart": chart_values(chart.info, chart.chart_path),
        "Release": release,
        "Capabilities": Unknown(".Capabilities"),
        "Template": {"Name": Text.plain(template), "BasePath": Text.plain(template.rsplit("/templates/", 1)[0] + "/templates")},
        "Files": Files(chart, ctx),
        "Subcharts": Unknown(".Subcharts"),
    }

