"""Glob patterns over '/'-separated paths: ``*`` stays within one component,
``**`` spans any number of components, ``?`` is one character, ``[...]``
a character class.  A pattern without ``/`` matches a name at any depth
(like .gitignore)."""
from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=512)
def compile_glob(pattern: str, anchored_names: bool = True) -> re.Pattern[str]:
    pattern = pattern.strip()
    if pattern.startswith("./"):
        pattern = pattern[2:]
    floating = anchored_names and "/" not in pattern.rstrip("/")
    pattern = pattern.rstrip("/") if pattern.endswith("/") and len(pattern) > 1 else pattern
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
                i += 1
            else:
                # a class is literal characters and ranges: nothing in it is
                # a regular-expression set operator or a nested set
                body = re.sub(r"([\\\[&~|]|(?<=-)-)", r"\\\1", pattern[i + 1 : end])
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end + 1
        else:
            out.append(re.escape(char))
            i += 1
    body = "".join(out)
    prefix = "(?:.*/)?" if floating else ""
    # a pattern naming a folder also matches everything below it
    return re.compile(f"^{prefix}{body}(?:/.*)?$", re.DOTALL)


def glob_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a usable path glob (``bad character range
    z-a``), or None when it is."""
    try:
        compile_glob(pattern)
    except re.error as exc:
        return str(exc.msg)
    return None


def matches(path: str, pattern: str) -> bool:
    return compile_glob(pattern).match(path) is not None


def matches_any(path: str, patterns: tuple[str, ...] | list[str]) -> bool:
    return any(matches(path, p) for p in patterns)


@lru_cache(maxsize=512)
def compile_exact_glob(pattern: str) -> re.Pattern[str]:
    """A glob that must match the whole string (no folder prefix/suffix magic):
    for image names and tags."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("^" + "".join(out) + "$", re.DOTALL)


def matches_exact(text: str, pattern: str) -> bool:
    return compile_exact_glob(pattern).match(text) is not None
