"""What the CI formats say about a rule besides its YAML: where its docs are
online, how precise it is, and how much a security finding matters.  One
table each, so SARIF, GitLab and the HTML report agree."""
from __future__ import annotations

from typing import Any

# docs/rules.md as GitHub renders it: each rule is a `## TL101 untagged-image`
# heading, whose anchor is `#tl101-untagged-image`.
DOCS_URL = "https://github.com/taglint/taglint/blob/main/docs/rules.md"
PROJECT_URL = "https://github.com/taglint/taglint"

# GitHub code scanning's `security-severity` (a CVSS-like score: 7.0-8.9 is
# "high", 4.0-6.9 "medium").  Every push/build/login rule (TL2xx) is about
# what a pipeline publishes or which credentials it exposes; these three
# hand credentials or the image itself to anyone on the network path.
SECURITY_FAMILY = "TL2"
HIGH_SECURITY = frozenset({"TL207", "TL208", "TL212"})
HIGH, MEDIUM = "8.0", "5.0"

# SARIF `precision`: how often a finding of the rule is right.  Rules that
# judge a sequence of commands or compare places (a login for a push, the
# newest version in a folder, a tag taglint could not read) guess more
# than rules that read one reference.
_PRECISION = {
    "TL001": "very-high", "TL002": "very-high", "TL101": "very-high", "TL102": "very-high",
    "TL107": "very-high", "TL201": "very-high", "TL203": "very-high", "TL207": "very-high",
    "TL208": "very-high",
    "TL105": "medium", "TL108": "medium", "TL113": "medium", "TL202": "medium", "TL209": "medium",
    "TL211": "medium",
}
DEFAULT_PRECISION = "high"

_FAMILIES = {"TL0": "meta", "TL1": "image-reference", "TL2": "push-and-login", "TL3": "ci-component"}

# SARIF result levels and GitLab Code Quality severities of taglint's severities.
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def anchor(code: str, name: str) -> str:
    """The heading anchor of a rule in docs/rules.md."""
    return f"{code.lower()}-{name}"


def help_uri(code: str, name: str) -> str:
    return f"{DOCS_URL}#{anchor(code, name)}"


def security_severity(code: str) -> str | None:
    if code in HIGH_SECURITY:
        return HIGH
    if code.startswith(SECURITY_FAMILY):
        return MEDIUM
    return None


def precision(code: str) -> str:
    return _PRECISION.get(code, DEFAULT_PRECISION)


def family(code: str) -> str | None:
    return _FAMILIES.get(code[:3])


def tags(code: str) -> list[str]:
    out = [name for name in (family(code),) if name]
    if security_severity(code) is not None:
        out.append("security")
    return out


def properties(code: str) -> dict[str, Any]:
    """A SARIF rule's ``properties``: tags, precision, security-severity."""
    out: dict[str, Any] = {"tags": tags(code), "precision": precision(code)}
    score = security_severity(code)
    if score is not None:
        out["security-severity"] = score
    return out


def is_builtin(rule: Any) -> bool:
    """A rule shipped with taglint (documented in docs/rules.md), not one a
    user added with ``rules:``."""
    from taglint.ruleset import builtin_rules

    known = builtin_rules().get(rule.code)
    return known is not None and known.source == rule.source


def rule_help_uri(rule: Any) -> str | None:
    """The rule's online docs; user rules have none."""
    return help_uri(rule.code, rule.name) if is_builtin(rule) else None
