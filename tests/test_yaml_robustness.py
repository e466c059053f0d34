"""No YAML input crashes or hangs taglint's YAML reading.

Each case runs in a subprocess with a timeout: a segfault in C code or a
hang would otherwise take the test run down with it.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PROBE = textwrap.dedent(
    """
    import sys
    import taglint.yamlnodes
    from taglint.yamlnodes import YamlError, load_documents, walk
    if sys.argv[1:] == ["pure-python"]:  # as PyYAML without libyaml reads it
        taglint.yamlnodes._Loader = taglint.yamlnodes._PyLoader
    data = sys.stdin.buffer.read()
    text = data.decode("utf-8", "replace")
    try:
        docs = load_documents(text)
    except YamlError as exc:
        print("error", exc.line, exc.column, exc.message)
    else:
        print("ok", sum(1 for d in docs for _ in walk(d)))
    for kind in ("kubernetes", "compose", "helm-values", "kustomization", "helm-template", "helm-chart"):
        import importlib
        from taglint.extract import EXTRACTORS
        from taglint.source import ExtractContext, SourceFile
        module = importlib.import_module(EXTRACTORS[kind])
        facts = module.extract(SourceFile.from_text("x.yaml", text), ExtractContext())
        print(kind, len(facts.images), len(facts.problems))
    """
)


def run_probe(data: bytes, timeout: float = 60, parser: str = "default") -> str:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, parser], input=data, capture_output=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, (proc.returncode, proc.stderr.decode()[-2000:])
    return proc.stdout.decode()


def billion_laughs(levels: int = 12) -> bytes:
    lines = ["apiVersion: v1", "kind: Pod", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    lines.append(f"spec:\n  containers:\n  - name: x\n    image: *a{levels - 1}")
    return ("\n".join(lines) + "\n").encode()


def deep(name: str, levels: int) -> bytes:
    head = b"apiVersion: v1\nkind: Pod\n"
    if name == "deep-flow-sequences":
        return head + b"x: " + b"[" * levels + b"]" * levels + b"\n"
    if name == "deep-flow-mappings":
        return head + b"x: " + b"{a: " * levels + b"1" + b"}" * levels + b"\n"
    if name == "deep-block-mappings":
        return head + b"".join(b" " * i + b"k:\n" for i in range(levels)) + b" " * levels + b"v\n"
    assert name == "deep-block-sequences"
    return head + b"x:\n" + b"- " * levels + b"x\n"


DEEP = ("deep-flow-sequences", "deep-flow-mappings", "deep-block-mappings", "deep-block-sequences")

CASES = {
    "billion-laughs": billion_laughs(),
    **{name: deep(name, 10_000) for name in DEEP},
    "very-deep-unbalanced": b"[" * 200_000,
    "recursive-anchor": b"apiVersion: v1\nkind: List\nitems: &a [*a, {kind: Pod, spec: {containers: [{image: *a}]}}]\n",
    "recursive-merge": b"apiVersion: v1\nkind: Pod\na: &a\n  <<: *a\n  image: x\n",
    "binary-junk": bytes(range(256)) * 64,
    "nul-bytes": b"apiVersion: v1\nkind: Pod\n\x00\x00\x00",
    "latin1": "apiVersion: v1\nkind: Pod\nmetadata: {name: caf\u00e9}\n".encode("latin-1"),
    "utf16-without-bom": "apiVersion: v1\nkind: Pod\n".encode("utf-16-le"),
    "lone-surrogates": b"apiVersion: v1\nkind: Pod\nx: \xed\xa0\x80\n",
    "huge-scalar": b"apiVersion: v1\nkind: Pod\nx: " + b"a" * 5_000_000 + b"\n",
    "many-documents": b"---\napiVersion: v1\nkind: Pod\n" * 20_000,
    "tabs-and-crlf": b"apiVersion: v1\r\nkind: Pod\r\n\tspec: {}\r\n",
    "template-braces": b"apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: {{ .Values.image }}\n",
    "value-tag": b"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\ndelimiter: =\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_crash_no_hang(name: str) -> None:
    out = run_probe(CASES[name])
    assert out.startswith(("ok", "error"))


def test_billion_laughs_is_linear() -> None:
    out = run_probe(billion_laughs(30), timeout=30)
    assert out.startswith("ok")
    assert int(out.split()[1]) < 10_000


@pytest.mark.parametrize("parser", ["default", "pure-python"])
@pytest.mark.parametrize("name", DEEP)
def test_deep_nesting_reports_a_parse_error(name: str, parser: str) -> None:
    """The same TL001 whatever the parser: libyaml, which from 0.2.6 on
    refuses deep nesting in its own words, or the pure-Python one (whose
    scanner is quadratic in open flow levels: 1,200 levels are enough)."""
    out = run_probe(CASES[name] if parser == "default" else deep(name, 1_200), parser=parser)
    first = out.splitlines()[0]
    assert first.startswith("error ")
    assert first.endswith(" nested deeper than 1000 levels; not parsed")
    # The kustomization extractor always parses: the refusal is its file's one problem.
    assert "kustomization 0 1" in out.splitlines()


# In-process property tests: whatever the text, loading raises only
# YamlError and the extractors return facts (never raise).

YAMLISH = st.text(alphabet=st.sampled_from(list("ab:- \n\t[]{}&*!|>'\"#,?%@`=<.\\0\x85\u2028é")), max_size=400)
MANIFEST_HEAD = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: "


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
def test_load_documents_raises_only_yaml_error(text: str) -> None:
    from taglint.yamlnodes import YamlError, load_documents, walk

    try:
        documents = load_documents(text)
    except YamlError as exc:
        assert exc.line >= 1 and exc.column >= 1
        return
    for document in documents:
        for _ in walk(document):
            pass


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
def test_extractors_never_raise(text: str) -> None:
    from taglint.extract.containers import compose
    from taglint.extract.kubernetes import helm
    from taglint.extract.kubernetes import manifests as kubernetes
    from taglint.extract.kubernetes import kustomize
    from taglint.source import ExtractContext, SourceFile

    for path, module in (
        ("deploy.yaml", kubernetes),
        ("compose.yaml", compose),
        ("values.yaml", helm),
        ("chart/templates/x.yaml", helm),
        ("kustomization.yaml", kustomize),
    ):
        for body in (text, MANIFEST_HEAD + text):
            facts = module.extract(SourceFile.from_text(path, body), ExtractContext())
            for ref in facts.images:
                assert ref.span.line >= 1 and ref.span.column >= 1
