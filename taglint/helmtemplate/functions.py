"""Go template built-ins and the Sprig/Helm functions charts use.

Each function takes the call (:class:`~taglint.helmtemplate.render.Call_`)
and its evaluated arguments.  String functions keep the pieces of their
input where they keep its characters (``trimPrefix``, ``printf``,
``quote``…), so a rendered reference still knows where each part is
written.  A function given an :class:`Unknown` argument it needs returns
an unknown value; a function taglint does not know, or a call Helm would
reject, renders as unknown too (see ``Renderer.call_function``).
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable

from taglint.helmtemplate.limits import MAX_RANGE, RenderError, Visits
from taglint.helmtemplate.render import Call_
from taglint.helmtemplate.text import Piece, Text, concat, replacing
from taglint.helmtemplate.values import (
    Missing,
    Null,
    Num,
    Unknown,
    ValuesMap,
    as_text,
    is_nil,
    kind_of,
    plain,
    to_str,
    to_yaml,
    truth,
)

FUNCTIONS: dict[str, Callable[..., Any]] = {}


def _register(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        for name in names:
            FUNCTIONS[name] = function
        return function

    return decorate


class _Unknowable(Exception):
    """An argument is unknown: the call's result is unknown."""


def _text(value: Any) -> Text:
    """A string argument (numbers and booleans print as Go prints them)."""
    kind = type(value)
    if kind is Text:
        return value  # type: ignore[no-any-return]
    if kind is Missing:
        return Text((Piece("{{ " + value.expr + " }}", None, (), True),))
    if kind is Unknown:
        raise _Unknowable()
    text = as_text(value, lambda: Text())
    if not text.pieces and to_str(value) is None:
        raise _Unknowable()
    return text


def _known(*values: Any) -> None:
    if any(type(v) is Unknown for v in values):
        raise _Unknowable()


