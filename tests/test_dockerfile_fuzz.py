"""The Dockerfile extractor never raises, whatever the text."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from taglint.extract.containers.dockerfile import extract
from taglint.source import ExtractContext, SourceFile

WORDS = st.sampled_from(
    ["FROM", "ARG", "COPY", "RUN", "AS", "--from=", "--mount=type=bind,from=", "${A}", "$B", "${C:-x}",
     "python", ":", "@sha256:", "\\\n", "\n", "# syntax=", "# escape=`", "<<EOF", "EOF", " ", "\t", "=", "\"", "'",
     "scratch", "0", "docker push", "\x00", "é", "\r\n"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=40).map("".join))
def test_extract_never_raises_on_instruction_soup(text):
    facts = extract(SourceFile.from_text("Dockerfile", text), ExtractContext())
    for ref in facts.images:
        assert ref.span.line >= 1 and ref.span.column >= 1


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_extract_never_raises_on_any_text(text):
    extract(SourceFile.from_text("Dockerfile", text), ExtractContext())
