"""Work shared among processes: same results as one process, whatever the
method, the number of jobs or a worker's death."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from taglint.config import Config
from taglint.engine import scan
from taglint.parallel import fork_available, map_in_processes

FIXTURES = Path(__file__).parent / "fixtures"
needs_fork = pytest.mark.skipif(not fork_available(), reason="fork start method not available")


def square_with_pid(chunk: list[int]) -> list[tuple[int, int]]:
    return [(n * n, os.getpid()) for n in chunk]


def slow_square_with_pid(chunk: list[int]) -> list[tuple[int, int]]:
    time.sleep(0.002)  # long enough for the worker to claim chunks too
    return square_with_pid(chunk)


@pytest.mark.parametrize("count", [0, 1, 15, 16, 17, 100, 1000])
@pytest.mark.parametrize("jobs", [1, 2, 3])
@pytest.mark.parametrize("method", [pytest.param("fork", marks=needs_fork), "pool"])
def test_results_in_order(count: int, jobs: int, method: str) -> None:
    results = map_in_processes(square_with_pid, list(range(count)), jobs, method=method)
    assert [value for value, _ in results] == [n * n for n in range(count)]


@needs_fork
def test_fork_shares_work_with_the_calling_process() -> None:
    results = map_in_processes(slow_square_with_pid, list(range(800)), 2, method="fork")
    pids = {pid for _, pid in results}
    assert os.getpid() in pids
    assert len(pids) == 2


@needs_fork
def test_chunks_of_a_dead_worker_are_computed_again() -> None:
    parent = os.getpid()

    def dies_in_worker(chunk: list[int]) -> list[int]:
        time.sleep(0.002)
        if os.getpid() != parent:
            os._exit(3)  # a worker dies on the first chunk it claims
        return [n + 1 for n in chunk]

    assert map_in_processes(dies_in_worker, list(range(800)), 3, method="fork") == [n + 1 for n in range(800)]


def test_unknown_method_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown method"):
        map_in_processes(square_with_pid, list(range(100)), 2, method="threads")


@needs_fork
def test_buffered_output_is_not_written_twice(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        from taglint.parallel import map_in_processes
        sys.stdout.write("before")  # buffered: stdout is a pipe
        map_in_processes(lambda chunk: list(chunk), list(range(200)), 2, method="fork")
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert proc.stdout == "before"


def _scan_fixtures(jobs: int) -> list[tuple[str, str, int, int, str]]:
    result = scan(["."], Config(), cwd=FIXTURES, jobs=jobs)
    return [(f.rule, f.path, f.span.line, f.span.column, f.message) for f in result.findings]


def _cli_report(jobs: int) -> str:
    """The JSON report of the fixtures by a fresh ``taglint`` process (one
    thread until it forks, as on the command line)."""
    proc = subprocess.run(
        [sys.executable, "-m", "taglint", "--no-config", "--format", "json", "--exit-zero", "--jobs", str(jobs), "."],
        cwd=FIXTURES, capture_output=True, text=True, timeout=120, check=True,
    )
    return proc.stdout


@needs_fork
def test_the_cli_reports_the_same_with_several_forked_jobs() -> None:
    serial = _cli_report(1)
    assert serial.count('"rule": ') > 300  # the fixtures hold hundreds of findings
    assert _cli_report(2) == serial
    assert _cli_report(3) == serial


def test_scan_gives_the_same_findings_with_a_process_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    serial = _scan_fixtures(1)
    assert len(serial) > 300
    monkeypatch.setattr("taglint.parallel.fork_is_safe", lambda: False)
    assert _scan_fixtures(2) == serial


@needs_fork
def test_a_process_with_threads_is_not_forked() -> None:
    """The Go runtime of the Dockerfile parser runs threads once used: a
    second scan in the same process must not fork (a child would hang)."""
    script = textwrap.dedent(
        """
        from pathlib import Path
        import sys
        from taglint.config import Config
        from taglint.engine import scan
        from taglint.parallel import fork_is_safe
        assert fork_is_safe()
        first = scan(["."], Config(), cwd=Path(sys.argv[1]), jobs=1).findings
        assert not fork_is_safe()
        second = scan(["."], Config(), cwd=Path(sys.argv[1]), jobs=2).findings
        assert first == second and len(first) > 300
        """
    )
    subprocess.run([sys.executable, "-c", script, str(FIXTURES)], timeout=120, check=True)


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize(("format_name", "color"), [("json", False), ("text", False), ("text", True)])
def test_prerendered_texts_are_the_texts_the_report_would_write(
    jobs: int, format_name: str, color: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from taglint.report import ReportOptions, finding_renderer, render

    monkeypatch.chdir(FIXTURES)  # the text format reads code frames from the working directory
    options = ReportOptions(color=color)
    renderer = finding_renderer(format_name, options)
    prerendered = scan(["."], Config(), cwd=FIXTURES, jobs=jobs, prerender=renderer)
    plain = scan(["."], Config(), cwd=FIXTURES, jobs=1)
    assert plain.prerendered == {}
    used = sum(prerendered.rendered(f) is not None for f in prerendered.findings)
    assert used > len(prerendered.findings) // 2  # most findings come from file-local rules
    assert render(format_name, prerendered, options) == render(format_name, plain, options)


def test_a_prerendered_text_is_only_used_for_its_own_finding() -> None:
    from dataclasses import replace

    from taglint.report import ReportOptions, finding_renderer

    result = scan(["."], Config(), cwd=FIXTURES, jobs=1, prerender=finding_renderer("json", ReportOptions()))
    finding = next(f for f in result.findings if result.rendered(f) is not None)
    assert result.rendered(replace(finding)) is None  # an equal but other object


def nested_result(chunk: list[int]) -> list[object]:
    """A result far too deeply nested for pickle's recursion, in every chunk."""
    out: list[object] = []
    for n in chunk:
        value: object = n
        for _ in range(5000):
            value = [value]
        out.append(value)
    return out


def _depth_and_leaf(value: object) -> tuple[int, object]:
    depth = 0
    while isinstance(value, list):
        value, depth = value[0], depth + 1
    return depth, value


@pytest.mark.parametrize("method", [pytest.param("fork", marks=needs_fork), "pool"])
def test_a_result_that_cannot_be_pickled_is_computed_again_without_a_traceback(
    method: str, capfd: pytest.CaptureFixture[str]
) -> None:
    results = map_in_processes(nested_result, list(range(40)), 2, method=method)
    assert [_depth_and_leaf(value) for value in results] == [(5000, n) for n in range(40)]
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err
    assert "RecursionError" not in captured.err
