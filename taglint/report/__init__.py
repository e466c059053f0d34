"""Output formats: one module per format, each with
``render(result: ScanResult, options: ReportOptions) -> str``."""
from __future__ import annotations

import importlib
from dataclasses import dataclass

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


def render(format_name: str, result: object, options: ReportOptions) -> str:
    module = importlib.import_module(FORMATS[format_name])
    return module.render(result, options)  # type: ignore[no-any-return]
