"""Which rules run, and at which severity: ``select``/``ignore`` prefixes
(longest match wins), per-code severity overrides, strict mode."""
from __future__ import annotations

from typing import Iterable, Mapping

from taglint.config import Config
from taglint.ruleset import Rule

# Off-by-default rules that configuring their subject turns on.
_ENABLED_BY_CONFIG = {
    "TL106": lambda c: any(p.require for p in c.images),
    "TL109": lambda c: bool(c.registries_allow or c.registries_deny),
    "TL206": lambda c: bool(c.registries_allow or c.registries_deny),
}


def _longest(code: str, prefixes: Iterable[str]) -> int:
    """Length of the longest prefix matching ``code`` (-1 when none; ALL is 0)."""
    best = -1
    for prefix in prefixes:
        if prefix == "ALL":
            best = max(best, 0)
        elif code.startswith(prefix):
            best = max(best, len(prefix))
    return best


def is_active(rule: Rule, config: Config) -> bool:
    code = rule.code
    if configured_severity_for(code, config.severity) == "off":
        return False
    on_by_default = rule.enabled_by_default(config.strict) or _ENABLED_BY_CONFIG.get(code, lambda c: False)(config)
    ignored = _longest(code, config.ignore)
    chosen = _longest(code, config.select or config.extend_select)
    if chosen == len(code):
        pass  # named by its exact code: runs even when off by default
    elif not on_by_default or (config.select and chosen < 0):
        return False
    else:
        chosen = max(chosen, 0)
    return ignored < 0 or chosen > ignored


def configured_severity_for(code: str, overrides: Mapping[str, str]) -> str | None:
    best_len, best = -1, None
    for prefix, severity in overrides.items():
        length = 0 if prefix == "ALL" else (len(prefix) if code.startswith(prefix) else -1)
        if length > best_len:
            best_len, best = length, severity
    return best


def severity_of(rule: Rule, config: Config) -> str:
    return configured_severity_for(rule.code, config.severity) or rule.default_severity(config.strict)


def active_rules(rules: Mapping[str, Rule], config: Config) -> list[Rule]:
    return [rule for rule in rules.values() if is_active(rule, config)]


def code_matches(code: str, prefixes: Iterable[str]) -> bool:
    return _longest(code, prefixes) >= 0


def configured_severity(code: str, config: Config) -> str | None:
    """The severity the user configured for ``code``, if any."""
    return configured_severity_for(code, config.severity)
