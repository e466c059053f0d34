"""JSON with comments (JSONC: dev containers, VS Code settings) made plain
JSON without moving a character.

``//`` and ``/* … */`` comments and trailing commas before ``}``/``]`` are
replaced by spaces (newlines inside block comments are kept), so every
line and column of what is left is where the file has it, and the YAML
composer of :mod:`taglint.yamlnodes` (JSON is YAML) gives exact spans.
"""
from __future__ import annotations


def blank_comments(text: str) -> str:
    """``text`` with JSONC comments and trailing commas blanked out."""
    out = list(text)
    index = 0
    length = len(text)
    last_comma: int | None = None  # a comma not yet followed by a value
    while index < length:
        char = text[index]
        if char == '"':
            index = _string_end(text, index)
            last_comma = None
            continue
        if char == "/" and index + 1 < length and text[index + 1] in "/*":
            end = _comment_end(text, index)
            for at in range(index, end):
                if out[at] not in "\n\r":
                    out[at] = " "
            index = end
            continue
        if char == ",":
            last_comma = index
        elif char in "}]":
            if last_comma is not None:
                out[last_comma] = " "
            last_comma = None
        elif not char.isspace():
            last_comma = None
        index += 1
    return "".join(out)


def _string_end(text: str, start: int) -> int:
    """The offset just after the JSON string opening at ``start`` (the end
    of the line when it is not closed there)."""
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == '"':
            return index + 1
        if char == "\n":
            return index
        index += 1
    return len(text)


def _comment_end(text: str, start: int) -> int:
    if text[start + 1] == "/":
        end = text.find("\n", start)
        return len(text) if end < 0 else end
    end = text.find("*/", start + 2)
    return len(text) if end < 0 else end + 2
