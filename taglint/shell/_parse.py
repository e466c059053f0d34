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


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def prepare(text: str) -> str:
    """The text tree-sitter sees: same length, same structure.

    Every non-ASCII character becomes ``x``.  To bash they are all word
    characters (or string content), so the tree is the same, byte offsets
    equal character offsets, and the grammar's external scanner never sees
    a multi-byte character (tree-sitter-bash 0.25 can crash the process on
    some, e.g. ``"\\t{\\U000d76bf"``).  Values are always read from the
    original text.
    """
    text = mask_template_expressions(text)
    if not text.isascii():
        text = _NON_ASCII.sub("x", text)
    return text


def parse(text: str) -> Any:
    """The syntax tree of ``text``; node byte offsets are character offsets."""
    return parser().parse(prepare(text).encode("ascii"))
