"""The Helm template evaluator: parsing, Helm's truthiness on default
values, named templates, functions, undecided conditions, and where each
output character is written."""
from __future__ import annotations

from typing import Any

import pytest

from taglint.extract.kubernetes.helm import values_table
from taglint.helmtemplate.functions import FUNCTIONS
from taglint.helmtemplate.lines import image_lines, output_lines
from taglint.helmtemplate.parse import Action, Branch, TemplateSyntaxError, parse
from taglint.helmtemplate.limits import MAX_DEPTH, RenderError
from taglint.helmtemplate.render import Renderer, Template
from taglint.helmtemplate.text import Source, Text
from taglint.helmtemplate.values import Missing, Null, Num, Unknown, from_table, to_yaml, truth
from taglint.model import Span
from taglint.yamlnodes import load_documents

TEMPLATE_PATH = "chart/templates/t.yaml"


def _values(text: str) -> Any:
    documents = load_documents(text)
    return from_table(values_table(documents[0] if documents else None, text), "chart/values.yaml")


def _root(values: str = "", app_version: str | None = "1.4.2", **extra: Any) -> dict[str, Any]:
    chart: dict[str, Any] = {"Name": Text.plain("web")}
    chart["AppVersion"] = (
        Text.plain(app_version, Source("chart/Chart.yaml", Span(4, 13, 4, 13 + len(app_version)), "Chart.yaml appVersion"))
        if app_version is not None
        else None
    )
    root = {
        "Values": _values(values),
        "Chart": chart,
        "Release": {
            "Name": Unknown(".Release.Name"),
            "Namespace": Unknown(".Release.Namespace"),
            "IsInstall": Unknown(".Release.IsInstall"),
            "IsUpgrade": Unknown(".Release.IsUpgrade"),
            "Service": Text.plain("Helm"),
        },
        "Capabilities": Unknown(".Capabilities"),
    }
    root.update(extra)
    return root


def _render(template: str, values: str = "", helpers: str = "", **root: Any) -> tuple[Renderer, list[Any]]:
    tree = parse(template)
    defines = {}
    if helpers:
        helper_tree = parse(helpers)
        helper = Template.from_file("web/templates/_helpers.tpl", "chart/templates/_helpers.tpl", helpers, helper_tree)
        defines.update({name: (nodes, helper) for name, nodes in helper_tree.defines.items()})
    main = Template.from_file("web/templates/t.yaml", TEMPLATE_PATH, template, tree)
    defines.update({name: (nodes, main) for name, nodes in tree.defines.items()})
    renderer = Renderer(defines, FUNCTIONS, parse_text=parse)
    return renderer, renderer.render(main, _root(values, **root))


def text_of(template: str, values: str = "", helpers: str = "", **root: Any) -> str:
    _, pieces = _render(template, values, helpers, **root)
    return "".join(p.text for p in pieces)


def images(template: str, values: str = "", helpers: str = "", **root: Any) -> list[tuple[str, tuple[Any, ...]]]:
    _, pieces = _render(template, values, helpers, **root)
    return [(str(line.value), line.conds) for line in image_lines(output_lines(pieces))]


# --------------------------------------------------------------------------
# Parsing


def test_parse_trim_markers_comments_and_keywords() -> None:
    tree = parse('a  {{- /* note */ -}}  b {{ if .x }}c{{ else if .y }}d{{ else }}e{{ end }}{{ define "n" }}x{{ end }}')
    assert "n" in tree.defines
    kinds = [type(node).__name__ for node in tree.nodes]
    assert kinds == ["TextNode", "TextNode", "Branch"]
    assert [node.text for node in tree.nodes[:2]] == ["a", "b "]  # type: ignore[union-attr]
    branch = tree.nodes[2]
    assert isinstance(branch, Branch) and branch.otherwise is not None
    assert isinstance(branch.otherwise[0], Branch) and branch.otherwise[0].kind == "if"  # else if: nested


