"""Dev containers (``.devcontainer/devcontainer.json``,
``.devcontainer.json``, ``.devcontainer/<name>/devcontainer.json``).

The file is JSON with comments (JSONC): comments and trailing commas are
blanked out in place (:mod:`taglint.extract.containers.jsonc`), so spans
are exact.  The image a dev container starts from is its top-level
``image``.  ``build.dockerfile`` names a Dockerfile and
``dockerComposeFile`` Compose files: those files are read by their own
extractors when the scan reaches them, so nothing is recorded for them
here.  ``features`` (OCI artifacts such as
``ghcr.io/devcontainers/features/node:1``) are not container images and
are left alone.
"""
from __future__ import annotations

from taglint.extract.ci.common import CiFile
from taglint.extract.containers.jsonc import blank_comments
from taglint.extract.image_keys import add_images
from taglint.model import FileFacts, Problem
from taglint.source import ExtractContext, SourceFile
from taglint.yamlnodes import MappingNode, YamlError, load_documents

KIND = "devcontainer"
IMAGE_KEYS = ("image",)


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    ci = CiFile(source, KIND)
    try:
        documents = load_documents(blank_comments(source.text))
    except YamlError as exc:
        ci.facts.problems.append(Problem(source.path, exc.span, f"invalid JSON: {exc.message}"))
        return ci.facts
    for doc in documents:
        if isinstance(doc, MappingNode):
            add_images(ci, doc, IMAGE_KEYS)
    return ci.facts
