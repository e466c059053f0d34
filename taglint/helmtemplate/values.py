"""The values a Helm template works with, and how Go prints and tests them.

Values are plain Python objects: ``dict`` (keys are ``str``), ``list``,
``bool``, ``None`` (Go's nil) and

* :class:`~taglint.helmtemplate.text.Text` for strings,
* :class:`Num` for numbers (values-file numbers are float64, as Helm reads
  values through JSON; template literals keep Go's int or float),
* :class:`Null` for a null or empty values entry (``tag:``, ``tag: ""``):
  nil, but it remembers where it is written,
* :class:`Missing` for a ``.Values`` path the chart's values do not have:
  nil for tests and ``default``, but printed it stays unresolved (the
  value is supplied at install time),
* :class:`Unknown` for what values cannot say (``.Release.Name``,
  ``.Capabilities``, ``lookup``…): conditions on it cannot be decided.
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable

from taglint.helmtemplate.limits import Visits
from taglint.helmtemplate.text import Piece, Source, Text
from taglint.model import Span
from taglint.yamlnodes import go_float_text


class Num:
    __slots__ = ("value", "source", "is_float")

    def __init__(self, value: int | float, source: Source | None = None, is_float: bool | None = None) -> None:
        self.value = value
        self.source = source
        self.is_float = isinstance(value, float) if is_float is None else is_float

    def text(self) -> str:
        if self.is_float:
            return go_float_text(float(self.value))
        return str(int(self.value))

    def __repr__(self) -> str:
        return f"Num({self.text()})"


class Null:
    """A values entry that is null or empty: nil, written at ``source``."""

    __slots__ = ("source", "empty_string")

    def __init__(self, source: Source | None, empty_string: bool = False) -> None:
        self.source = source
        self.empty_string = empty_string

    def __repr__(self) -> str:
        return "Null()"


class Missing:
    """A path the values do not have (``expr`` as the template names it)."""

    __slots__ = ("expr",)

    def __init__(self, expr: str) -> None:
        self.expr = expr

    def __repr__(self) -> str:
        return f"Missing({self.expr})"


class Unknown:
    """A value taglint cannot know; ``expr`` says what it stands for."""

    __slots__ = ("expr",)

    def __init__(self, expr: str) -> None:
        self.expr = expr

    def __repr__(self) -> str:
        return f"Unknown({self.expr})"


class Method:
    """A method of a built-in object (``.Files.Get``)."""

    __slots__ = ("name", "call")

    def __init__(self, name: str, call: Callable[..., Any]) -> None:
        self.name = name
        self.call = call


class Builtin:
    """An object with named fields and methods (``.Files``, ``.Capabilities``…)."""

    def field(self, name: str) -> Any:
        raise NotImplementedError


class ValuesMap(dict):  # type: ignore[type-arg]
    """A mapping from a values file: a key it lacks is :class:`Missing`
    (supplied at install time), not nil.  ``name`` is its ``.Values`` path."""

    __slots__ = ("name",)

    def __init__(self, items: Any = (), name: str = ".Values") -> None:
        super().__init__(items)
        self.name = name


def is_nil(value: Any) -> bool:
    return value is None or type(value) in (Null, Missing)


def truth(value: Any) -> bool | None:
    """Go's ``template.IsTrue``: false, 0, nil and empty strings, lists and
    maps are false.  None when taglint cannot tell."""
    kind = type(value)
    if kind is Text:
        if str(value):
            return True
        return False
    if value is None or kind in (Null, Missing):
        return False
    if kind is bool:
        return bool(value)
    if kind is Num:
        return value.value != 0
    if kind is list or isinstance(value, dict):
        return bool(value)
    if kind is Unknown:
        return None
    return True


def kind_of(value: Any) -> str:
    """Sprig's ``kindOf``."""
    kind = type(value)
    if kind is Text:
        return "string"
    if kind is bool:
        return "bool"
    if kind is Num:
        return "float64" if value.is_float else "int"
    if isinstance(value, dict):
        return "map"
    if kind is list:
        return "slice"
    if kind is Unknown:
        return "unknown"
    if isinstance(value, Builtin):
        return "ptr"
    return "invalid"


