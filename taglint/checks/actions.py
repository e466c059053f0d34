"""Check kinds over CI component references (:class:`ActionRef`): TL301, TL302.

An :class:`ActionRef` is a GitHub ``uses: owner/repo@ref`` (step or
reusable workflow), a GitLab ``include: component: host/path@ref`` or a
CircleCI orb ``namespace/orb@version``.  Extractors record the reference
as written; these checks decide whether the ref moves.

- ``action-unpinned-branch`` (TL301): no ref at all, a branch name
  (``params.branches``), GitLab's ``~latest`` or CircleCI's ``volatile`` /
  ``dev:…`` versions (``params.floating`` / ``params.floating-prefixes``).
- ``action-mutable-tag`` (TL302): any other ref that is not immutable: for
  GitHub and GitLab only a full 40-hex commit SHA is; a CircleCI orb
  version ``x.y.z`` is immutable once published (the registry refuses to
  overwrite it), so only partial orb versions (``@5``, ``@5.1``) count.
  Refs that TL301 reports are left to TL301, so one ref gives one finding.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from taglint.model import ActionRef, Hit

if TYPE_CHECKING:
    from taglint.project import Project
    from taglint.ruleset import Rule

_DEFAULT_BRANCHES = ("main", "master", "HEAD", "develop", "dev", "trunk")
_DEFAULT_FLOATING = ("~latest", "volatile")
_DEFAULT_PREFIXES = ("dev:",)
_SHA = re.compile(r"[0-9a-fA-F]{40}")
_ORB_VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")

SYSTEMS = {"github-workflow": "GitHub Actions", "github-action": "GitHub Actions", "gitlab-ci": "GitLab CI", "circleci": "CircleCI"}


def _strings(params: Mapping[str, Any], key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = params.get(key)
    return tuple(str(v) for v in value) if isinstance(value, list) else default


def unpinned_reason(ref: ActionRef, params: Mapping[str, Any]) -> str | None:
    """Why ``ref`` follows a moving target (TL301), or None."""
    if ref.ref is None or ref.ref == "":
        return "has no ref, so it follows the default branch"
    branches = _strings(params, "branches", _DEFAULT_BRANCHES)
    if ref.ref in branches:
        return f"follows the branch `{ref.ref}`"
    if ref.ref in _strings(params, "floating", _DEFAULT_FLOATING):
        return f"follows `{ref.ref}`, the newest published version"
    for prefix in _strings(params, "floating-prefixes", _DEFAULT_PREFIXES):
        if ref.ref.startswith(prefix):
            return f"uses the development version `{ref.ref}`, which can be overwritten at any time"
    return None


def mutable_reason(ref: ActionRef) -> str | None:
    """Why a ref that is not a branch can still change (TL302), or None."""
    value = ref.ref or ""
    if ref.kind == "circleci":
        if _ORB_VERSION.fullmatch(value):
            return None
        return f"`{value}` is a version range that moves to every new release"
    if _SHA.fullmatch(value):
        return None
    return f"`{value}` is a tag or branch that can be moved to another commit"


def _hit(ref: ActionRef, reason: str) -> Hit:
    fields = {
        "written": ref.written,
        "name": ref.name,
        "ref": ref.ref or "",
        "reason": reason,
        "system": SYSTEMS.get(ref.kind, ref.kind),
        "reference": ref.written,
    }
    return Hit(path=ref.path, span=ref.span, fields=fields, reference=ref.written, kind=ref.kind)


def check_unpinned_branch(rule: Rule, project: Project) -> Iterator[Hit]:
    for ref in project.actions():
        reason = unpinned_reason(ref, rule.params)
        if reason is not None:
            yield _hit(ref, reason)


def check_mutable_tag(rule: Rule, project: Project) -> Iterator[Hit]:
    for ref in project.actions():
        if unpinned_reason(ref, rule.params) is not None:
            continue
        reason = mutable_reason(ref)
        if reason is not None:
            yield _hit(ref, reason)
