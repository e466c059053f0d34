"""The compiled YAML cache (taglint/rule_cache.py): the rules and data it
gives back are exactly what parsing the YAML gives, and a damaged or stale
entry is never trusted (issue 13, target 1)."""
from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
import yaml

from taglint import rule_cache
from taglint.errors import RuleError
from taglint.rule_cache import load_yaml_files, parse_yaml_bytes, shipped_data
from taglint.ruleset import _add_folder, builtin_rules, builtin_rules_dir, load_rule_file

DATA_DIR = Path(rule_cache.__file__).resolve().parent / "data"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache folder for the test."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("TAGLINT_CACHE_DIR", str(folder))
    return folder


def _entries(folder: Path, group: str) -> list[Path]:
    return sorted(folder.glob(f"{group}-*.marshal")) if folder.is_dir() else []


def _write_yaml(folder: Path, files: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _refuse_to_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(data: bytes) -> None:
        raise AssertionError("parsed YAML although a valid cache entry exists")

    monkeypatch.setattr(rule_cache, "parse_yaml_bytes", fail)


def test_builtin_rules_from_the_cache_equal_the_rules_parsed_from_yaml(cache: Path, monkeypatch) -> None:
    parsed = {}
    for path in sorted(builtin_rules_dir().rglob("*.yaml")):
        rule = load_rule_file(path, validate=False)
        parsed[rule.code] = rule
    builtin_rules.cache_clear()
    try:
        first = builtin_rules()  # parses, and writes the entry
        assert len(_entries(cache, "rules")) == 1
        builtin_rules.cache_clear()
        _refuse_to_parse(monkeypatch)
        second = builtin_rules()  # from the entry
    finally:
        builtin_rules.cache_clear()
    assert len(parsed) >= 30
    assert first == dict(sorted(parsed.items()))
    assert second == first
    assert list(second) == list(first)


@pytest.mark.parametrize("name", sorted(p.name for p in DATA_DIR.glob("*.yaml")))
def test_shipped_data_from_the_cache_equals_the_parsed_file(cache: Path, monkeypatch, name: str) -> None:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    expected_c = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    assert yaml.safe_load(text) == expected_c  # the pure-Python loader some callers used agrees
    assert shipped_data(name) == expected_c
    _refuse_to_parse(monkeypatch)
    assert shipped_data(name) == expected_c


def test_the_vocabulary_precedence_and_publishers_load_through_the_cache(cache: Path) -> None:
    from taglint.precedence import precedence_groups
    from taglint.publishers import publishers
    from taglint.tags import _default_vocabulary

    for loader in (_default_vocabulary, precedence_groups, publishers):
        loader.cache_clear()
    try:
        assert _default_vocabulary() is not None and precedence_groups() and publishers() is not None
        assert {p.name.split("-")[1] for p in cache.glob("data-*.marshal")} >= {"tag_words", "precedence", "publishers"}
    finally:
        for loader in (_default_vocabulary, precedence_groups, publishers):
            loader.cache_clear()


def test_a_changed_file_is_parsed_again_and_replaces_the_old_entry(cache: Path, tmp_path: Path, monkeypatch) -> None:
    paths = _write_yaml(tmp_path / "src", {"a.yaml": "x: 1\n", "b.yaml": "[1, 2]\n"})
    assert load_yaml_files(paths, "demo") == [{"x": 1}, [1, 2]]
    (old,) = _entries(cache, "demo")
    old_bytes = old.read_bytes()
    paths[0].write_text("x: 2\n", encoding="utf-8")  # same size, other bytes
    assert load_yaml_files(paths, "demo") == [{"x": 2}, [1, 2]]
    (new,) = _entries(cache, "demo")
    assert new.read_bytes() != old_bytes
    _refuse_to_parse(monkeypatch)
    assert load_yaml_files(paths, "demo") == [{"x": 2}, [1, 2]]  # the new entry serves


def test_a_renamed_file_set_gets_its_own_entry(cache: Path, tmp_path: Path) -> None:
    one = _write_yaml(tmp_path / "one", {"a.yaml": "1\n"})
    two = _write_yaml(tmp_path / "two", {"b.yaml": "1\n"})
    load_yaml_files(one, "demo")
    first = _entries(cache, "demo")
    load_yaml_files(two, "demo")
    assert _entries(cache, "demo") != first


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: b"",
        lambda blob: blob[: len(blob) // 2],  # truncated
        lambda blob: blob[:-1] + bytes([blob[-1] ^ 0xFF]),  # one payload byte flipped
        lambda blob: b"garbage" + blob,  # wrong header
        lambda blob: blob[: len(rule_cache.FORMAT)] + b"\0" * 4 + blob[len(rule_cache.FORMAT) + 4 :],  # checksum
    ],
    ids=["empty", "truncated", "flipped-byte", "bad-header", "bad-checksum"],
)
def test_a_damaged_entry_is_never_trusted_and_is_rewritten(cache: Path, tmp_path: Path, damage) -> None:
    paths = _write_yaml(tmp_path / "src", {"a.yaml": "key: [one, two]\nn: 3\n"})
    expected = [{"key": ["one", "two"], "n": 3}]
    assert load_yaml_files(paths, "demo") == expected
    (entry,) = _entries(cache, "demo")
    good = entry.read_bytes()
    entry.write_bytes(damage(good))
    assert load_yaml_files(paths, "demo") == expected
    assert entry.read_bytes() == good  # rewritten


