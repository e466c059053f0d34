"""Output formats: one module per format, each with
``render(result: ScanResult, options: ReportOptions) -> str`` and, when its
findings are rendered one by one, ``render_finding(finding, options) -> str``
(used by :meth:`ScanResult.rendered` through ``scan(prerender=…)``)."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import partial
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


def finding_renderer(format_name: str, options: ReportOptions) -> Callable[[Finding], str] | None:
    """The format's text of one finding, when it renders findings one by
    one (``render_finding(finding, options)``): the engine runs it where the
    findings are made, in parallel."""
    module = importlib.import_module(FORMATS[format_name])
    render_finding = getattr(module, "render_finding", None)
    return None if render_finding is None else partial(render_finding, options=options)


def render(format_name: str, result: object, options: ReportOptions) -> str:
    module = importlib.import_module(FORMATS[format_name])
    return module.render(result, options)  # type: ignore[no-any-return]
