"""Extractors of Kubernetes files: manifests, Helm charts, Kustomize, and the dev tools that deploy them (Skaffold, Tilt),
and the GitOps tools that pass values to charts (helmfile, helmsman, Rancher Fleet)."""
from __future__ import annotations

import re
from pathlib import PurePosixPath

KINDS: dict[str, str] = {  # kinds added by this family (taglint.extract.families)
    "helmfile": "taglint.extract.kubernetes.helmfile",
    "helmsman": "taglint.extract.kubernetes.helmsman",
    "fleet": "taglint.extract.kubernetes.fleet",
}

CONTENT_SUFFIXES = (".toml",)  # helmsman desired state files may be TOML

_YAML = (".yaml", ".yml")
# helmsman: a top-level `apps:` beside one of its other top-level sections.
_HELMSMAN_APPS_YAML = re.compile(r"^apps:[ \t]*(?:#.*)?$", re.MULTILINE)
_HELMSMAN_OTHER_YAML = re.compile(r"^(?:helmRepos|namespaces|settings|metadata|certificates|context):", re.MULTILINE)
_HELMSMAN_APPS_TOML = re.compile(r"^[ \t]*\[apps\.[^\]]+\][ \t]*(?:#.*)?$", re.MULTILINE)
_HELMSMAN_OTHER_TOML = re.compile(r"^[ \t]*\[(?:helmRepos|namespaces|settings|metadata)[.\]]", re.MULTILINE)


def kind_from_path(path: PurePosixPath, lower_name: str) -> str | None:
    if not lower_name.endswith(_YAML):
        return None
    stem = lower_name.rsplit(".", 1)[0]
    if stem == "helmfile" or (len(path.parts) >= 2 and path.parts[-2] == "helmfile.d"):
        return "helmfile"
    if stem == "fleet":
        return "fleet"
    return None


def kind_from_text(path: str, text: str) -> str | None:
    lower = path.lower()
    if lower.endswith(_YAML):
        if "apps:" in text and _HELMSMAN_APPS_YAML.search(text) and _HELMSMAN_OTHER_YAML.search(text):
            return "helmsman"
    elif lower.endswith(".toml"):
        if "[apps." in text and _HELMSMAN_APPS_TOML.search(text) and _HELMSMAN_OTHER_TOML.search(text):
            return "helmsman"
    return None