def plain(value: Any, visits: Visits) -> Any:
    """A value as plain Python data (for comparisons and JSON)."""
    visits.tick()
    kind = type(value)
    if kind is Text:
        return str(value)
    if kind is Num:
        return value.value
    if isinstance(value, dict):
        return {k: plain(v, visits) for k, v in value.items()}
    if kind is list:
        return [plain(v, visits) for v in value]
    if kind in (Null, Missing) or value is None:
        return None
    return value


def as_text(value: Any, placeholder: Callable[[], Text]) -> Text:
    """How an action prints ``value`` (Helm turns ``<no value>`` into ``""``)."""
    kind = type(value)
    if kind is Text:
        return value  # type: ignore[no-any-return]
    if kind is Num:
        text = value.text()
        source = value.source
        if source is not None and source.written != text:
            source = Source(source.path, source.span, source.name, False, source.written)
        return Text.plain(text, source)
    if kind is bool:
        return Text.plain("true" if value else "false")
    if kind is Null:
        return Text((Piece("", value.source),), value.source)  # a marker: see Text
    if value is None:
        return Text()
    return placeholder()  # Missing, Unknown, maps, lists: not a string taglint can judge


def to_str(value: Any) -> str | None:
    """The string ``value`` prints as, or None when it is not known."""
    kind = type(value)
    if kind is Text:
        return str(value)
    if kind is Num:
        return value.text()  # type: ignore[no-any-return]
    if kind is bool:
        return "true" if value else "false"
    if value is None or kind is Null:
        return ""
    return None


# --------------------------------------------------------------------------
# From the values lookup table (taglint.extract.kubernetes.helm.values_table)

BOOL_TRUE = frozenset({"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"})


def from_table(table: Any, path: str) -> Any:
    """Template values from a values lookup table of the file at ``path``
    (see :func:`taglint.extract.kubernetes.helm.values_table`).  Aliases stay shared
    (a recursive anchor makes a recursive dict)."""
    from taglint.extract.kubernetes.helm import table_scalar

    memo: dict[int, Any] = {}

    def convert(entry: Any, name: str) -> Any:
        kind = type(entry)
        if kind is tuple:
            return _scalar(table_scalar(entry), path, name)
        found = memo.get(id(entry))
        if found is not None:
            return found
        if kind is dict:
            out = ValuesMap(name=name)
            memo[id(entry)] = out
            for key, sub in entry.items():
                if key is not None:
                    out[key] = convert(sub, f"{name}.{key}")
            for merged in entry.get(None, ()):
                for key, value in convert(merged, name).items():
                    out.setdefault(key, value)
            return out
        if kind is list:
            items: list[Any] = []
            memo[id(entry)] = items
            items.extend(convert(sub, f"{name}[{index}]") for index, sub in enumerate(entry))
            return items
        return None

    try:
        return convert(table, ".Values") if table is not None else ValuesMap()
    finally:
        # ``convert`` refers to itself through its closure: without this the
        # function, its memo and every value converted would stay a cycle
        # until a cyclic collection (and the scan pauses the collector).
        del convert


def _scalar(parts: tuple[Any, ...], path: str, name: str) -> Any:
    rendered, span, written, kind = parts
    exact = written is not None and written == rendered
    source = Source(path, span, name, exact, written)
    if kind == "bool":
        return rendered in BOOL_TRUE
    if rendered is None:
        return Null(source, empty_string=written == "")
    if kind == "number":
        try:
            number = float(rendered)
        except ValueError:
            return Text.plain(rendered, source)
        return Num(number, source, True)
    return Text.plain(rendered, source)


