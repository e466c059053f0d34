"""tree-sitter-bash, loaded on first use and cached for the process."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# GitHub Actions / Gitea / Azure template expressions are not shell syntax;
# they are masked before parsing (same length, one word) and read back from
# the unmasked text, so they stay as written in word values.
_TEMPLATE_EXPRESSION = re.compile(r"\$\{\{[^\n]*?\}\}")


@lru_cache(maxsize=1)
def parser() -> Any:
    import tree_sitter
    import tree_sitter_bash

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))


def mask_template_expressions(text: str) -> str:
    if "${{" not in text:
        return text
    return _TEMPLATE_EXPRESSION.sub(lambda m: "_" * len(m.group(0)), text)


def parse(text: str) -> tuple[Any, list[int] | None]:
    """The tree of ``text`` and a byte→character offset table (None when
    the text is ASCII and offsets coincide)."""
    masked = mask_template_expressions(text)
    data = masked.encode("utf-8", "surrogatepass")
    table: list[int] | None = None
    if len(data) != len(masked):
        table = [0] * (len(data) + 1)
        b = 0
        for i, ch in enumerate(masked):
            n = len(ch.encode("utf-8", "surrogatepass"))
            for k in range(n):
                table[b + k] = i
            b += n
        table[b] = len(masked)
    return parser().parse(data), table
