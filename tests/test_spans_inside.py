"""Every span lies inside its file (issue 14 item 3).

At the source: a YAML file without a final newline that fails to parse got
TL001 one line past its end (libyaml places the error at the end of the
input).  And once more where findings meet (``taglint.spans``): whatever
an extractor says, a finding's span is moved inside its file.
``tests/test_properties.py`` checks the same over mutants of every fixture.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from taglint.config import Config
from taglint.engine import scan
from taglint.model import FileFacts, Problem, Span
from taglint.source import LINE_BREAK
from taglint.spans import inside


@pytest.mark.parametrize(
    "text, where",
    [
        ("kind: Kustomization\nres", (2, 4)),  # was line 3 of a 2-line file
        ("kind: Kustomization\nres\n", (3, 1)),  # the empty line after the final break exists
        ("resources:\n- a.yaml\nimages: [", (3, 10)),
    ],
)
def test_a_yaml_parse_error_at_the_end_of_the_input_lies_inside_the_file(
    text: str, where: tuple[int, int], tmp_path: Path
) -> None:
    (tmp_path / "kustomization.yaml").write_bytes(text.encode())
    result = scan(["."], Config(), cwd=tmp_path)
    (error,) = [f for f in result.findings if f.rule == "TL001"]
    assert (error.span.line, error.span.column) == where
    lines = LINE_BREAK.split(text)
    assert error.span.end_line <= len(lines) and error.span.end_column <= len(lines[error.span.end_line - 1]) + 1


def test_inside_moves_places_past_the_text_to_its_ends() -> None:
    lines = ["FROM python", "", "RUN x"]
    assert inside(Span(1, 6, 1, 12), lines) == Span(1, 6, 1, 12)  # already inside: the same object
    assert inside(Span(4, 1, 4, 1), lines) == Span(3, 6, 3, 6)  # past the last line
    assert inside(Span(2, 3, 2, 9), lines) == Span(2, 1, 2, 1)  # past the end of an empty line
    assert inside(Span(1, 6, 1, 40), lines) == Span(1, 6, 1, 12)  # end past the end of its line
    assert inside(Span(3, 2, 9, 9), lines) == Span(3, 2, 3, 6)
    assert inside(Span(0, 0, 0, 0), lines) == Span(1, 1, 1, 1)
    assert inside(Span(1, 1, 1, 1), [""]) == Span(1, 1, 1, 1)
    assert inside(Span(5, 5, 5, 5), []) == Span(1, 1, 1, 1)


def test_the_engine_keeps_every_finding_inside_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An extractor that places a problem past the end of the file: the
    TL001 finding is reported at the end of the last line instead."""
    import taglint.extract as extract

    (tmp_path / "Dockerfile").write_text("FROM python:3.12.7\nRUN make\n")

    def broken(kind: str):  # type: ignore[no-untyped-def]
        def extractor(source, ctx):  # type: ignore[no-untyped-def]
            return FileFacts(source.path, kind, problems=[Problem(source.path, Span(7, 30, 9, 2), "made up")])

        return extractor

    monkeypatch.setattr(extract, "extractor_for", broken)
    result = scan(["."], Config(), cwd=tmp_path)
    (error,) = [f for f in result.findings if f.rule == "TL001"]
    assert error.span == Span(3, 1, 3, 1)  # "FROM…\nRUN make\n": the empty line after the final break


def test_findings_placed_in_the_workers_are_not_read_again(tmp_path: Path) -> None:
    """``findings_inside`` reads a file again only for the findings not
    placed yet (those of rules that run where the files meet)."""
    from taglint.model import Finding
    from taglint.spans import findings_inside, inside_text

    (tmp_path / "Dockerfile").write_text("FROM python\n")
    far = Span(9, 9, 9, 9)
    placed = Finding("TL101", "untagged-image", "warning", "Dockerfile", far, "m")
    other = Finding("TL113", "release-versions", "warning", "Dockerfile", far, "m")
    out = findings_inside([placed, other], tmp_path, {id(placed)})
    assert out[0] is placed  # trusted as placed
    assert out[1].span == Span(2, 1, 2, 1)  # read again: the empty line after the final break
    (moved,) = inside_text([placed], "FROM python\n")
    assert moved.span == Span(2, 1, 2, 1)


def test_known_lines_place_what_they_know_and_nothing_else() -> None:
    from taglint.spans import KnownLines

    known = KnownLines.of("FROM python\n\nRUN make install\n", [3, 40])  # 40: past the end, the last line
    assert known.count == 4 and set(known.widths) == {3, 4}
    assert known.place(Span(3, 5, 3, 99)) == Span(3, 5, 3, 17)
    assert known.place(Span(9, 1, 9, 1)) == Span(4, 1, 4, 1)  # past the end: the empty last line
    assert known.place(Span(1, 1, 1, 5)) is None  # line 1 is not known: read the file again


def test_large_files_are_not_read_again_and_nothing_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    """With every file counted as large, project-wide findings are placed
    by what the workers kept, and the report is the same as when the
    files are read again."""
    import taglint.engine as engine
    import taglint.spans as spans
    from taglint.report import ReportOptions, render

    fixtures = Path(__file__).parent / "fixtures"
    reads: list[Path] = []
    real = spans._lines_of

    def counted(path: Path):  # type: ignore[no-untyped-def]
        reads.append(path)
        return real(path)

    monkeypatch.setattr(spans, "_lines_of", counted)
    monkeypatch.chdir(fixtures)
    again = render("json", scan(["."], Config(), cwd=fixtures), ReportOptions())
    read_again = len(reads)
    reads.clear()
    monkeypatch.setattr(engine, "KNOWN_LINES_FROM", 0)
    kept = render("json", scan(["."], Config(), cwd=fixtures), ReportOptions())
    assert kept == again
    assert read_again > 50 and len(reads) < read_again / 5
