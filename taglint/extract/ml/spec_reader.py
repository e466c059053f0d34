"""One reader for the ML file formats that name images at fixed key paths
(Kubeflow components and compiled pipelines, MLflow, BentoML, Azure ML,
Vertex AI, Ray): each format module lists its places as
:mod:`taglint.extract.image_keys` patterns and gets its ``extract`` here.

Every YAML (or JSON) document of the file is read alike; a scalar at one of
the places is an image pulled to run the step, job or service, recorded
with its exact span and its key path as context."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from taglint.extract.ci.common import CiFile
from taglint.extract.image_keys import add_images
from taglint.model import FileFacts
from taglint.source import ExtractContext, SourceFile

Extract = Callable[[SourceFile, ExtractContext], FileFacts]


def spec_extractor(kind: str, patterns: Sequence[str]) -> Extract:
    """``extract`` for a format of ``kind`` whose images are at ``patterns``."""
    fixed = tuple(patterns)

    def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
        ci = CiFile(source, kind)
        for document in ci.documents():
            ci.root = document
            add_images(ci, document, fixed)
        return ci.facts

    extract.__doc__ = f"The images of a {kind} file: the scalars at {', '.join(fixed)}."
    return extract
