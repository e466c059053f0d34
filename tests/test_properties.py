"""Property and mutation tests over the whole pipeline.

The seeds are the rule fixtures: real-looking files of every kind taglint
reads, laid out as in a repository.  Hypothesis mutates them (lines
dropped, repeated and swapped; hostile characters and words inserted) and
every scan of a mutant must:

- raise nothing and report no internal error;
- give spans inside the file, start before end;
- give the same findings when scanned again (deterministic);
- after ``--fix --unsafe-fixes``, change no byte outside the edits and not
  report a fixed finding again at the place it was fixed.

Separately: ``--jobs 1`` and ``--jobs 2`` give byte-identical reports on a
mutated corpus; the reference parser, the tag classifier and the
configuration loader only ever raise their own errors.

The number of examples is small by default so CI stays fast;
``TAGLINT_FUZZ_EXAMPLES=2000`` runs a long campaign.
"""
from __future__ import annotations

import difflib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taglint.config import Config, from_mapping, validate
from taglint.engine import scan
from taglint.errors import ConfigError
from taglint.fix import apply_fixes
from taglint.reference import ReferenceError, parse_reference
from taglint.tags import TagClass, classify_reference, classify_tag

EXAMPLES = int(os.environ.get("TAGLINT_FUZZ_EXAMPLES", "60"))
FIXTURES = Path(__file__).parent / "fixtures"
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


def _seed_cases() -> list[Path]:
    """One folder per fixture case that holds files (fail and pass)."""
    cases = sorted({p for p in FIXTURES.glob("*/*/*") if p.is_dir()})
    return [case for case in cases if any(f.is_file() for f in case.rglob("*"))]


SEEDS = _seed_cases()
CONFIG_NAMES = {".taglint.yaml", ".taglint.yml", "pyproject.toml"}
HOSTILE_PIECES = [
    "\x00", "\r", "\x0b", "\x0c", "\u2028", "\u0085", "\ufeff", "é", "\t", "{{", "}}", "{{ .Values.x }}", "${", "$A",
    "$(", "`", "'", '"', "\\", "\\\n", "&a", "*a", "!!python/object:os.system", "- ", ": ", "---\n", "[", "]", "{", "}",
    "#", "# taglint: ignore[TL101]", "@sha256:", ":latest", "FROM ", "image: ", "docker push ", "A=$A$A\n", " " * 40,
]


def _mutate(text: str, rng: random.Random, steps: int) -> str:
    lines = text.split("\n")
    for _ in range(steps):
        if not lines:
            lines = [""]
        i = rng.randrange(len(lines))
        choice = rng.randrange(6)
        if choice == 0 and len(lines) > 1:
            del lines[i]
        elif choice == 1:
            lines.insert(i, lines[i])
        elif choice == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif choice == 3:
            line = lines[i]
            k = rng.randrange(len(line) + 1)
            lines[i] = line[:k] + rng.choice(HOSTILE_PIECES) + line[k:]
        elif choice == 4:
            line = lines[i]
            if line:
                k = rng.randrange(len(line))
                lines[i] = line[:k] + line[k + 1 :]
        else:
            lines[i] = lines[i].replace(":", "", 1) if rng.random() < 0.5 else lines[i] + rng.choice(HOSTILE_PIECES)
    return "\n".join(lines)


def _mutant_tree(case: Path, seed: int, steps: int, into: Path) -> Path:
    """A copy of ``case`` under ``into`` with every text file mutated."""
    rng = random.Random(seed)
    target = into / "repo"
    shutil.copytree(case, target, symlinks=True)
    for path in sorted(target.rglob("*")):
        if not path.is_file() or path.is_symlink() or path.name.endswith(".fixed"):
            if path.name.endswith(".fixed"):
                path.unlink()
            continue
        if path.name in CONFIG_NAMES:
            continue  # configuration, not a scanned file: a broken one stops the scan (exit 2), by design
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        path.write_text(_mutate(text, rng, steps), encoding="utf-8")
    return target


def _lines(path: Path) -> list[str]:
    return path.read_bytes().decode("utf-8-sig", errors="replace").split("\n")


def _assert_spans_inside(root: Path, findings: list) -> None:  # type: ignore[type-arg]
    for finding in findings:
        span = finding.span
        where = f"{finding.rule} {finding.path}:{span}"
        assert span.line >= 1 and span.column >= 1, where
        assert (span.end_line, span.end_column) >= (span.line, span.column), where
        path = root / finding.path
        if not path.is_file():
            continue  # a finding on a file outside the scan folder cannot happen here
        lines = _lines(path)
        assert span.end_line <= len(lines), f"{where}: past the last line ({len(lines)})"
        assert span.column <= len(lines[span.line - 1]) + 1, f"{where}: past the end of line {span.line}"
        assert span.end_column <= len(lines[span.end_line - 1]) + 1, f"{where}: end past the end of its line"


def _keys(findings: list) -> list[tuple]:  # type: ignore[type-arg]
    return [(f.rule, f.path, f.span, f.message, f.reference) for f in findings]


