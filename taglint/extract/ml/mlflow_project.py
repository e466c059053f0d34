"""MLflow ``MLproject`` files: a Docker environment runs the project in
``docker_env.image`` (https://mlflow.org/docs/latest/projects.html#docker-container-environment)."""
from __future__ import annotations

from taglint.extract.ml.spec_reader import spec_extractor

KIND = "mlflow-project"
PATTERNS = ("docker_env.image",)

extract = spec_extractor(KIND, PATTERNS)
