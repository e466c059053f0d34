"""Benchmark taglint on generated deployment manifests.

Generates a tree of N (default 5,000) manifest files of realistic size and
mix — Kubernetes workloads (multi-document, with Services and ConfigMaps),
CRDs (Argo, Tekton, KServe, Ray), Compose files, Helm charts (Chart.yaml,
values.yaml, templates) and Kustomize bases/overlays — in a temporary folder,
then measures, all in the same run so the ratios hold on a noisy machine:

- the floor: reading every generated file and composing it with
  ``yaml.compose_all`` and the libyaml C loader, in this process (Helm
  templates, which are not YAML, are attempted too and fail fast);
- the same floor as a fresh interpreter (``python -c …``), i.e. with
  interpreter start-up and ``import yaml`` included;
- ``taglint --format json --exit-zero DIR`` with ``--jobs 1`` and ``--jobs 2``.

It prints files/s and MB/s for each, the ratio of taglint's time to both
floors, and the ``--jobs 2`` speed-up over ``--jobs 1``.

Usage: python benchmarks/manifests.py [--files N] [--repeat K]
Writes nothing into the repository (a temporary folder is used).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

try:
    from benchmarks.common import TAGLINT, run_env, timed
except ImportError:  # run as a script from the benchmarks folder
    from common import TAGLINT, run_env, timed  # type: ignore[no-redef]


IMAGES = [
    "nginx:1.27.3", "nginx", "nginx:latest", "redis:7.4.1-alpine", "postgres:16", "python:3.12.7-slim",
    "ghcr.io/acme/api:v1.4.0", "registry.example.com/team/worker:2024.11.27", "localhost:5000/app",
    "quay.io/prometheus/node-exporter:v1.8.2", "busybox", "${SIDECAR_IMAGE}", "acme/app:main",
    "gcr.io/distroless/static:nonroot", "envoyproxy/envoy:v1.31.2@sha256:" + "ab" * 32,
]


def _container(rng: random.Random, index: int, indent: str) -> str:
    env = "".join(
        f"{indent}    - name: VAR_{j}\n{indent}      value: \"value-{rng.randint(0, 10_000)}\"\n"
        for j in range(rng.randint(2, 12))
    )
    return (
        f"{indent}- name: c{index}\n"
        f"{indent}  image: {rng.choice(IMAGES)}\n"
        f"{indent}  imagePullPolicy: IfNotPresent\n"
        f"{indent}  args: [\"--port=8080\", \"--log-level=info\"]\n"
        f"{indent}  ports:\n{indent}    - containerPort: {8000 + index}\n{indent}      protocol: TCP\n"
        f"{indent}  env:\n{env}"
        f"{indent}  resources:\n{indent}    requests: {{cpu: 100m, memory: 128Mi}}\n"
        f"{indent}    limits: {{cpu: 500m, memory: 512Mi}}\n"
        f"{indent}  readinessProbe:\n{indent}    httpGet: {{path: /healthz, port: {8000 + index}}}\n"
        f"{indent}    periodSeconds: 10\n"
    )


def _pod_spec(rng: random.Random, indent: str) -> str:
    containers = "".join(_container(rng, i, indent + "  ") for i in range(rng.randint(1, 3)))
    init = _container(rng, 9, indent + "  ") if rng.random() < 0.3 else ""
    return (
        f"{indent}serviceAccountName: app\n"
        + (f"{indent}initContainers:\n{init}" if init else "")
        + f"{indent}containers:\n{containers}"
        f"{indent}volumes:\n{indent}  - name: config\n{indent}    configMap: {{name: app-config}}\n"
    )


def workload(rng: random.Random, name: str) -> str:
    kind = rng.choice(["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"])
    api = "batch/v1" if kind in ("Job", "CronJob") else "apps/v1"
    labels = "".join(f"    label-{j}: value-{j}\n" for j in range(rng.randint(1, 6)))
    if kind == "CronJob":
        spec = f"  schedule: \"*/5 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n{_pod_spec(rng, '          ')}"
    else:
        spec = f"  replicas: {rng.randint(1, 5)}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n{_pod_spec(rng, '      ')}"
    service = (
        f"---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n"
        f"  selector: {{app: {name}}}\n  ports:\n  - port: 80\n    targetPort: 8080\n"
    )
    config = (
        f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-config\ndata:\n"
        + "".join(f"  key{j}: \"{rng.random()}\"\n" for j in range(rng.randint(3, 30)))
    )
    doc = f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\n  labels:\n{labels}spec:\n{spec}"
    return doc + (service if rng.random() < 0.6 else "") + (config if rng.random() < 0.4 else "")


def crd(rng: random.Random, name: str) -> str:
    image = rng.choice(IMAGES)
    choice = rng.randrange(4)
    if choice == 0:
        steps = "".join(f"  - name: s{j}\n    image: {rng.choice(IMAGES)}\n    script: |\n      make step{j}\n" for j in range(rng.randint(2, 8)))
        return f"apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: {name}\nspec:\n  steps:\n{steps}"
    if choice == 1:
        templates = "".join(
            f"  - name: t{j}\n    container:\n      image: {rng.choice(IMAGES)}\n      command: [sh, -c]\n      args: [\"echo {j}\"]\n"
            for j in range(rng.randint(2, 6))
        )
        return f"apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  generateName: {name}-\nspec:\n  entrypoint: t0\n  templates:\n{templates}"
    if choice == 2:
        return (
            f"apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: {name}\nspec:\n"
            f"  predictor:\n    model:\n      modelFormat: {{name: sklearn}}\n      image: {image}\n      storageUri: gs://b/{name}\n"
        )
    return (
        f"apiVersion: ray.io/v1\nkind: RayCluster\nmetadata:\n  name: {name}\nspec:\n  headGroupSpec:\n"
        f"    template:\n      spec:\n{_pod_spec(rng, '        ')}"
    )


def compose(rng: random.Random) -> str:
    services = "".join(
        f"  svc{j}:\n    image: {rng.choice(IMAGES + ['app:${TAG:-1.0.0}'])}\n"
        + ("    build: .\n" if rng.random() < 0.2 else "")
        + f"    environment:\n      - A=1\n      - B=2\n    ports: [\"{8000 + j}:80\"]\n    <<: *defaults\n"
        for j in range(rng.randint(2, 10))
    )
    return f"x-defaults: &defaults\n  restart: unless-stopped\n  logging: {{driver: json-file}}\nservices:\n{services}"


def helm_chart(rng: random.Random, folder: Path) -> list[tuple[Path, str]]:
    values = (
        "replicaCount: 1\nimage:\n  repository: acme/web\n  pullPolicy: IfNotPresent\n  tag: \"\"\n"
        "sidecar:\n  image:\n    registry: docker.io\n    repository: bitnami/redis\n"
        f"    tag: {rng.choice(['7.4.1', 'latest', '7'])}\n"
        + "".join(f"setting{j}: value{j}\n" for j in range(rng.randint(10, 60)))
    )
    template = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"c.fullname\" . }}\nspec:\n"
        "  template:\n    spec:\n      containers:\n        - name: web\n"
        "          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}\"\n"
        "          {{- with .Values.resources }}\n          resources:\n            {{- toYaml . | nindent 12 }}\n          {{- end }}\n"
    )
    app_version = rng.choice(["1.4.2", '"2.0.0"'])
    return [
        (folder / "Chart.yaml", f"apiVersion: v2\nname: c\nversion: 0.1.0\nappVersion: {app_version}\n"),
        (folder / "values.yaml", values),
        (folder / "templates" / "deployment.yaml", template),
    ]


def kustomize_tree(rng: random.Random, folder: Path) -> list[tuple[Path, str]]:
    return [
        (folder / "base" / "deployment.yaml", workload(rng, "app").replace("image: ", "image: app-", 1)),
        (folder / "base" / "kustomization.yaml", "resources:\n- deployment.yaml\n"),
        (
            folder / "overlays" / "prod" / "kustomization.yaml",
            f"resources:\n- ../../base\nimages:\n- name: app\n  newTag: {rng.choice(['1.2.3', 'latest', '2.5'])}\n",
        ),
    ]


def generate(folder: Path, count: int, seed: int = 11) -> tuple[int, int]:
    """Write ``count`` files; returns (files, bytes)."""
    rng = random.Random(seed)
    written = 0
    size = 0
    group = 0
    while written < count:
        group += 1
        base = folder / f"team{group % 40}" / f"app{group}"
        roll = rng.random()
        if roll < 0.55:
            files = [(base / f"{kind}.yaml", workload(rng, f"app{group}-{kind}")) for kind in ("web", "worker")]
        elif roll < 0.7:
            files = [(base / "crd.yaml", crd(rng, f"app{group}"))]
        elif roll < 0.8:
            files = [(base / "docker-compose.yml", compose(rng))]
        elif roll < 0.9:
            files = helm_chart(rng, base / "chart")
        else:
            files = kustomize_tree(rng, base)
        for path, text in files[: count - written]:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            written += 1
            size += len(text.encode())
    return written, size


FLOOR = """
import os, sys, time, yaml
def floor(root):
    for folder, _, names in os.walk(root):
        for name in names:
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                text = handle.read()
            try:
                for _ in yaml.compose_all(text, Loader=yaml.CSafeLoader):
                    pass
            except yaml.YAMLError:
                pass
