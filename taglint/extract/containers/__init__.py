"""Extractors of container build and run files: Dockerfiles, Compose."""

KINDS: dict[str, str] = {}  # kinds added by this family (taglint.extract.families)
