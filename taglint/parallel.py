"""Run one function over a list of items in several processes.

``map_in_processes(work, items, jobs)`` splits ``items`` into chunks and
returns the concatenation of ``work(chunk)`` over the chunks, in order,
computed by ``jobs`` processes, the calling one included.  ``work`` sees a
chunk at a time, so it can share set-up costs among the chunk's items; it
returns one result per item.

Where ``fork`` is safe (Linux and the other Unixes but macOS, in a process
that runs no other thread), the items
are split into small chunks that the processes claim one at a time from a
shared counter, so a slow stretch of files does not leave a core idle.  The
forked workers inherit the items, the function and everything imported: no
pickling on the way in.  Each worker appends its results, one pickled
record per chunk, to an unlinked temporary file that the caller reads
between its own chunks, so a worker never blocks on a full pipe and little
reading is left for the end.
A chunk claimed by a worker that died, or whose result could not be sent
back (a result too deeply nested to pickle), is computed again by the
caller: a crash costs time, never results, and prints no traceback.

Elsewhere (Windows, macOS, a process with threads) a spawned
:class:`~concurrent.futures.ProcessPoolExecutor` does the work; ``work``
and the items must then be picklable.
"""
from __future__ import annotations

import os
import sys
from typing import Any, Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

CHUNK = 16  # items per chunk: small enough to balance the processes, large enough to share set-up costs


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the
    system tells, as under ``taskset`` or a container's cpuset), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def fork_is_safe() -> bool:
    """Fork only a process that runs one thread, on a platform where fork
    is sound (not macOS).  A thread's locks are copied held and nobody
    releases them: the Go runtime inside the Dockerfile parser, once a
    Dockerfile has been parsed in this process, hangs in a forked child."""
    return fork_available() and _thread_count() == 1


def fork_available() -> bool:
    return hasattr(os, "fork") and sys.platform != "darwin"


def _thread_count() -> int:
    """Threads of this process, native ones included where the system
    tells (Linux); else the Python threads."""
    try:
        with open("/proc/self/stat", "rb") as handle:
            stat = handle.read()
        return int(stat[stat.rindex(b")") + 2 :].split()[17])  # field 20, num_threads
    except (OSError, ValueError, IndexError):
        import threading

        return threading.active_count()


Work = Callable[[Sequence[T]], "list[R]"]


Progress = Callable[[int], None]


def map_in_processes(
    work: Work[T, R], items: Sequence[T], jobs: int, *, chunk: int = CHUNK, method: str | None = None,
    progress: Progress | None = None,
) -> list[R]:
    """``work`` over the chunks of ``items``, by ``jobs`` processes; the
    results of all chunks in order (the same whatever ``jobs`` is).

    ``method`` is ``"fork"`` or ``"pool"`` (default: fork where safe).
    ``progress``, when given, is called in this process with the number of
    items done so far, as chunks complete."""
    tell = progress or _silent
    if jobs <= 1 or len(items) <= chunk:
        out: list[R] = []
        for start in range(0, len(items), chunk):
            out.extend(work(items[start : start + chunk]))
            tell(len(out))
        return out
    method = method or ("fork" if fork_is_safe() else "pool")
    if method == "fork":
        return _forked(work, items, jobs, chunk, tell)
    if method == "pool":
        return _pooled(work, items, jobs, chunk, tell)
    raise ValueError(f"unknown method {method!r}")


def _silent(done: int) -> None:
    pass


def _forked(work: Work[T, R], items: Sequence[T], jobs: int, chunk: int, tell: Progress) -> list[R]:
    import multiprocessing

    context = multiprocessing.get_context("fork")
    chunks = (len(items) + chunk - 1) // chunk
    counter = context.Value("q", 0)

    def claim() -> int | None:
        with counter.get_lock():
            index = counter.value
            if index >= chunks:
                return None
            counter.value = index + 1
            return index

    def compute(index: int) -> list[R]:
        return work(items[index * chunk : (index + 1) * chunk])

    def serve(spool: _Spool) -> None:
        try:
            while (index := claim()) is not None:
                try:
                    spool.write((index, compute(index)))
                except Exception:  # noqa: BLE001 - e.g. RecursionError pickling a deeply nested result
                    continue  # never a traceback: the caller computes an undelivered chunk itself
        except KeyboardInterrupt:  # the caller reports the interruption
            os._exit(1)

    # Buffered output would be written twice, once by each process.
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    spools = [_Spool() for _ in range(jobs - 1)]
    workers = [context.Process(target=serve, args=(spool,), daemon=True) for spool in spools]
    done: dict[int, list[R]] = {}
    try:
        for worker in workers:
            worker.start()
        while (index := claim()) is not None:
            done[index] = compute(index)
            for spool in spools:  # what the workers finished meanwhile, so no reading is left for the end
                done.update(spool.read())
            tell(sum(map(len, done.values())))
        for worker, spool in zip(workers, spools):
            worker.join()
            done.update(spool.read())
            tell(sum(map(len, done.values())))
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
                worker.join()
        for spool in spools:
            spool.close()
    out: list[R] = []
    for index in range(chunks):
        out.extend(done[index] if index in done else compute(index))  # a worker died: redo its chunk
    return out


class _Spool:
    """An unlinked temporary file a worker appends length-prefixed pickled
    records to, and the caller reads complete records from as they come
    (``os.pread``: the two processes share the file offset, which only the
    writer moves).  A record cut short by a worker killed mid-write is never
    complete, so never read."""

    _HEADER = 8  # bytes of the little-endian length before each record

    def __init__(self) -> None:
        import tempfile

        self._file = tempfile.TemporaryFile()
        self._fd = self._file.fileno()
        self._pos = 0

    def write(self, record: object) -> None:
        import pickle

        data = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(len(data).to_bytes(self._HEADER, "little") + data)
        while view:
            view = view[os.write(self._fd, view) :]

    def read(self) -> list[Any]:
        import pickle

        header = self._HEADER
        size = os.fstat(self._fd).st_size
        if size - self._pos < header:
            return []
        data = os.pread(self._fd, size - self._pos, self._pos)
        view = memoryview(data)  # each record unpickled in place, not copied out first
        records = []
        offset = 0
        while offset + header <= len(data):
            length = int.from_bytes(data[offset : offset + header], "little")
            end = offset + header + length
            if end > len(data):
                break
            records.append(pickle.loads(view[offset + header : end]))
            offset = end
        view.release()
        self._pos += offset
        return records

    def close(self) -> None:
        self._file.close()


def _pooled(work: Work[T, R], items: Sequence[T], jobs: int, chunk: int, tell: Progress) -> list[R]:
    from concurrent.futures import ProcessPoolExecutor

    import multiprocessing

    chunks = [items[start : start + chunk] for start in range(0, len(items), chunk)]
    # "spawn", as on the platforms this path is for; forking a process that
    # runs threads (the pool's own) can deadlock the children.
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(work, chunk_items) for chunk_items in chunks]
        out: list[R] = []
        for chunk_items, future in zip(chunks, futures):
            try:
                out.extend(future.result())
            except Exception:  # noqa: BLE001 - a result that could not come back (unpicklable, too deep)
                out.extend(work(chunk_items))  # computed here instead: a failure costs time, never results
            tell(len(out))
        return out
