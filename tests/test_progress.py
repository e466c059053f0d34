"""The progress bar: on a terminal's stderr for scans longer than about two
seconds; never with --quiet, in pre-commit, or with a machine format on
standard output.  The terminal is a real pseudo-terminal."""
from __future__ import annotations

import io
import os
import pty
import sys
from pathlib import Path

import pytest

from taglint import progress
from taglint.cli import main
from taglint.parallel import map_in_processes

PROJECT = Path(__file__).resolve().parent / "golden" / "project"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_nothing_is_drawn_before_the_delay_then_the_bar_is_throttled_and_erased():
    stream, clock = io.StringIO(), Clock()
    bar = progress.ProgressBar(stream, clock=clock)
    clock.now += 1.9
    bar(10, 100)
    assert stream.getvalue() == ""
    clock.now += 0.2
    bar(20, 100)
    assert stream.getvalue() == "\rtaglint [#####-----------------------] 20/100 files  2s\x1b[K"
    clock.now += 0.05
    bar(21, 100)  # too soon after the last drawing
    assert stream.getvalue().count("\r") == 1
    bar(100, 100)  # the end is always drawn
    assert stream.getvalue().endswith("\rtaglint [############################] 100/100 files  2s\x1b[K")
    bar.close()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_a_quick_scan_leaves_no_trace():
    stream, clock = io.StringIO(), Clock()
    bar = progress.ProgressBar(stream, clock=clock)
    bar(5, 5)
    bar.close()
    assert stream.getvalue() == ""


def test_line_counts_files_with_separators():
    assert progress.line(1204, 3000, 4.4) == "taglint [###########-----------------] 1,204/3,000 files  4s"
    assert progress.line(0, 0, 0) == "taglint [############################] 0/0 files  0s"


@pytest.fixture
def terminal():
    """A pseudo-terminal: the slave end as a text stream, and a reader of
    what was written to it."""
    master, slave = pty.openpty()
    stream = os.fdopen(slave, "w", encoding="utf-8", errors="replace")

    def written() -> str:
        stream.flush()
        out = b""
        while True:
            import select

            ready, _, _ = select.select([master], [], [], 0.2)
            if not ready:
                return out.decode("utf-8", "replace")
            out += os.read(master, 65536)

    yield stream, written
    stream.close()
    os.close(master)


def test_wanted_only_on_a_terminal(terminal):
    stream, _ = terminal
    assert progress.wanted(stream, {}, quiet=False, machine_stdout=False)
    assert not progress.wanted(io.StringIO(), {}, quiet=False, machine_stdout=False)
    assert not progress.wanted(stream, {}, quiet=True, machine_stdout=False)
    assert not progress.wanted(stream, {"PRE_COMMIT": "1"}, quiet=False, machine_stdout=False)
    assert not progress.wanted(stream, {}, quiet=False, machine_stdout=True)
    assert not progress.wanted(stream, {"TERM": "dumb"}, quiet=False, machine_stdout=False)


def _scan_on_terminal(monkeypatch, terminal, *args: str, env: dict[str, str] | None = None) -> str:
    """``taglint ARGS`` with stderr on the pseudo-terminal and no delay."""
    stream, written = terminal
    monkeypatch.chdir(PROJECT)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(sys, "stderr", stream)
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    main(["--no-config", *args, "."])
    return written()


def test_the_bar_shows_on_a_terminal_and_is_erased(monkeypatch, terminal, capsys):
    shown = _scan_on_terminal(monkeypatch, terminal)
    assert "taglint [" in shown and "6/6 files" in shown
    assert shown.endswith("\r\x1b[K")  # erased before the report
    assert "taglint [" not in capsys.readouterr().out  # the report on stdout has no bar


def test_the_bar_shows_for_a_machine_format_written_to_a_file(monkeypatch, terminal, tmp_path):
    shown = _scan_on_terminal(monkeypatch, terminal, "--format", "sarif", "--output", str(tmp_path / "r.sarif"))
    assert "6/6 files" in shown


@pytest.mark.parametrize("args, env", [
    (("--quiet",), {}),
    ((), {"PRE_COMMIT": "1"}),
    (("--format", "json"), {}),
    (("--format", "sarif"), {}),
    (("--diff",), {}),
])
def test_no_bar_when_silence_is_asked_for(monkeypatch, terminal, capsys, args, env):
    shown = _scan_on_terminal(monkeypatch, terminal, *args, env=env)
    assert "taglint [" not in shown and "\x1b[K" not in shown
    capsys.readouterr()


def test_the_delay_keeps_a_quick_scan_silent(monkeypatch, terminal):
    stream, written = terminal
    monkeypatch.chdir(PROJECT)
    monkeypatch.setattr(sys, "stderr", stream)
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    main(["--no-config", "."])
    assert written() == ""  # the real delay: this scan takes far less than two seconds


@pytest.mark.parametrize("jobs, method", [(1, None), (3, "fork"), (3, "pool")])
def test_map_in_processes_reports_items_done(jobs, method):
    seen: list[int] = []
    items = list(range(100))
    out = map_in_processes(_double, items, jobs, chunk=16, method=method, progress=seen.append)
    assert out == [2 * i for i in items]
    assert seen == sorted(seen) and seen[-1] == 100
    assert all(0 < n <= 100 for n in seen)


def _double(chunk):
    return [2 * i for i in chunk]
