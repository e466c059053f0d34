"""What the benchmarks share: how taglint is run and timed."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TAGLINT = [sys.executable, "-m", "taglint", "--no-config", "--format", "json", "--exit-zero"]


def run_env(scratch: Path) -> dict[str, str]:
    """The environment of the timed runs: this checkout's taglint, from
    compiled bytecode as an installed package runs.  A checkout may not keep
    bytecode (PYTHONDONTWRITEBYTECODE), so it goes to a cache in ``scratch``,
    filled by the first run (time a warm-up run first)."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    return env


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Wall time of ``command``; a run that fails (exit code other than 0
    or 1) ends the benchmark with its error."""
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return elapsed
