"""Rule codes as people write them: a code (``TL101``), a code prefix
(``TL1``), ``ALL``, or a rule name (``untagged-image``, an alias of its
code).  Anything else is a typo that must not turn a rule off silently:
:meth:`RuleCodes.problem` says what is wrong and suggests the nearest
known code or name."""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from taglint.suggest import closest

if TYPE_CHECKING:
    from taglint.ruleset import Rule

ALL = "ALL"


class RuleCodes:
    """The codes, prefixes and names of one set of rules."""

    def __init__(self, rules: Mapping[str, Rule]) -> None:
        self.codes = tuple(sorted(rules))
        self.by_name = {rule.name.lower(): rule.code for rule in rules.values()}
        self.prefixes = frozenset(code[:end] for code in self.codes for end in range(1, len(code) + 1))

    def lookup(self, written: str) -> str | None:
        """The code prefix ``written`` stands for (a name gives its code),
        or None when it names no rule."""
        token = written.strip()
        upper = token.upper()
        if upper == ALL:
            return ALL
        if upper in self.prefixes:
            return upper
        return self.by_name.get(token.lower())

    def suggestion(self, written: str) -> str | None:
        """The known code, prefix or name nearest to ``written``, if any is
        close: codes and their prefixes of two characters or more
        (``TL1O`` → ``TL10``) compared in upper case, names in lower case."""
        token = written.strip()
        upper = token.upper()
        by_code = (
            _lookalike(upper, self.prefixes)
            or closest(upper, [p for p in self.prefixes if len(p) == len(upper)])
            or closest(upper, [p for p in self.prefixes if len(p) >= 2])
        )
        by_name = closest(token.lower(), self.by_name)
        return _nearer(token, by_code, by_name)

    def problem(self, written: str) -> str:
        """Why ``written`` is not accepted, with the nearest code or name."""
        token = written.strip()
        if not token:
            return "empty rule code"
        best = self.suggestion(token)
        hint = f" (did you mean {best}?)" if best else " (see `taglint rules`)"
        return f'unknown rule code or name "{token}"{hint}'


_LOOKALIKE_DIGITS = {"O": "0", "I": "1", "L": "1"}


def _lookalike(upper: str, prefixes: frozenset[str]) -> str | None:
    """``TL1O1`` → ``TL101``: the known code that ``upper`` spells with
    letters that look like digits where the code has those digits."""
    for prefix in sorted(prefixes):
        if prefix != upper and len(prefix) == len(upper) and all(
            mine == theirs or (theirs.isdigit() and _LOOKALIKE_DIGITS.get(mine) == theirs)
            for mine, theirs in zip(upper, prefix)
        ):
            return prefix
    return None


def _nearer(token: str, by_code: str | None, by_name: str | None) -> str | None:
    if by_code is None or by_name is None:
        return by_code or by_name
    import difflib

    code_ratio = difflib.SequenceMatcher(None, token.upper(), by_code).ratio()
    name_ratio = difflib.SequenceMatcher(None, token.lower(), by_name).ratio()
    return by_code if code_ratio >= name_ratio else by_name