def _unknown_safe(function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(call: Call_, *args: Any) -> Any:
        try:
            return function(call, *args)
        except _Unknowable:
            return call.unknown()

    wrapper.__name__ = function.__name__
    return wrapper


def register(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        return _register(*names)(_unknown_safe(function))

    return decorate


def _placeholder(value: Any) -> Text:
    expr = getattr(value, "expr", "?")
    return Text((Piece("{{ " + expr + " }}", None, (), True),))


# --------------------------------------------------------------------------
# Logic and comparisons


def _junction(call: Call_, args: tuple[Any, ...], stop: bool) -> Any:
    """``and`` (``stop`` False) / ``or`` (True): the first argument whose
    truth is ``stop``, else the last.  When the result depends on
    arguments taglint cannot decide, it is unknown; with one such
    argument, that argument itself (so a condition names what it depends on)."""
    undecided: list[Any] = []
    value: Any = None
    for value in args:
        decided = truth(value)
        if decided is stop:
            return value
        if decided is None:
            undecided.append(value)
    if not undecided:
        return value
    return undecided[0] if len(undecided) == 1 else call.unknown()


@_register("and")
def _and(call: Call_, *args: Any) -> Any:
    return _junction(call, args, False)


@_register("or")
def _or(call: Call_, *args: Any) -> Any:
    return _junction(call, args, True)


@register("not")
def _not(call: Call_, value: Any) -> Any:
    decided = truth(value)
    if decided is None:
        raise _Unknowable()
    return not decided


def _comparable(value: Any) -> Any:
    _known(value)
    kind = type(value)
    if kind is Num:
        return float(value.value)
    if kind is Text:
        return str(value)
    if is_nil(value):
        return None
    return plain(value, Visits())


@register("eq")
def _eq(call: Call_, first: Any, *others: Any) -> Any:
    left = _comparable(first)
    return any(left == _comparable(other) for other in others)


@register("ne")
def _ne(call: Call_, left: Any, right: Any) -> Any:
    return _comparable(left) != _comparable(right)


def _ordered(op: Callable[[Any, Any], bool]) -> Callable[..., Any]:
    def compare(call: Call_, left: Any, right: Any) -> Any:
        a, b = _comparable(left), _comparable(right)
        if a is None or b is None or type(a) is not type(b):
            raise _Unknowable()
        return op(a, b)

    return compare


FUNCTIONS["lt"] = _unknown_safe(_ordered(lambda a, b: a < b))
FUNCTIONS["le"] = _unknown_safe(_ordered(lambda a, b: a <= b))
FUNCTIONS["gt"] = _unknown_safe(_ordered(lambda a, b: a > b))
FUNCTIONS["ge"] = _unknown_safe(_ordered(lambda a, b: a >= b))


def _empty(value: Any) -> bool | None:
    decided = truth(value)
    return None if decided is None else not decided


@register("default")
def _default(call: Call_, fallback: Any, *given: Any) -> Any:
    """``default D X``: X unless it is empty.  The result remembers the
    empty value it replaced (its ``origin``), so a finding about it can be
    reported where the chart's user would set it."""
    if not given:
        return fallback
    value = given[0]
    empty = _empty(value)
    if empty is None:
        raise _Unknowable()
    if not empty:
        return value
    replaced = value.source if type(value) is Null else (value.origin if type(value) is Text else None)
    if replaced is not None and replaced.is_values:
        if type(fallback) is Text:
            return replacing(fallback, replaced)
        if is_nil(fallback) and type(fallback) is not Missing:
            return Text((Piece("", None, replaces=replaced),), replaced)  # nothing, set there
    return fallback


@register("empty")
def _empty_function(call: Call_, value: Any) -> Any:
    empty = _empty(value)
    if empty is None:
        raise _Unknowable()
    return empty


@register("coalesce")
def _coalesce(call: Call_, *values: Any) -> Any:
    for value in values:
        decided = truth(value)
        if decided is None:
            raise _Unknowable()
        if decided:
            return value
    return None


@register("ternary")
def _ternary(call: Call_, yes: Any, no: Any, condition: Any) -> Any:
    decided = truth(condition)
    if decided is None:
        raise _Unknowable()
    return yes if decided else no


@register("required")
def _required(call: Call_, message: Any, value: Any) -> Any:
    return value


@register("fail")
def _fail(call: Call_, *args: Any) -> Any:
    return Text()


# --------------------------------------------------------------------------
# Strings


@register("quote")
def _quote(call: Call_, *values: Any) -> Any:
    parts = []
    for value in values:
        if is_nil(value) and type(value) is not Missing:
            continue  # Sprig: nil arguments are dropped
        text = _text(value)
        parts.append(Text((Piece('"'),) + text.pieces + (Piece('"'),)))
    return _join_space(parts)


@register("squote")
def _squote(call: Call_, *values: Any) -> Any:
    parts = []
    for value in values:
        if is_nil(value) and type(value) is not Missing:
            continue
        text = _text(value)
        parts.append(Text((Piece("'"),) + text.pieces + (Piece("'"),)))
    return _join_space(parts)


def _join_space(parts: list[Text]) -> Text:
    out: list[Text] = []
    for index, part in enumerate(parts):
        if index:
            out.append(Text.plain(" "))
        out.append(part)
    return concat(out)


@register("toString")
def _to_string(call: Call_, value: Any) -> Any:
    if is_nil(value) and type(value) is not Missing:
        return as_text(value, Text)  # an empty values entry keeps its place
    return _text(value)


@register("print")
def _print(call: Call_, *values: Any) -> Any:
    # fmt.Sprint: a space between operands when neither is a string.
    out: list[Text] = []
    previous_string = True
    for index, value in enumerate(values):
        is_string = type(value) is Text
        if index and not is_string and not previous_string:
            out.append(Text.plain(" "))
        out.append(_text(value) if not is_nil(value) or type(value) is Missing else Text.plain("<nil>"))
        previous_string = is_string
    return concat(out)


@register("println")
def _println(call: Call_, *values: Any) -> Any:
    return _join_space([_text(v) for v in values]) + Text.plain("\n")


_VERB = re.compile(r"%([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*))?([a-zA-Z%])")


@register("printf")
def _printf(call: Call_, format_value: Any, *args: Any) -> Any:
    form = _text(format_value)
    value = str(form)
    out: list[Text] = []
    position = 0
    index = 0
    for match in _VERB.finditer(value):
        out.append(form.slice(position, match.start()))
        position = match.end()
        verb = match.group(4)
        if verb == "%":
            out.append(form.slice(match.start() + 1, match.end()))
            continue
        if index >= len(args):
            out.append(Text.plain(f"%!{verb}(MISSING)"))
            continue
        arg = args[index]
        index += 1
        out.append(_format(verb, arg, match.group(1), match.group(2)))
    out.append(form.slice(position))
    return concat(out)


def _format(verb: str, arg: Any, flags: str, width: str | None) -> Text:
    kind = type(arg)
    if kind in (Missing, Unknown):
        return _placeholder(arg)
    if verb in ("s", "v"):
        if is_nil(arg):
            return Text.plain("%!s(<nil>)" if verb == "s" else "<nil>")
        text = _text(arg) if kind is not list and not isinstance(arg, dict) else _placeholder(Unknown("printf value"))
    elif verb == "d":
        if kind is not Num:
            raise _Unknowable()
        text = as_text(Num(int(arg.value), arg.source, False), Text)
    elif verb == "q":
        text = _text(arg)
        return text.derived(json.dumps(str(text), ensure_ascii=False))
    elif verb == "t":
        text = Text.plain("true" if truth(arg) else "false")
    elif verb in ("f", "g", "e"):
        if kind is not Num:
            raise _Unknowable()
        text = Text.plain(("%" + verb) % float(arg.value))
    else:
        raise _Unknowable()
    if width and width != "*" and len(text) < int(width):
        pad = Text.plain(" " * (int(width) - len(text)))
        text = text + pad if "-" in flags else pad + text
    return text


@register("trim")
def _trim(call: Call_, value: Any) -> Any:
    text = _text(value)
    s = str(text)
    start = len(s) - len(s.lstrip())
    return text.slice(start, len(s.rstrip()))


@register("trimAll")
def _trim_all(call: Call_, cutset: Any, value: Any) -> Any:
    text = _text(value)
    chars = str(_text(cutset))
    s = str(text)
    start = len(s) - len(s.lstrip(chars))
    return text.slice(start, len(s.rstrip(chars)))


@register("trimPrefix")
def _trim_prefix(call: Call_, prefix: Any, value: Any) -> Any:
    text = _text(value)
    p = str(_text(prefix))
    return text.slice(len(p)) if p and str(text).startswith(p) else text


@register("trimSuffix")
def _trim_suffix(call: Call_, suffix: Any, value: Any) -> Any:
    text = _text(value)
    p = str(_text(suffix))
    return text.slice(0, len(text) - len(p)) if p and str(text).endswith(p) else text


@register("replace")
def _replace(call: Call_, old: Any, new: Any, value: Any) -> Any:
    text = _text(value)
    o, n = str(_text(old)), _text(new)
    s = str(text)
    if not o or o not in s:
        return text
    parts: list[Text] = []
    for piece in _pieces_between(text, o):
        parts.extend((piece, n))
    return concat(parts[:-1])


def _pieces_between(text: Text, separator: str) -> list[Text]:
    """The slices of ``text`` between the occurrences of a non-empty ``separator``."""
    s = str(text)
    out: list[Text] = []
    position = 0
    while (found := s.find(separator, position)) >= 0:
        out.append(text.slice(position, found))
        position = found + len(separator)
    out.append(text.slice(position))
    return out


def _mapped(function: Callable[[str], str]) -> Callable[..., Any]:
    def apply(call: Call_, value: Any) -> Any:
        text = _text(value)
        return text.derived(function(str(text)))

    return apply


for _name, _function in {
    "lower": str.lower,
    "upper": str.upper,
    "title": str.title,
    "nospace": lambda s: re.sub(r"\s", "", s),
    "kebabcase": lambda s: re.sub(r"(?<!^)(?=[A-Z])", "-", s).lower().replace("_", "-"),
    "snakecase": lambda s: re.sub(r"(?<!^)(?=[A-Z])", "_", s).lower().replace("-", "_"),
    "b64enc": lambda s: __import__("base64").b64encode(s.encode()).decode(),
    "b64dec": lambda s: __import__("base64").b64decode(s.encode()).decode("utf-8", "replace"),
    "sha256sum": lambda s: __import__("hashlib").sha256(s.encode()).hexdigest(),
    "sha1sum": lambda s: __import__("hashlib").sha1(s.encode()).hexdigest(),
    "adler32sum": lambda s: str(__import__("zlib").adler32(s.encode())),
}.items():
    FUNCTIONS[_name] = _unknown_safe(_mapped(_function))


@register("trunc")
def _trunc(call: Call_, size: Any, value: Any) -> Any:
    text = _text(value)
    if type(size) is not Num:
        raise _Unknowable()
    n = int(size.value)
    return text.slice(0, n) if n >= 0 else text.slice(max(0, len(text) + n))


@register("substr")
def _substr(call: Call_, start: Any, end: Any, value: Any) -> Any:
    text = _text(value)
    if type(start) is not Num or type(end) is not Num:
        raise _Unknowable()
    a, b = int(start.value), int(end.value)
    if a < 0:
        return text.slice(0, b)
    if b < 0 or b > len(text):
        return text.slice(a)
    return text.slice(a, b)


def _indented(value: Any, size: Any, newline: bool) -> Text:
    text = _text(value)
    if type(size) is not Num:
        raise _Unknowable()
    pad = Text.plain(" " * int(size.value))
    s = str(text)
    parts: list[Text] = [Text.plain("\n")] if newline else []
    position = 0
    parts.append(pad)
    while True:
        found = s.find("\n", position)
        if found < 0:
            break
        parts.append(text.slice(position, found + 1))
        parts.append(pad)
        position = found + 1
    parts.append(text.slice(position))
    return concat(parts)


@register("indent")
def _indent(call: Call_, size: Any, value: Any) -> Any:
    return _indented(value, size, False)


@register("nindent")
def _nindent(call: Call_, size: Any, value: Any) -> Any:
    return _indented(value, size, True)


@register("contains")
def _contains(call: Call_, part: Any, value: Any) -> Any:
    return str(_text(part)) in str(_text(value))


@register("hasPrefix")
def _has_prefix(call: Call_, prefix: Any, value: Any) -> Any:
    return str(_text(value)).startswith(str(_text(prefix)))


@register("hasSuffix")
def _has_suffix(call: Call_, suffix: Any, value: Any) -> Any:
    return str(_text(value)).endswith(str(_text(suffix)))


@register("cat")
def _cat(call: Call_, *values: Any) -> Any:
    return _join_space([_text(v) for v in values if not (is_nil(v) and type(v) is not Missing)])


@register("repeat")
def _repeat(call: Call_, count: Any, value: Any) -> Any:
    if type(count) is not Num:
        raise _Unknowable()
    return concat([_text(value)] * max(0, min(int(count.value), 1000)))


@register("splitList")
def _split_list(call: Call_, separator: Any, value: Any) -> Any:
    text = _text(value)
    sep = str(_text(separator))
    s = str(text)
    if not sep:
        return [text.slice(i, i + 1) for i in range(len(s))]
    return list(_pieces_between(text, sep))


@register("split")
def _split(call: Call_, separator: Any, value: Any) -> Any:
    return {f"_{i}": part for i, part in enumerate(_split_list(call, separator, value))}


@register("join")
def _join(call: Call_, separator: Any, values: Any) -> Any:
    _known(values)
    if type(values) is not list:
        return _text(values)
    sep = _text(separator)
    out: list[Text] = []
    for index, value in enumerate(values):
        if index:
            out.append(sep)
        out.append(_text(value))
    return concat(out)


@register("regexReplaceAll", "regexReplaceAllLiteral")
def _regex_replace(call: Call_, pattern: Any, value: Any, replacement: Any) -> Any:
    text = _text(value)
    new = re.sub(_go_regex(str(_text(pattern))), _go_replacement(str(_text(replacement))), str(text))
    return text.derived(new)


@register("regexMatch")
def _regex_match(call: Call_, pattern: Any, value: Any) -> Any:
    return re.search(_go_regex(str(_text(pattern))), str(_text(value))) is not None


@register("regexFind")
def _regex_find(call: Call_, pattern: Any, value: Any) -> Any:
    text = _text(value)
    found = re.search(_go_regex(str(_text(pattern))), str(text))
    return text.slice(found.start(), found.end()) if found else Text()


def _go_regex(pattern: str) -> str:
    return re.sub(r"\(\?P<", "(?P<", pattern)


def _go_replacement(replacement: str) -> str:
    return re.sub(r"\$\{?(\w+)\}?", r"\\g<\1>", replacement.replace("\\", "\\\\"))


@register("toYaml", "mustToYaml", "toYamlPretty")
def _to_yaml(call: Call_, value: Any) -> Any:
    if type(value) is Unknown:
        raise _Unknowable()
    if is_nil(value):
        return Text.plain("null")
    return to_yaml(value)


@register("toJson", "mustToJson", "toRawJson", "mustToRawJson", "toPrettyJson")
def _to_json(call: Call_, value: Any) -> Any:
    _known(value)
    if type(value) is Text:
        return value.derived(json.dumps(str(value)))
    return Text.plain(json.dumps(plain(value, Visits()), sort_keys=True, separators=(",", ":")))


# --------------------------------------------------------------------------
# Collections


@register("dict")
def _dict(call: Call_, *pairs: Any) -> Any:
    out: dict[str, Any] = {}
    for index in range(0, len(pairs), 2):
        key = to_str(pairs[index])
        if key is None:
            raise _Unknowable()
        out[key] = pairs[index + 1] if index + 1 < len(pairs) else None
    return out


@register("list", "tuple")
def _list(call: Call_, *values: Any) -> Any:
    return list(values)


@register("get")
def _get(call: Call_, mapping: Any, key: Any) -> Any:
    _known(mapping)
    name = to_str(key)
    if name is None:
        raise _Unknowable()
    if isinstance(mapping, dict):
        if name in mapping:
            return mapping[name]
        return Missing(f"{mapping.name}.{name}") if type(mapping) is ValuesMap else Text()
    return Text()


@register("set")
def _set(call: Call_, mapping: Any, key: Any, value: Any) -> Any:
    _known(mapping)
    name = to_str(key)
    if name is None or not isinstance(mapping, dict):
        raise _Unknowable()
    mapping[name] = value
    return mapping


@register("unset")
def _unset(call: Call_, mapping: Any, key: Any) -> Any:
    _known(mapping)
    name = to_str(key)
    if isinstance(mapping, dict) and name is not None:
        mapping.pop(name, None)
    return mapping


@register("hasKey")
def _has_key(call: Call_, mapping: Any, key: Any) -> Any:
    _known(mapping)
    name = to_str(key)
    if name is None:
        raise _Unknowable()
    return isinstance(mapping, dict) and name in mapping


@register("keys")
def _keys(call: Call_, *mappings: Any) -> Any:
    out: list[Any] = []
    for mapping in mappings:
        _known(mapping)
        if isinstance(mapping, dict):
            out.extend(Text.plain(k) for k in mapping)
    return out


@register("values")
def _values(call: Call_, mapping: Any) -> Any:
    _known(mapping)
    return list(mapping.values()) if isinstance(mapping, dict) else []


@register("pluck")
def _pluck(call: Call_, key: Any, *mappings: Any) -> Any:
    name = to_str(key)
    return [m[name] for m in mappings if isinstance(m, dict) and name in m]


@register("pick")
def _pick(call: Call_, mapping: Any, *keys: Any) -> Any:
    _known(mapping)
    names = {to_str(k) for k in keys}
    return {k: v for k, v in mapping.items() if k in names} if isinstance(mapping, dict) else {}


@register("omit")
def _omit(call: Call_, mapping: Any, *keys: Any) -> Any:
    _known(mapping)
    names = {to_str(k) for k in keys}
    return {k: v for k, v in mapping.items() if k not in names} if isinstance(mapping, dict) else {}


def _merge_into(target: dict[str, Any], source: Any, overwrite: bool, visits: Visits, depth: int = 0) -> None:
    if not isinstance(source, dict) or depth > 50:
        return
    for key, value in source.items():
        visits.tick()
        if key in target and isinstance(target[key], dict) and isinstance(value, dict):
            _merge_into(target[key], value, overwrite, visits, depth + 1)
        elif key not in target or (overwrite and not (is_nil(value) and type(value) is not Missing)):
            target[key] = value
        elif not overwrite and is_nil(target[key]):
            target[key] = value


def _merged(target: Any, sources: tuple[Any, ...], overwrite: bool) -> Any:
    _known(target, *sources)
    if not isinstance(target, dict):
        raise _Unknowable()
    visits = Visits()
    for source in sources:
        _merge_into(target, source, overwrite, visits)
    return target


@register("merge", "mustMerge")
def _merge(call: Call_, target: Any, *sources: Any) -> Any:
    return _merged(target, sources, overwrite=False)


@register("mergeOverwrite", "mustMergeOverwrite")
def _merge_overwrite(call: Call_, target: Any, *sources: Any) -> Any:
    return _merged(target, sources, overwrite=True)


@register("deepCopy", "mustDeepCopy")
def _deep_copy(call: Call_, value: Any) -> Any:
    return _copy(value, 0, Visits())


def _copy(value: Any, depth: int, visits: Visits) -> Any:
    visits.tick()
    if depth > 50:
        return value
    if isinstance(value, dict):
        copied = ValuesMap(name=value.name) if type(value) is ValuesMap else {}
        copied.update((k, _copy(v, depth + 1, visits)) for k, v in value.items())
        return copied
    if type(value) is list:
        return [_copy(v, depth + 1, visits) for v in value]
    return value


@register("index")
def _index(call: Call_, value: Any, *keys: Any) -> Any:
    for key in keys:
        _known(value, key)
        if isinstance(value, dict):
            name = to_str(key)
            if name is None:
                raise _Unknowable()
            value = value[name] if name in value else (Missing(f"{value.name}.{name}") if type(value) is ValuesMap else None)
        elif type(value) is list:
            if type(key) is not Num:
                raise _Unknowable()
            position = int(key.value)
            if not 0 <= position < len(value):
                raise _Unknowable()
            value = value[position]
        elif type(value) is Missing:
            return Missing(f"{value.expr}[{to_str(key)}]")
        else:
            raise _Unknowable()
    return value


@register("first", "mustFirst")
def _first(call: Call_, values: Any) -> Any:
    _known(values)
    return values[0] if type(values) is list and values else None


@register("last", "mustLast")
def _last(call: Call_, values: Any) -> Any:
    _known(values)
    return values[-1] if type(values) is list and values else None


@register("rest", "mustRest")
def _rest(call: Call_, values: Any) -> Any:
    _known(values)
    return values[1:] if type(values) is list else []


@register("initial", "mustInitial")
def _initial(call: Call_, values: Any) -> Any:
    _known(values)
    return values[:-1] if type(values) is list else []


@register("append", "push", "mustAppend", "mustPush")
def _append(call: Call_, values: Any, value: Any) -> Any:
    _known(values)
    return (list(values) if type(values) is list else []) + [value]


@register("prepend", "mustPrepend")
def _prepend(call: Call_, values: Any, value: Any) -> Any:
    _known(values)
    return [value] + (list(values) if type(values) is list else [])


@register("concat")
def _concat(call: Call_, *lists: Any) -> Any:
    out: list[Any] = []
    for values in lists:
        _known(values)
        if type(values) is list:
            out.extend(values)
    return out


@register("has", "mustHas")
def _has(call: Call_, needle: Any, values: Any) -> Any:
    _known(values, needle)
    wanted = _comparable(needle)
    return type(values) is list and any(_comparable(v) == wanted for v in values)


@register("without", "mustWithout")
def _without(call: Call_, values: Any, *drop: Any) -> Any:
    _known(values)
    dropped = [_comparable(d) for d in drop]
    return [v for v in values if _comparable(v) not in dropped] if type(values) is list else []


@register("uniq", "mustUniq")
def _uniq(call: Call_, values: Any) -> Any:
    _known(values)
    out: list[Any] = []
    seen: list[Any] = []
    for value in values if type(values) is list else []:
        key = _comparable(value)
        if key not in seen:
            seen.append(key)
            out.append(value)
    return out


@register("compact", "mustCompact")
def _compact(call: Call_, values: Any) -> Any:
    _known(values)
    return [v for v in values if truth(v)] if type(values) is list else []


@register("sortAlpha")
def _sort_alpha(call: Call_, values: Any) -> Any:
    _known(values)
    if type(values) is not list:
        return []
    return sorted(values, key=lambda v: to_str(v) or "")


@register("len")
def _len(call: Call_, value: Any) -> Any:
    _known(value)
    if type(value) in (Text, list) or isinstance(value, dict):
        return Num(len(value))
    if is_nil(value):
        return Num(0)
    raise _Unknowable()


@register("until")
def _until(call: Call_, count: Any) -> Any:
    _known(count)
    if type(count) is not Num:
        raise _Unknowable()
    return [Num(i) for i in range(max(0, min(int(count.value), MAX_RANGE)))]


@register("untilStep")
def _until_step(call: Call_, start: Any, stop: Any, step: Any) -> Any:
    _known(start, stop, step)
    if not all(type(v) is Num for v in (start, stop, step)) or int(step.value) == 0:
        raise _Unknowable()
    return [Num(i) for i in range(int(start.value), int(stop.value), int(step.value))[:MAX_RANGE]]


@register("dig")
def _dig(call: Call_, *args: Any) -> Any:
    if len(args) < 3:
        raise _Unknowable()
    *keys, fallback, mapping = args
    value = mapping
    for key in keys:
        _known(value)
        name = to_str(key)
        if not isinstance(value, dict) or name not in value:
            return fallback
        value = value[name]
    return value


# --------------------------------------------------------------------------
# Numbers and types


def _number(value: Any) -> float:
    _known(value)
    if type(value) is Num:
        return float(value.value)
    if is_nil(value):
        return 0.0
    text = to_str(value)
    try:
        return float(text) if text else 0.0
    except ValueError:
        return 0.0


@register("int", "int64", "atoi")
def _int(call: Call_, value: Any) -> Any:
    return Num(int(_number(value)))


@register("float64")
def _float(call: Call_, value: Any) -> Any:
    return Num(_number(value), None, True)


def _arithmetic(op: Callable[[int, int], int]) -> Callable[..., Any]:
    def apply(call: Call_, *values: Any) -> Any:
        numbers = [int(_number(v)) for v in values]
        result = numbers[0]
        for number in numbers[1:]:
            result = op(result, number)
        return Num(result)

    return apply


FUNCTIONS["add"] = _unknown_safe(_arithmetic(lambda a, b: a + b))
FUNCTIONS["sub"] = _unknown_safe(_arithmetic(lambda a, b: a - b))
FUNCTIONS["mul"] = _unknown_safe(_arithmetic(lambda a, b: a * b))
FUNCTIONS["div"] = _unknown_safe(_arithmetic(lambda a, b: a // b if b else 0))
FUNCTIONS["mod"] = _unknown_safe(_arithmetic(lambda a, b: a % b if b else 0))
FUNCTIONS["max"] = _unknown_safe(_arithmetic(max))
FUNCTIONS["min"] = _unknown_safe(_arithmetic(min))


@register("add1")
def _add1(call: Call_, value: Any) -> Any:
    return Num(int(_number(value)) + 1)


@register("kindOf", "typeOf")
def _kind_of(call: Call_, value: Any) -> Any:
    _known(value)
    return Text.plain(kind_of(value))


@register("kindIs")
def _kind_is(call: Call_, kind: Any, value: Any) -> Any:
    _known(value)
    wanted = str(_text(kind))
    actual = kind_of(value)
    return actual == wanted or (wanted in ("int", "int64", "float64") and actual in ("int", "float64") and wanted == actual)


@register("typeIs")
def _type_is(call: Call_, kind: Any, value: Any) -> Any:
    _known(value)
    wanted = str(_text(kind))
    actual = {"map": "map[string]interface {}", "slice": "[]interface {}"}.get(kind_of(value), kind_of(value))
    return actual == wanted


@register("deepEqual")
def _deep_equal(call: Call_, a: Any, b: Any) -> Any:
    _known(a, b)
    visits = Visits()
    return plain(a, visits) == plain(b, visits)


# --------------------------------------------------------------------------
# Helm


@_register("include")
def _include(call: Call_, name: Any, dot: Any = None) -> Any:
    template = to_str(name)
    if template is None:
        return call.unknown()
    result = call.renderer.include(template, dot)
    return call.unknown() if result is None else result


@_register("tpl")
def _tpl(call: Call_, template: Any, dot: Any) -> Any:
    if type(template) is not Text:
        return call.unknown() if type(template) is Unknown else Text()
    try:
        return call.renderer.tpl(template, dot, call.frame.template)
    except RenderError:
        raise
    except Exception:  # noqa: BLE001 - a string that does not parse: unknown
        return call.unknown()


# What depends on the cluster, the release or the clock: never known.
for _name in (
    "lookup", "now", "date", "dateInZone", "randAlphaNum", "randAlpha", "randNumeric", "randAscii", "uuidv4",
    "genCA", "genSelfSignedCert", "genSignedCert", "genPrivateKey", "derivePassword", "htpasswd", "env", "expandenv",
    "fromYaml", "fromYamlArray", "fromJson", "fromJsonArray", "semverCompare", "semver", "getHostByName",
):
    FUNCTIONS[_name] = lambda call, *args: call.unknown()
