"""Writes never follow a link and never clobber a changed file (issue 14
item 9): ``--output``, ``--output-format FORMAT=FILE``, ``--write-baseline``,
``taglint init`` and ``--fix`` refuse a symbolic link planted at their
target, write through a temporary file and ``os.replace``, and ``--fix``
leaves alone a file whose bytes changed since the scan read them."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import taglint.fix
import taglint.safewrite as safewrite
from taglint.cli import main
from taglint.config import Config
from taglint.engine import scan
from taglint.fix import apply_fixes
from taglint.safewrite import ChangedSinceScan, UnsafeWrite, digest, write_file, write_text

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX symbolic links")

VICTIM_TEXT = "precious: do not overwrite\n"
SCRIPT = "#!/bin/sh\ndocker login -u ci -p \"$REGISTRY_PASSWORD\" registry.example.com\n"
FIXED = "#!/bin/sh\nprintf '%s' \"$REGISTRY_PASSWORD\" | docker login -u ci --password-stdin registry.example.com\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with one fixable finding (TL208), and a file outside it
    that a planted link points at."""
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    (root / "scripts" / "login.sh").write_text(SCRIPT, encoding="utf-8")
    (tmp_path / "victim.txt").write_text(VICTIM_TEXT, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def _victim(repo: Path) -> Path:
    return repo.parent / "victim.txt"


def _plant(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)


# -- the module ----------------------------------------------------------------------------


def test_a_link_at_the_target_is_refused_and_left_alone(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text(VICTIM_TEXT)
    link = tmp_path / "report.json"
    _plant(link, victim)
    with pytest.raises(UnsafeWrite, match="symbolic link"):
        write_text(link, "{}")
    assert victim.read_text() == VICTIM_TEXT
    assert link.is_symlink() and os.readlink(link) == str(victim)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "victim.txt"]  # no temporary file left


def test_a_dangling_link_is_refused_too(tmp_path: Path) -> None:
    """Following it would create a file wherever it points."""
    target = tmp_path / "elsewhere" / "authorized_keys"
    target.parent.mkdir()
    link = tmp_path / "taglint.sarif"
    _plant(link, target)
    with pytest.raises(UnsafeWrite):
        write_text(link, "x")
    assert not target.exists()


def test_a_regular_file_is_replaced_whole_and_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text("old content that is longer than the new one\n")
    os.chmod(path, 0o640)
    inode = path.stat().st_ino
    write_text(path, "new\n")
    assert path.read_text() == "new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.stat().st_ino != inode  # a new file renamed over the old one, not written in place


def test_a_new_file_gets_the_mode_the_umask_allows(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_text(tmp_path / "new.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640


def test_a_link_planted_after_the_check_is_replaced_not_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The race: the link appears between the look and the swap.  The
    rename replaces the link itself; the file it points at is untouched."""
    victim = tmp_path / "victim.txt"
    victim.write_text(VICTIM_TEXT)
    link = tmp_path / "report.json"
    _plant(link, victim)
    monkeypatch.setattr(safewrite, "refuse_link", lambda path: None)  # as if the link came after every look
    write_text(link, "{}")
    assert victim.read_text() == VICTIM_TEXT
    assert not link.is_symlink() and link.read_text() == "{}"


def test_streams_a_user_names_are_written_by_opening_them() -> None:
    write_text(Path(os.devnull), "discarded")  # a character device: no temporary file beside it
    assert safewrite._is_stream(Path("/dev/stdout")) == os.path.islink("/dev/stdout")


def test_expected_digest_refuses_a_changed_or_removed_file(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM python:3.12\n")
    scanned = digest(path.read_bytes())
    path.write_bytes(b"FROM python:3.13\n")  # edited after the scan
    with pytest.raises(ChangedSinceScan):
        write_file(path, b"FROM python:3.12.7\n", expected=scanned)
    assert path.read_bytes() == b"FROM python:3.13\n"
    path.unlink()
    with pytest.raises(ChangedSinceScan):
        write_file(path, b"x", expected=scanned)
    assert not path.exists()


# -- through the command line ----------------------------------------------------------------


@pytest.mark.parametrize("option", ["--output", "--output-format", "--write-baseline"])
def test_report_and_baseline_refuse_a_planted_link(option: str, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    link = repo / "out" / "taglint-report"
    _plant(link, _victim(repo))
    value = f"json={link}" if option == "--output-format" else str(link)
    code = main(["--no-config", option, value, "."])
    err = capsys.readouterr().err
    assert code == 2
    assert "symbolic link" in err
    assert _victim(repo).read_text() == VICTIM_TEXT and link.is_symlink()


def test_the_report_goes_to_a_regular_file_and_to_dev_null(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--no-config", "--format", "json", "--output", "report.json", "."]) == 1
    assert '"TL208"' in (repo / "report.json").read_text()
    assert main(["--no-config", "--output", os.devnull, "."]) == 1
    assert capsys.readouterr().out == ""


def test_init_refuses_a_planted_link_even_with_force(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    link = repo / ".taglint.yaml"
    _plant(link, repo.parent / "not-yet-there")
    assert main(["init"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["init", "--force"]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert not (repo.parent / "not-yet-there").exists()


def test_fix_refuses_a_scanned_file_that_is_a_link(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A linked script in the repository (pointing out of it) is scanned,
    and reported, but never rewritten through the link."""
    outside = repo.parent / "outside.sh"
    outside.write_text(SCRIPT)
    _plant(repo / "scripts" / "linked.sh", outside)
    code = main(["--no-config", "--fix", "."])
    captured = capsys.readouterr()
    said = captured.out + captured.err  # the report's error lines
    assert code == 2
    assert "scripts/linked.sh: not fixed" in said and "symbolic link" in said
    assert outside.read_text() == SCRIPT
    assert (repo / "scripts" / "login.sh").read_text() == FIXED  # the regular file is fixed


def test_fix_refuses_a_file_changed_since_the_scan(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    script = repo / "scripts" / "login.sh"
    edited = SCRIPT + "# edited by someone while taglint ran\n"
    real = taglint.fix.apply_fixes

    def edited_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        script.write_text(edited)
        return real(*args, **kwargs)

    monkeypatch.setattr(taglint.fix, "apply_fixes", edited_meanwhile)
    code = main(["--no-config", "--fix", "."])
    captured = capsys.readouterr()
    assert code == 2
    assert "error: scripts/login.sh: changed since the scan, not fixed" in captured.out + captured.err
    assert script.read_text() == edited


def test_fix_writes_only_files_the_scan_read(repo: Path) -> None:
    result = scan(["."], Config(), cwd=repo)
    assert set(result.digests) == {"scripts/login.sh"}
    assert result.digests["scripts/login.sh"] == digest(SCRIPT.encode())
    outcome = apply_fixes(result.findings, repo, unsafe=False, write=True, digests={})
    assert outcome.errors == ["scripts/login.sh: not read by this scan, not fixed"] and outcome.fixed == 0
    assert (repo / "scripts" / "login.sh").read_text() == SCRIPT
    outcome = apply_fixes(result.findings, repo, unsafe=False, write=True, digests=result.digests)
    assert outcome.errors == [] and outcome.fixed == 1
    assert (repo / "scripts" / "login.sh").read_text() == FIXED


def test_fix_is_refused_when_the_file_changes_between_its_read_and_the_swap(
    repo: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The last look, just before the rename, sees the change too."""
    result = scan(["."], Config(), cwd=repo)
    script = repo / "scripts" / "login.sh"
    real_fsync = os.fsync

    def change_then_sync(fd: int) -> None:
        real_fsync(fd)
        script.write_text(SCRIPT + "# late edit\n")

    monkeypatch.setattr(safewrite.os, "fsync", change_then_sync)
    outcome = apply_fixes(result.findings, repo, unsafe=False, write=True, digests=result.digests)
    assert outcome.errors == ["scripts/login.sh: changed since the scan, not fixed (run taglint again)"]
    assert outcome.fixed == 0 and script.read_text() == SCRIPT + "# late edit\n"
    assert sorted(p.name for p in script.parent.iterdir()) == ["login.sh"]  # the temporary file is gone
