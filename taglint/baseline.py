"""The baseline: findings a repository already has, recorded so a CI gate
fails only on new ones (SPEC §5).

``taglint --write-baseline FILE`` records every current finding by its
fingerprint (:mod:`taglint.fingerprint`: rule, path, normalised reference
and context, never a line number); ``taglint --baseline FILE`` drops the
findings the file records and counts the entries nothing matched any more
(*stale*: fixed, or moved to another file) in the summary.

The file is JSON, versioned, sorted and without dates, so rewriting it for
the same findings changes nothing and a review diff shows exactly the
findings that came or went::

    {"version": 1, "fingerprint": 1, "findings": [
      {"fingerprint": "…", "rule": "TL101", "path": "app/Dockerfile", "reference": "example/tools"}]}

``rule``, ``path`` and ``reference`` are for people; only ``fingerprint``
is matched.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from taglint.errors import UsageError
from taglint.fingerprint import VERSION as FINGERPRINT_VERSION
from taglint.fingerprint import fingerprints, normalised_reference
from taglint.model import FileFacts, Finding

FORMAT_VERSION = 1


@dataclass(frozen=True)
class BaselineEntry:
    fingerprint: str
    rule: str
    path: str
    reference: str


@dataclass(frozen=True)
class Baseline:
    entries: tuple[BaselineEntry, ...]

    def counts(self) -> Counter[str]:
        return Counter(entry.fingerprint for entry in self.entries)


@dataclass(frozen=True)
class BaselineSummary:
    """How the findings met the baseline: ``matched`` findings were in it
    (and are not reported), ``new`` ones were not, ``stale`` entries matched
    no finding."""

    matched: int
    new: int
    stale: int


def baseline_of(findings: Sequence[Finding], files: Sequence[FileFacts]) -> Baseline:
    entries = [
        BaselineEntry(fingerprint, finding.rule, finding.path, normalised_reference(finding.reference))
        for finding, fingerprint in zip(findings, fingerprints(findings, files))
    ]
    entries.sort(key=lambda e: (e.path, e.rule, e.reference, e.fingerprint))
    return Baseline(tuple(entries))


def baseline_text(baseline: Baseline) -> str:
    """The file's text: one entry per line, sorted, so diffs read well."""
    lines = [
        json.dumps({"fingerprint": e.fingerprint, "rule": e.rule, "path": e.path, "reference": e.reference},
                   ensure_ascii=False)
        for e in baseline.entries
    ]
    body = "[\n    " + ",\n    ".join(lines) + "\n  ]" if lines else "[]"
    return (
        "{\n"
        f'  "version": {FORMAT_VERSION},\n'
        f'  "fingerprint": {FINGERPRINT_VERSION},\n'
        f'  "findings": {body}\n'
        "}\n"
    )


def write_baseline(path: Path, findings: Sequence[Finding], files: Sequence[FileFacts]) -> Baseline:
    from taglint.safewrite import write_text

    baseline = baseline_of(findings, files)
    try:
        write_text(path, baseline_text(baseline))  # never through a symbolic link (taglint.safewrite)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the baseline: {exc.strerror or exc}") from exc
    return baseline


def load_baseline(path: Path) -> Baseline:
    """The baseline in ``path``; a :class:`UsageError` saying what is wrong
    when it cannot be read or is not a taglint baseline of this version."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise UsageError(f"{path}: not a taglint baseline: {exc}") from exc
    return _parse(data, path)


def _parse(data: Any, path: Path) -> Baseline:
    def bad(what: str) -> UsageError:
        return UsageError(f"{path}: not a taglint baseline: {what} (write one with --write-baseline)")

    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise bad("expected an object with a `findings` list")
    if data.get("version") != FORMAT_VERSION:
        raise bad(f"version {data.get('version')!r}; this taglint reads version {FORMAT_VERSION}")
    if data.get("fingerprint") != FINGERPRINT_VERSION:
        raise UsageError(
            f"{path}: the baseline was written with fingerprint version {data.get('fingerprint')!r}, this taglint "
            f"makes version {FINGERPRINT_VERSION}: write it again with --write-baseline"
        )
    entries = []
    for number, item in enumerate(data["findings"]):
        if not isinstance(item, dict) or not isinstance(item.get("fingerprint"), str):
            raise bad(f"findings[{number}] has no `fingerprint` string")
        entries.append(BaselineEntry(
            item["fingerprint"], str(item.get("rule", "")), str(item.get("path", "")), str(item.get("reference", "")),
        ))
    return Baseline(tuple(entries))


def apply_baseline(
    findings: Sequence[Finding], files: Sequence[FileFacts], baseline: Baseline,
) -> tuple[list[Finding], BaselineSummary]:
    """The findings the baseline does not record, in their order, and the
    counts.  An entry matches one finding: a third copy of a line recorded
    twice is new."""
    left = baseline.counts()
    new: list[Finding] = []
    for finding, fingerprint in zip(findings, fingerprints(findings, files)):
        if left[fingerprint] > 0:
            left[fingerprint] -= 1
        else:
            new.append(finding)
    stale = sum(left.values())
    return new, BaselineSummary(matched=len(findings) - len(new), new=len(new), stale=stale)
