"""taglint.yamlnodes: loading with positions, spans, merges, walking, line maps."""
from __future__ import annotations

import pytest
import yaml

from taglint import yamlnodes
from taglint.model import Span
from taglint.yamlnodes import (
    TOO_DEEP,
    YamlError,
    format_path,
    iter_mapping,
    load_documents,
    mapping_get,
    node_span,
    scalar_line_map,
    scalar_str,
    walk,
)


def value_at(text: str, *keys: str | int):
    node = load_documents(text)[0]
    for key in keys:
        node = node.value[key] if isinstance(key, int) else mapping_get(node, key)
    return node


def spanned(text: str, span: Span) -> str:
    lines = text.split("\n")
    assert span.line == span.end_line
    return lines[span.line - 1][span.column - 1 : span.end_column - 1]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("image: nginx:1.27\n", "nginx:1.27"),
        ('image: "nginx:1.27"\n', "nginx:1.27"),
        ("image: 'nginx:1.27'\n", "nginx:1.27"),
        ("  image:    nginx   # comment\n", "nginx"),
        ('image: "héllo:1"\n', "héllo:1"),
        ("image: ''\n", ""),
        ('{"image": "nginx"}', "nginx"),
    ],
)
def test_scalar_span_points_at_the_value(text: str, expected: str) -> None:
    doc = load_documents(text)[0]
    node = mapping_get(doc, "image")
    assert scalar_str(node) == expected
    assert spanned(text, node_span(node)) == expected


def test_multi_document_and_empty_documents() -> None:
    docs = load_documents("---\na: 1\n---\n---\nb: 2\n...\n")
    assert [scalar_str(mapping_get(d, "a") or mapping_get(d, "b")) for d in docs if mapping_get(d, "a") or mapping_get(d, "b")] == ["1", "2"]


def test_value_tag_loads() -> None:
    node = value_at("delimiter: =\nimages:\n- name: app\n", "delimiter")
    assert scalar_str(node) == "="


def test_null_is_not_a_string() -> None:
    assert scalar_str(value_at("a: ~\n", "a")) is None
    assert scalar_str(value_at("a:\n", "a")) is None
    assert scalar_str(value_at("a: 'null'\n", "a")) == "null"


@pytest.mark.parametrize(
    "text, line, column",
    [
        ("a: b\n  c: d: e\n", 2, 4),
        ("a: [1, 2\n", 2, 1),
        ("a: 1\n\x01junk\n", 2, 1),
        ("x: 'é'\n\x01", 2, 1),
        ("a: 'unterminated\n", 2, 1),
        ("\tkey: value\n", 1, 1),
    ],
)
def test_errors_are_positioned(text: str, line: int, column: int) -> None:
    with pytest.raises(YamlError) as info:
        load_documents(text)
    assert (info.value.line, info.value.column) == (line, column)
    assert info.value.message


def test_too_deep_is_refused_not_crashed() -> None:
    with pytest.raises(YamlError) as info:
        load_documents("[" * 5000 + "]" * 5000)
    assert info.value.message == TOO_DEEP == "nested deeper than 1000 levels; not parsed"
    assert (info.value.line, info.value.column) == (1, 1001)


def test_moderately_deep_still_loads() -> None:
    assert load_documents("a: " + "[" * 600 + "]" * 600)


# The same refusal whatever parser PyYAML has: libyaml (which, from 0.2.6
# on, also refuses deep nesting itself, in its own words) and the
# pure-Python parser (which has no limit of its own).
LOADERS = [pytest.param(yamlnodes._Loader, id="libyaml" if yamlnodes.C_LOADER else "default"),
           pytest.param(yamlnodes._PyLoader, id="pure-python")]


def _block_mappings(levels: int) -> str:
    return "".join(" " * i + "k:\n" for i in range(levels)) + " " * levels + "v\n"


