"""Start-up benchmark: ``taglint Dockerfile`` on one small Dockerfile,
against ``python -c pass`` of the same interpreter (issue 13, target 1:
at most 4x).

Both commands are timed in one interleaved loop (python, taglint, python,
taglint, ...), so a busy machine slows both alike and the ratio of the
medians holds where the absolute figures do not.  The run has no
configuration file (a fresh temporary folder) and reads taglint from this
checkout, from compiled bytecode as an installed package does; a warm-up
run fills the bytecode cache and taglint's compiled rule cache first.

Usage: python benchmarks/startup.py [--runs N] [--python PATH]
Importable: ``measure_startup(python, runs) -> dict`` (the benchmark
runner prints it in its table).  Writes nothing into the repository.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# A small, ordinary Dockerfile: one base image, a build step, a command.
DOCKERFILE = """\
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["python", "-m", "app"]
"""


def _environment(scratch: Path) -> dict[str, str]:
    """This checkout's taglint from compiled bytecode (kept in ``scratch``,
    as a checkout may not write bytecode), and a rule cache of its own in
    ``scratch`` so the user's cache is neither used nor changed."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    env["XDG_CACHE_HOME"] = str(scratch / "cache")
    env.pop("TAGLINT_CACHE_DIR", None)
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run; a failed run (exit code other than 0
    or 1) ends the benchmark with its error."""
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return elapsed, _children_cpu() - cpu


def measure_startup(python: str = sys.executable, runs: int = 25) -> dict[str, float | int]:
    """Median wall time (seconds) of ``taglint Dockerfile`` on one small
    Dockerfile and of ``python -c pass``, and their ratio (``ratio``, the
    target's figure); the same for CPU time (user + system), which a busy
    machine disturbs less.  ``runs`` timed runs of each, interleaved, after
    one warm-up run of each."""
    with tempfile.TemporaryDirectory(prefix="taglint-startup-") as tmp:
        scratch = Path(tmp)
        work = scratch / "project"
        work.mkdir()
        (work / "Dockerfile").write_text(DOCKERFILE)
        env = _environment(scratch)
        bare = [python, "-c", "pass"]
        taglint = [python, "-m", "taglint", "Dockerfile"]
        _timed(bare, work, env)
        _timed(taglint, work, env)  # bytecode and rule cache filled
        bare_times: list[tuple[float, float]] = []
        taglint_times: list[tuple[float, float]] = []
        for _ in range(runs):
            bare_times.append(_timed(bare, work, env))
            taglint_times.append(_timed(taglint, work, env))
    python_pass = statistics.median(wall for wall, _ in bare_times)
    startup = statistics.median(wall for wall, _ in taglint_times)
    python_cpu = statistics.median(cpu for _, cpu in bare_times)
    startup_cpu = statistics.median(cpu for _, cpu in taglint_times)
    return {
        "runs": runs,
        "python_pass_s": python_pass,
        "taglint_dockerfile_s": startup,
        "ratio": startup / python_pass,
        "python_pass_cpu_s": python_cpu,
        "taglint_dockerfile_cpu_s": startup_cpu,
        "cpu_ratio": startup_cpu / python_cpu if python_cpu else float("nan"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25, help="timed runs of each command (default: 25)")
    parser.add_argument("--python", default=sys.executable, help="interpreter to time (default: this one)")
    args = parser.parse_args(argv)
    result = measure_startup(args.python, args.runs)
    print(
        f"start-up, median of {result['runs']} runs: taglint Dockerfile {result['taglint_dockerfile_s'] * 1000:.0f} ms,"
        f" python -c pass {result['python_pass_s'] * 1000:.0f} ms: {result['ratio']:.1f}x (target <= 4x);"
        f" CPU {result['taglint_dockerfile_cpu_s'] * 1000:.0f} ms / {result['python_pass_cpu_s'] * 1000:.0f} ms:"
        f" {result['cpu_ratio']:.1f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
