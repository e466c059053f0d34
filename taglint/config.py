"""Configuration: discovery, validation, and the merged settings of one run.

Sources, lowest priority first: built-in defaults, the configuration file
(``.taglint.yaml``, ``.taglint.yml`` or ``[tool.taglint]`` in
``pyproject.toml``, found from the working directory upward to the
repository root, or ``--config PATH``), then command-line options.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from taglint.errors import ConfigError

CONFIG_NAMES = (".taglint.yaml", ".taglint.yml")
DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024  # release bundles and install scripts run to 10 MB
_SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "config.schema.json"


@dataclass(frozen=True)
class ImagePolicy:
    match: str
    require: str | None = None  # "semver" | "semver-strict" | "version" | "digest" (taglint.image_policy)
    allow_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)
    fail_on: str = "warning"
    strict: bool = False
    exclude: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    registries_allow: tuple[str, ...] = ()
    registries_deny: tuple[str, ...] = ()
    images: tuple[ImagePolicy, ...] = ()
    floating_tags: tuple[str, ...] = ()
    variant_suffixes: tuple[str, ...] = ()
    rule_dirs: tuple[Path, ...] = ()
    build_args: Mapping[str, str] = field(default_factory=dict)
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    pin_style: str = "tag"
    fix_versions: Mapping[str, str] = field(default_factory=dict)
    source: str | None = None  # the file this came from, for messages

    def with_overrides(self, **changes: Any) -> Config:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


@lru_cache(maxsize=1)
def config_schema() -> dict[str, Any]:
    return json.loads(_SCHEMA_PATH.read_text(encoding="utf-8"))


def schema_text() -> str:
    return _SCHEMA_PATH.read_text(encoding="utf-8")


def validate(data: Any, source: str) -> None:
    """Raise ConfigError naming the key path and the reason of the first problem."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(config_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    if errors:
        first = errors[0]
        where = key_path(first.absolute_path)
        raise ConfigError(f"{source}: {where}: {first.message}")


def key_path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def find_config_file(start: Path) -> Path | None:
    """The nearest config file from ``start`` upward, stopping at the repository root."""
    here = start.resolve()
    for folder in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _pyproject_section(pyproject) is not None:
            return pyproject
        if (folder / ".git").exists():
            return None
    return None


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{display_path(path)}: cannot read: {exc}") from exc


def _pyproject_section(path: Path) -> Any:
    return _load_toml(path).get("tool", {}).get("taglint")


def read_config_file(path: Path) -> Config:
    if path.name == "pyproject.toml":
        data = _pyproject_section(path)
        if data is None:
            raise ConfigError(f"{display_path(path)}: no [tool.taglint] section")
    else:
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        except OSError as exc:
            raise ConfigError(f"{display_path(path)}: cannot read: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{display_path(path)}: not UTF-8 text: {exc.reason}") from exc
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}: " if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise ConfigError(f"{display_path(path)}: {where}invalid YAML: {problem}") from exc
        if data is None:
            data = {}
    shown = display_path(path)
    validate(data, shown)
    check_patterns(data, shown)
    return from_mapping(data, base=path.parent, source=shown)


def display_path(path: Path) -> str:
    """``path`` as messages show it: relative to the working directory."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)


def check_patterns(data: Mapping[str, Any], source: str) -> None:
    """Raise ConfigError for the first path glob that cannot be used,
    with its key path and the reason, when the configuration loads (not in
    the middle of a scan)."""
    from taglint.globs import glob_problem

    found: list[tuple[tuple[str | int, ...], str]] = []
    for key in ("exclude", "extend-exclude"):
        found += [((key, index), pattern) for index, pattern in enumerate(data.get(key, ()))]
    found += [(("per-file-ignores", pattern), pattern) for pattern in data.get("per-file-ignores", {})]
    for where, pattern in found:
        problem = glob_problem(pattern)
        if problem is not None:
            raise ConfigError(f'{source}: {key_path(where)}: bad pattern "{pattern}": {problem}')


def from_mapping(data: Mapping[str, Any], base: Path, source: str | None = None) -> Config:
    registries = data.get("registries", {})
    fix = data.get("fix", {})
    return Config(
        select=tuple(data.get("select", ())),
        extend_select=tuple(data.get("extend-select", ())),
        ignore=tuple(data.get("ignore", ())),
        severity=dict(data.get("severity", {})),
        fail_on=data.get("fail-on", "warning"),
        strict=bool(data.get("strict", False)),
        exclude=tuple(data.get("exclude", ())) + tuple(data.get("extend-exclude", ())),
        per_file_ignores={k: tuple(v) for k, v in data.get("per-file-ignores", {}).items()},
        registries_allow=tuple(registries.get("allow", ())),
        registries_deny=tuple(registries.get("deny", ())),
        images=tuple(
            ImagePolicy(match=p["match"], require=p.get("require"), allow_tags=tuple(p.get("allow-tags", ())))
            for p in data.get("images", ())
        ),
        floating_tags=tuple(data.get("floating-tags", ())),
        variant_suffixes=tuple(data.get("variant-suffixes", ())),
        rule_dirs=tuple((base / d) for d in data.get("rules", ())),
        build_args={k: str(v) for k, v in data.get("build-args", {}).items()},
        max_file_size=int(data.get("max-file-size", DEFAULT_MAX_FILE_SIZE)),
        pin_style=fix.get("pin-style", "tag"),
        fix_versions=dict(fix.get("versions", {})),
        source=source,
    )


def load_config(explicit: Path | None, use_config: bool, cwd: Path) -> Config:
    """The configuration for a run started in ``cwd``."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: config file not found")
        return read_config_file(explicit)
    if not use_config:
        return Config()
    found = find_config_file(cwd)
    return read_config_file(found) if found else Config()


STARTER_CONFIG = """\
# taglint configuration — see `taglint rules` and `taglint schema`.
# Every key is optional; the values shown are the defaults unless noted.

# Rule codes, prefixes (TL1) or names (untagged-image) to check; the default set
# when empty. Longest prefix wins; an unknown code is an error.
# select: [TL1, TL2, TL3]
# ignore: [TL104]

# Lowest severity that fails the run (exit 1): error | warning | info.
fail-on: warning

# Strict mode: TL104 becomes a warning, TL110 (digest pins) and TL302 turn on.
strict: false

# Per-rule severity overrides ('off' disables a rule).
# severity:
#   TL104: warning

# Paths never scanned, in addition to .gitignore.
# exclude: ["vendor/**", "third_party/**"]

# Rules skipped in some files.
# per-file-ignores:
#   "examples/**": [TL101, TL102]

# Registries images may come from (globs over host[/path]): TL109, TL206.
# registries:
#   allow: ["registry.example.com/**", "docker.io/library/*"]
#   deny: ["docker.io/randomuser/*"]

# Per-image policies: TL106 requires semver tags (v1.0, 1.4.2; semver-strict:
# MAJOR.MINOR.PATCH), exact versions or digests; a tag that meets its policy is
# an exact release (no TL104).
# images:
#   - match: "registry.example.com/ml/**"
#     require: semver
#     allow-tags: ["stable-*"]

# Extra words that make a tag floating, and variant words that are not prereleases.
# floating-tags: [weekly]
# variant-suffixes: [cuda]

# Dockerfile ARG values (as --build-arg).
# build-args:
#   PYTHON_VERSION: "3.12.7"
"""
