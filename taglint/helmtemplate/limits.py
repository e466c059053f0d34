"""How much work one template render may do, and the error that ends it.

Templates and values come from the scanned repository, so every way a
render can grow is bounded: evaluation steps, nested template calls,
output size, ``range`` items, and the values one structural function
(``toYaml``, ``toJson``, ``deepCopy``, ``merge``, comparing collections)
may visit — an alias bomb in ``values.yaml`` is small as nodes and
astronomically large as a tree.
"""
from __future__ import annotations

MAX_STEPS = 200_000  # node evaluations per render
MAX_DEPTH = 64  # nested include/template/tpl calls
MAX_OUTPUT = 4_000_000  # characters of output per render
MAX_RANGE = 2_000  # items of one range, until, untilStep
MAX_VISITS = 50_000  # values one toYaml/toJson/deepCopy/merge/comparison visits


class RenderError(Exception):
    """The template cannot be rendered within the limits."""


class Visits:
    """Counts the values a structural function visits."""

    __slots__ = ("left",)

    def __init__(self, limit: int = MAX_VISITS) -> None:
        self.left = limit

    def tick(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise RenderError("values too large to walk")
