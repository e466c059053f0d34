"""Podman Quadlet units (``*.container``, ``*.image``, ``*.volume``).

Quadlet turns these systemd unit files into services; the image each one
runs or pulls is its ``Image=`` key: in ``[Container]`` the image the
container runs, in ``[Image]`` the image pulled, in ``[Volume]`` the image
an ``image`` driver volume is made from.  A value naming another Quadlet
unit (``Image=app.image``, ``Image=app.build``) is not a reference: that
unit says the image.  Only ``Image=`` keys are read; ``#``/``;`` lines are
comments, as systemd reads them.  A value continued on the next line
(``\\`` at the end) is not an image any unit writes, and is left alone.
"""
from __future__ import annotations

import re

from taglint.extract.ci.common import CiFile
from taglint.model import FileFacts, Span
from taglint.source import ExtractContext, SourceFile

KIND = "quadlet"
SECTIONS = frozenset({"Container", "Image", "Volume"})
_SECTION = re.compile(r"^[ \t]*\[([^\]]+)\][ \t]*$")
_IMAGE = re.compile(r"^[ \t]*Image[ \t]*=[ \t]*(.*?)[ \t]*$")
_UNIT_REFERENCE = (".image", ".build")


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    ci = CiFile(source, KIND)
    section: str | None = None
    for number, line in enumerate(source.lines, start=1):
        if line.lstrip().startswith(("#", ";")):
            continue
        header = _SECTION.match(line)
        if header is not None:
            section = header.group(1).strip()
            continue
        found = _IMAGE.match(line)
        if found is None or section not in SECTIONS:
            continue
        value = found.group(1)
        if not value or value.endswith("\\") or value.endswith(_UNIT_REFERENCE):
            continue
        start = found.start(1)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value, start = value[1:-1], start + 1
        span = Span(number, start + 1, number, start + 1 + len(value))
        ci.add_image(span, value, value, f"[{section}] Image", stage=section)
    return ci.facts
