"""helmsman desired state files (YAML or TOML): the values each app sets
on its chart, ``apps.<name>.set`` and ``apps.<name>.setString`` (a map
of ``--set`` names to values), read as ``--set`` pairs
(:func:`taglint.extract.kubernetes.value_overrides.set_images`):
``image.repository`` with ``image.tag`` is one reference, reported on the
tag.  helmsman substitutes ``$VAR`` from the environment; such a value
stays as written (TL108 says so).

TOML has no positions in the standard library's parser, so a TOML file is
read line by line: the ``[apps.<name>.set]`` / ``[apps.<name>.setString]``
tables and their ``key = "value"`` lines (basic or literal strings, bare
numbers).  Inline tables (``set = { … }``) are not read.
"""
from __future__ import annotations

import re

import yaml

from taglint.extract.kubernetes import value_overrides
from taglint.model import FileFacts, ImageRef
from taglint.source import ExtractContext, SourceFile
from taglint.yamlnodes import STR_TAG, ScalarNode, documents_or_problem, iter_mapping, mapping_get

KIND = "helmsman"
_SET_KEYS = ("set", "setString")


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    facts = FileFacts(source.path, KIND)
    if "set" not in source.text:
        return facts
    if source.path.lower().endswith(".toml"):
        facts.images.extend(_toml_images(source))
    else:
        documents = documents_or_problem(source.text, facts)
        for document in (documents or [])[:1]:
            facts.images.extend(_yaml_images(document, source))
    facts.images.sort(key=lambda ref: ref.span)
    return facts


def _yaml_images(document: yaml.Node, source: SourceFile) -> list[ImageRef]:
    refs: list[ImageRef] = []
    for app, _app_node, spec in iter_mapping(mapping_get(document, "apps")):
        for key in _SET_KEYS:
            pairs = [
                value_overrides.SetValue(name, value, f"apps.{app}.{key}.{name}")
                for name, _name_node, value in iter_mapping(mapping_get(spec, key))
                if isinstance(value, ScalarNode)
            ]
            refs.extend(value_overrides.set_images(pairs, source.path, source.text, kind=KIND, stage=f"app {app}"))
    return refs


_TABLE = re.compile(r"""^[ \t]*\[[ \t]*apps[ \t]*\.[ \t]*(?P<app>"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)[ \t]*\.[ \t]*(?P<key>set|setString)[ \t]*\][ \t]*(?:#.*)?$""")
_OTHER_TABLE = re.compile(r"^[ \t]*\[")
_PAIR = re.compile(
    r"""^[ \t]*(?P<name>"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.-]+)[ \t]*=[ \t]*"""
    r"""(?:"(?P<basic>(?:[^"\\]|\\.)*)"|'(?P<literal>[^']*)'|(?P<bare>[0-9][0-9A-Za-z._+-]*))[ \t]*(?:#.*)?$"""
)


def _toml_images(source: SourceFile) -> list[ImageRef]:
    """The set tables of a TOML desired state, line by line (see the module docstring)."""
    tables: dict[tuple[str, str], list[value_overrides.SetValue]] = {}
    current: list[value_overrides.SetValue] | None = None
    context = ""
    for number, line in enumerate(source.lines):
        table = _TABLE.match(line)
        if table is not None:
            app, key = table.group("app").strip("\"'"), table.group("key")
            current = tables.setdefault((app, key), [])
            context = f"apps.{app}.{key}"
            continue
        if _OTHER_TABLE.match(line):
            current = None
            continue
        if current is None:
            continue
        pair = _PAIR.match(line)
        if pair is None:
            continue
        name = pair.group("name").strip("\"'")
        current.append(value_overrides.SetValue(name, _scalar(pair, number), f"{context}.{name}"))
    refs: list[ImageRef] = []
    for (app, _key), pairs in tables.items():
        refs.extend(value_overrides.set_images(pairs, source.path, source.text, kind=KIND, stage=f"app {app}"))
    return refs


def _scalar(pair: re.Match[str], line0: int) -> ScalarNode:
    """A YAML scalar node standing for a TOML value, its marks where the
    value is written (a quoted one: at its quotes, as YAML's marks are)."""
    for group, style in (("basic", '"'), ("literal", "'"), ("bare", None)):
        value = pair.group(group)
        if value is not None:
            start, end = pair.span(group)
            if style is not None:
                start, end = start - 1, end + 1
            if style == '"':
                value = value.encode("utf-8").decode("unicode_escape") if "\\" in value else value
            return ScalarNode(
                STR_TAG,
                value,
                yaml.Mark("toml", 0, line0, start, None, None),
                yaml.Mark("toml", 0, line0, end, None, None),
                style=style,
            )
    raise AssertionError("a pair has a value")
