"""Pieces of fix texts that depend on the file they are written for.

A fix suggests a commit tag the way the file's own CI system names the
commit (``${{ github.sha }}`` in a GitHub workflow, ``$SHORT_SHA`` in Cloud
Build, ``$(shell git rev-parse --short HEAD)`` in a Makefile); the table is
``taglint/data/commit_variables.yaml``.
"""
from __future__ import annotations

from functools import lru_cache

_DATA_FILE = "commit_variables.yaml"


@lru_cache(maxsize=1)
def _commit_variables() -> dict[str, str]:
    import importlib.resources

    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    text = importlib.resources.files("taglint").joinpath("data", _DATA_FILE).read_text("utf-8")
    return {str(kind): str(value) for kind, value in (yaml.load(text, Loader=loader) or {}).items()}


def commit_expression(kind: str) -> str:
    """How a file of ``kind`` names the commit being built, as a tag."""
    table = _commit_variables()
    return table.get(kind, table["default"])
