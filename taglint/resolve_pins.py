"""``--resolve``: fixes that pin what a tag points at today (SPEC §7, issue 11).

After the scan, the findings of TL101–TL104 (untagged, ``latest``,
floating, partial version) and TL110 (no digest) get a fix from the registry: one
:meth:`Registry.pin_many` call for every reference, then an edit in the
configured ``fix.pin-style`` — ``tag`` (``1.2.3``), ``tag@digest``
(``1.2.3@sha256:…``) or ``digest # tag`` (``@sha256:…`` and a ``# 1.2.3``
comment where the format has comments) — written where the value is decided
(:mod:`taglint.fix.placement`).  A pin to the version tag that shares the
digest names the image that runs today, so its fix is safe; when no version
tag shares the digest, the fix says so and pins the digest, unsafe.

Digest pins are checked too (TL115, :mod:`taglint.stale_pins`).
GitHub Actions (TL301/TL302): ``uses: actions/checkout@v4`` becomes
``uses: actions/checkout@<40-hex> # v4.2.2`` from ``git ls-remote``
(:func:`taglint.registry.git_refs.action_pin`).

A registry that cannot answer gives one notice per reference, in the
scan's errors (so the exit status is 2); the scan goes on and the other
fixes stand.  This module is imported only with ``--resolve``: nothing of
:mod:`taglint.registry` is loaded otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Protocol

from taglint.fix.placement import Target, pin_edits
from taglint.model import ActionRef, Edit, FileFacts, Finding, Fix, ImageRef, Span

if TYPE_CHECKING:
    from taglint.config import Config
    from taglint.engine import ScanResult
    from taglint.registry import Pin, RegistryError
    from taglint.tags import Classification

# Rules whose findings a registry answer can fix.
IMAGE_RULES = ("TL101", "TL102", "TL103", "TL104", "TL110")
ACTION_RULES = ("TL301", "TL302")
DEFAULT_ACTIONS_URL = "https://github.com"


class PinSource(Protocol):
    """What :func:`resolve_fixes` needs of :class:`taglint.registry.Registry`."""

    def pin_many(self, images: Iterable[str]) -> dict[str, Pin | RegistryError]: ...

    def digest(self, image: str) -> str: ...

    def manifest_exists(self, image: str, digest: str) -> bool: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class ResolveSettings:
    """The command line's part of ``--resolve``: ``--insecure-registry``
    hosts (added to the configuration's ``resolve.insecure-registries``)
    and ``--refresh``."""

    insecure_hosts: tuple[str, ...] = ()
    refresh: bool = False


class _Lines:
    """The lines of scanned files, read as the scan read them (for the
    comment of a digest pin, which goes only where the line allows it)."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self._texts: dict[str, str | None] = {}
        self._files: dict[str, list[str] | None] = {}

    def text(self, path: str) -> str | None:
        """The file's text, or None when it cannot be read."""
        if path not in self._texts:
            from taglint.source import SkippedFile, decode, read_file_bytes
            from taglint.spans import MAX_CHECKED_SIZE

            try:
                self._texts[path] = decode(read_file_bytes(self.cwd / path, MAX_CHECKED_SIZE)).text
            except (OSError, SkippedFile):
                self._texts[path] = None
        return self._texts[path]

    def line(self, path: str, number: int) -> str | None:
        if path not in self._files:
            from taglint.source import split_lines

            text = self.text(path)
            self._files[path] = None if text is None else split_lines(text)
        lines = self._files[path]
        return lines[number - 1] if lines is not None and 0 < number <= len(lines) else None


def resolve_fixes(
    result: ScanResult, config_for: Callable[[str], Config], settings: ResolveSettings, cwd: Path,
    registry: PinSource | None = None,
) -> None:
    """Give the image and action findings of ``result`` the fixes the
    registry (and ``git ls-remote``) answer; add one notice per reference
    that could not be resolved to ``result.errors``."""
    lines = _Lines(cwd)
    session = _Session(config_for, settings, [facts.path for facts in result.files], registry)
    try:
        _resolve_images(result, config_for, lines, session)
        from taglint.stale_pins import check_pins

        check_pins(result, config_for, lines, session)
    finally:
        session.close()
    _resolve_actions(result, config_for, lines)


class _Session:
    """The registry client of one run, made on first use (no request, no
    client, when nothing needs asking) and closed at the end."""

    def __init__(
        self, config_for: Callable[[str], Config], settings: ResolveSettings, paths: list[str],
        given: PinSource | None,
    ) -> None:
        self._config_for, self._settings, self._paths = config_for, settings, paths
        self._client = given
        self._own = given is None

    @property
    def client(self) -> PinSource:
        if self._client is None:
            self._client = _registry(self._config_for, self._settings, self._paths)
        return self._client

    def close(self) -> None:
        if self._own and self._client is not None:
            self._client.close()


# -- images --------------------------------------------------------------------


def _image_index(files: list[FileFacts]) -> dict[tuple[str, Span], list[ImageRef]]:
    index: dict[tuple[str, Span], list[ImageRef]] = {}
    for facts in files:
        for ref in facts.images:
            index.setdefault((ref.path, ref.span), []).append(ref)
    return index


def _ref_of(finding: Finding, index: dict[tuple[str, Span], list[ImageRef]]) -> ImageRef | None:
    refs = index.get((finding.path, finding.span), [])
    return next((r for r in refs if r.value == finding.reference), refs[0] if refs else None)


def _askable(found: Classification) -> bool:
    from taglint.tags import find_placeholders

    reference = found.reference
    return reference is not None and reference.digest is None and not find_placeholders(reference.familiar_name)


def _registry(config_for: Callable[[str], Config], settings: ResolveSettings, paths: Iterable[str]) -> PinSource:
    from taglint.registry import Registry, RegistryOptions

    hosts = list(settings.insecure_hosts)
    for path in sorted(set(paths)):
        hosts += [h for h in config_for(path).resolve_insecure_registries if h not in hosts]
    return Registry(RegistryOptions(insecure_hosts=tuple(hosts), refresh=settings.refresh))


def _resolve_images(result: ScanResult, config_for: Callable[[str], Config], lines: _Lines, session: _Session) -> None:
    from taglint.checks.images import written_name
    from taglint.tags import classify_reference

    index = _image_index(result.files)
    facts_by_path = {facts.path: facts for facts in result.files}
    wanted: list[tuple[int, ImageRef, Classification]] = []
    for position, finding in enumerate(result.findings):
        if finding.rule not in IMAGE_RULES or finding.reference is None:
            continue
        ref = _ref_of(finding, index)
        if ref is None:
            continue
        found = classify_reference(ref.value)
        if _askable(found):
            wanted.append((position, ref, found))
    if not wanted:
        return
    answers = session.client.pin_many(sorted({ref.value for _, ref, _ in wanted}))
    failed: dict[str, list[str]] = {}
    for position, ref, found in wanted:
        answer = answers.get(ref.value)
        finding = result.findings[position]
        if answer is None or isinstance(answer, Exception):
            failed.setdefault(ref.value, []).append(f"{finding.path}:{finding.span.line}")
            continue
        style = config_for(ref.path).pin_style
        line_text = lines.line(ref.path, ref.span.line)
        fix = pin_fix(ref, found, answer, style, facts_by_path.get(ref.path), line_text, written_name(ref, found),
                      exact=finding.rule == "TL110")
        result.findings[position] = replace(finding, fix=fix)
    for image, places in sorted(failed.items()):
        answer = answers.get(image)
        why = answer.message if answer is not None and hasattr(answer, "message") else "no answer"
        result.errors.append(f"--resolve: cannot resolve `{image}` ({', '.join(places)}): {why}")


def pin_fix(
    ref: ImageRef, found: Classification, pin: Pin, style: str, facts: FileFacts | None, line_text: str | None,
    name: str, exact: bool = False,
) -> Fix:
    """The fix of a floating reference from the registry's answer ``pin``,
    in the pin ``style`` (``tag``, ``tag@digest``, ``digest # tag``).  An
    ``exact`` reference (TL110: a version tag without a digest) keeps its
    tag and gains the digest (``tag@digest``, or ``digest # tag``)."""
    reference = found.reference
    current_tag = reference.tag if reference is not None else None
    from taglint.checks.images import short_digest

    today = f"`{ref.value}` points at `{short_digest(pin.digest)}` today"
    version = pin.version_tag
    if exact and current_tag:
        targets = [Target(name, current_tag, pin.digest)]
        if style not in ("tag", "tag@digest"):
            targets.insert(0, Target(name, None, pin.digest, comment=current_tag))
        applicability = "safe"
        why = f"{today}; the digest keeps it exactly that image"
    elif version:
        if style == "tag":
            targets = [Target(name, version)]
        elif style == "tag@digest":
            targets = [Target(name, version, pin.digest)]
        else:  # digest, with the version in a comment; a place that holds only a tag keeps it
            targets = [Target(name, None, pin.digest, comment=version), Target(name, version, pin.digest)]
        applicability = "safe"
        why = f"{today}, the digest of the version tag `{version}`"
    else:
        targets = [Target(name, None, pin.digest), Target(name, current_tag, pin.digest)]
        applicability = "unsafe"
        why = (f"{today}, and no version tag shares that digest: pinning the digest freezes the image "
               f"without naming a version (unsafe: review it)")
    for target in targets:
        edits = pin_edits(ref, current_tag, target, facts, line_text)
        if target.comment and len(edits) < 2:
            continue  # a digest pin keeps its version in a comment, or the tag stays beside it
        if edits:
            return Fix(f"Pin `{target.text}`: {why}.", applicability, edits)
    elsewhere = sorted({
        f"{step.location.path}:{step.location.span.line}" for step in ref.via
        if step.location is not None and step.location.path != ref.path
    })
    where = (f"its value is set in {', '.join(elsewhere)}: change it there" if elsewhere
             else "taglint cannot write it where this value is decided (a template expression or a value "
                  "built from several parts)")
    return Fix(f"Pin `{targets[0].text}`: {why}; {where}.", "none")


# -- GitHub Actions --------------------------------------------------------------


def _resolve_actions(result: ScanResult, config_for: Callable[[str], Config], lines: _Lines) -> None:
    actions = {(a.path, a.span): a for facts in result.files for a in facts.actions}
    failures: dict[str, str] = {}
    for position, finding in enumerate(result.findings):
        if finding.rule not in ACTION_RULES:
            continue
        action = actions.get((finding.path, finding.span))
        if action is None or action.kind not in ("github-workflow", "github-action") or not action.ref:
            continue
        repository = "/".join(action.name.split("/")[:2])
        if repository.count("/") != 1 or action.name.startswith(("docker://", "./")):
            continue
        base_url = config_for(finding.path).resolve_actions_url or DEFAULT_ACTIONS_URL
        key = f"{repository}@{action.ref}"
        try:
            from taglint.registry.git_refs import action_pin

            sha, tag = action_pin(repository, action.ref, base_url=base_url)
        except Exception as exc:  # RefLookupError, git missing: a notice, the scan goes on
            failures.setdefault(key, str(getattr(exc, "message", exc)))
            continue
        fix = action_fix(action, sha, tag or action.ref, lines.line(action.path, action.span.line))
        result.findings[position] = replace(finding, fix=fix)
    for key, why in sorted(failures.items()):
        result.errors.append(f"--resolve: cannot resolve `{key}`: {why}")


def action_fix(action: ActionRef, sha: str, version: str, line_text: str | None) -> Fix:
    """``owner/repo@v4`` -> ``owner/repo@<sha> # v4.2.2``: the commit the
    ref names today, the version in a comment (when the rest of the line is
    free for one)."""
    span = action.span
    head = action.written.rsplit("@", 1)[0]
    edits: list[Edit] = [Edit(span, f"{head}@{sha}")]
    if line_text is not None and span.line == span.end_line:
        rest = line_text[span.end_column - 1 :]
        if rest.strip() in ("", '"', "'") and "#" not in rest:
            end = len(line_text.rstrip("\r")) + 1
            edits.append(Edit(Span(span.line, end, span.line, end), f" # {version}"))
    description = f"Pin `{head}@{sha}` (`{action.ref}` names that commit today, `{version}`)."
    return Fix(description, "safe", tuple(edits))
