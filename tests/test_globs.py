"""Path globs: the linear-time matcher used for patterns with many
wildcards gives the same answers as the regular expression used for the
others, on random patterns and paths."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from taglint.globs import _TOKEN_REGEX, _match_states, compile_exact_glob, compile_glob, matches

PATTERN = st.lists(st.sampled_from(["a", "b", "/", "*", "**", "**/", "?", "[ab]", "[!a]", ".", "x"]), max_size=8).map("".join)
PATH = st.lists(st.sampled_from(["a", "b", "/", ".", "x"]), max_size=10).map("".join)


def _regex(glob, suffix: bool) -> re.Pattern[str]:  # type: ignore[no-untyped-def]
    body = "".join(re.escape(v) if k == "lit" else v if k == "class" else _TOKEN_REGEX[k] for k, v in glob._tokens)
    return re.compile(f"^{body}{'(?:/.*)?' if suffix else ''}$", re.DOTALL)


@settings(max_examples=600, deadline=None)
@given(PATTERN, st.booleans(), st.lists(PATH, min_size=1, max_size=6))
def test_the_state_matcher_agrees_with_the_regular_expression(pattern: str, anchored: bool, paths: list[str]) -> None:
    glob = compile_glob(pattern, anchored)
    exact = compile_exact_glob(pattern)
    for path in paths:
        assert _match_states(glob._tokens, path, True) == bool(_regex(glob, True).match(path)), (pattern, path)
        assert bool(glob.match(path)) == bool(_regex(glob, True).match(path))
        assert _match_states(exact._tokens, path, False) == bool(_regex(exact, False).match(path)), (pattern, path)


def test_familiar_patterns() -> None:
    assert matches("vendor/x/Dockerfile", "vendor/")
    assert matches("a/b/vendor/x.yaml", "**/vendor/**")
    assert matches("deep/values.yaml", "values*.yaml")
    assert not matches("deep/values.yaml", "/values*.yaml".lstrip("/") + "x")
    assert matches("charts/a/templates/d.yaml", "charts/*/templates/**")
    assert matches("x/a1b2c3d/y", "x/*a*b*c*d*/y")  # many wildcards: the state matcher
    assert not matches("x/a1b2c3/y", "x/*a*b*c*d*/y")
