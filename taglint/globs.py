"""Glob patterns over '/'-separated paths: ``*`` stays within one component,
``**`` spans any number of components, ``?`` is one character, ``[...]``
a character class.  A pattern without ``/`` matches a name at any depth
(like .gitignore)."""
from __future__ import annotations

import re
from functools import lru_cache


# A pattern with more wildcards than this in one path component (or more
# ``**``) is matched by a state set, in time linear in the path: Python's
# backtracking regular expressions take exponential time on
# ``*a*a*a*a*a*a*b`` against a long name, and patterns come from users.
_REGEX_STARS_PER_COMPONENT = 2
_REGEX_DOUBLE_STARS = 3

# Tokens: ("lit", char) ("one", "") ("class", regex) ("star", "") ("dstar", "")
# ("dstar_slash", ""): a literal character, ``?``, ``[...]``, ``*``, ``**``, ``**/``.
_TOKEN_REGEX = {"one": "[^/]", "star": "[^/]*", "dstar": ".*", "dstar_slash": "(?:.*/)?"}


class Glob:
    """A compiled glob: ``match(text)`` is truthy when the whole text matches
    (the ``re.Pattern.match`` protocol the callers use)."""

    __slots__ = ("pattern", "_regex", "_tokens", "_folder_suffix")

    def __init__(self, pattern: str, tokens: list[tuple[str, str]], folder_suffix: bool) -> None:
        self.pattern = pattern
        self._tokens = tokens
        self._folder_suffix = folder_suffix
        body = "".join(re.escape(value) if kind == "lit" else value if kind == "class" else _TOKEN_REGEX[kind]
                       for kind, value in tokens)
        regex = re.compile(f"^{body}{'(?:/.*)?' if folder_suffix else ''}$", re.DOTALL)  # re.error for a bad class
        self._regex = regex if _simple(tokens) else None

    def match(self, text: str) -> bool | None:
        if self._regex is not None:
            return True if self._regex.match(text) else None
        return True if _match_states(self._tokens, text, self._folder_suffix) else None


def _simple(tokens: list[tuple[str, str]]) -> bool:
    """Few enough wildcards for a backtracking regular expression to stay cheap."""
    per_component = 0
    double = 0
    for kind, value in tokens:
        if kind == "star":
            per_component += 1
            if per_component > _REGEX_STARS_PER_COMPONENT:
                return False
        elif kind in ("dstar", "dstar_slash"):
            double += 1
            if double > _REGEX_DOUBLE_STARS:
                return False
        elif kind == "lit" and value == "/":
            per_component = 0
    return True


def _match_states(tokens: list[tuple[str, str]], text: str, folder_suffix: bool) -> bool:
    """Whole-text match by advancing the set of token positions reachable so
    far (a Thompson simulation): time linear in ``len(text) * len(tokens)``.
    Position ``i`` is before token ``i``; ``-(i + 1)`` is inside a ``**/``
    at ``i`` that has consumed text not yet ending in a slash."""
    end = len(tokens)
    skippable = {i for i, (kind, _) in enumerate(tokens) if kind in ("star", "dstar", "dstar_slash")}
    classes = {i: re.compile(value, re.DOTALL) for i, (kind, value) in enumerate(tokens) if kind == "class"}

    def closure(states: set[int]) -> set[int]:
        todo = list(states)
        while todo:
            i = todo.pop()
            if i in skippable and i + 1 not in states:
                states.add(i + 1)
                todo.append(i + 1)
        return states

    states = closure({0})
    for char in text:
        if folder_suffix and end in states and char == "/":
            return True  # ``(?:/.*)?``: a folder the pattern names matches everything below it
        following: set[int] = set()
        for i in states:
            if i < 0:  # inside a ``**/``
                following.add(i)
                if char == "/":
                    following.add(-i)
                continue
            if i == end:
                continue
            kind, value = tokens[i]
            if kind == "lit":
                if char == value:
                    following.add(i + 1)
            elif kind == "one":
                if char != "/":
                    following.add(i + 1)
            elif kind == "class":
                if classes[i].fullmatch(char):
                    following.add(i + 1)
            elif kind == "star":
                if char != "/":
                    following.add(i)
            elif kind == "dstar":
                following.add(i)
            else:  # dstar_slash: any text that ends with a slash, or nothing (the closure)
                following.add(i + 1 if char == "/" else -(i + 1))
                if char == "/":
                    following.add(-(i + 1))
        if not following:
            return False
        states = closure(following)
    return end in states


def _path_tokens(pattern: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append(("dstar_slash", ""))
            i += 3
        elif pattern.startswith("**", i):
            out.append(("dstar", ""))
            i += 2
        elif char == "*":
            out.append(("star", ""))
            i += 1
        elif char == "?":
            out.append(("one", ""))
            i += 1
        elif char == "[":
            close = pattern.find("]", i + 1)
            if close == -1:
                out.append(("lit", char))
                i += 1
            else:
                # a class is literal characters and ranges: nothing in it is
                # a regular-expression set operator or a nested set
                body = re.sub(r"([\\\[&~|]|(?<=-)-)", r"\\\1", pattern[i + 1 : close])
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(("class", f"[{body}]"))
                i = close + 1
        else:
            out.append(("lit", char))
            i += 1
    return out


@lru_cache(maxsize=512)
def compile_glob(pattern: str, anchored_names: bool = True) -> Glob:
    pattern = pattern.strip()
    if pattern.startswith("./"):
        pattern = pattern[2:]
    floating = anchored_names and "/" not in pattern.rstrip("/")
    pattern = pattern.rstrip("/") if pattern.endswith("/") and len(pattern) > 1 else pattern
    tokens = ([("dstar_slash", "")] if floating else []) + _path_tokens(pattern)
    # a pattern naming a folder also matches everything below it
    return Glob(pattern, tokens, folder_suffix=True)


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
def compile_exact_glob(pattern: str) -> Glob:
    """A glob that must match the whole string (no folder prefix/suffix magic):
    for image names and tags."""
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            tokens.append(("dstar", ""))
            i += 2
        elif pattern[i] == "*":
            tokens.append(("star", ""))
            i += 1
        elif pattern[i] == "?":
            tokens.append(("one", ""))
            i += 1
        else:
            tokens.append(("lit", pattern[i]))
            i += 1
    return Glob(pattern, tokens, folder_suffix=False)


def matches_exact(text: str, pattern: str) -> bool:
    return compile_exact_glob(pattern).match(text) is not None