@FUZZ
@given(case=st.sampled_from(SEEDS), seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 12))
def test_mutants_scan_cleanly_and_deterministically(case: Path, seed: int, steps: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = _mutant_tree(case, seed, steps, Path(folder))
        first = scan(["."], Config(), cwd=root)
        internal = [e for e in first.errors if "internal error" in e]
        assert not internal, internal
        _assert_spans_inside(root, first.findings)
        again = scan(["."], Config(), cwd=root)
        assert _keys(again.findings) == _keys(first.findings)


FIXABLE = [case for case in SEEDS if any(p.name.endswith(".fixed") for p in case.rglob("*"))]


@FUZZ
@given(case=st.sampled_from(FIXABLE), seed=st.integers(0, 2**32 - 1), steps=st.integers(0, 6))
def test_fixes_touch_only_their_edits_and_are_not_reported_again(case: Path, seed: int, steps: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = _mutant_tree(case, seed, steps, Path(folder))
        before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
        result = scan(["."], Config(), cwd=root)
        outcome = apply_fixes(result.findings, root, unsafe=True, write=True)
        fixed = [f for f in result.findings if f.fix and f.fix.edits and f not in outcome.remaining]
        for path, old in before.items():
            new = path.read_bytes()
            if new == old:
                continue
            relative = path.relative_to(root).as_posix()
            edits = [e for f in fixed if f.path == relative for e in f.fix.edits]  # type: ignore[union-attr]
            assert edits, f"{relative} changed without an edit"
            old_lines = old.decode("utf-8-sig").split("\n")
            new_lines = new.decode("utf-8-sig").split("\n")
            touched = {line for e in edits for line in range(e.span.line, e.span.end_line + 1)}
            for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
                if tag != "equal":
                    changed = set(range(i1 + 1, max(i2, i1 + 1) + 1)) if i2 > i1 else {i1, i1 + 1}
                    assert changed & touched, f"{relative}: lines {i1 + 1}-{i2} changed outside the edits"
        again = scan(["."], Config(), cwd=root)
        later = {(f.rule, f.path, f.span.line, f.span.column) for f in again.findings}
        for finding in fixed:
            if len(finding.fix.edits) == 1 and finding.fix.edits[0].span.line == finding.span.line:  # type: ignore[union-attr]
                assert (finding.rule, finding.path, finding.span.line, finding.span.column) not in later, (
                    f"{finding.rule} at {finding.path}:{finding.span.line} reported again after its fix"
                )
        second = apply_fixes(again.findings, root, unsafe=True, write=False)
        assert second.diff == "", "a second --fix would change more"


def test_jobs_1_and_jobs_2_give_identical_reports_on_a_mutated_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for index, case in enumerate(SEEDS):
        _mutant_tree(case, index, 4, corpus / f"c{index:04d}")
    # the mutant trees land in .../cNNNN/repo
    outputs = []
    for jobs in ("1", "2"):
        proc = subprocess.run(
            [sys.executable, "-m", "taglint", "--jobs", jobs, "--format", "json", "."],
            cwd=corpus, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
        )
        assert proc.returncode in (0, 1, 2), proc.stderr[-2000:]
        assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
        outputs.append(proc.stdout)
    assert json.loads(outputs[0])["summary"]["files_scanned"] > 300
    assert outputs[0] == outputs[1]


# -- parser, classifier and configuration ------------------------------------------------------------------

REFERENCE_ALPHABET = st.sampled_from(list("abcAZ019._-/:@+ ${}") + ["sha256:", "localhost", "[::1]", "a" * 64])


@FUZZ
@given(st.one_of(st.text(max_size=80), st.lists(REFERENCE_ALPHABET, max_size=30).map("".join)))
def test_the_reference_parser_raises_only_its_own_error(text: str) -> None:
    try:
        reference = parse_reference(text)
    except ReferenceError:
        return
    again = parse_reference(reference.canonical)
    assert again.canonical == reference.canonical
    assert (again.tag, again.digest) == (reference.tag, reference.digest)


@FUZZ
@given(st.one_of(st.text(max_size=80), st.lists(REFERENCE_ALPHABET, max_size=30).map("".join)))
def test_the_tag_classifier_always_answers_with_a_known_class(text: str) -> None:
    result = classify_reference(text)
    assert isinstance(result.tag_class, TagClass)
    again = classify_reference(text)
    assert (again.tag_class, again.reason, again.reference, str(again.error)) == (
        result.tag_class, result.reason, result.reference, str(result.error))
    tag_class, reason = classify_tag(text)
    assert isinstance(tag_class, TagClass) and isinstance(reason, str)


CONFIG_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12),
              st.sampled_from(["TL101", "TL1", "[z-a]", "**/x", "semver", "warning", "ALL"])),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=12,
)
CONFIG_KEYS = st.sampled_from(
    ["select", "ignore", "extend-select", "severity", "fail-on", "strict", "exclude", "per-file-ignores",
     "registries", "images", "floating-tags", "variant-suffixes", "fix", "max-file-size", "rules", "bogus"]
)


@FUZZ
@given(st.dictionaries(CONFIG_KEYS, CONFIG_VALUES, max_size=5))
def test_the_configuration_loader_raises_only_config_errors(data: dict) -> None:  # type: ignore[type-arg]
    try:
        validate(data, ".taglint.yaml")
        from_mapping(data, base=Path("."), source=".taglint.yaml")
    except ConfigError:
        pass
