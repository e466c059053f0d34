"""Fingerprints of findings that survive line moves.

One fingerprint per finding, made of what the finding is about and never of
where it sits: the rule code, the file's path, the image reference in its
normalised (familiar) form, and its context in the file — the key path of an
image in a manifest, without list indexes (``spec.template.spec.containers[].image
(container web)``), the Dockerfile instruction (``FROM``), the command (``docker
login``), the CI component (``uses: actions/checkout``).  Findings that agree
on all of these (the same ``FROM python`` twice) are told apart by their
order in the file, so inserting lines anywhere (or another container
into a list) changes no fingerprint.

The baseline (``taglint.baseline``), SARIF ``partialFingerprints`` and the
GitLab Code Quality ``fingerprint`` all use :func:`fingerprints`.
"""
from __future__ import annotations

import hashlib
import re
from typing import Iterable, Sequence

from taglint.model import ActionRef, Command, FileFacts, Finding, ImageRef, Span

VERSION = 1  # bump when the recipe changes: old baselines then match nothing
SARIF_KEY = f"taglint/v{VERSION}"  # the key of SARIF partialFingerprints

# `path/to/file.yaml:16` or `…:16:5` inside a context or message: a place,
# which moves with the lines around it.
_POSITION = re.compile(r":\d+(?::\d+)?\b|\bline \d+(?:, column \d+)?")
# `containers[0]`: an index, which changes when an item is added above.
_INDEX = re.compile(r"\[\d+\]")
_NUMBER = re.compile(r"\d+")

Fact = ImageRef | Command | ActionRef


def normalised_reference(reference: str | None) -> str:
    """The reference in its familiar form (``docker.io/library/nginx:1`` and
    ``nginx:1`` are one image); as written when it does not parse."""
    if not reference:
        return ""
    from taglint.reference import ReferenceError, parse_reference

    text = reference.strip()
    try:
        return parse_reference(text).familiar
    except (ReferenceError, ValueError):
        return text


def fact_context(fact: Fact) -> str:
    """What a fact is, in words that do not move with lines."""
    if isinstance(fact, ImageRef):
        origin = f" from {fact.origin.path}" if fact.origin is not None else ""
        return _INDEX.sub("[]", _without_positions(f"image {fact.context}{origin}"))
    if isinstance(fact, Command):
        return f"command {fact.tool} {fact.action}"
    return f"uses {fact.name}"


def _without_positions(text: str) -> str:
    return _POSITION.sub("", text)


class FactIndex:
    """The facts of a scan by path, to find the one a finding is about: the
    smallest fact whose span holds the finding's span."""

    def __init__(self, files: Iterable[FileFacts]) -> None:
        self._by_path: dict[str, list[Fact]] = {}
        self._exact: dict[tuple[str, Span], Fact] = {}
        for facts in files:
            for fact in (*facts.images, *facts.commands, *facts.actions):
                self._by_path.setdefault(fact.path, []).append(fact)
                self._exact.setdefault((fact.path, fact.span), fact)

    def fact_of(self, finding: Finding) -> Fact | None:
        exact = self._exact.get((finding.path, finding.span))
        if exact is not None:
            return exact
        span = finding.span
        start, end = (span.line, span.column), (span.end_line, span.end_column)
        holding = [
            fact for fact in self._by_path.get(finding.path, ())
            if (fact.span.line, fact.span.column) <= start and end <= (fact.span.end_line, fact.span.end_column)
        ]
        return min(holding, key=_span_size, default=None)


def _span_size(fact: Fact) -> tuple[int, int]:
    span = fact.span
    return (span.end_line - span.line, span.end_column - span.column)


def finding_context(finding: Finding, index: FactIndex) -> str:
    """The finding's context: its fact's, or else (a parse error, an unused
    suppression) its message with places and numbers taken out."""
    fact = index.fact_of(finding)
    if fact is not None:
        return fact_context(fact)
    return "message " + _NUMBER.sub("#", _without_positions(finding.message))


def finding_key(finding: Finding, index: FactIndex) -> tuple[str, str, str, str]:
    """What identifies a finding apart from its order: rule, path,
    normalised reference, context."""
    return (finding.rule, finding.path, normalised_reference(finding.reference), finding_context(finding, index))


def _digest(key: tuple[str, str, str, str], occurrence: int) -> str:
    text = "\x1f".join((f"taglint-fingerprint-v{VERSION}", *key, str(occurrence)))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def fingerprints(findings: Sequence[Finding], files: Iterable[FileFacts]) -> list[str]:
    """One fingerprint per finding, in the order given.  Findings with the
    same key are numbered in the order of their positions, so the numbers
    do not depend on the order ``findings`` come in."""
    index = FactIndex(files)
    keys = [finding_key(finding, index) for finding in findings]
    order = sorted(range(len(findings)), key=lambda i: (keys[i], findings[i].sort_key()))
    seen: dict[tuple[str, str, str, str], int] = {}
    out = [""] * len(findings)
    for i in order:
        occurrence = seen.get(keys[i], 0)
        seen[keys[i]] = occurrence + 1
        out[i] = _digest(keys[i], occurrence)
    return out


def result_fingerprints(result: object) -> list[str]:
    """:func:`fingerprints` of a scan result's findings (``findings`` and
    ``files`` attributes; a result without facts uses the messages)."""
    return fingerprints(getattr(result, "findings", []), getattr(result, "files", []))
