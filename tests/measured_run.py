"""Run ``taglint`` as a user does and measure it: exit code, output, wall
time and peak memory.

Peak memory comes from ``wait4`` in a small launcher process of its own:
Linux carries a process image's memory high-water mark over an ``exec``, so
a child started straight from the test process (hundreds of MB after a long
pytest run) would report the test process's peak as its own.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

_LAUNCHER = """
import json, os, subprocess, sys, time
out, err = open(sys.argv[1], "wb"), open(sys.argv[2], "wb")
start = time.monotonic()
proc = subprocess.Popen([sys.executable, "-m", "taglint", *sys.argv[3:]],
                        stdout=out, stderr=err, stdin=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
print(json.dumps({"code": os.waitstatus_to_exitcode(status), "seconds": time.monotonic() - start,
                  "peak_mb": usage.ru_maxrss / 1024}))
"""


@dataclass(frozen=True)
class Measured:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float


def run_measured(cwd: Path, *args: str, timeout: float = 60.0) -> Measured:
    """``taglint ARGS`` in ``cwd``; fails the test when it does not end within ``timeout`` seconds."""
    out_path, err_path = cwd.parent / f".{cwd.name}.out", cwd.parent / f".{cwd.name}.err"
    launcher = subprocess.Popen(
        [sys.executable, "-c", _LAUNCHER, str(out_path), str(err_path), *args], cwd=cwd,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, start_new_session=True,
    )
    try:
        stdout, stderr = launcher.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(launcher.pid, signal.SIGKILL)  # the launcher and taglint
        launcher.communicate()
        pytest.fail(f"taglint {' '.join(args)} did not end within {timeout:.0f} s")
    assert launcher.returncode == 0, stderr
    measured = json.loads(stdout)
    return Measured(
        measured["code"],
        out_path.read_text(encoding="utf-8", errors="replace"),
        err_path.read_text(encoding="utf-8", errors="replace"),
        measured["seconds"],
        measured["peak_mb"],
    )