def _indentless_sequences(levels: int) -> str:
    # Two levels per line: a mapping whose value is a sequence at the same column.
    return "".join("  " * i + "- k:\n" for i in range(levels)) + "  " * levels + "- x\n"


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    "text, where",
    [
        ("[" * 1001 + "]" * 1001, (1, 1001)),
        ("[" * 20_000, (1, 1001)),  # never closed
        ("{a: " * 3000 + "1" + "}" * 3000, (1, 3998)),  # the key `a` of the 1000th mapping
        ("[" * 1000 + "x" + "]" * 1000, (1, 1001)),  # the scalar is the 1001st level
        ("x:\n" + "- " * 5000 + "x\n", None),
        (_block_mappings(1500), None),
        (_indentless_sequences(1200), (500, 1001)),  # libyaml counts this layout as ~half as deep
        (_block_mappings(600)[:-2] + "[" * 600 + "]" * 600 + "\n", (601, 1001)),  # block and flow together
        ("!!seq [" * 1001 + "]" * 1001, None),  # explicit tags: resolve() is never asked
        ("ok: 1\n---\n" + "[" * 1001 + "]" * 1001 + "\n", (3, 1001)),  # in a later document
    ],
    ids=["flow", "unclosed", "flow-mappings", "scalar-at-1001", "block-sequences", "block-mappings",
         "indentless", "block-then-flow", "tagged", "second-document"],
)
def test_too_deep_gives_one_message_on_every_parser(loader: type, text: str, where: tuple[int, int] | None) -> None:
    with pytest.raises(YamlError) as info:
        yamlnodes._compose_documents(text, loader)
    assert info.value.message == TOO_DEEP
    if where is not None:  # where libyaml's own refusal can place it a character off, only the message is fixed
        assert (info.value.line, info.value.column) == where


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    "text",
    [
        "[" * 1000 + "]" * 1000,  # 1000 levels: the limit itself
        "a: " + "[" * 999 + "]" * 999,
        _block_mappings(998),
        "a: &a [x]\nb: " + "[" * 998 + "*a" + "]" * 998,  # an alias is not expanded while composing
    ],
    ids=["flow-1000", "under-a-key", "block-998", "alias"],
)
def test_up_to_the_limit_loads_on_every_parser(loader: type, text: str) -> None:
    assert yamlnodes._compose_documents(text, loader)


def test_libyaml_refusal_is_told_in_taglints_words() -> None:
    """libyaml >= 0.2.6's own wording (a ScannerError) becomes TOO_DEEP,
    whatever libyaml this machine has."""
    mark = yaml.Mark("<unicode string>", 0, 4, 1000, None, None)
    error = yaml.scanner.ScannerError("while increasing flow level", mark, "exceeded maximum nesting depth", mark)
    converted = yamlnodes._marked_error(error, "")
    assert (converted.line, converted.column, converted.message) == (5, 1001, TOO_DEEP)


def test_depth_guard_costs_no_second_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """A large file with many flow collections is composed once: the event
    stream is read again only for a file that is refused."""
    def no_event_stream(*args: object, **kwargs: object) -> None:
        raise AssertionError("the text was parsed a second time")

    monkeypatch.setattr(yaml, "parse", no_event_stream)
    text = "".join(f"- {{name: c{i}, args: [a, b, {{k: [v]}}], env: [{{name: A, value: '1'}}]}}\n" for i in range(2000))
    assert len(load_documents(text)[0].value) == 2000
    with pytest.raises(AssertionError, match="second time"):  # refused by taglint's count: placed on the events
        load_documents(_indentless_sequences(1200))


def test_merge_keys_and_own_keys_win() -> None:
    text = "x: &base\n  image: a\n  build: .\ny: &other\n  image: b\n  extra: 1\ns:\n  <<: [*base, *other]\n  build: here\n"
    s = value_at(text, "s")
    assert {k: scalar_str(v) for k, _, v in iter_mapping(s)} == {"build": "here", "image": "a", "extra": "1"}
    assert scalar_str(mapping_get(s, "image")) == "a"
    assert node_span(mapping_get(s, "image")).line == 2


