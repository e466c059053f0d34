"""A seeded generator of realistic repositories to benchmark taglint on.

A repository mixes what taglint reads in real ones: Dockerfiles,
Kubernetes workloads (multi-document, Services and ConfigMaps beside them),
custom resources that run containers (Argo, Tekton, KServe, Ray), Compose
files, Helm charts, Helm charts that ship CRDs in ``crds/``, Kustomize
bases and overlays, GitHub workflows, build scripts, a few release
bundles of several megabytes (:mod:`benchmarks.bundles`) and files
taglint does not read (sources, docs).

Two sizes: ``small`` (600 files and two bundles, for the CI guard, well
under a minute) and ``large`` (20,000 files, six bundles, as the issue's
"20,000-file synthetic repository").  The same size and seed always give
the same bytes.

Usage: python -m benchmarks.repository DIR [--size small|large] [--files N] [--seed S]
"""
from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

try:
    from benchmarks import manifests
    from benchmarks.bundles import crd_chart, release_bundle
except ImportError:  # run as a script from the benchmarks folder
    import manifests  # type: ignore[no-redef]
    from bundles import crd_chart, release_bundle  # type: ignore[no-redef]


@dataclass(frozen=True)
class Size:
    files: int
    bundles: tuple[int, ...]  # bytes of each release bundle


SIZES = {
    "small": Size(600, (1_500_000, 4_000_000)),
    "large": Size(20_000, (1_000_000, 2_000_000, 3_000_000, 3_700_000, 6_000_000, 6_000_000)),
}

BASES = ("python:3.12.7-slim", "python", "node:lts-alpine", "golang:1.23.2", "ubuntu:22.04", "alpine:3.20",
         "nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04", "${BASE}", "debian:bookworm", "gcr.io/distroless/static:nonroot")


@dataclass(frozen=True)
class Generated:
    files: int
    bytes: int


def dockerfile(rng: random.Random) -> str:
    lines = ["# syntax=docker/dockerfile:1", "ARG BASE=python:3.12.7-slim", f"FROM {rng.choice(BASES)} AS build",
             "WORKDIR /src", "COPY . ."]
    for j in range(rng.randint(3, 15)):
        lines.append(f"RUN apt-get update && apt-get install -y --no-install-recommends pkg{j} \\\n    && rm -rf /var/lib/apt/lists/*")
    lines += ["COPY --from=example/tools:1.0.0 /bin/tool /bin/tool", f"FROM {rng.choice(BASES)}",
              "COPY --from=build /src/dist /app", "USER 65532", 'ENTRYPOINT ["/app/run"]']
    return "\n".join(lines) + "\n"


def workflow(rng: random.Random, name: str) -> str:
    image = rng.choice(["ghcr.io/acme/{n}", "registry.example.com/team/{n}", "acme/{n}"]).format(n=name)
    tag = rng.choice(["${{ github.sha }}", "latest", "${{ github.ref_name }}"])
    return (
        f"name: build {name}\non:\n  push:\n    branches: [main]\n  pull_request:\njobs:\n"
        f"  test:\n    runs-on: ubuntu-latest\n    container: {rng.choice(BASES)}\n"
        f"    services:\n      redis:\n        image: redis:{rng.choice(['7.4.1', '7', 'latest'])}\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n"
        "  image:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
        "      - uses: docker/setup-buildx-action@v3\n"
        "      - uses: docker/login-action@v3\n        with:\n          registry: ghcr.io\n"
        "          username: ${{ github.actor }}\n          password: ${{ secrets.GITHUB_TOKEN }}\n"
        f"      - run: |\n          docker build -t {image}:{tag} .\n          docker push {image}:{tag}\n"
    )


def script(rng: random.Random, name: str) -> str:
    return (
        "#!/usr/bin/env bash\nset -euo pipefail\n"
        f"REGISTRY=${{REGISTRY:-registry.example.com}}\nTAG=${{TAG:-{rng.choice(['latest', '1.4.2', '$(git rev-parse --short HEAD)'])}}}\n"
        f'IMAGE="$REGISTRY/team/{name}"\n'
        'docker build --pull -t "$IMAGE:$TAG" .\n'
        'docker push "$IMAGE:$TAG"\n'
        f"docker run --rm {rng.choice(BASES)} true\n"
    )


def source_file(rng: random.Random) -> str:
    return "".join(f"def handler_{j}(event):\n    return {{'status': {200 + j}}}\n\n" for j in range(rng.randint(5, 40)))


def _group(rng: random.Random, base: Path, index: int) -> list[tuple[Path, str]]:
    """The files of one part of the repository (a service, a chart...)."""
    name = f"app{index}"
    roll = rng.random()
    if roll < 0.26:
        return [(base / "deploy" / f"{kind}.yaml", manifests.workload(rng, f"{name}-{kind}")) for kind in ("web", "worker")]
    if roll < 0.34:
        return [(base / "deploy" / "crd.yaml", manifests.crd(rng, name))]
    if roll < 0.42:
        return [(base / "docker-compose.yml", manifests.compose(rng))]
    if roll < 0.52:
        return manifests.helm_chart(rng, base / "chart")
    if roll < 0.53:
        chart = crd_chart(rng, name, rng.randint(60_000, 250_000))
        return [(base / "charts" / name / relative, text) for relative, text in chart.items()]
    if roll < 0.61:
        return manifests.kustomize_tree(rng, base / "k8s")
    if roll < 0.76:
        return [(base / "Dockerfile", dockerfile(rng))]
    if roll < 0.82:
        return [(base / ".github" / "workflows" / f"{name}.yml", workflow(rng, name))]
    if roll < 0.87:
        return [(base / "scripts" / "release.sh", script(rng, name))]
    return [(base / "src" / f"{name}.py", source_file(rng)), (base / "README.md", f"# {name}\n\nSee the docs.\n")]


def generate(
    root: Path, size: str = "small", *, files: int | None = None, seed: int = 13, bundles: tuple[int, ...] | None = None,
) -> Generated:
    """Write a repository of ``size`` into ``root``; ``files`` and
    ``bundles`` (bytes of each release bundle) replace the size's own."""
    plan = SIZES[size]
    count = plan.files if files is None else files
    bundle_sizes = plan.bundles if bundles is None else bundles
    rng = random.Random(seed)
    written = 0
    total = 0

    def write(path: Path, text: str) -> None:
        nonlocal written, total
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode()
        path.write_bytes(data)
        written += 1
        total += len(data)

    for number, bundle_size in enumerate(bundle_sizes):
        write(root / "releases" / f"v0.{number}.0" / "install.yaml", release_bundle(rng, bundle_size))
    index = 0
    while written < count:
        index += 1
        base = root / f"team{index % 40}" / f"service{index}"
        for path, text in _group(rng, base, index)[: count - written]:
            write(path, text)
    return Generated(written, total)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--files", type=int, default=None)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    made = generate(args.folder, args.size, files=args.files, seed=args.seed)
    print(f"{made.files} files, {made.bytes / 1e6:.1f} MB in {args.folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
