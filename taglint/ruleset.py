"""Rules as data: load the YAML files under ``rules/``, validate them, and
decide which are active under a configuration."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from taglint.errors import RuleError

_PACKAGE = Path(__file__).resolve().parent


def builtin_rules_dir() -> Path:
    """``taglint/rules`` in an installed wheel, ``rules/`` in a source checkout."""
    installed = _PACKAGE / "rules"
    if installed.is_dir() and any(installed.rglob("*.yaml")):
        return installed
    return _PACKAGE.parent / "rules"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str
    severity: str
    enabled: bool
    check_kind: str
    params: Mapping[str, Any]
    message: str
    fix: str
    docs: Mapping[str, Any]
    applies_to: tuple[str, ...] = ()
    strict_enabled: bool | None = None
    strict_severity: str | None = None
    source: str = ""
    fixable: str = "never"  # always | sometimes | never: does --fix change its findings
    severity_when: tuple[tuple[str, str], ...] = ()  # (severity, when) of findings not at the default

    def default_severity(self, strict: bool) -> str:
        if strict and self.strict_severity:
            return self.strict_severity
        return self.severity

    def enabled_by_default(self, strict: bool) -> bool:
        if strict and self.strict_enabled is not None:
            return self.strict_enabled
        return self.enabled

    @property
    def param(self) -> Mapping[str, Any]:
        return self.params


@lru_cache(maxsize=1)
def rule_schema() -> dict[str, Any]:
    import json

    return json.loads((_PACKAGE / "schemas" / "rule.schema.json").read_text(encoding="utf-8"))


def validate_rule_data(data: Any, source: str) -> None:
    import jsonschema  # imported here: only user rule folders are validated at run time

    validator = jsonschema.Draft202012Validator(rule_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        first = errors[0]
        where = ".".join(str(p) for p in first.absolute_path) or "(top level)"
        raise RuleError(f"{source}: {where}: {first.message}")


def _rule_from_data(data: Any, source: str, validate: bool) -> Rule:
    if validate:
        validate_rule_data(data, source)
    strict = data.get("strict", {})
    return Rule(
        code=data["code"],
        name=data["name"],
        summary=data["summary"],
        severity=data["severity"],
        enabled=data["enabled"],
        check_kind=data["check"]["kind"],
        params=data["check"].get("params", {}),
        message=data["message"],
        fix=data["fix"],
        docs=data["docs"],
        applies_to=tuple(data.get("applies-to", ())),
        strict_enabled=strict.get("enabled"),
        strict_severity=strict.get("severity"),
        source=source,
        fixable=data.get("fixable", "never"),
        severity_when=tuple((data.get("severity-when") or {}).items()),
    )


def load_rule_file(path: Path, validate: bool = True) -> Rule:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except (OSError, yaml.YAMLError) as exc:
        raise RuleError(f"{path}: cannot read rule: {exc}") from exc
    return _rule_from_data(data, str(path), validate)


def load_rules(extra_dirs: Iterable[Path] = ()) -> dict[str, Rule]:
    """All rules by code: the built-in ones plus those in ``extra_dirs``.

    Built-in rules are validated by the test suite, not at every start, and
    read once per process; rules from user folders are validated against
    the schema when loaded.  Codes and names are unique: a name is an alias
    of its code wherever codes are written."""
    rules = dict(builtin_rules())
    for folder in extra_dirs:
        _add_folder(rules, folder, validate=True)
    return dict(sorted(rules.items()))


def _add_folder(rules: dict[str, Rule], folder: Path, validate: bool) -> None:
    from taglint.checks import CHECK_KINDS

    if not folder.is_dir():
        raise RuleError(f"{folder}: rule folder does not exist")
    names = {rule.name: rule for rule in rules.values()}
    paths = sorted(folder.rglob("*.yaml"))
    compiled = None if validate else _compiled_rule_data(paths)
    for index, path in enumerate(paths):
        if compiled is None:
            rule = load_rule_file(path, validate=validate)
        else:
            rule = _rule_from_data(compiled[index], str(path), validate=False)
        if rule.check_kind not in CHECK_KINDS:
            raise RuleError(f"{path}: unknown check kind {rule.check_kind!r}")
        if rule.code in rules:
            raise RuleError(f"{path}: rule code {rule.code} is already defined in {rules[rule.code].source}")
        if rule.name in names:
            raise RuleError(f"{path}: rule name {rule.name} is already the name of {names[rule.name].code}")
        rules[rule.code] = names[rule.name] = rule


def _compiled_rule_data(paths: list[Path]) -> list[Any] | None:
    """The parsed built-in rule files, through :mod:`taglint.rule_cache`
    (no YAML parse at start-up once compiled); None when one of them cannot
    be read or parsed, so that :func:`load_rule_file` reports it."""
    from taglint.rule_cache import load_yaml_files

    try:
        return load_yaml_files(paths, "rules")
    except Exception:  # noqa: BLE001 - the file-by-file load says what is wrong
        return None


@lru_cache(maxsize=1)
def builtin_rules() -> dict[str, Rule]:
    """The built-in rules by code (read once; do not change the mapping)."""
    rules: dict[str, Rule] = {}
    _add_folder(rules, builtin_rules_dir(), validate=False)
    return dict(sorted(rules.items()))
