"""Azure Machine Learning YAML (a ``$schema`` of azuremlschemas): an
environment's ``image``, a job's inline ``environment.image`` and the
environments of pipeline jobs and sweep trials
(https://learn.microsoft.com/azure/machine-learning/reference-yaml-environment,
https://learn.microsoft.com/azure/machine-learning/reference-yaml-job-command).
``environment: azureml:name:version`` names a registered environment, not
an image, and is left alone."""
from __future__ import annotations

from taglint.extract.ml.spec_reader import spec_extractor

KIND = "azureml"
PATTERNS = ("image", "**.environment.image")

extract = spec_extractor(KIND, PATTERNS)
