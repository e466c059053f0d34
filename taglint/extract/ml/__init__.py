"""Extractors of ML pipeline and platform files: Kubeflow Pipelines
components and compiled specs, Python SDK calls (SageMaker, Vertex AI,
Azure ML, Ray, Metaflow, Flyte, Airflow, KFP DSL), MLflow, BentoML, Cog,
Azure ML and Vertex AI job specs, Ray cluster and Serve configs.

Kinds decided by name: ``MLproject`` (MLflow), ``bentofile.yaml``,
``cog.yaml``.  Kinds decided by a cheap look at the text (never a parse):
KFP v1 components (top-level ``implementation:`` with a ``container`` after it),
compiled KFP v2 specs (``deploymentSpec`` with ``executors``), Azure ML
files (a ``$schema`` naming azureml), Vertex AI job specs
(``workerPoolSpecs``), Ray cluster and Serve configs, and Python files that
import one of the SDKs (:data:`SDK_IMPORT`): ``kfp-dsl`` when they import
``kfp``, ``python-sdk`` for the others.

See :mod:`taglint.extract.families` for what this package may define."""
from __future__ import annotations

import re
from pathlib import PurePosixPath

KINDS: dict[str, str] = {
    "kfp-component": "taglint.extract.ml.kfp_component",
    "kfp-pipeline": "taglint.extract.ml.kfp_pipeline",
    "kfp-dsl": "taglint.extract.ml.kfp_dsl",
    "python-sdk": "taglint.extract.ml.python_sdk",
    "mlflow-project": "taglint.extract.ml.mlflow_project",
    "bentofile": "taglint.extract.ml.bentofile",
    "cog": "taglint.extract.ml.cog",
    "azureml": "taglint.extract.ml.azureml",
    "vertex-ai-job": "taglint.extract.ml.vertex_ai_job",
    "ray-config": "taglint.extract.ml.ray_config",
}

CONTENT_SUFFIXES = (".py",)

_BY_NAME = {
    "mlproject": "mlflow-project",
    "bentofile.yaml": "bentofile",
    "bentofile.yml": "bentofile",
    "cog.yaml": "cog",
    "cog.yml": "cog",
}

# An import of an SDK that names images, at the start of a line.  The
# substring test of SDK_WORDS runs first (a few fast scans of the text):
# most Python files fail it and are never searched with the regex, let
# alone parsed.  Ray is looked for as an import ("ray" is in "array").
SDK_WORDS = (
    "kfp", "sagemaker", "aiplatform", "azure", "import ray", "from ray", "metaflow", "flytekit", "airflow",
)
SDK_IMPORT = re.compile(
    r"^[ \t]*(?:from|import)[ \t]+(?:(kfp)|sagemaker|google\.cloud(?:\.aiplatform|[ \t]+import[ \t]+aiplatform)"
    r"|azure\.ai\.ml|azureml|ray|metaflow|flytekit|airflow)\b",
    re.MULTILINE,
)

_KFP_COMPONENT = re.compile(r"^implementation:", re.MULTILINE)
_KFP_PIPELINE = re.compile(r"""^[ \t]*["']?deploymentSpec["']?[ \t]*:""", re.MULTILINE)
# azuremlschemas.azureedge.net today; azuremlsdk2.blob.core.windows.net in the CLI v2 previews.
_AZUREML_SCHEMA = re.compile(r"""^["']?\$schema["']?[ \t]*:[ \t]*["']?https?://azureml(?:schemas?|sdk2)\.""", re.MULTILINE)
_VERTEX_JOB = re.compile(r"""^[ \t]*["']?workerPoolSpecs["']?[ \t]*:""", re.MULTILINE)
_RAY_CLUSTER = re.compile(r"^(?:available_node_types|head_node_type|max_workers|provider|docker):", re.MULTILINE)
_RAY_SERVE = re.compile(r"^applications:[ \t]*(?:#.*)?$", re.MULTILINE)


def kind_from_path(path: PurePosixPath, lower_name: str) -> str | None:
    """MLflow ``MLproject``, ``bentofile.yaml`` and ``cog.yaml``, by name."""
    kind = _BY_NAME.get(lower_name)
    if kind == "mlflow-project" and path.name != "MLproject":
        return None  # MLflow reads the file named exactly MLproject
    return kind


CONTENT_WORDS = SDK_WORDS  # a Python file holds one of them to be read (taglint.extract.families)
_SDK_BYTES = tuple(word.encode() for word in SDK_WORDS)


def may_hold(path: str, data: bytes) -> bool:
    """A Python file can import an SDK only if one of its words is there."""
    return any(word in data for word in _SDK_BYTES)


def kind_from_text(path: str, text: str) -> str | None:
    """A kind from substrings and anchored patterns only: never a parse."""
    if path.lower().endswith(".py"):
        return python_kind(text)
    if "deploymentSpec" in text and "executors" in text and _KFP_PIPELINE.search(text):
        return "kfp-pipeline"
    if "implementation:" in text:
        found = _KFP_COMPONENT.search(text)
        if found is not None and "container" in text[found.end():]:  # block or flow style
            return "kfp-component"
    if "azureml" in text and _AZUREML_SCHEMA.search(text):
        return "azureml"
    if "workerPoolSpecs" in text and _VERTEX_JOB.search(text):
        return "vertex-ai-job"
    if "cluster_name:" in text and _RAY_CLUSTER.search(text):
        return "ray-config"
    if "import_path:" in text and _RAY_SERVE.search(text):
        return "ray-config"
    return None


def python_kind(text: str) -> str | None:
    """``kfp-dsl`` for a Python file importing ``kfp``, ``python-sdk`` for
    one importing another SDK of :data:`SDK_IMPORT`, else None."""
    if not any(word in text for word in SDK_WORDS):
        return None
    kfp = False
    found = False
    for match in SDK_IMPORT.finditer(text):
        found = True
        if match.group(1):
            kfp = True
            break
    if not found:
        return None
    return "kfp-dsl" if kfp else "python-sdk"