def chart_values(info: dict[str, Any], path: str) -> dict[str, Any]:
    """``.Chart`` from ``Chart.yaml`` fields (``extras["helm_chart"]`` form:
    ``name``, ``version``, ``appVersion`` and their ``_span``)."""
    out: dict[str, Any] = {}
    for key, field in (("name", "Name"), ("version", "Version"), ("appVersion", "AppVersion")):
        value = info.get(key)
        if value is None:
            out[field] = None
            continue
        span = info.get(key + "_span") or Span(1, 1, 1, 1)
        written = value
        source = Source(path, span, f"Chart.yaml {key}", True, written)
        out[field] = Text.plain(str(value), source)
    return out


# --------------------------------------------------------------------------
# toYaml

_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_./@:+-][A-Za-z0-9_./@:+ -]*")
_AMBIGUOUS = re.compile(
    r"(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N"
    r"|[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|0[xXoObB][0-9a-fA-F_]+)"
)


def _yaml_string(text: Text) -> Text:
    value = str(text)
    if value and _PLAIN_SAFE.fullmatch(value) and not _AMBIGUOUS.fullmatch(value) and not value.endswith((" ", ":")) and ": " not in value and " #" not in value:
        return text
    quoted = json.dumps(value, ensure_ascii=False)
    if quoted[1:-1] == value:
        return Text((Piece('"'),) + text.pieces + (Piece('"'),))
    return text.derived(quoted)


def to_yaml(value: Any, depth: int = 0) -> Text:
    """``toYaml``: block YAML, keys sorted (as Helm's YAML library writes),
    scalars keeping where they are written."""
    lines: list[Text] = []
    _emit(value, 0, lines, depth, Visits())
    out: list[Piece] = []
    for index, line in enumerate(lines):
        if index:
            out.append(Piece("\n"))
        out.extend(line.pieces)
    return Text(out)


def _scalar_yaml(value: Any) -> Text:
    kind = type(value)
    if kind is Text:
        return _yaml_string(value)
    if kind is Num:
        return as_text(value, lambda: Text.plain("0"))
    if kind is bool:
        return Text.plain("true" if value else "false")
    if value is None or kind in (Null, Missing):
        return Text.plain("null")
    if kind is Unknown:
        return Text((Piece("{{ " + value.expr + " }}", None, (), True),))
    return Text.plain("null")


def _collection(value: Any) -> str | None:
    if isinstance(value, dict):
        return "map"
    if type(value) is list:
        return "list"
    return None


def _inline(value: Any) -> Text:
    """A scalar, or an empty collection, on the line of its key or dash."""
    kind = _collection(value)
    if kind is None:
        return _scalar_yaml(value)
    return Text.plain("{}" if kind == "map" else "[]")


def _emit(value: Any, indent: int, lines: list[Text], depth: int, visits: Visits) -> None:
    visits.tick()
    pad = " " * indent
    if depth > 50:
        lines.append(Text.plain(pad + "null"))
        return
    kind = _collection(value)
    if kind == "map":
        if not value:
            lines.append(Text.plain(pad + "{}"))
            return
        for key in sorted(value):
            visits.tick()
            item = value[key]
            label = Text.plain(f"{pad}{_key(key)}:")
            nested_kind = _collection(item)
            if nested_kind and item:
                lines.append(label)
                _emit(item, indent if nested_kind == "list" else indent + 2, lines, depth + 1, visits)
            else:
                lines.append(label + Text.plain(" ") + _inline(item))
        return
    if kind == "list":
        if not value:
            lines.append(Text.plain(pad + "[]"))
            return
        for item in value:
            visits.tick()
            if _collection(item) and item:
                nested: list[Text] = []
                _emit(item, indent + 2, nested, depth + 1, visits)
                lines.append(Text.plain(pad + "- ") + nested[0].slice(indent + 2))
                lines.extend(nested[1:])
            else:
                lines.append(Text.plain(pad + "- ") + _inline(item))
        return
    lines.append(Text.plain(pad) + _scalar_yaml(value))


def _key(key: str) -> str:
    if _PLAIN_SAFE.fullmatch(key) and not _AMBIGUOUS.fullmatch(key) and ": " not in key and not key.endswith(":"):
        return key
    return json.dumps(key, ensure_ascii=False)
