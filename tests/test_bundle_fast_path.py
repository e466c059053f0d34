"""Manifest files read one document at a time (release bundles): the same
findings, spans and parse errors as reading the whole file.

The fast path (:mod:`taglint.extract.kubernetes.bundle`,
:mod:`taglint.yaml_documents`) can be switched off
(``bundle.ENABLED``/``TAGLINT_WHOLE_FILE_YAML=1``); the comparisons below
scan the same trees both ways and compare the JSON reports byte for byte.
"""
from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import bundles
from benchmarks.repository import generate
from taglint.config import Config
from taglint.engine import scan
from taglint.extract.kubernetes import bundle
from taglint.report import ReportOptions, render
from taglint.yaml_documents import compose, split_documents
from taglint.yamlnodes import MAX_DEPTH, C_LOADER, MappingNode, Node, SequenceNode, load_documents

FIXTURES = Path(__file__).parent / "fixtures"
needs_libyaml = pytest.mark.skipif(not C_LOADER, reason="the fast path needs libyaml")


def _json_report(root: Path, *, fast: bool, monkeypatch: pytest.MonkeyPatch, jobs: int = 1) -> str:
    monkeypatch.setattr(bundle, "ENABLED", fast)
    monkeypatch.chdir(root)
    return render("json", scan(["."], Config(), cwd=root, jobs=jobs), ReportOptions())


