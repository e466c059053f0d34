"""Extractors of infrastructure and configuration-management files:
Terraform, Nomad, Ansible, Podman Quadlet units.

See :mod:`taglint.extract.families` for what this package may define."""
from __future__ import annotations

import re
from pathlib import PurePosixPath

KINDS: dict[str, str] = {
    "terraform": "taglint.extract.infra.terraform",
    "nomad": "taglint.extract.infra.nomad",
    "ansible": "taglint.extract.infra.ansible",
    "quadlet": "taglint.extract.infra.quadlet",
}

QUADLET_SUFFIXES = (".container", ".image", ".volume")
CONTENT_SUFFIXES = QUADLET_SUFFIXES + (".hcl",)
_QUADLET_SECTION = re.compile(r"^\[(?:Container|Image|Volume)\][ \t]*\r?$", re.MULTILINE)
_NOMAD_JOB = re.compile(r"^job[ \t]+\"[^\"\n]*\"[ \t]*\{", re.MULTILINE)
# Ansible: a YAML list (plays or tasks) naming a container module as a key.
_YAML_LIST = re.compile(r"^-[ \t\r\n]", re.MULTILINE)
_ANSIBLE_MODULE = re.compile(
    r"^[ \t]*(?:-[ \t]+)?(?:community\.docker\.|containers\.podman\.|community\.general\.)?"
    r"(?:docker_container|docker_image|docker_image_pull|docker_image_push|docker_swarm_service"
    r"|podman_container|podman_image)[ \t]*:",
    re.MULTILINE,
)


def kind_from_path(path: PurePosixPath, lower_name: str) -> str | None:
    """``*.tf`` is Terraform; ``*.nomad`` and ``*.nomad.hcl`` are Nomad jobs."""
    if lower_name.endswith(".tf"):
        return "terraform"
    if lower_name.endswith((".nomad", ".nomad.hcl")):
        return "nomad"
    return None


def kind_from_text(path: str, text: str) -> str | None:
    """Quadlet units by their section; a Nomad job in a ``.hcl`` file by its
    top-level ``job "name" {``; Ansible plays and task lists by a container
    module named as a key in a YAML list.  Regular expressions only."""
    lower = path.lower()
    if lower.endswith(QUADLET_SUFFIXES):
        return "quadlet" if _QUADLET_SECTION.search(text) else None
    if lower.endswith(".hcl"):
        return "nomad" if _NOMAD_JOB.search(text) else None
    if (lower.endswith((".yaml", ".yml")) and ("docker_" in text or "podman_" in text)
            and _ANSIBLE_MODULE.search(text) and _YAML_LIST.search(text)):
        return "ansible"
    return None
