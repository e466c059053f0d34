"""Vertex AI custom job specs (``gcloud ai custom-jobs create --config``,
REST ``CustomJob``/``HyperparameterTuningJob`` bodies): each worker pool's
``containerSpec.imageUri`` and ``pythonPackageSpec.executorImageUri``;
``workerPoolSpecs`` may be one mapping or a list
(https://cloud.google.com/vertex-ai/docs/training/create-custom-job)."""
from __future__ import annotations

from taglint.extract.ml.spec_reader import spec_extractor

KIND = "vertex-ai-job"
PATTERNS = tuple(
    f"**.workerPoolSpecs{each}.{place}"
    for each in ("", "[]")
    for place in ("containerSpec.imageUri", "pythonPackageSpec.executorImageUri")
)

extract = spec_extractor(KIND, PATTERNS)
