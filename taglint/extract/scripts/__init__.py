"""Extractors of scripts: shell scripts and Makefiles."""

KINDS: dict[str, str] = {}  # kinds added by this family (taglint.extract.families)
