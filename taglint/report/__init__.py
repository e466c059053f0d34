"""Output formats: one module per format, each with
``write(result: ScanResult, options: ReportOptions, out: TextIO)``, which
writes the report to the text stream ``out`` piece by piece (a large
report is never held whole in memory; :func:`render` gives the same text
as one string), and, when its findings are rendered one by one,
``finding_renderer(options)`` giving a ``Finding -> str`` function (its
texts reach ``write`` through ``scan(prerender=…)`` and
:meth:`ScanResult.rendered`).

``FORMATS`` is the one list of formats: the command line offers these."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, TextIO

if TYPE_CHECKING:
    from taglint.baseline import BaselineSummary
    from taglint.model import Finding

FORMATS: dict[str, str] = {
    "text": "taglint.report.text",
    "json": "taglint.report.json",
    "sarif": "taglint.report.sarif",
    "github": "taglint.report.github",
    "gitlab": "taglint.report.gitlab",
    "junit": "taglint.report.junit",
    "html": "taglint.report.html",
}
# Formats for people at a terminal; the others are read by programs (or,
# for html, opened from a file), so nothing else may go to their stream.
TERMINAL_FORMATS = frozenset({"text"})


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    quiet: int = 0  # 1 (-q): finding lines only; 2 (-qq): nothing
    statistics: bool = False
    statistics_by: str = "rule"  # --statistics --by rule|file|folder
    style: str = "full"  # --output-format full|concise|grouped (text report)
    # --min-severity as given (None: not given; the text report then folds
    # info findings on scans with many of them)
    min_severity: str | None = None
    hidden: int = 0  # findings below an explicit --min-severity, not passed to the report
    fixed: int | None = None  # --fix: how many findings were fixed (the report shows the re-scan)
    show_frames: bool = True
    verbose: bool = False  # list each skipped file, not only how many
    fail_on: str = "warning"  # lowest severity that fails the run (JUnit failures)
    baseline: BaselineSummary | None = None  # how the findings met --baseline, when given


def finding_renderer(format_name: str, options: ReportOptions) -> Callable[[Finding], str] | None:
    """The format's text of one finding, when it renders findings one by
    one (its module's ``finding_renderer(options)`` gives a fresh renderer
    per scan): the engine runs it where the findings are made, in
    parallel."""
    module = importlib.import_module(FORMATS[format_name])
    factory = getattr(module, "finding_renderer", None)
    return None if factory is None else factory(options)  # type: ignore[no-any-return]


def prerender_pays(format_name: str) -> bool:
    """Whether pre-rendering the format's findings where they are made
    (``scan(prerender=…)``) pays for holding their texts until the report
    is written: a format whose module sets ``PRERENDER_PAYS = False``
    renders its findings fast enough at the end (JSON: about 15 µs a
    finding), and a large scan then holds none of their texts."""
    module = importlib.import_module(FORMATS[format_name])
    return bool(getattr(module, "PRERENDER_PAYS", True))


def render(format_name: str, result: object, options: ReportOptions) -> str:
    """The report as one string (:func:`write` into memory)."""
    import io

    buffer = io.StringIO()
    write(format_name, result, options, buffer)
    return buffer.getvalue()


def write(format_name: str, result: object, options: ReportOptions, out: TextIO) -> None:
    """The report, written to ``out`` piece by piece by the format's ``write``."""
    module = importlib.import_module(FORMATS[format_name])
    module.write(result, options, out)


def write_lines(lines: Iterable[str], out: TextIO) -> None:
    """``lines`` written to ``out``, each ended by a line break."""
    for line in lines:
        out.write(line)
        out.write("\n")


def write_chunks(chunks: Iterable[str], out: TextIO, size: int = 1 << 16) -> None:
    """``chunks`` written to ``out`` in batches of about ``size`` characters:
    JSON encoders give many tiny pieces, which one write call each would slow."""
    batch: list[str] = []
    held = 0
    for chunk in chunks:
        batch.append(chunk)
        held += len(chunk)
        if held >= size:
            out.write("".join(batch))
            batch.clear()
            held = 0
    if batch:
        out.write("".join(batch))
