"""One extractor per file kind.

Each extractor module defines ``extract(source: SourceFile, ctx:
ExtractContext) -> FileFacts``.  Modules are imported only when a file of
their kind is scanned, so start-up stays fast.
"""
from __future__ import annotations

import importlib
from typing import Callable

from taglint.extract import families
from taglint.limits import file_budget
from taglint.model import FileFacts
from taglint.source import ExtractContext, SourceFile

Extractor = Callable[[SourceFile, ExtractContext], FileFacts]

# kind -> module implementing it.  Kinds are decided by taglint.classify.
EXTRACTORS: dict[str, str] = {
    "dockerfile": "taglint.extract.containers.dockerfile",
    "shell": "taglint.extract.scripts.shell",
    "makefile": "taglint.extract.scripts.makefile",
    "kubernetes": "taglint.extract.kubernetes.manifests",
    "compose": "taglint.extract.containers.compose",
    "helm-values": "taglint.extract.kubernetes.helm",
    "helm-template": "taglint.extract.kubernetes.helm",
    "helm-chart": "taglint.extract.kubernetes.helm",
    "kustomization": "taglint.extract.kubernetes.kustomize",
    "github-workflow": "taglint.extract.ci.github",
    "github-action": "taglint.extract.ci.github",
    "gitlab-ci": "taglint.extract.ci.gitlab",
    "circleci": "taglint.extract.ci.circleci",
    "azure-pipelines": "taglint.extract.ci.azure",
    "bitbucket-pipelines": "taglint.extract.ci.bitbucket",
    "cloudbuild": "taglint.extract.ci.cloudbuild",
    "drone": "taglint.extract.ci.drone",
    "jenkinsfile": "taglint.extract.ci.jenkinsfile",
    "skaffold": "taglint.extract.kubernetes.skaffold",
    "tilt": "taglint.extract.kubernetes.tilt",
}


def has_extractor(kind: str) -> bool:
    return kind in EXTRACTORS or kind in families.extractors()


def extractor_for(kind: str) -> Extractor:
    """The extractor of ``kind``; each call pays its substitutions from one
    budget (:func:`taglint.limits.file_budget`)."""
    module = EXTRACTORS.get(kind) or families.extractors()[kind]
    extract: Extractor = importlib.import_module(module).extract

    def extract_one_file(source: SourceFile, ctx: ExtractContext) -> FileFacts:
        with file_budget(len(source.text)):
            return extract(source, ctx)

    return extract_one_file
