"""TL115 with ``--resolve``: digest pins checked against the registry.

Every reference pinned by digest is asked about, when TL115 is active for
its file:

* a digest the registry does not have (``missing``): pulls fail;
* ``name:tag@digest`` whose tag points at another digest today (``moved``);
* ``name@digest`` with a version comment (``# 3.12.7`` on the line above a
  Dockerfile ``FROM``, after a YAML value) whose tag points at another
  digest today (``comment``).

Each becomes a TL115 finding (info) made as the engine makes findings, with
an unsafe fix that writes the digest of today when the digest is written
literally.  Inline suppressions of the file apply.  A registry that cannot
answer is a notice (exit 2).  Imported by :mod:`taglint.resolve_pins` only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from taglint.model import Edit, Finding, Hit, ImageRef, Span

if TYPE_CHECKING:
    from taglint.config import Config
    from taglint.engine import ScanResult
    from taglint.tags import Classification

CODE = "TL115"
# A version comment: one word that starts like a version (`3.12.7`, `v4.2.2`, `1.2.3-slim`).
_VERSION_WORD = r"(v?\d[\w.+-]*)"
_LINE_COMMENT = re.compile(rf"\s*#\s*(?:[\w./:-]+:)?{_VERSION_WORD}\s*")
_TRAILING_COMMENT = re.compile(rf"\s+#\s*(?:[\w./:-]+:)?{_VERSION_WORD}\s*$")


@dataclass(frozen=True)
class PinnedRef:
    """A reference pinned by digest and what it claims: its tag, or the
    version its comment names."""

    ref: ImageRef
    found: Classification
    name: str  # as written, without tag or digest
    digest: str
    claim: str | None  # the tag written, or the version of its comment
    from_comment: bool


def version_comment(ref: ImageRef, line: Callable[[str, int], str | None]) -> str | None:
    """The version a digest pin's comment names: the line above a
    Dockerfile ``FROM`` (``# 3.12.7``), or after the value on its own line
    in YAML (``image: x@sha256:… # 3.12.7``)."""
    if ref.kind == "dockerfile":
        above = line(ref.path, ref.span.line - 1) if ref.context == "FROM" and ref.span.line > 1 else None
        match = _LINE_COMMENT.fullmatch(above) if above is not None else None
        return match.group(1) if match else None
    text = line(ref.path, ref.span.end_line)
    if text is None:
        return None
    match = _TRAILING_COMMENT.search(text[ref.span.end_column - 1 :].rstrip("\r"))
    return match.group(1) if match else None


def pinned_refs(result: ScanResult, active: Callable[[str], bool], line: Callable[[str, int], str | None]) -> list[PinnedRef]:
    """The digest pins of the scanned files whose file has TL115 active."""
    from taglint.checks.images import written_name
    from taglint.tags import classify_reference, find_placeholders

    out: list[PinnedRef] = []
    for facts in result.files:
        if not facts.images or not active(facts.path):
            continue
        for ref in facts.images:
            found = classify_reference(ref.value)
            reference = found.reference
            if reference is None or not reference.digest or find_placeholders(ref.value):
                continue
            claim, from_comment = reference.tag, False
            if claim is None:
                claim, from_comment = version_comment(ref, line), True
            out.append(PinnedRef(ref, found, written_name(ref, found), reference.digest, claim, from_comment))
    return out


def _digest_edit(pinned: PinnedRef, new_digest: str) -> tuple[Edit, ...]:
    """The digest replaced where it is written, when the reference is
    written literally on one line."""
    ref, reference = pinned.ref, pinned.found.reference
    if reference is None or reference.digest_start is None or ref.written != ref.value:
        return ()
    if ref.span.line != ref.span.end_line:
        return ()
    start = ref.span.column + reference.digest_start
    return (Edit(Span(ref.span.line, start, ref.span.line, start + len(pinned.digest)), new_digest),)


def check_pins(result: ScanResult, config_for: Callable[[str], Config], lines: Any, session: Any) -> None:
    """Ask the registry about every digest pin; add TL115 findings and notices to ``result``."""
    from taglint.checks.images import short_digest
    from taglint.engine import _to_finding
    from taglint.selection import is_active

    rule = result.rules.get(CODE)
    if rule is None:
        return
    pins = pinned_refs(result, lambda path: is_active(rule, config_for(path)), lines.line)
    if not pins:
        return
    client = session.client
    current: dict[str, str | Exception] = {}
    exists: dict[tuple[str, str], bool | Exception] = {}

    def ask(key: Any, table: dict[Any, Any], call: Callable[[], Any]) -> Any:
        if key not in table:
            try:
                table[key] = call()
            except Exception as exc:  # RegistryError: a notice, the run goes on
                table[key] = exc
        return table[key]

    made: list[Finding] = []
    failures: dict[str, str] = {}
    for pinned in pins:
        image = f"{pinned.name}@{pinned.digest}"
        found = ask((pinned.name, pinned.digest), exists, lambda p=pinned: client.manifest_exists(p.name, p.digest))
        if isinstance(found, Exception):
            failures.setdefault(image, str(getattr(found, "message", found)))
            continue
        today: str | Exception | None = None
        if pinned.claim:
            tagged = f"{pinned.name}:{pinned.claim}"
            today = ask(tagged, current, lambda t=tagged: client.digest(t))
            if isinstance(today, Exception):
                if found:  # the digest exists; the claim cannot be checked
                    failures.setdefault(tagged, str(getattr(today, "message", today)))
                    continue
                today = None
        if found and (today is None or today == pinned.digest):
            continue
        variant = "missing" if not found else ("comment" if pinned.from_comment else "moved")
        fields = {
            "reference": pinned.ref.value, "digest": short_digest(pinned.digest), "tag": pinned.claim or "",
            "current": short_digest(today) if isinstance(today, str) else "", "name": pinned.name,
            "message_variant": variant, "fix_variant": variant,
        }
        edits = _digest_edit(pinned, today) if isinstance(today, str) else ()
        hit = Hit(pinned.ref.path, pinned.ref.span, fields, pinned.ref.value, edits=edits, applicability="unsafe")
        made.append(_to_finding(rule, hit, config_for(pinned.ref.path)))
    for image, why in sorted(failures.items()):
        result.errors.append(f"--resolve: cannot check the pin `{image}`: {why}")
    if made:
        _add(result, made, lines)


def _add(result: ScanResult, made: list[Finding], lines: Any) -> None:
    """Add the findings, past the files' inline suppressions; one replaces
    the offline TL115 finding of its place."""
    from taglint.suppress import apply_suppressions, parse_suppressions, resolve_suppression_codes

    suppressions = []
    for path in sorted({f.path for f in made}):
        text = lines.text(path)
        if text is not None:
            suppressions += parse_suppressions(path, text, next(
                (facts.kind for facts in result.files if facts.path == path), None))
    resolve_suppression_codes(suppressions, result.rules)
    kept = apply_suppressions(made, suppressions)
    places = {(f.path, f.span) for f in kept}
    result.findings[:] = [f for f in result.findings if not (f.rule == CODE and (f.path, f.span) in places)]
    result.findings.extend(kept)
    result.findings.sort(key=Finding.sort_key)
