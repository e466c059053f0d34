"""Reports are written piece by piece (issue 13, peak memory): every
format's ``write`` gives the text its ``render`` gives, the large formats
never hand the stream the whole report in one piece, and ``--output``
replaces its file only once the whole report is written."""
from __future__ import annotations

import gc
import io
import json
import os
import shutil
from pathlib import Path

import pytest

import taglint.report.json as json_report
import taglint.report.text as text_report
from taglint.cli import main
from taglint.config import Config
from taglint.engine import ScanResult, scan
from taglint.model import Finding, Fix, Span
from taglint.report import FORMATS, ReportOptions, finding_renderer, prerender_pays, render, write, write_chunks
from taglint.safewrite import UnsafeWrite, replacing_text

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "tests" / "golden" / "project"
STREAMED = ("json", "text", "sarif", "gitlab", "github", "junit", "html")


class Recorder(io.StringIO):
    """A text stream that remembers the size of each write."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []

    def write(self, text: str) -> int:
        self.sizes.append(len(text))
        return super().write(text)


@pytest.fixture(scope="module")
def golden_result() -> ScanResult:
    return scan(["."], Config(), cwd=PROJECT)


def _many_findings(count: int) -> ScanResult:
    findings = [
        Finding(
            rule="TL101", name="untagged-image", severity="error", path=f"svc{n % 40}/Dockerfile",
            span=Span(n + 1, 6, n + 1, 11), message="`nginx` has no tag — pin one", reference="nginx",
            fix=Fix("Pin `nginx:<version>`."), kind="dockerfile",
        )
        for n in range(count)
    ]
    return ScanResult(findings=findings, files_scanned=40, errors=["an error — with “quotes”"])


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_write_gives_the_text_render_gives(format_name: str, golden_result: ScanResult) -> None:
    options = ReportOptions()
    out = io.StringIO()
    write(format_name, golden_result, options, out)
    assert out.getvalue() == render(format_name, golden_result, options)
    assert out.getvalue()


@pytest.mark.parametrize("format_name", STREAMED)
def test_large_reports_reach_the_stream_in_pieces(format_name: str) -> None:
    result = _many_findings(3000)
    out = Recorder()
    write(format_name, result, ReportOptions(), out)
    total = sum(out.sizes)
    assert total == len(out.getvalue()) > 200_000
    # No piece near the whole report: the report is never one string.
    assert max(out.sizes) < total // 4, (max(out.sizes), total)


def test_json_report_of_pre_rendered_findings_is_the_report_of_the_findings(golden_result: ScanResult) -> None:
    renderer = finding_renderer("json", ReportOptions())
    assert renderer is not None
    plain = ScanResult(findings=golden_result.findings, files_scanned=golden_result.files_scanned)
    prerendered = ScanResult(
        findings=golden_result.findings, files_scanned=golden_result.files_scanned,
        prerendered={id(f): (f, renderer(f)) for f in golden_result.findings},
    )
    assert render("json", prerendered, ReportOptions()) == render("json", plain, ReportOptions())
    empty = json.loads(render("json", ScanResult(findings=[], files_scanned=0), ReportOptions()))
    assert empty["findings"] == [] and empty["summary"]["findings"] == 0


def test_write_chunks_joins_small_pieces_and_keeps_the_text() -> None:
    pieces = [f"{n}," for n in range(10_000)]
    out = Recorder()
    write_chunks(pieces, out, size=1000)
    assert out.getvalue() == "".join(pieces)
    assert len(out.sizes) < len(pieces) // 50
    empty = Recorder()
    write_chunks([], empty)
    assert empty.sizes == []


def test_replacing_text_writes_utf8_without_newline_translation(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old")
    with replacing_text(target) as out:
        out.write("a\r\nb\n")
        out.write("é — ✓\n")
        assert target.read_text() == "old"  # replaced only at the end
    assert target.read_bytes() == "a\r\nb\né — ✓\n".encode("utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]


def test_replacing_text_leaves_the_file_after_a_failure(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("previous report")
    with pytest.raises(RuntimeError):
        with replacing_text(target) as out:
            out.write("half a report")
            raise RuntimeError("the report failed")
    assert target.read_text() == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_replacing_text_refuses_a_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep")
    link = tmp_path / "report.json"
    os.symlink(victim, link)
    with pytest.raises(UnsafeWrite):
        with replacing_text(link) as out:
            out.write("x")
    assert victim.read_text() == "keep" and link.is_symlink()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "project"
    shutil.copytree(PROJECT, target)
    monkeypatch.chdir(target)
    return target


@pytest.mark.parametrize("format_name", STREAMED)
def test_output_file_holds_what_stdout_gets(
    format_name: str, project: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    main(["--no-config", "--format", format_name, "--exit-zero", "."])
    shown = capsys.readouterr().out
    main(["--no-config", "--format", format_name, "--exit-zero", "--output", "out.report", "."])
    assert (project / "out.report").read_text(encoding="utf-8") == shown


def _fail_after(count: int, result: str):
    calls: list[object] = []

    def renderer(*args: object) -> str:
        calls.append(args)
        if len(calls) > count:
            raise RuntimeError("renderer bug")
        return result

    return renderer


def test_a_report_failing_half_way_leaves_the_output_file_as_it_was(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    (project / "out.txt").write_text("previous report")
    monkeypatch.setattr(text_report, "finding_renderer", lambda options: None)
    monkeypatch.setattr(text_report, "_block", _fail_after(2, ["a finding"]))
    assert main(["--no-config", "--format", "text", "--output", "out.txt", "."]) == 2
    assert "renderer bug" in capsys.readouterr().err
    assert (project / "out.txt").read_text() == "previous report"
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".out.txt")) == []


def test_a_json_report_failing_half_way_becomes_the_error_report(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(json_report, "finding_renderer", lambda options: None)
    monkeypatch.setattr(json_report, "render_finding", _fail_after(2, "{}"))
    assert main(["--no-config", "--format", "json", "--output", "out.json", "."]) == 2
    report = json.loads((project / "out.json").read_text())  # whole, never half a report
    assert report["findings"] == [] and "renderer bug" in report["summary"]["errors"][0]
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".out.json")) == []


def test_only_formats_slow_to_render_are_pre_rendered_in_the_workers(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    import taglint.engine

    assert prerender_pays("text") and not prerender_pays("json")
    given: list[object] = []
    real_scan = taglint.engine.scan

    def recording_scan(*args: object, **kwargs: object) -> object:
        given.append(kwargs.get("prerender"))
        return real_scan(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(taglint.engine, "scan", recording_scan)
    outputs = {}
    for format_name, jobs in (("text", "2"), ("text", "1"), ("json", "2"), ("json", "1")):
        main(["--no-config", "--format", format_name, "--jobs", jobs, "--exit-zero", "."])
        outputs[format_name, jobs] = capsys.readouterr().out
    # text with other processes only; JSON never (it renders as fast at the end)
    assert [renderer is not None for renderer in given] == [True, False, False, False]
    assert outputs["text", "2"] == outputs["text", "1"] and outputs["json", "2"] == outputs["json", "1"]


@pytest.mark.parametrize("which", ["golden", "many", "none"])
def test_sarif_written_result_by_result_is_the_log_json_dumps_gives(which: str, golden_result: ScanResult) -> None:
    from taglint.report.sarif import sarif_log

    result = {"golden": golden_result, "many": _many_findings(50), "none": ScanResult(findings=[], files_scanned=0)}[which]
    expected = json.dumps(sarif_log(result, ReportOptions()), indent=2, ensure_ascii=False) + "\n"
    out = Recorder()
    write("sarif", result, ReportOptions(), out)
    assert out.getvalue() == expected


def _garbage_of_writing(format_name: str, result: ScanResult) -> int:
    """Objects a report leaves in reference cycles (the CLI writes it with
    the cyclic collector paused, so they would stay until the process ends)."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        write(format_name, result, ReportOptions(), io.StringIO())
        return gc.collect()
    finally:
        if enabled:
            gc.enable()


