"""The ML formats read at fixed key paths (Kubeflow, MLflow, BentoML, Azure
ML, Vertex AI, Ray) and Cog's push target: spans, contexts, and what is
left alone."""
from __future__ import annotations

import textwrap
from pathlib import Path

from taglint.config import Config
from taglint.engine import scan
from taglint.extract import extractor_for
from taglint.source import ExtractContext, SourceFile


def facts(kind: str, path: str, text: str):
    source = SourceFile.from_text(path, textwrap.dedent(text).lstrip("\n"))
    return extractor_for(kind)(source, ExtractContext())


def images(kind: str, path: str, text: str) -> list[tuple[str, int, int, int, str]]:
    return [(i.value, i.span.line, i.span.column, i.span.end_column, i.context) for i in facts(kind, path, text).images]


def test_kfp_component_image() -> None:
    found = images("kfp-component", "component.yaml", """
        name: Echo
        implementation:
          container:
            image: "library/bash:4.4.23"
            command: [sh, -c, echo hi]
        """)
    assert found == [("library/bash:4.4.23", 4, 13, 32, "implementation.container.image")]


def test_kfp_pipeline_every_executor_yaml_and_json() -> None:
    yaml_found = images("kfp-pipeline", "p.yaml", """
        deploymentSpec:
          executors:
            exec-a:
              container: {image: python:3.11}
            exec-b:
              container:
                image: ghcr.io/acme/eval:v1.2.0
        pipelineInfo: {name: p}
        """)
    assert yaml_found == [
        ("python:3.11", 4, 26, 37, "deploymentSpec.executors.exec-a.container.image"),
        ("ghcr.io/acme/eval:v1.2.0", 7, 16, 40, "deploymentSpec.executors.exec-b.container.image"),
    ]
    json_found = images("kfp-pipeline", "p.json", """
        {"pipelineSpec": {"deploymentSpec": {"executors": {
          "exec-train": {"container": {"image": "python:3.11", "command": ["python3"]}}
        }}}}
        """)
    assert json_found == [("python:3.11", 2, 42, 53, "pipelineSpec.deploymentSpec.executors.exec-train.container.image")]


def test_mlflow_bentoml_places() -> None:
    assert images("mlflow-project", "MLproject", "name: x\ndocker_env:\n  image: mlflow-docker-example\n") == [
        ("mlflow-docker-example", 3, 10, 31, "docker_env.image"),
    ]
    assert images("bentofile", "bentofile.yaml", "service: s:svc\ndocker:\n  distro: debian\n  base_image: 'python:3.11-slim'\n") == [
        ("python:3.11-slim", 4, 16, 32, "docker.base_image"),
    ]


def test_azureml_environment_images_not_registered_environments() -> None:
    found = images("azureml", "pipeline.yml", """
        $schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
        type: pipeline
        jobs:
          prep:
            type: command
            environment: azureml:AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest
          train:
            type: command
            environment:
              image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:20240304.v1
        """)
    assert [(value, line, context) for value, line, _c, _e, context in found] == [
        ("mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:20240304.v1", 10, "jobs.train.environment.image"),
    ]


def test_vertex_worker_pools_as_list_or_mapping() -> None:
    found = images("vertex-ai-job", "job.json", """
        {"displayName": "j", "jobSpec": {"workerPoolSpecs": [
          {"containerSpec": {"imageUri": "gcr.io/p/trainer:1.0.0"}},
          {"pythonPackageSpec": {"executorImageUri": "us-docker.pkg.dev/vertex-ai/training/tf-cpu.2-12.py310:latest"}}
        ]}}
        """)
    assert [(v, context) for v, _l, _c, _e, context in found] == [
        ("gcr.io/p/trainer:1.0.0", "jobSpec.workerPoolSpecs[0].containerSpec.imageUri"),
        ("us-docker.pkg.dev/vertex-ai/training/tf-cpu.2-12.py310:latest",
         "jobSpec.workerPoolSpecs[1].pythonPackageSpec.executorImageUri"),
    ]


def test_ray_cluster_and_serve_images() -> None:
    cluster = images("ray-config", "cluster.yaml", """
        cluster_name: c
        docker:
          head_image: rayproject/ray:2.9.3-py310-gpu
          worker_image: rayproject/ray:2.9.3-py310-cpu
        available_node_types:
          gpu:
            docker: {worker_image: rayproject/ray-ml:2.9.3-gpu}
        """)
    assert [(v, c) for v, _l, _col, _e, c in cluster] == [
        ("rayproject/ray:2.9.3-py310-gpu", "docker.head_image"),
        ("rayproject/ray:2.9.3-py310-cpu", "docker.worker_image"),
        ("rayproject/ray-ml:2.9.3-gpu", "available_node_types.gpu.docker.worker_image"),
    ]
    serve = images("ray-config", "serve.yaml", """
        applications:
          - name: a
            import_path: a:app
            runtime_env: {container: {image: "acme/a:1.0.0"}}
            deployments:
              - name: D
                ray_actor_options:
                  runtime_env: {image_uri: acme/d:2.0.0}
        """)
    assert [(v, c) for v, _l, _col, _e, c in sorted(serve, key=lambda found: found[1])] == [
        ("acme/a:1.0.0", "applications[0].runtime_env.container.image"),
        ("acme/d:2.0.0", "applications[0].deployments[0].ray_actor_options.runtime_env.image_uri"),
    ]


def test_cog_image_is_a_push_not_a_pull() -> None:
    result = facts("cog", "cog.yaml", 'build:\n  gpu: true\nimage: "registry.example.com/acme/model"\n')
    assert result.images == []
    (push,) = result.commands
    assert (push.tool, push.action, push.attributes["verb"], push.attributes["default_tag"]) == (
        "cog", "push", "cog push", "latest",
    )
    (target,) = push.attributes["targets"]
    assert (target.value, target.span.line, target.span.column, target.span.end_column) == (
        "registry.example.com/acme/model", 3, 9, 40,
    )
    replicate = facts("cog", "cog.yaml", "image: r8.im/acme/model\n").commands[0]
    assert "default_tag" not in replicate.attributes  # Replicate names each version itself


def test_broken_yaml_is_a_parse_problem() -> None:
    result = facts("bentofile", "bentofile.yaml", "docker:\n  base_image: [python\n")
    assert result.images == [] and len(result.problems) == 1


def test_acceptance_compiled_kfp_spec_with_a_partial_version(tmp_path: Path) -> None:
    spec = tmp_path / "pipeline.yaml"
    spec.write_text(
        "# PIPELINE DEFINITION\ndeploymentSpec:\n  executors:\n    exec-hello:\n      container:\n"
        "        command: [python3]\n        image: python:3.11\npipelineInfo:\n  name: hello\n"
        "schemaVersion: 2.1.0\nsdkVersion: kfp-2.7.0\n",
        encoding="utf-8",
    )
    result = scan(["."], Config().with_overrides(select=("TL104",)), cwd=tmp_path)
    assert [(f.rule, f.path, f.span.line, f.span.column) for f in result.findings] == [
        ("TL104", "pipeline.yaml", 7, 16),
    ]
    assert [f.kind for f in result.files] == ["kfp-pipeline"]
