"""Extractors of infrastructure and configuration-management files:
Terraform, Nomad, Ansible, Podman Quadlet units.

See :mod:`taglint.extract.families` for what this package may define."""
from __future__ import annotations

KINDS: dict[str, str] = {}
