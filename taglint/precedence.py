"""One finding per construct (``taglint/data/precedence.yaml``).

When several rules of one precedence group report the same span of the
same file (``docker push myapp`` in a job with no login: TL205, TL201,
TL209), the most severe of them is the finding, ties going to the one
listed first (the most specific), and the others become notes on it
(``Finding.related``).  A file that could not be parsed (TL001) gets no
other finding on the lines of its parse error, except in broken YAML files
whose ``image:`` lines are read on purpose (``taglint.extract.broken_yaml``).

Run after selection, ``per-file-ignores`` and inline suppressions, so a
rule that is ignored or suppressed takes no part and the next one becomes
the finding.
"""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Collection, Iterable, Sequence

from taglint.model import Finding, Location, Related, Span, severity_rank

_DATA_FILE = "precedence.yaml"
PARSE_ERROR = "TL001"


@lru_cache(maxsize=1)
def precedence_groups() -> tuple[tuple[str, ...], ...]:
    """The ordered groups of the data file, most specific code first."""
    from taglint.rule_cache import shipped_data  # compiled once: no YAML parse per start

    data = shipped_data(_DATA_FILE) or {}
    return tuple(tuple(str(code) for code in group) for group in data.get("groups") or ())


def _rank_of(groups: Sequence[Sequence[str]]) -> dict[str, tuple[int, int]]:
    """code → (group, position in it)."""
    return {code: (number, position) for number, group in enumerate(groups) for position, code in enumerate(group)}


def note_of(finding: Finding) -> Related:
    """A finding folded into another one, as a note."""
    return Related(Location(finding.path, finding.span), f"also {finding.rule} ({finding.name}): {finding.message}")


def merge_same_construct(
    findings: Iterable[Finding], groups: Sequence[Sequence[str]] | None = None,
) -> list[Finding]:
    """One finding per group and span; the others as notes on it.  Order kept."""
    rank = _rank_of(precedence_groups() if groups is None else groups)
    findings = list(findings)
    buckets: dict[tuple[str, Span, int], list[Finding]] = {}
    for finding in findings:
        place = rank.get(finding.rule)
        if place is not None:
            buckets.setdefault((finding.path, finding.span, place[0]), []).append(finding)
    replaced: dict[int, Finding | None] = {}
    for bucket in buckets.values():
        if len(bucket) < 2:
            continue
        winner = min(bucket, key=lambda f: (-severity_rank(f.severity), rank[f.rule][1]))
        others = sorted((f for f in bucket if f is not winner), key=lambda f: rank[f.rule][1])
        replaced[id(winner)] = replace(winner, related=winner.related + tuple(note_of(f) for f in others))
        for other in others:
            replaced[id(other)] = None
    out = []
    for finding in findings:
        if id(finding) not in replaced:
            out.append(finding)
        elif replaced[id(finding)] is not None:
            out.append(replaced[id(finding)])  # type: ignore[arg-type]
    return out


def drop_inside_parse_errors(findings: Iterable[Finding], recovered_paths: Collection[str] = ()) -> list[Finding]:
    """Findings of other rules on the lines of a TL001 of the same file
    dropped (the broken text is reported once); files in ``recovered_paths``
    (broken YAML whose ``image:`` lines are read on purpose) keep theirs."""
    findings = list(findings)
    broken: dict[str, list[Span]] = {}
    for finding in findings:
        if finding.rule == PARSE_ERROR and finding.path not in recovered_paths:
            broken.setdefault(finding.path, []).append(finding.span)
    if not broken:
        return findings
    return [
        f for f in findings
        if f.rule == PARSE_ERROR or not any(_same_lines(f.span, span) for span in broken.get(f.path, ()))
    ]


def _same_lines(a: Span, b: Span) -> bool:
    return a.line <= b.end_line and b.line <= a.end_line


def one_finding_per_construct(findings: Iterable[Finding], recovered_paths: Collection[str] = ()) -> list[Finding]:
    """Both steps, as the engine runs them."""
    return merge_same_construct(drop_inside_parse_errors(findings, recovered_paths))
