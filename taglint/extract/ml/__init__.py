"""Extractors of ML pipeline and platform files: Kubeflow Pipelines
components and compiled specs, Python SDK calls (SageMaker, Vertex AI,
Azure ML, Ray, Metaflow, Flyte, Airflow, KFP DSL), MLflow, BentoML, Cog,
Azure ML and Vertex AI job specs, Ray cluster and Serve configs.

See :mod:`taglint.extract.families` for what this package may define."""
from __future__ import annotations

KINDS: dict[str, str] = {}
