"""How many processes a scan uses when the user did not say (``--jobs``
not given, or ``--jobs auto``): all cores when the scan has enough work
to pay for worker processes, one for a handful of files (a pre-commit
run, an editor on one file).

A forked worker is not free: the parent has to fork and collect pickled
results, and each worker loads for itself what the scan loads lazily
(extractors, check kinds, the Dockerfile parser's runtime, compiled
patterns), some tens of milliseconds of CPU.  Work is therefore measured
as the candidate files that will be read and parsed: those with a kind
by their path or given by the user, and YAML or JSON files (classified
by their content).  Files of no kind (source code, images, lock files)
are dropped by their name at almost no cost, however many.  Files are
handed to processes in chunks of :data:`taglint.parallel.CHUNK`, so a
single huge file is never split: it takes one process whatever the
number.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Sequence

from taglint.parallel import CHUNK, available_cores

if TYPE_CHECKING:
    from taglint.discovery import Candidate

# Enough work for worker processes: this many files to parse, or this
# many bytes in at least two chunks of files.  A file costs 1-3 ms of CPU
# to read, parse and check; a forked worker's own start (its lazy imports,
# copied memory pages) cost 50-150 ms of CPU in issue 13's measurements,
# so below about a hundred files a worker does not earn its start.  The
# benchmarks (benchmarks/) compare --jobs 2 with --jobs 1 on real sizes.
PARALLEL_MIN_FILES = 8 * CHUNK
PARALLEL_MIN_BYTES = 2 * 1024 * 1024


def choose_jobs(candidates: Sequence[Candidate], cores: int | None = None) -> int:
    """Processes for a scan of ``candidates``: 1, or all ``cores`` (default:
    the cores this process may run on) but no more than there are chunks
    of candidates to hand out."""
    cores = available_cores() if cores is None else cores
    if cores <= 1:
        return 1
    files, size = _parsed_work(candidates)
    if files >= PARALLEL_MIN_FILES or (size >= PARALLEL_MIN_BYTES and files >= 2 * CHUNK):
        return max(1, min(cores, -(-len(candidates) // CHUNK)))
    return 1


def _parsed_work(candidates: Sequence[Candidate]) -> tuple[int, int]:
    """(files to parse, their bytes); counting stops as soon as the files
    alone decide, so a large repository costs few ``stat`` calls."""
    from taglint.classify import JSON_SUFFIXES, YAML_SUFFIXES, kind_from_path

    parsed_suffixes = YAML_SUFFIXES + JSON_SUFFIXES
    files = size = 0
    for candidate in candidates:
        if not (
            candidate.kind is not None
            or candidate.content is not None
            or candidate.path.lower().endswith(parsed_suffixes)
            or kind_from_path(candidate.path) is not None
        ):
            continue
        files += 1
        if files >= PARALLEL_MIN_FILES:
            break
        size += _size_of(candidate)
    return files, size


def _size_of(candidate: Candidate) -> int:
    if candidate.content is not None:
        return len(candidate.content)
    try:
        return os.stat(candidate.fs_path).st_size
    except (OSError, ValueError):
        return 0