def _count_fast_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many files the fast path read (not handed back to the whole-file path)."""
    done = [0]
    real = bundle.images_by_document

    def counting(text, read):  # type: ignore[no-untyped-def]
        refs = real(text, read)
        done[0] += refs is not None
        return refs

    monkeypatch.setattr(bundle, "images_by_document", counting)
    return done


# -- the same findings ------------------------------------------------------------------------------


@needs_libyaml
def test_every_fixture_gives_the_same_json_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_reads = _count_fast_reads(monkeypatch)
    fast = _json_report(FIXTURES, fast=True, monkeypatch=monkeypatch)
    assert fast_reads[0] > 0, "no fixture went through the fast path: the comparison would prove nothing"
    assert fast == _json_report(FIXTURES, fast=False, monkeypatch=monkeypatch)


@needs_libyaml
def test_a_benchmark_repository_gives_the_same_json_either_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generate(tmp_path, "small", files=250)
    fast_reads = _count_fast_reads(monkeypatch)
    fast = _json_report(tmp_path, fast=True, monkeypatch=monkeypatch)
    assert fast_reads[0] >= 1
    assert '"path": "releases/v0.1.0/install.yaml"' in fast  # the bundles' workloads are found
    assert fast == _json_report(tmp_path, fast=False, monkeypatch=monkeypatch, jobs=2)  # and in workers


def _bundle_with(broken_crd: str) -> str:
    rng = random.Random(5)
    return bundles.release_bundle(rng, 60_000).replace(
        "---\napiVersion: apiextensions.k8s.io/v1\n", "---\n" + broken_crd + "---\napiVersion: apiextensions.k8s.io/v1\n", 1
    )


# Documents that cannot name an image, each broken in its own way: skipped
# unread, so their errors are not reported (taglint is no YAML validator).
BROKEN_SKIPPED = {
    "syntax error": "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  a: [1, 2\n  b: 3\n",
    "undefined alias": "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: *nowhere\n",
    "duplicate anchor": "apiVersion: v1\nkind: Secret\na: &x 1\nb: &x 2\n",
    "too deep": "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: " + "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH + "\n",
    "bad indentation": "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: 1\n b: 2\n",
}
# Valid, in as few lines as any broken one (blank lines make up the rest).
MENDED = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"


def _findings(report: str) -> list[tuple[str, int, int, str]]:
    return [(f["rule"], f["line"], f["column"], f["message"]) for f in json.loads(report)["findings"]]


@needs_libyaml
@pytest.mark.parametrize("name", sorted(BROKEN_SKIPPED))
def test_an_error_in_a_skipped_document_is_not_read_and_the_workloads_are(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = BROKEN_SKIPPED[name]
    (tmp_path / "install.yaml").write_text(_bundle_with(broken))
    fast = _json_report(tmp_path, fast=True, monkeypatch=monkeypatch)
    assert '"rule": "TL001"' not in fast
    # Read whole, the file is one error and line-by-line guesses; read by
    # document, the workloads after the broken one are read exactly: as
    # in the same bundle with that document mended.
    assert '"rule": "TL001"' in _json_report(tmp_path, fast=False, monkeypatch=monkeypatch)
    mended = MENDED + "\n" * (broken.count("\n") - MENDED.count("\n"))
    (tmp_path / "install.yaml").write_text(_bundle_with(mended))
    expected = _findings(_json_report(tmp_path, fast=False, monkeypatch=monkeypatch))
    assert any(rule == "TL102" for rule, *_ in expected)  # the bundle's workloads have findings to compare
    assert _findings(fast) == expected


@needs_libyaml
def test_an_error_in_a_document_that_can_name_an_image_is_reported_as_when_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: nginx:latest\n   name: a\n"
    (tmp_path / "install.yaml").write_text(_bundle_with(broken))
    fast = _json_report(tmp_path, fast=True, monkeypatch=monkeypatch)
    assert '"rule": "TL001"' in fast
    assert fast == _json_report(tmp_path, fast=False, monkeypatch=monkeypatch)


# -- the pieces -------------------------------------------------------------------------------------

MULTI = """\
# leading comment
apiVersion: v1
kind: Pod
metadata: {name: a}
spec:
  containers:
  - name: app
    image: "nginx:1.27"   # quoted
    args: [a, 'b c', {d: e}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: é-ünïcode
spec:
  template:
    spec:
      containers:
      - image: >-
          folded
          image
        command: |
          echo ---
          done
---   # a comment on the marker
--- !!map
a: &x {b: 1}
c: *x
---
"""


def _nodes(documents: list[Node]) -> Iterator[Node]:
    stack = list(reversed(documents))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, MappingNode):
            for key, value in reversed(node.value):
                stack.extend((value, key))
        elif isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))


def _marks(documents: list[Node]) -> list[tuple[object, ...]]:
    return [
        (type(n).__name__, n.tag, n.value if isinstance(n.value, str) else None,
         n.start_mark.line, n.start_mark.column, n.start_mark.index, n.end_mark.line, n.end_mark.column, n.end_mark.index)
        for n in _nodes(documents)
    ]


@needs_libyaml
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_pieces_compose_to_the_whole_files_nodes_and_marks(newline: str) -> None:
    text = MULTI.replace("\n", newline)
    pieces = split_documents(text)
    assert pieces is not None and len(pieces) == 5
    assert [text[p.start : p.end][:3] for p in pieces[1:]] == ["---"] * 4
    piecewise = [doc for piece in pieces for doc in compose(text, piece)]
    assert _marks(piecewise) == _marks(load_documents(text))


@needs_libyaml
@pytest.mark.parametrize(
    "text",
    [
        "%YAML 1.1\n---\na: 1\n",
        "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n---\nb: 2\n",
        "a: 1\r---\nb: 2\n",  # a lone CR is a line break for libyaml only
        "a: \u2028x\n---\nb: 2\n",
        "a: 1\n---\n\ufeffb: 2\n",
    ],
)
def test_texts_a_cut_could_change_are_read_whole(text: str) -> None:
    assert split_documents(text) is None


@needs_libyaml
@pytest.mark.parametrize(
    "text",
    [
        "a: 1\n...\n---\nb: 2\n",
        "a: 1\n...\n# between\n---\nb: &x [1]\nc: *x\n...\n",
        "--- |\n  text\n...\n--- >\n  more\n",
        "a: 50%\nb: '%'\n---\nc: 1\n",  # percent signs that are not directives
    ],
)
def test_document_ends_and_percent_signs_split_like_the_whole(text: str) -> None:
    pieces = split_documents(text)
    assert pieces is not None and len(pieces) >= 2
    assert _marks([doc for piece in pieces for doc in compose(text, piece)]) == _marks(load_documents(text))


@needs_libyaml
def test_a_marker_needs_a_blank_after_it() -> None:
    text = "a: |\n  x\n---x: 1\n"  # not a marker: ``---x`` is a key
    pieces = split_documents(text)
    assert pieces is not None and len(pieces) == 1


CRD_HEAD = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"


@pytest.mark.parametrize(
    ("chunk", "skipped"),
    [
        (CRD_HEAD + "spec:\n  image:\n    type: string\n", True),
        ("---\n" + CRD_HEAD + "spec:\n  image: {type: string}\n", True),
        ("apiVersion: v1\nkind: Secret\nstringData:\n  image: nginx\n", True),
        ("apiVersion: v1\nkind: Service\nspec:\n  ports: [{port: 80}]\n", True),  # no image key text
        ("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: nginx\n", False),
        ("apiVersion: v1\nkind: ConfigMap\ndata:\n  c.json: '{\"image\": \"x\"}'\n", False),  # a reader reads it
        ("apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  spec: {containers: [{image: a}]}\n", False),
        ("apiVersion: v1\nkind: PodList\nitems: []\nimage: x\n", False),
        ("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - \"im\\x61ge\": nginx\n", False),  # an escape
        ("apiVersion: v1\nkind: Pod\nspec: {containers: [{IMAGE: nginx}]}\n", False),  # any letter case
        # a second kind line, inside a quoted string at column 0: not sure which is the object's
        ("apiVersion: v1\nnote: \"a\nkind: CustomResourceDefinition\"\nkind: Pod\nspec: {containers: [{image: a}]}\n", False),
        ("\"kind\": CustomResourceDefinition\napiVersion: apiextensions.k8s.io/v1\nimage: x\n", False),
        ("? kind\n: Pod\nkind: CustomResourceDefinition\napiVersion: apiextensions.k8s.io/v1\nimage: x\n", False),
        ("apiVersion: apiextensions.k8s.io/v1\nkind: &k CustomResourceDefinition\nimage: x\n", False),
        ("  apiVersion: apiextensions.k8s.io/v1\n  kind: CustomResourceDefinition\n  image: x\n", False),
        ("{apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, image: x}\n", False),
    ],
)
def test_what_is_skipped_without_nodes(chunk: str, skipped: bool) -> None:
    assert bundle.cannot_hold_image(chunk) is skipped


def test_the_peek_reads_plain_and_quoted_values() -> None:
    assert bundle.peek_api_kind("apiVersion: 'apps/v1'\nkind: \"Deployment\"  # c\n") == ("apps/v1", "Deployment")
    assert bundle.peek_api_kind("apiVersion: v1\nkind:\n  Pod\n") is None
    assert bundle.peek_api_kind("apiVersion: v1\nkinds: 1\nkind: Pod\n") is None


@needs_libyaml
def test_a_one_document_crd_file_gets_no_nodes() -> None:
    calls: list[list[Node]] = []

    def read(documents: list[Node]) -> list:  # type: ignore[type-arg]
        calls.append(documents)
        return []

    assert bundle.images_by_document(CRD_HEAD + "spec:\n  image: {type: string}\n", read) == []
    assert calls == []
    assert bundle.images_by_document("apiVersion: v1\nkind: Pod\nspec: {containers: [{image: a}]}\n", read) == []
    assert len(calls) == 1 and calls[0][0].start_mark.line == 0
    assert bundle.images_by_document(CRD_HEAD + "spec: [1, 2\n", read) == []  # broken, but never read
    assert len(calls) == 1
    assert bundle.images_by_document("apiVersion: v1\nkind: Pod\nspec: {containers: [{image: a}\n", read) is None  # broken: read whole
