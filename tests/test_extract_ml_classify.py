"""Which files the ML family reads, and as which kind: by name, and by a
cheap look at the text (never a parse)."""
from __future__ import annotations

import pytest

from taglint.classify import classify, kind_from_path


def kind(path: str, text: str) -> str | None:
    return classify(path, lambda: text)


@pytest.mark.parametrize(
    "path,expected",
    [
        ("MLproject", "mlflow-project"),
        ("examples/docker/MLproject", "mlflow-project"),
        ("bentofile.yaml", "bentofile"),
        ("service/bentofile.yml", "bentofile"),
        ("cog.yaml", "cog"),
        ("models/sdxl/cog.yaml", "cog"),
    ],
)
def test_kinds_by_name(path: str, expected: str) -> None:
    assert kind_from_path(path) == expected


def test_mlproject_must_be_spelled_as_mlflow_reads_it() -> None:
    assert kind_from_path("mlproject") is None
    assert kind_from_path("MLproject.md") is None


@pytest.mark.parametrize(
    "path,text,expected",
    [
        ("components/train/component.yaml",
         "name: Train\nimplementation:\n  container:\n    image: python:3.11\n", "kfp-component"),
        ("echo/component.yaml",
         "name: Echo\nimplementation: {container: {image: 'library/bash:4.4.23', command: [echo]}}\n", "kfp-component"),
        ("pipeline.yaml",
         "# PIPELINE DEFINITION\ndeploymentSpec:\n  executors:\n    exec-a:\n      container:\n        image: python:3.11\n",
         "kfp-pipeline"),
        ("pipeline.json",
         '{\n  "pipelineSpec": {\n    "deploymentSpec": {"executors": {}}\n  }\n}\n', "kfp-pipeline"),
        ("job.yml",
         "$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json\ncommand: python x.py\n",
         "azureml"),
        ("preview.yml",
         "$schema: https://azuremlsdk2.blob.core.windows.net/latest/commandJob.schema.json\ncommand: x\n", "azureml"),
        ("vertex/config.yaml", "workerPoolSpecs:\n  containerSpec:\n    imageUri: gcr.io/p/t:1.0.0\n",
         "vertex-ai-job"),
        ("ray/cluster.yaml", "cluster_name: default\nprovider:\n  type: local\n", "ray-config"),
        ("serve.yaml", "applications:\n  - name: app\n    import_path: app:entry\n", "ray-config"),
        ("pipeline.py", "from kfp import dsl\n", "kfp-dsl"),
        ("train.py", "import sagemaker\n", "python-sdk"),
        ("vertex.py", "from google.cloud import aiplatform\n", "python-sdk"),
        ("dags/dag.py", "from airflow import DAG\n", "python-sdk"),
        ("flow.py", "  from metaflow import FlowSpec\n", "python-sdk"),
        ("tasks.py", "import ray\n", "python-sdk"),
        ("wf.py", "from flytekit import task\n", "python-sdk"),
        ("env.py", "from azure.ai.ml.entities import Environment\n", "python-sdk"),
        ("both.py", "import sagemaker\nimport kfp\n", "kfp-dsl"),
    ],
)
def test_kinds_by_content(path: str, text: str, expected: str) -> None:
    assert kind(path, text) == expected


@pytest.mark.parametrize(
    "path,text",
    [
        ("component.yaml", "name: widget\ncontainer:\n  image: x\n"),  # no implementation:
        ("plan.yaml", "implementation:\n  owner: ops\n"),  # no container
        ("config.yaml", "cluster_name: prod\nregion: eu\n"),  # a cluster_name is not a Ray config
        ("numbers.py", "import numpy as np\nx = np.array([1, 2])\n"),  # "ray" inside "array"
        ("rays.py", "import rayleigh\n"),
        ("notes.py", "# we used sagemaker once\nprint('kfp')\n"),  # words, no import
        ("job.yml", "$schema: https://json.schemastore.org/github-workflow\n"),
    ],
)
def test_files_that_only_look_alike_stay_unread(path: str, text: str) -> None:
    assert kind(path, text) is None


def test_kubernetes_manifests_stay_kubernetes() -> None:
    text = "apiVersion: ray.io/v1\nkind: RayService\nspec:\n  serveConfigV2: |\n    applications: []\n"
    assert kind("rayservice.yaml", text) == "kubernetes"