@pytest.mark.parametrize(
    "stored",
    [
        lambda contents: (contents, [1]),  # too few values
        lambda contents: ([b"1\n", b"3\n"], [1, 3]),  # values of other bytes
        lambda contents: [1, 2],  # not the entry's shape
    ],
    ids=["count", "other-bytes", "shape"],
)
def test_an_entry_that_does_not_fit_the_files_is_not_used(cache: Path, tmp_path: Path, stored) -> None:
    import marshal

    paths = _write_yaml(tmp_path / "src", {"a.yaml": "1\n", "b.yaml": "2\n"})
    load_yaml_files(paths, "demo")
    (entry,) = _entries(cache, "demo")
    contents = [path.read_bytes() for path in paths]
    rule_cache.write_cache_file(cache, entry, marshal.dumps(stored(contents)))
    assert load_yaml_files(paths, "demo") == [1, 2]


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_an_entry_anyone_may_write_is_not_trusted(cache: Path, tmp_path: Path, monkeypatch) -> None:
    paths = _write_yaml(tmp_path / "src", {"a.yaml": "a: 1\n"})
    load_yaml_files(paths, "demo")
    (entry,) = _entries(cache, "demo")
    entry.chmod(0o666)
    _refuse_to_parse(monkeypatch)
    with pytest.raises(AssertionError, match="parsed YAML"):
        load_yaml_files(paths, "demo")


def test_no_cache_folder_means_parsing_each_time(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TAGLINT_CACHE_DIR", "")
    paths = _write_yaml(tmp_path / "src", {"a.yaml": "a: b\n"})
    assert rule_cache.cache_dir() is None
    assert load_yaml_files(paths, "demo") == [{"a": "b"}]


def test_an_unwritable_cache_folder_still_gives_the_values(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("TAGLINT_CACHE_DIR", str(blocker / "cache"))
    paths = _write_yaml(tmp_path / "src", {"a.yaml": "a: b\n"})
    assert load_yaml_files(paths, "demo") == [{"a": "b"}]
    assert load_yaml_files(paths, "demo") == [{"a": "b"}]


def test_values_marshal_cannot_hold_are_parsed_each_time(cache: Path, tmp_path: Path) -> None:
    paths = _write_yaml(tmp_path / "src", {"a.yaml": "released: 2024-06-01\n"})
    assert load_yaml_files(paths, "demo") == [{"released": datetime.date(2024, 6, 1)}]
    assert _entries(cache, "demo") == []
    assert not list(cache.glob(".*.tmp")) if cache.is_dir() else True


def test_line_breaks_are_read_as_the_text_loaders_read_them(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "crlf.yaml"
    path.write_bytes(b"text: |\r\n  one\r\n  two\r\n")
    assert load_yaml_files([path], "demo") == [yaml.safe_load(path.read_text(encoding="utf-8"))]
    assert parse_yaml_bytes(path.read_bytes()) == {"text": "one\ntwo\n"}


def test_a_broken_builtin_rule_file_is_reported_as_before(cache: Path, tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    _write_yaml(folder, {"TL999-broken.yaml": "code: TL999\nname: [unclosed\n"})
    with pytest.raises(RuleError, match="TL999-broken.yaml: cannot read rule"):
        _add_folder({}, folder, validate=False)


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TAGLINT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert rule_cache.cache_dir() == tmp_path / "xdg" / "taglint"
    monkeypatch.setenv("TAGLINT_CACHE_DIR", str(tmp_path / "mine"))
    assert rule_cache.cache_dir() == tmp_path / "mine"
