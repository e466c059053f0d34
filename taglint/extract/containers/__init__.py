"""Extractors of container build and run files: Dockerfiles, Compose, dev
containers, Earthly Earthfiles."""
from __future__ import annotations

from pathlib import PurePosixPath

KINDS: dict[str, str] = {  # kinds added by this family (taglint.extract.families)
    "devcontainer": "taglint.extract.containers.devcontainer",
    "earthfile": "taglint.extract.containers.earthfile",
}


def kind_from_path(path: PurePosixPath, lower_name: str) -> str | None:
    """``Earthfile``; ``.devcontainer.json``, ``.devcontainer/devcontainer.json``
    and ``.devcontainer/<name>/devcontainer.json``."""
    if lower_name == "earthfile":
        return "earthfile"
    if lower_name == ".devcontainer.json":
        return "devcontainer"
    if lower_name == "devcontainer.json":
        folders = [part.lower() for part in path.parts[:-1]]
        if folders[-1:] == [".devcontainer"] or folders[-2:-1] == [".devcontainer"]:
            return "devcontainer"
    return None
