"""Python files that import an ML SDK naming images (SageMaker, Vertex AI,
Azure ML, Ray, Metaflow, Flyte, Airflow); see
:mod:`taglint.extract.ml.python_sdks`."""
from __future__ import annotations

from taglint.extract.ml.python_sdks import read
from taglint.model import FileFacts
from taglint.source import ExtractContext, SourceFile

KIND = "python-sdk"


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    return read(source.path, source.text, KIND)
