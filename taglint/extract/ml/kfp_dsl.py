"""Python files that import Kubeflow Pipelines (``kfp``): the pipeline DSL's
images (``@dsl.component(base_image=…)``, ``dsl.ContainerSpec(image=…)``,
``ContainerOp(image=…)``) and those of any other SDK the file uses; see
:mod:`taglint.extract.ml.python_sdks`."""
from __future__ import annotations

from taglint.extract.ml.python_sdks import read
from taglint.model import FileFacts
from taglint.source import ExtractContext, SourceFile

KIND = "kfp-dsl"


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    return read(source.path, source.text, KIND)