@pytest.mark.parametrize("format_name", STREAMED)
def test_a_report_leaves_no_garbage_per_finding(format_name: str) -> None:
    _garbage_of_writing(format_name, _many_findings(10))  # imports and caches, once
    few = _garbage_of_writing(format_name, _many_findings(100))
    many = _garbage_of_writing(format_name, _many_findings(2000))
    assert many <= few + 10, (few, many)  # a constant few (one JSON encoder), not some per finding


def _junit_whole(result: ScanResult, options: ReportOptions) -> str:
    """The JUnit report built as one tree and serialized at once: what
    ``junit.write`` gives piece by piece."""
    from xml.etree import ElementTree as ET

    from taglint.model import severity_rank
    from taglint.report.junit import _error_suite, _file_suite, _files

    threshold = severity_rank(options.fail_on)
    root = ET.Element("testsuites", {"name": "taglint"})
    for path, findings in _files(result):
        root.append(_file_suite(path, findings, threshold))
    if result.errors:
        root.append(_error_suite(list(result.errors)))
    suites = root.findall("testsuite")
    for key in ("tests", "failures", "errors"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in suites)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


@pytest.mark.parametrize("which", ["golden", "many", "none", "errors"])
def test_junit_written_suite_by_suite_is_the_whole_tree_serialized(which: str, golden_result: ScanResult) -> None:
    result = {
        "golden": golden_result, "many": _many_findings(50), "none": ScanResult(findings=[], files_scanned=0),
        "errors": ScanResult(findings=[], files_scanned=0, errors=["one", "two <&>"]),
    }[which]
    for options in (ReportOptions(), ReportOptions(fail_on="error"), ReportOptions(fail_on="info")):
        out = io.StringIO()
        write("junit", result, options, out)
        assert out.getvalue() == _junit_whole(result, options)
