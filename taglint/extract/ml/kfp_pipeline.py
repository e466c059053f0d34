"""Compiled Kubeflow Pipelines v2 specs (the IR YAML the KFP compiler writes,
or the older JSON with a ``pipelineSpec`` wrapper): each executor's
``container.image`` under ``deploymentSpec.executors``
(https://www.kubeflow.org/docs/components/pipelines/user-guides/core-functions/compile-a-pipeline/)."""
from __future__ import annotations

from taglint.extract.ml.spec_reader import spec_extractor

KIND = "kfp-pipeline"
PATTERNS = (
    "deploymentSpec.executors.*.container.image",
    "pipelineSpec.deploymentSpec.executors.*.container.image",
)

extract = spec_extractor(KIND, PATTERNS)