"""

FLOOR_MAIN = FLOOR + "\nfloor(sys.argv[1])\n"


def in_process_floor(root: Path) -> float:
    namespace: dict[str, object] = {}
    exec(FLOOR, namespace)  # noqa: S102 - our own constant code
    start = time.perf_counter()
    namespace["floor"](str(root))  # type: ignore[operator]
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    taglint = TAGLINT
    results: dict[str, list[float]] = {"floor": [], "floor-process": [], "jobs1": [], "jobs2": []}
    with tempfile.TemporaryDirectory() as tmp:
        env = run_env(Path(tmp))
        root = Path(tmp) / "tree"
        files, size = generate(root, args.files)
        in_process_floor(root)  # warm the page cache
        timed([*taglint, "--jobs", "1", "."], root, env)  # and the bytecode cache
        for _ in range(args.repeat):  # interleaved, so drifts hit every measurement alike
            results["floor"].append(in_process_floor(root))
            results["floor-process"].append(timed([sys.executable, "-c", FLOOR_MAIN, str(root)], root, env))
            results["jobs1"].append(timed([*taglint, "--jobs", "1", "."], root, env))
            results["jobs2"].append(timed([*taglint, "--jobs", "2", "."], root, env))
    median = {name: statistics.median(times) for name, times in results.items()}
    mb = size / 1e6
    print(f"files: {files}  ({mb:.1f} MB)   median of {args.repeat} runs each, cpus: {os.cpu_count()}")
    print(f"{'':38}{'seconds':>9}{'files/s':>10}{'MB/s':>8}")
    labels = {
        "floor": "floor: read + compose_all (in process)",
        "floor-process": "floor as a fresh python process",
        "jobs1": "taglint --jobs 1",
        "jobs2": "taglint --jobs 2",
    }
    for name, label in labels.items():
        seconds = median[name]
        print(f"{label:38}{seconds:9.2f}{files / seconds:10.0f}{mb / seconds:8.2f}")
    print(f"taglint --jobs 1 / in-process floor:  {median['jobs1'] / median['floor']:.2f}x")
    print(f"taglint --jobs 1 / process floor:     {median['jobs1'] / median['floor-process']:.2f}x")
    print(f"taglint --jobs 2 / in-process floor:  {median['jobs2'] / median['floor']:.2f}x")
    print(f"--jobs 2 speed-up over --jobs 1:      {median['jobs1'] / median['jobs2']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