def test_recursive_merge_terminates() -> None:
    doc = load_documents("a: &a\n  k: 1\n  <<: *a\n")[0]
    assert scalar_str(mapping_get(mapping_get(doc, "a"), "k")) == "1"
    assert mapping_get(mapping_get(doc, "a"), "missing") is None


def test_walk_paths_and_shared_nodes() -> None:
    doc = load_documents("a: &x {image: n}\nb: *x\nc:\n- image: m\n")[0]
    paths = [format_path(p) for p, n in walk(doc) if scalar_str(n) in ("n", "m")]
    assert paths == ["a.image", "c[0].image"]


def test_walk_survives_alias_bomb_and_cycles() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 30):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    doc = load_documents("\n".join(lines) + "\n")[0]
    assert sum(1 for _ in walk(doc)) < 2000
    cyclic = load_documents("&a [*a, 1]")[0]
    assert sum(1 for _ in walk(cyclic)) < 10
    assert sum(1 for _ in walk(doc, max_nodes=5)) == 5


def test_format_path_quotes_odd_keys() -> None:
    assert format_path(("spec", "containers", 0, "image")) == "spec.containers[0].image"
    assert format_path(("metadata", "a b")) == 'metadata."a b"'


def _positions(text: str, key: str) -> tuple[str, object]:
    node = value_at(text, key)
    return str(node.value), scalar_line_map(node, text)


def test_line_map_literal_block() -> None:
    text = "run: |\n  docker build -t a .\n    docker push a\n\n  echo done\nnext: 1\n"
    value, at = _positions(text, "run")
    lines = text.split("\n")
    for needle in ("docker build", "docker push", "echo done", "-t a"):
        line, column = at(value.index(needle))
        assert lines[line - 1][column - 1 :].startswith(needle)


def test_line_map_folded_and_plain_and_quoted() -> None:
    text = "a: >-\n  one two\n  three\nb: plain words\n   continue here\nc: \"q1\n   q2 \\t q3\"\nd: 'x\n  y'\n"
    lines = text.split("\n")
    for key, needles in {"a": ["one", "three"], "b": ["words", "continue"], "c": ["q1", "q2", "q3"], "d": ["x", "y"]}.items():
        value, at = _positions(text, key)
        for needle in needles:
            line, column = at(value.index(needle))
            assert lines[line - 1][column - 1 :].startswith(needle), (key, needle)


def test_line_map_crlf_and_indentation_indicator() -> None:
    text = "run: |2\r\n    indented\r\n  back\r\n"
    value, at = _positions(text, "run")
    assert value == "  indented\nback\n"
    assert at(value.index("indented")) == (2, 5)
    assert at(value.index("back")) == (3, 3)


def test_block_scalar_span_with_text() -> None:
    text = "image: >-\n  nginx:1.2\nx: 1\n"
    node = value_at(text, "image")
    assert node_span(node, text) == Span(2, 3, 2, 12)


def test_line_map_block_with_whitespace_only_lines_and_tabs() -> None:
    text = "steps:\n  - run: |-\n      echo one\n        \n      \tdocker push a:1\n      echo two\n"
    node = mapping_get(value_at(text, "steps").value[0], "run")
    value = str(node.value)
    at = scalar_line_map(node, text)
    lines = text.split("\n")
    for needle in ("echo one", "docker push", "echo two"):
        line, column = at(value.index(needle))
        assert lines[line - 1][column - 1 :].startswith(needle), needle


def test_tags_match_the_safe_loader() -> None:
    import yaml

    text = "a: 1\nb: '1'\nc: 1.5\nd: ~\ne: \"\"\nf: yes\ng: !!str 2\nh: 2024-01-01\ni: =\nj: <<\nk: ! x\nl:\n"
    ours = load_documents(text)[0]
    theirs = yaml.compose(text, Loader=yaml.SafeLoader)
    assert [(k.tag, v.tag) for k, v in ours.value] == [(k.tag, v.tag) for k, v in theirs.value]
