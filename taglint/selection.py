"""Which rules run, and at which severity: ``select``/``ignore`` prefixes
(longest match wins), per-code severity overrides, strict mode; and the
codes a configuration names, checked against the known rules."""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Mapping, Sequence

from taglint.codes import RuleCodes
from taglint.config import Config, key_path
from taglint.errors import ConfigError
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
    """Whether ``rule`` runs under ``config``.

    ``select`` and ``extend-select`` are read alike: the longest matching
    prefix of either (``ALL`` the shortest) is weighed against the longest
    of ``ignore``.  A rule that is off by default runs when named by its
    exact code (or name), by ``ALL`` (every rule), when strict mode or its
    configured subject turns it on, or when ``severity`` gives its own code
    a level other than ``off`` (setting a severity selects it, as users of
    ruff expect); a prefix selects only the rules that are on."""
    code = rule.code
    if configured_severity_for(code, config.severity) == "off":
        return False
    on_by_default = (
        rule.enabled_by_default(config.strict)
        or _ENABLED_BY_CONFIG.get(code, lambda c: False)(config)
        or code in config.severity
    )
    ignored = _longest(code, config.ignore)
    chosen = max(_longest(code, config.select), _longest(code, config.extend_select))
    by_all = chosen == 0 and "ALL" in (*config.select, *config.extend_select)
    if chosen == len(code) or by_all:
        pass  # named by its exact code, or ALL: runs even when off by default
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


def resolved_codes(written: Sequence[str], rules: Mapping[str, Rule], where: str) -> tuple[str, ...]:
    """``written`` as code prefixes (names become their codes); a
    ConfigError naming ``where`` (an option, say) for anything unknown."""
    known = RuleCodes(rules)
    out = []
    for token in written:
        code = known.lookup(token)
        if code is None:
            raise ConfigError(f"{where}: {known.problem(token)}")
        out.append(code)
    return tuple(dict.fromkeys(out))


def resolved_config(config: Config, rules: Mapping[str, Rule]) -> Config:
    """``config`` with every rule code it names (``select``,
    ``extend-select``, ``ignore``, ``severity`` keys, ``per-file-ignores``
    values) checked and written as a code prefix: a rule name is an alias
    of its code; an unknown code, prefix or name is a ConfigError naming
    the file and the key path."""
    known = RuleCodes(rules)
    origin = f"{config.source}: " if config.source else ""

    def codes(values: Sequence[str], *path: str | int) -> tuple[str, ...]:
        out = []
        for index, token in enumerate(values):
            code = known.lookup(token)
            if code is None:
                raise ConfigError(f"{origin}{key_path((*path, index))}: {known.problem(token)}")
            out.append(code)
        return tuple(dict.fromkeys(out))

    select = codes(config.select, "select")
    extend_select = codes(config.extend_select, "extend-select")
    ignore = codes(config.ignore, "ignore")
    severity: dict[str, str] = {}
    for token, level in config.severity.items():
        code = known.lookup(token)
        if code is None:
            raise ConfigError(f"{origin}{key_path(('severity', token))}: {known.problem(token)}")
        severity[code] = level
    per_file_ignores = {
        pattern: codes(values, "per-file-ignores", pattern) for pattern, values in config.per_file_ignores.items()
    }
    return replace(
        config, select=select, extend_select=extend_select, ignore=ignore, severity=severity,
        per_file_ignores=per_file_ignores,
    )
