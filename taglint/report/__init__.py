"""Output formats: one module per format, each with
``render(result: ScanResult, options: ReportOptions) -> str`` and, when its
findings are rendered one by one, ``finding_renderer(options)`` giving a
``Finding -> str`` function (its texts reach ``render`` through
``scan(prerender=…)`` and :meth:`ScanResult.rendered`)."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from taglint.model import Finding

FORMATS: dict[str, str] = {
    "text": "taglint.report.text",
    "json": "taglint.report.json",
}


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    quiet: bool = False
    statistics: bool = False
    show_frames: bool = True
    verbose: bool = False  # list each skipped file, not only how many


def finding_renderer(format_name: str, options: ReportOptions) -> Callable[[Finding], str] | None:
    """The format's text of one finding, when it renders findings one by
    one (its module's ``finding_renderer(options)`` gives a fresh renderer
    per scan): the engine runs it where the findings are made, in
    parallel."""
    module = importlib.import_module(FORMATS[format_name])
    factory = getattr(module, "finding_renderer", None)
    return None if factory is None else factory(options)  # type: ignore[no-any-return]


def render(format_name: str, result: object, options: ReportOptions) -> str:
    module = importlib.import_module(FORMATS[format_name])
    return module.render(result, options)  # type: ignore[no-any-return]
