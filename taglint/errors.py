"""One error hierarchy; the CLI turns any of these into exit code 2 and one line."""
from __future__ import annotations


class TaglintError(Exception):
    """Base of every error taglint reports to the user."""


class ConfigError(TaglintError):
    """The configuration (file or command line) is invalid."""


class RuleError(TaglintError):
    """A rule file is invalid."""


class UsageError(TaglintError):
    """The command line is invalid."""
