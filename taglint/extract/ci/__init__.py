"""Extractors of CI configurations (GitHub, GitLab, CircleCI, Azure, Bitbucket, Cloud Build, Drone, Jenkins) and their shared helpers."""

KINDS: dict[str, str] = {}  # kinds added by this family (taglint.extract.families)
