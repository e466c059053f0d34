"""Benchmark taglint on generated Dockerfiles.

Reports, all measured in the same run so the ratios hold on a noisy machine:
- start-up: wall time of ``taglint`` on one Dockerfile, and the ratio to a
  bare ``python -c pass`` (the interpreter's own start-up, our floor);
- throughput: files/s for a whole folder of N Dockerfiles (``--jobs 1`` and
  ``--jobs 2``), and the ratio to the floor of just reading and parsing the
  same files with the same BuildKit parser in one process.

Usage: python benchmarks/dockerfiles.py [--files N] [--repeat K]
Writes nothing into the repository (a temporary folder is used).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from pathlib import Path

try:
    from benchmarks.common import TAGLINT, run_env, timed
except ImportError:  # run as a script from the benchmarks folder
    from common import TAGLINT, run_env, timed  # type: ignore[no-redef]

BASES = ["python:3.12.7-slim", "python", "node:lts-alpine", "golang:1.23.2", "ubuntu:22.04", "alpine:3.20",
         "nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04", "redis@sha256:abc", "${BASE}", "debian:bookworm"]


def generate(folder: Path, count: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    total = 0
    for i in range(count):
        lines = ["# syntax=docker/dockerfile:1", "ARG BASE=python:3.12.7-slim", f"FROM {rng.choice(BASES)} AS build"]
        for j in range(rng.randint(5, 30)):
            lines.append(f"RUN apt-get update && apt-get install -y pkg{j} \\\n    && rm -rf /var/lib/apt/lists/*")
        lines += ["COPY --from=example/tools:1.0.0 /bin/tool /bin/tool", f"FROM {rng.choice(BASES)}",
                  "COPY --from=build /app /app", 'CMD ["python", "-m", "app"]']
        text = "\n".join(lines) + "\n"
        sub = folder / f"svc{i % 50}"
        sub.mkdir(exist_ok=True)
        (sub / f"Dockerfile.{i}").write_text(text)
        total += len(text)
    return total


def median_of(repeat: int, command: list[str], cwd: Path, env: dict[str, str]) -> float:
    return statistics.median(timed(command, cwd, env) for _ in range(repeat))


FLOOR = """
import sys, pathlib, dockerfile
for path in pathlib.Path(sys.argv[1]).rglob('Dockerfile*'):
    try:
        dockerfile.parse_string(path.read_text())
    except dockerfile.GoParseError:
        pass
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    taglint = TAGLINT
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        env = run_env(scratch)
        folder = scratch / "tree"
        folder.mkdir()
        size = generate(folder, args.files)
        one = next(folder.rglob("Dockerfile.0"))
        timed([*taglint, str(one)], folder, env)  # warm the bytecode cache
        python_start = median_of(args.repeat, [sys.executable, "-c", "pass"], folder, env)
        startup = median_of(args.repeat, [*taglint, str(one)], folder, env)
        floor = median_of(args.repeat, [sys.executable, "-c", FLOOR, str(folder)], folder, env)
        jobs1 = median_of(args.repeat, [*taglint, "--jobs", "1", "."], folder, env)
        jobs2 = median_of(args.repeat, [*taglint, "--jobs", "2", "."], folder, env)
    print(f"files: {args.files}  ({size / 1e6:.1f} MB)   median of {args.repeat} runs each")
    print(f"start-up on one file: {startup * 1000:.0f} ms  = {startup / python_start:.1f}x `python -c pass` ({python_start * 1000:.0f} ms)")
    print(f"floor (read + BuildKit parse, one process): {floor:.2f} s  = {args.files / floor:.0f} files/s")
    print(f"taglint --jobs 1: {jobs1:.2f} s  = {args.files / jobs1:.0f} files/s  = {jobs1 / floor:.2f}x floor")
    print(f"taglint --jobs 2: {jobs2:.2f} s  = {args.files / jobs2:.0f} files/s  = {jobs1 / jobs2:.2f}x faster than --jobs 1")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
