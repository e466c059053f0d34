"""Compare shell parsers for the shell layer (docs/decisions.md, "Shell parser").

Measures, on the same scripts in the same run:
- tree-sitter-bash: parse to a syntax tree (what taglint.shell uses);
- bashlex (if importable; ``pip install --target DIR bashlex`` and pass
  ``--bashlex-path DIR``): parse to its AST, counting scripts it rejects;
- shlex: Python's standard tokenizer (no structure: no pipelines, lists,
  substitutions or heredocs), as the floor of a "regex/tokenizer" approach;
- taglint.shell.analyze_script: the whole layer (parse, walk, expand,
  recognise).

Also reports the one-time cost of importing tree-sitter and loading the
grammar (paid only when a scan meets a script).

Usage: python benchmarks/shell_parser.py [--repeat K] [--bashlex-path DIR]
"""
from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

CI_SCRIPT = r"""#!/usr/bin/env bash
set -euo pipefail
TAG=${TAG:-latest}
REGISTRY=${REGISTRY:-registry.example.com}
IMAGE="$REGISTRY/team/app"
SHA=$(git rev-parse --short HEAD)
if [[ -n "${CI_COMMIT_TAG:-}" ]]; then
  VERSION="${CI_COMMIT_TAG#v}"
else
  VERSION="0.0.0-$SHA"
fi
echo "building $IMAGE:$VERSION"
aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin "$REGISTRY"
docker buildx build --platform linux/amd64,linux/arm64 \
  --build-arg VERSION="$VERSION" \
  -t "$IMAGE:$VERSION" -t "$IMAGE:sha-$SHA" \
  --cache-from "type=registry,ref=$IMAGE:cache" \
  --push .
for t in "$VERSION" "sha-$SHA"; do
  crane copy "$IMAGE:$t" "mirror.example.com/team/app:$t" || echo "mirror failed" >&2
done
cat <<EOF > release.json
{"image": "$IMAGE", "version": "$VERSION"}
EOF
case "$TAG" in
  latest) docker tag "$IMAGE:$VERSION" "$IMAGE:latest" && docker push "$IMAGE:latest" ;;
  *) echo "no latest" ;;
esac
"""

ONE_LINERS = [
    'docker login -u "$U" -p "$P" registry.example.com',
    "docker push myorg/app",
    "apt-get update && apt-get install -y --no-install-recommends curl ca-certificates && rm -rf /var/lib/apt/lists/*",
    'skopeo copy --dest-tls-verify=false docker://a/b:1 "docker://reg.example.com/b:${TAG}"',
    "make -C build VERSION=$(cat VERSION) all",
]


def corpus() -> dict[str, list[str]]:
    root = Path(__file__).resolve().parent.parent
    fixtures = [p.read_text() for p in sorted((root / "tests" / "fixtures").glob("TL2*/shell/*/*.sh"))]
    return {
        "one-liners (RUN lines, CI steps)": ONE_LINERS,
        "CI script, 28 lines": [CI_SCRIPT],
        "fixture scripts": fixtures,
        "large script, 2800 lines": [CI_SCRIPT * 100],
    }


def timed(function: Callable[[str], object], scripts: list[str], repeat: int) -> tuple[float, int]:
    """Median seconds per script over ``repeat`` passes, and how many scripts failed."""
    failures = 0
    samples = []
    for _ in range(repeat):
        failures = 0
        started = time.perf_counter()
        for text in scripts:
            try:
                function(text)
            except Exception:
                failures += 1
        samples.append((time.perf_counter() - started) / len(scripts))
    return statistics.median(samples), failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--bashlex-path", default=None)
    args = parser.parse_args(argv)
    if args.bashlex_path:
        sys.path.insert(0, args.bashlex_path)

    started = time.perf_counter()
    from taglint.shell._parse import parser as ts_parser

    ts = ts_parser()
    load = time.perf_counter() - started
    print(f"tree-sitter import + grammar load: {load * 1000:.1f} ms (once per process)")

    from taglint.shell import analyze_script

    try:
        import bashlex  # type: ignore[import-not-found]
    except ImportError:
        bashlex = None

    parsers: dict[str, Callable[[str], object]] = {
        "tree-sitter-bash": lambda text: ts.parse(text.encode()),
        "shlex (tokens only)": lambda text: list(shlex.shlex(text, posix=True, punctuation_chars=True)),
        "taglint.shell (whole layer)": lambda text: analyze_script(text, path="x.sh", kind="shell", scope="x"),
    }
    if bashlex is not None:
        parsers["bashlex"] = lambda text: bashlex.parse(text)

    for name, scripts in corpus().items():
        print(f"\n{name} ({len(scripts)} scripts)")
        for label, function in parsers.items():
            seconds, failures = timed(function, scripts, args.repeat)
            failed = f", {failures} rejected" if failures else ""
            print(f"  {label:30s} {seconds * 1e6:10.1f} µs/script{failed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