def test_parse_pipelines_variables_and_groups() -> None:
    tree = parse('{{ $r := default .imageRoot.registry ((.global).imageRegistry) | quote }}')
    action = tree.nodes[0]
    assert isinstance(action, Action)
    assert action.pipe.decl == ["$r"] and not action.pipe.assign
    assert [c.text for c in action.pipe.cmds] == ["default .imageRoot.registry ((.global).imageRegistry)", "quote"]


@pytest.mark.parametrize(
    "text",
    ["{{ if .x }}", "{{ end }}", "{{ .x ", '{{ "unterminated }}', "{{ define \"a\" }}{{ define \"b\" }}{{ end }}{{ end }}", "{{ else }}"],
)
def test_parse_errors(text: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        parse(text)


def test_strings_with_braces_and_escapes() -> None:
    assert text_of('{{ "}}" }}|{{ `a"b` }}|{{ "tab\\there" }}|{{ \'x\' }}') == '}}|a"b|tab\there|120'


# --------------------------------------------------------------------------
# Truthiness and control structures


@pytest.mark.parametrize(
    "value, expected",
    [
        (Text.plain(""), False), (Text.plain("0"), True), (Num(0.0), False), (Num(1), True), (False, False),
        (None, False), (Null(None), False), (Missing(".Values.x"), False), ({}, False), ({"a": 1}, True),
        ([], False), ([1], True), (Unknown(".Capabilities"), None),
    ],
)
def test_go_truthiness(value: Any, expected: bool | None) -> None:
    assert truth(value) is expected


VALUES = """\
image:
  repository: acme/web
  tag: ""
  sha: ""
  digest: sha256:0123
enabled: false
count: 0
yesno: yes
list: [a, b]
empty_list: []
global: {}
"""


@pytest.mark.parametrize(
    "condition, expected",
    [
        (".Values.image.sha", "no"),  # empty string
        (".Values.image.digest", "yes"),
        (".Values.enabled", "no"),  # a YAML boolean, not the string "false"
        (".Values.count", "no"),
        (".Values.yesno", "yes"),  # YAML 1.1: yes is true, as in Helm's parser
        (".Values.list", "yes"),
        (".Values.empty_list", "no"),
        (".Values.global", "no"),
        (".Values.missing.deeper", "no"),
        ("not .Values.enabled", "yes"),
        ('eq .Values.image.repository "acme/web"', "yes"),
        ("and .Values.list .Values.count", "no"),
        ("or .Values.count .Values.list", "yes"),
        ("(.Values.global).imageRegistry", "no"),
    ],
)
def test_conditions_on_default_values(condition: str, expected: str) -> None:
    assert text_of(f"{{{{ if {condition} }}}}yes{{{{ else }}}}no{{{{ end }}}}", VALUES) == expected


def test_else_if_with_and_range() -> None:
    template = (
        "{{ if .Values.enabled }}a{{ else if .Values.image.digest }}b{{ else }}c{{ end }}|"
        "{{ with .Values.image }}{{ .repository }}{{ else }}none{{ end }}|"
        "{{ with .Values.image.sha }}{{ . }}{{ else }}nosha{{ end }}|"
        "{{ range $i, $v := .Values.list }}{{ $i }}={{ $v }},{{ end }}|"
        "{{ range .Values.empty_list }}x{{ else }}empty{{ end }}|"
        "{{ range $k, $v := .Values.image }}{{ $k }} {{ end }}"
    )
    assert text_of(template, VALUES) == "b|acme/web|nosha|0=a,1=b,|empty|digest repository sha tag "


def test_variables_scope_and_assignment() -> None:
    template = (
        '{{- $x := "outer" -}}{{ if true }}{{ $x = "set" }}{{ $y := "inner" }}{{ end }}{{ $x }}|'
        '{{- range .Values.list }}{{ $x = . }}{{ end }}{{ $x }}|{{ $.Values.image.repository }}'
    )
    assert text_of(template, VALUES) == "set|b|acme/web"


def test_break_and_continue() -> None:
    template = '{{ range .Values.list }}{{ if eq . "a" }}{{ continue }}{{ end }}{{ . }}{{ break }}{{ end }}'
    assert text_of(template, VALUES) == "b"


# --------------------------------------------------------------------------
# Named templates, include, tpl

HELPERS = """\
{{- define "web.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}
{{- define "common.images.image" -}}
{{- $registryName := default .imageRoot.registry ((.global).imageRegistry) -}}
{{- $separator := ":" -}}
{{- $termination := .imageRoot.tag | toString -}}
{{- if not .imageRoot.tag }}{{- if .chart }}{{- $termination = .chart.AppVersion | toString -}}{{- end -}}{{- end -}}
{{- if .imageRoot.digest }}{{- $separator = "@" -}}{{- $termination = .imageRoot.digest | toString -}}{{- end -}}
{{- if $registryName }}{{- printf "%s/%s%s%s" $registryName .imageRoot.repository $separator $termination -}}
{{- else -}}{{- printf "%s%s%s" .imageRoot.repository $separator $termination -}}{{- end -}}
{{- end -}}
"""


def test_include_with_root_context() -> None:
    assert images("image: {{ include \"web.image\" . }}", VALUES, HELPERS) == [("acme/web:1.4.2", ())]


def test_include_with_a_dict_context_bitnami_style() -> None:
    values = "global:\n  imageRegistry: \"\"\nimage:\n  registry: docker.io\n  repository: bitnami/nginx\n  tag: \"\"\n  digest: \"\"\n"
    template = 'image: {{ include "common.images.image" (dict "imageRoot" .Values.image "global" .Values.global "chart" .Chart) }}'
    assert images(template, values, HELPERS) == [("docker.io/bitnami/nginx:1.4.2", ())]
    with_digest = values.replace('digest: ""', "digest: sha256:abc")
    assert images(template, with_digest, HELPERS) == [("docker.io/bitnami/nginx@sha256:abc", ())]
    global_registry = values.replace('imageRegistry: ""', "imageRegistry: mirror.example.com")
    assert images(template, global_registry, HELPERS)[0][0] == "mirror.example.com/bitnami/nginx:1.4.2"


def test_template_action_and_block() -> None:
    template = '{{ define "x" }}<{{ . }}>{{ end }}{{ template "x" "a" }}{{ block "y" "b" }}[{{ . }}]{{ end }}'
    assert text_of(template) == "<a>[b]"


def test_undefined_named_template_is_unknown() -> None:
    assert images('image: {{ include "missing.image" . }}') == [('{{ include "missing.image" . }}', ())]


def test_recursion_is_bounded() -> None:
    with pytest.raises(RenderError):
        text_of('{{ define "loop" }}{{ include "loop" . }}{{ end }}{{ include "loop" . }}')
    assert MAX_DEPTH < 1000


def test_tpl_renders_a_string_with_the_context() -> None:
    values = 'image:\n  repository: acme/web\n  tag: "2.0"\nref: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n'
    _, pieces = _render("image: {{ tpl .Values.ref . }}", values)
    (line,) = image_lines(output_lines(pieces))
    assert str(line.value) == "acme/web:2.0"
    # The characters of the rendered string still know their values lines.
    assert [p.source.span.line for p in line.value.pieces if p.source is not None and p.text != ":"] == [2, 3]


# --------------------------------------------------------------------------
# Functions


@pytest.mark.parametrize(
    "expression, expected",
    [
        ('printf "%s:%s" "a" "b"', "a:b"),
        ('printf "%s-%d" "v" 3', "v-3"),
        ('"x" | quote', '"x"'),
        ('"x" | squote', "'x'"),
        ('trimPrefix "v" "v1.2.3"', "1.2.3"),
        ('trimSuffix "-debian" "1.2-debian"', "1.2"),
        ('replace "+" "_" "1.0+build"', "1.0_build"),
        ('"ABC" | lower', "abc"),
        ('"  x  " | trim', "x"),
        ('list "a" "b" | join ","', "a,b"),
        ('splitList "/" "a/b/c" | last', "c"),
        ('default "d" ""', "d"),
        ('default "d" "v"', "v"),
        ('coalesce "" .Values.missing "c"', "c"),
        ('ternary "y" "n" true', "y"),
        ('.Values.count | toString', "0"),
        ('"abcdef" | trunc 3', "abc"),
        ('index .Values.list 1', "b"),
        ('get .Values.image "repository"', "acme/web"),
        ('hasKey .Values.image "tag"', "true"),
        ('len .Values.list', "2"),
        ('add 1 2', "3"),
        ('kindOf .Values.list', "slice"),
        ('regexReplaceAll "^v(.*)$" "v1.2" "${1}"', "1.2"),
        ('semverCompare ">=1.19" .Capabilities.KubeVersion.Version', '{{ semverCompare ">=1.19" .Capabilities.KubeVersion.Version }}'),
        ('lookup "v1" "Secret" "ns" "name"', '{{ lookup "v1" "Secret" "ns" "name" }}'),
        ('notAFunction 1', "{{ notAFunction 1 }}"),
    ],
)
def test_functions(expression: str, expected: str) -> None:
    assert text_of(f"{{{{ {expression} }}}}", VALUES) == expected


def test_to_yaml_and_nindent_keep_value_places() -> None:
    values = "sidecars:\n  - name: shipper\n    image: fluent/fluent-bit:3.1.9\n"
    _, pieces = _render("containers:\n{{- toYaml .Values.sidecars | nindent 2 }}\n", values)
    assert "".join(p.text for p in pieces) == "containers:\n  - image: fluent/fluent-bit:3.1.9\n    name: shipper\n"
    (line,) = image_lines(output_lines(pieces))
    assert line.value.pieces[0].source.span == Span(3, 12, 3, 35)  # type: ignore[union-attr]
    assert str(to_yaml({"a": Text.plain("true"), "b": [], "c": {}})) == 'a: "true"\nb: []\nc: {}'


def test_missing_values_print_unresolved_and_null_values_print_empty() -> None:
    values = "image:\n  repository: acme/web\n  tag:\n"
    assert images("image: {{ .Values.image.repository }}:{{ .Values.image.tag }}", values) == [("acme/web:", ())]
    assert images("image: {{ .Values.image.repository }}:{{ .Values.image.version }}", values) == [
        ("acme/web:{{ .Values.image.version }}", ())
    ]


# --------------------------------------------------------------------------
# appVersion


@pytest.mark.parametrize(
    "template, expected",
    [
        ("image: acme/web:{{ .Chart.AppVersion }}", "acme/web:v1.2.3"),  # kept as written
        ('image: acme/web:{{ .Chart.AppVersion | trimPrefix "v" }}', "acme/web:1.2.3"),
        ('image: acme/web:v{{ .Chart.AppVersion | trimPrefix "v" }}', "acme/web:v1.2.3"),
    ],
)
def test_v_prefixed_app_version(template: str, expected: str) -> None:
    assert images(template, app_version="v1.2.3") == [(expected, ())]


def test_default_remembers_the_empty_value_it_replaced() -> None:
    _, pieces = _render("image: {{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}", VALUES)
    (line,) = image_lines(output_lines(pieces))
    tag = line.value.pieces[-1]
    assert tag.text == "1.4.2" and tag.source.name == "Chart.yaml appVersion"  # type: ignore[union-attr]
    assert tag.replaces is not None and (tag.replaces.name, tag.replaces.span.line) == (".Values.image.tag", 3)


# --------------------------------------------------------------------------
# Undecided conditions and output lines


def test_sha_branch_not_taken_renders_no_digest() -> None:
    template = (
        "{{- if .Values.image.sha }}\n"
        'image: "{{ .Values.image.repository }}@sha256:{{ .Values.image.sha }}"\n'
        "{{- else }}\n"
        'image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"\n'
        "{{- end }}\n"
    )
    assert images(template, VALUES) == [("acme/web:1.4.2", ())]


def test_undecided_condition_renders_both_branches_with_their_assumption() -> None:
    template = (
        'apiVersion: {{ if .Capabilities.APIVersions.Has "apps/v1" }}apps/v1{{ else }}extensions/v1beta1{{ end }}\n'
        '{{- if .Capabilities.APIVersions.Has "batch/v1" }}\n'
        "image: busybox:latest\n"
        "{{- else }}\n"
        "image: busybox:1.36.1\n"
        "{{- end }}\n"
        "image: acme/web:{{ .Chart.AppVersion }}\n"
    )
    renderer, pieces = _render(template, VALUES)
    lines = output_lines(pieces)
    assert sorted((str(line.text), line.conds) for line in lines if "apiVersion" in str(line.text)) == [
        ("apiVersion: apps/v1", (('.Capabilities.APIVersions.Has "apps/v1"', True),)),
        ("apiVersion: extensions/v1beta1", (('.Capabilities.APIVersions.Has "apps/v1"', False),)),
    ]
    key = '.Capabilities.APIVersions.Has "batch/v1"'
    assert sorted((str(i.value), i.conds) for i in image_lines(lines)) == [
        ("acme/web:1.4.2", ()),  # after the if/else: no assumption
        ("busybox:1.36.1", ((key, False),)),
        ("busybox:latest", ((key, True),)),
    ]
    assert renderer.conditions[key].source is not None and renderer.conditions[key].source.span.line == 2  # type: ignore[union-attr]


def test_undecided_branches_join_variables_as_unknown() -> None:
    template = '{{ $t := "1.0" }}{{ if .Release.IsUpgrade }}{{ $t = "2.0" }}{{ end }}image: app:{{ $t }}'
    assert images(template) == [("app:{{ $t }}", ())]


def test_with_on_unknown_and_range_over_unknown() -> None:
    template = "{{ with .Release.Name }}image: a:{{ . }}\n{{ end }}{{ range .Capabilities.APIVersions }}image: b:1\n{{ end }}"
    found = images(template)
    assert [value for value, _ in found] == ["a:{{ . }}", "b:1"]
    assert all(conds and conds[0][1] is True for _, conds in found)


def test_output_lines_merge_lines_rendered_the_same_way() -> None:
    template = "{{ if .Release.IsInstall }}a{{ else }}b{{ end }}\nsame\n{{ if .Release.IsInstall }}c{{ end }}-{{ if .Release.IsUpgrade }}d{{ end }}\n"
    _, pieces = _render(template)
    lines = {str(line.text): line.conds for line in output_lines(pieces)}
    assert lines["same"] == ()
    assert lines["c-d"] == ((".Release.IsInstall", True), (".Release.IsUpgrade", True))
    assert lines["-"] == ((".Release.IsInstall", False), (".Release.IsUpgrade", False))
    assert len([text for text in lines if text in ("a", "b")]) == 2


def test_every_output_character_knows_where_it_is_written() -> None:
    template = 'image: "{{ .Values.image.repository }}:{{ printf "%s-%s" "1.0" "alpine" }}"\n'
    _, pieces = _render(template, VALUES)
    (line,) = image_lines(output_lines(pieces))
    located = [(p.text, p.source.path, p.source.span.line, p.source.span.column) for p in line.value.pieces if p.source is not None]
    assert located == [
        ("acme/web", "chart/values.yaml", 2, 15),
        (":", TEMPLATE_PATH, 1, 39),
        ("1.0", TEMPLATE_PATH, 1, 59),
        ("-", TEMPLATE_PATH, 1, 53),
        ("alpine", TEMPLATE_PATH, 1, 65),
    ]


def test_render_budget() -> None:
    with pytest.raises(RenderError):
        text_of("{{ range until 10000 }}{{ range until 10000 }}x{{ end }}{{ end }}")


ALIAS_BOMB = "".join(
    f"{name}: &{name} [{', '.join(['*' + previous] * 10) if previous else ', '.join(['x'] * 10)}]\n"
    for previous, name in zip(["", "a", "b", "c", "d", "e", "f"], "abcdefg")
)


@pytest.mark.parametrize(
    "template",
    [
        "{{ toYaml .Values.g }}",
        "{{ toJson .Values.g }}",
        "{{ $c := deepCopy .Values.g }}",
        "{{ if eq (list .Values.g) (list .Values.f) }}x{{ end }}",
        "{{ $m := merge (dict) (dict \"a\" .Values.g) }}{{ toYaml $m }}",
    ],
)
def test_alias_bombs_in_values_are_bounded(template: str) -> None:
    with pytest.raises(RenderError):
        text_of(template, ALIAS_BOMB)


def test_include_bombs_are_bounded() -> None:
    defines = "".join(f'{{{{ define "{a}" }}}}{{{{ include "{b}" . }}}}{{{{ include "{b}" . }}}}{{{{ include "{b}" . }}}}{{{{ end }}}}' for a, b in zip("abcdefghijklmn", "bcdefghijklmno"))
    with pytest.raises(RenderError):
        text_of(defines + '{{ define "o" }}image: x{{ end }}{{ include "a" . }}')


# --------------------------------------------------------------------------
# Fuzzing: any template soup made of Helm's own vocabulary parses or raises
# TemplateSyntaxError, and renders or raises RenderError; nothing else.

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_WORDS = st.sampled_from(
    [".Values.image.tag", ".Values.image", ".Values.l", ".Chart.AppVersion", ".", "$", "$x", "$x :=", "if", "else", "else if",
     "end", "with", "range", "range $i, $v :=", 'define "t"', 'include "t" .', 'template "t"', "default", "quote",
     'printf "%s:%s"', "toYaml", "tpl", "|", "(", ")", '"latest"', "1", "nil", "and", "or", "not", "eq", "nindent 4",
     "break", "continue", "/* c */", "-", '"{{ .Values.image.tag }}"']
)
_ACTION = st.tuples(st.sampled_from(["{{", "{{- "]), st.lists(_WORDS, min_size=1, max_size=5).map(" ".join),
                    st.sampled_from(["}}", " -}}"])).map(lambda parts: f"{parts[0]} {parts[1]} {parts[2]}")
_SOUP = st.one_of(_ACTION, _ACTION, st.sampled_from(["\n", "image: ", "repo:", " ", "  - name: a\n"]))
_VALUES = st.sampled_from(["", "image:\n  repository: nginx\n  tag: latest\n", "image: {tag: ''}\n", "image: [1, 2]\n",
                           "a: &a [*a]\n", "image:\n  tag: 1.2\n  sha: ''\n"])


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_SOUP, max_size=40).map("".join), _VALUES)
def test_template_soup_only_raises_the_evaluators_own_errors(template: str, values: str) -> None:
    try:
        tree = parse(template)
    except TemplateSyntaxError:
        return
    main = Template.from_file("web/templates/t.yaml", TEMPLATE_PATH, template, tree)
    renderer = Renderer({name: (nodes, main) for name, nodes in tree.defines.items()}, FUNCTIONS, parse_text=parse)
    try:
        root = _root(values)
    except Exception:  # noqa: BLE001 - values the YAML reader refuses are not the evaluator's to handle
        return
    try:
        pieces = renderer.render(main, root)
    except RenderError:
        return
    image_lines(output_lines(pieces))


@pytest.mark.parametrize(
    "template, helpers",
    [("{{ break }}", ""), ("{{ continue }}", ""), ('{{ range .Values.l }}{{ include "t" . }}{{ end }}', '{{ define "t" }}{{ break }}{{ end }}'),
     ('{{ tpl "{{ break }}" . }}', "")],
)
def test_break_or_continue_outside_a_range_is_a_render_error(template: str, helpers: str) -> None:
    with pytest.raises(RenderError, match="outside a range"):
        _render(template, "l: [1, 2]\n", helpers)
