"""Configuration: discovery, validation, and the merged settings of one run.

Sources, lowest priority first: built-in defaults, the configuration file
(``.taglint.yaml``, ``.taglint.yml`` or ``[tool.taglint]`` in
``pyproject.toml``; for each scanned file the nearest one from the file's
folder upward to the repository root, as ruff does, or ``--config PATH``
for every file), then command-line options.  ``exclude`` and
``per-file-ignores`` patterns are anchored at the folder of the file that
defines them (:attr:`Config.root`), so a repository means the same from
any working directory.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

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
    # --resolve: hosts allowed over plain HTTP, and where `git ls-remote` lists action repositories
    resolve_insecure_registries: tuple[str, ...] = ()
    resolve_actions_url: str | None = None
    # Path glob (relative to :attr:`root`) -> the kind its files are checked
    # as, whatever their name or text says (taglint.kinds); first match wins.
    kinds: Mapping[str, str] = field(default_factory=dict)
    source: str | None = None  # the file this came from, for messages
    # The folder ``exclude`` and ``per-file-ignores`` patterns are relative
    # to: the config file's folder; None (no file) means the working directory.
    root: Path | None = None

    def with_overrides(self, **changes: Any) -> Config:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


@lru_cache(maxsize=1)
def config_schema() -> dict[str, Any]:
    import json  # here: only a configuration file is validated

    return json.loads(_SCHEMA_PATH.read_text(encoding="utf-8"))


def schema_text() -> str:
    return _SCHEMA_PATH.read_text(encoding="utf-8")


def validate(data: Any, source: str) -> None:
    """Raise ConfigError naming the key path and the reason of the first
    problem, in plain words (:func:`plain_reason`)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(config_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    if errors:
        first = errors[0]
        where = "" if not first.absolute_path else f"{key_path(first.absolute_path)}: "
        raise ConfigError(f"{source}: {where}{plain_reason(first)}")


# What a value of each schema definition looks like, for messages.
_EXPECTED = {
    "code-prefixes": "a list of codes, e.g. [TL101]",
    "code-prefix": "a rule code, prefix or name, e.g. TL101",
    "globs": 'a list of path patterns, e.g. ["vendor/**"]',
    "severity": "one of error, warning, info, off",
}
_JSON_TYPES = {
    "array": "a list", "object": "a mapping (key: value)", "string": "a string", "boolean": "true or false",
    "integer": "a whole number", "number": "a number",
}


def plain_reason(error: Any) -> str:
    """A jsonschema error said in plain words: unknown keys with the
    nearest known one, what a value should look like."""
    from taglint.suggest import closest

    kind, schema, value = error.validator, error.schema, error.instance
    if kind == "additionalProperties" and schema.get("additionalProperties") is False:
        known = list(schema.get("properties", {}))
        unknown = [key for key in value if key not in known]
        key = unknown[0] if unknown else "?"
        nearest = closest(str(key), known)
        hint = f" (did you mean {nearest}?)" if nearest else f" (known keys: {', '.join(known)})"
        return f'unknown key "{key}"{hint}'
    expected = _expected_of(error)
    if kind == "enum":
        return f"expected one of {', '.join(map(str, error.validator_value))}, got {value!r}"
    if kind == "uniqueItems":
        return f"lists a code twice: {value}"
    if kind == "minLength":
        return "expected a non-empty string"
    if kind == "minimum":
        return f"expected a number of at least {error.validator_value}, got {value!r}"
    if kind == "required":
        missing = [key for key in error.validator_value if key not in value]
        return f'"{missing[0] if missing else "?"}" is required'
    if kind == "propertyNames" or (expected and kind == "minLength"):
        return f"expected {expected}" if expected else error.message
    if kind == "type":
        wanted = error.validator_value
        wanted = [wanted] if isinstance(wanted, str) else wanted
        what = expected or " or ".join(_JSON_TYPES.get(w, w) for w in wanted)
        return f"expected {what}, got {_shown(value)}"
    return f"expected {expected}, got {_shown(value)}" if expected else error.message


def _expected_of(error: Any) -> str | None:
    """The plain description of the schema definition (``$defs``) the
    failing value should match, if it has one."""
    for name, definition in config_schema().get("$defs", {}).items():
        if definition == error.schema and name in _EXPECTED:
            return _EXPECTED[name]
    return None


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return f"a list {value!r}" if len(repr(value)) < 40 else "a list"
    return repr(value)


def key_path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def find_config_file(start: Path) -> Path | None:
    """The nearest config file from ``start`` upward, stopping at the repository root."""
    here = start.resolve()
    for folder in (here, *here.parents):
        found = config_file_in(folder)
        if found is not None:
            return found
        if (folder / ".git").exists():
            return None
    return None


def config_file_in(folder: Path) -> Path | None:
    """The config file of ``folder`` itself, if it has one."""
    for name in CONFIG_NAMES:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file() and _pyproject_section(pyproject) is not None:
        return pyproject
    return None


class ConfigLookup:
    """The configuration of each scanned file: the nearest config file from
    the file's folder upward (to the repository root), read once and
    finished by ``finish`` (rule names resolved, command-line options
    applied); one answer per folder, cached.  With ``fixed`` every file
    gets that configuration (``--config FILE``, ``--no-config``)."""

    def __init__(self, finish: Callable[[Config], Config], fixed: Config | None = None) -> None:
        self._finish = finish
        self._fixed = finish(fixed) if fixed is not None else None
        self._default: Config | None = None
        self._by_folder: dict[Path, Config] = {}
        self._by_file: dict[Path, Config] = {}

    @property
    def fixed(self) -> Config | None:
        """The configuration of every file, when there is one for all."""
        return self._fixed

    def for_folder(self, folder: Path) -> Config:
        if self._fixed is not None:
            return self._fixed
        found = self._by_folder.get(folder)
        if found is None:
            found = self._by_folder[folder] = self._look_up(folder)
        return found

    def _look_up(self, folder: Path) -> Config:
        file = config_file_in(folder)
        if file is not None:
            if file not in self._by_file:
                self._by_file[file] = self._finish(read_config_file(file))
            return self._by_file[file]
        parent = folder.parent
        if parent == folder or (folder / ".git").exists():
            if self._default is None:
                self._default = self._finish(Config())
            return self._default
        return self.for_folder(parent)

    def for_path(self, path: Path) -> Config:
        """The configuration of the file or folder ``path`` (absolute)."""
        return self.for_folder(path if path.is_dir() else path.parent)


class Anchors:
    """Paths as ``exclude`` and ``per-file-ignores`` patterns see them:
    relative to the folder of the config that defines the patterns
    (:attr:`Config.root`); the display path (relative to the working
    directory) for a configuration of no file, or a file outside that
    folder.  One ``realpath`` per folder, cached."""

    def __init__(self) -> None:
        self._prefixes: dict[tuple[str, Path], str | None] = {}

    def path(self, config: Config, fs_path: Path | str, shown: str) -> str:
        if config.root is None:
            return shown
        folder, name = os.path.split(str(fs_path))
        key = (folder, config.root)
        if key not in self._prefixes:
            try:
                rel = os.path.relpath(os.path.realpath(folder), config.root)
            except ValueError:  # another drive (Windows)
                rel = os.pardir
            outside = rel == os.pardir or rel.startswith(os.pardir + os.sep)
            self._prefixes[key] = None if outside else ("" if rel == os.curdir else rel.replace(os.sep, "/") + "/")
        prefix = self._prefixes[key]
        return shown if prefix is None else prefix + name


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


def _unique_keys_loader() -> Any:
    """A YAML SafeLoader (the C one when available) that rejects a key
    written twice in one mapping: the second would silently win."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class UniqueKeyLoader(base):  # type: ignore[misc, valid-type]
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node.start_mark.line + 1)
                except TypeError:  # an unhashable key: the schema says no
                    continue
                if first != key_node.start_mark.line + 1:
                    raise yaml.constructor.ConstructorError(
                        None, None, f'key "{key}" written twice (lines {first} and {key_node.start_mark.line + 1})',
                        key_node.start_mark,
                    )
            return super().construct_mapping(node, deep)

    return UniqueKeyLoader


def config_source_name(path: Path) -> str:
    """How messages name a config file: ``pyproject.toml [tool.taglint]``
    for the section of a pyproject.toml."""
    shown = display_path(path)
    return f"{shown} [tool.taglint]" if path.name == "pyproject.toml" else shown


def read_config_file(path: Path) -> Config:
    if path.name == "pyproject.toml":
        data = _pyproject_section(path)
        if data is None:
            raise ConfigError(f"{display_path(path)}: no [tool.taglint] section")
    else:
        import yaml

        loader = _unique_keys_loader()
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
    shown = config_source_name(path)
    data = _off_as_written(data)
    validate(data, shown)
    check_patterns(data, shown)
    check_kinds(data, shown)
    return from_mapping(data, base=path.parent, source=shown)


def _off_as_written(data: Any) -> Any:
    """``severity: {TL104: off}`` as the user meant it: YAML 1.1 reads an
    unquoted ``off`` as false."""
    if isinstance(data, dict) and isinstance(data.get("severity"), dict):
        severity = {key: "off" if value is False else value for key, value in data["severity"].items()}
        data = {**data, "severity": severity}
    return data


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
    found += [(("kinds", pattern), pattern) for pattern in data.get("kinds", {})]
    for where, pattern in found:
        problem = glob_problem(pattern)
        if problem is not None:
            raise ConfigError(f'{source}: {key_path(where)}: bad pattern "{pattern}": {problem}')


def check_kinds(data: Mapping[str, Any], source: str) -> None:
    """Raise ConfigError for the first ``kinds:`` entry naming a kind no
    file can be checked as, with the nearest known kind."""
    kinds = data.get("kinds")
    if not kinds:
        return
    from taglint.kinds import kinds_problem

    found = kinds_problem(kinds)
    if found is not None:
        pattern, problem = found
        raise ConfigError(f"{source}: {key_path(('kinds', pattern))}: {problem}")


def from_mapping(data: Mapping[str, Any], base: Path, source: str | None = None) -> Config:
    registries = data.get("registries", {})
    fix = data.get("fix", {})
    resolving = data.get("resolve", {})
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
        resolve_insecure_registries=tuple(resolving.get("insecure-registries", ())),
        resolve_actions_url=resolving.get("actions-url"),
        kinds={str(k): str(v).strip() for k, v in data.get("kinds", {}).items()},
        source=source,
        root=base.resolve() if source is not None else None,
    )


def settings_of(config: Config) -> dict[str, Any]:
    """Every setting of ``config`` under its configuration-file key, with
    its resolved value (codes, not names), for ``--show-settings``."""
    return {
        "select": list(config.select),
        "extend-select": list(config.extend_select),
        "ignore": list(config.ignore),
        "severity": dict(config.severity),
        "fail-on": config.fail_on,
        "strict": config.strict,
        "exclude": list(config.exclude),
        "per-file-ignores": {k: list(v) for k, v in config.per_file_ignores.items()},
        "patterns-relative-to": str(config.root) if config.root is not None else "(the working directory)",
        "registries": {"allow": list(config.registries_allow), "deny": list(config.registries_deny)},
        "images": [
            {"match": p.match, "require": p.require, "allow-tags": list(p.allow_tags)} for p in config.images
        ],
        "floating-tags": list(config.floating_tags),
        "variant-suffixes": list(config.variant_suffixes),
        "rules": [str(d) for d in config.rule_dirs],
        "build-args": dict(config.build_args),
        "max-file-size": config.max_file_size,
        "fix": {"pin-style": config.pin_style, "versions": dict(config.fix_versions)},
        "resolve": {
            "insecure-registries": list(config.resolve_insecure_registries),
            "actions-url": config.resolve_actions_url,
        },
        "kinds": dict(config.kinds),
    }


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
# when empty. Longest prefix wins; an unknown code is an error. ALL is every
# rule, the ones off by default too; a prefix selects the rules that are on.
# select: [TL1, TL2, TL3]
# ignore: [TL104]

# Lowest severity that fails the run (exit 1): error | warning | info.
fail-on: warning

# Strict mode: TL104 becomes a warning, TL110 (digest pins) and TL302 turn on.
strict: false

# Per-rule severity overrides ('off' disables a rule; a level on a rule that
# is off by default turns it on).
# severity:
#   TL104: warning

# Paths never scanned, in addition to .gitignore and the folders always
# skipped (.git, node_modules, .venv, venv, .tox, __pycache__ …). Patterns are
# relative to the folder of this file, from wherever taglint runs.
# exclude: ["vendor/**", "third_party/**"]
# extend-exclude: ["generated/**"]

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

# What kind of file a path is, when its name and text do not tell (or tell
# wrong): path glob (relative to this file's folder) -> kind, first match
# wins. Kinds: `taglint --show-files` shows what each file is read as; an
# unknown kind is an error.
# kinds:
#   "deploy/pipelines/*.yml": gitlab-ci
#   "templates/workflows/*.yml": github-workflow
#   "docker/Build.*": dockerfile

# Files larger than this many bytes are not read (listed as skipped).
# max-file-size: 67108864

# Offline fixes: the version tag --fix writes for an image (the variant of the
# tag written is kept, python:3-alpine -> 3.12.7-alpine; glob keys for your own
# registry), and how a pin is written (also by --resolve).
# fix:
#   pin-style: tag          # tag | "tag@digest" | "digest # tag"
#   versions:
#     python: "3.12.7-slim-bookworm"
#     nginx: "1.27.2"
#     "ghcr.io/acme/*": "v2.4.1"

# --fix --resolve asks registries what a tag points at today (the only network use).
# resolve:
#   insecure-registries: ["registry.internal:5000"]   # plain HTTP allowed (loopback always is)
#   actions-url: "https://github.com"                 # where `git ls-remote` lists action repositories
"""
