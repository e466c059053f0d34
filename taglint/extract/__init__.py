"""One extractor per file kind.

Each extractor module defines ``extract(source: SourceFile, ctx:
ExtractContext) -> FileFacts``.  Modules are imported only when a file of
their kind is scanned, so start-up stays fast.
"""
from __future__ import annotations

import importlib
from typing import Callable

from taglint.limits import file_budget
from taglint.model import FileFacts
from taglint.source import ExtractContext, SourceFile

Extractor = Callable[[SourceFile, ExtractContext], FileFacts]

# kind -> module implementing it.  Kinds are decided by taglint.classify.
EXTRACTORS: dict[str, str] = {
    "dockerfile": "taglint.extract.dockerfile",
    "shell": "taglint.extract.shell",
    "makefile": "taglint.extract.makefile",
    "kubernetes": "taglint.extract.kubernetes",
    "compose": "taglint.extract.compose",
    "helm-values": "taglint.extract.helm",
    "helm-template": "taglint.extract.helm",
    "helm-chart": "taglint.extract.helm",
    "kustomization": "taglint.extract.kustomize",
    "github-workflow": "taglint.extract.github",
    "github-action": "taglint.extract.github",
    "gitlab-ci": "taglint.extract.gitlab",
    "circleci": "taglint.extract.circleci",
    "azure-pipelines": "taglint.extract.azure",
    "bitbucket-pipelines": "taglint.extract.bitbucket",
    "cloudbuild": "taglint.extract.cloudbuild",
    "drone": "taglint.extract.drone",
    "jenkinsfile": "taglint.extract.jenkinsfile",
    "skaffold": "taglint.extract.skaffold",
    "tilt": "taglint.extract.tilt",
}


def extractor_for(kind: str) -> Extractor:
    """The extractor of ``kind``; each call pays its substitutions from one
    budget (:func:`taglint.limits.file_budget`)."""
    extract: Extractor = importlib.import_module(EXTRACTORS[kind]).extract

    def extract_one_file(source: SourceFile, ctx: ExtractContext) -> FileFacts:
        with file_budget(len(source.text)):
            return extract(source, ctx)

    return extract_one_file
