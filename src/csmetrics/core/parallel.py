"""Blocked kernels: the rows in cache-sized chunks, on a small thread pool.

A metric that only counts (or sums exactly) per row runs its per-row work one
chunk of rows at a time, so that its temporaries stay in the processor's
cache, and adds the chunks' counts in chunk order. numpy releases the GIL
inside its ufuncs, `numpy.bincount` and `numpy.count_nonzero`, so the chunks
can run on several threads at once. Integer counts and exact sums add the
same whatever the split, so the result is the same, bit for bit, for any
number of threads and any chunk size (decision 147).

Settings:

- ``CSMETRICS_THREADS`` (environment variable): how many threads a kernel
  uses; default ``min(2, os.cpu_count())``; ``1`` runs every chunk on the
  calling thread. Read at each call.
- `settings` (a context manager) overrides the thread count and the chunk
  size for the calling code, e.g. in tests.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

__all__ = ["THREADS_ENV", "chunk_rows", "map_chunks", "settings", "shared_chunk", "thread_count"]

T = TypeVar("T")

THREADS_ENV = "CSMETRICS_THREADS"
"""The environment variable that sets the number of threads of the blocked kernels."""

_CHUNK_ROWS = 1 << 17
"""Rows per chunk: an int64 column chunk is 1 MiB, its bool temporaries 128 KiB."""

_override: dict[str, int] = {}
_local = threading.local()  # ``in_pool`` is True on the pool's own threads
_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_size = 0


def thread_count() -> int:
    """Threads a blocked kernel uses: `settings`, else ``CSMETRICS_THREADS``, else min(2, cores)."""
    if "threads" in _override:
        return _override["threads"]
    given = os.environ.get(THREADS_ENV)
    if given is None or not given.strip():
        return min(2, os.cpu_count() or 1)
    try:
        count = int(given)
    except ValueError:
        count = 0
    if count < 1:
        msg = f"{THREADS_ENV}={given!r} is not allowed; use a whole number >= 1 (1: no threads)"
        raise ValueError(msg)
    return count


def chunk_rows() -> int:
    """Rows per chunk of a blocked kernel (`settings` may change it)."""
    return _override.get("chunk_rows", _CHUNK_ROWS)


def shared_chunk(rows: int, chunk: int) -> int:
    """``chunk``, shortened so that ``rows`` make two chunks a thread; at least `chunk_rows`.

    A kernel with long chunks (several `chunk_rows`, to spread a fixed cost
    per chunk) would otherwise leave threads idle on fewer rows: one chunk of
    a million rows runs on one thread. Two a thread rather than one: at a
    million rows, chunks of half a million on two threads made the memory
    allocator give their temporaries back and fault them in again on every
    call, which quarter-million chunks do not (decision 189).
    """
    return min(chunk, max(chunk_rows(), -(-rows // (2 * thread_count()))))


@contextmanager
def settings(*, threads: int | None = None, chunk_rows: int | None = None) -> Iterator[None]:
    """Run the blocked kernels with these threads and chunk rows inside the block.

    Not thread-safe: meant for a program's setup and for tests. Results do
    not depend on either setting, only the time does.
    """
    for name, value in (("threads", threads), ("chunk_rows", chunk_rows)):
        if value is not None and (not isinstance(value, int) or value < 1):
            msg = f"{name}={value!r} is not allowed; use a whole number >= 1"
            raise ValueError(msg)
    before = dict(_override)
    if threads is not None:
        _override["threads"] = threads
    if chunk_rows is not None:
        _override["chunk_rows"] = chunk_rows
    try:
        yield
    finally:
        _override.clear()
        _override.update(before)


def _executor(threads: int) -> ThreadPoolExecutor:
    global _pool, _pool_size  # noqa: PLW0603 - one pool per process, resized on demand
    with _lock:
        if _pool is None or _pool_size != threads:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool = ThreadPoolExecutor(
                max_workers=threads, thread_name_prefix="csmetrics", initializer=_mark_pool_thread
            )
            _pool_size = threads
        return _pool


def _mark_pool_thread() -> None:
    _local.in_pool = True


def _forget_pool() -> None:
    # A forked child has none of its parent's threads: it starts its own pool.
    global _pool, _pool_size, _lock
    _pool, _pool_size, _lock = None, 0, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def map_chunks(kernel: Callable[[slice], T], rows: int, *, chunk: int | None = None) -> list[T]:
    """``kernel`` on every chunk of ``range(rows)``, as slices; the results in chunk order.

    ``chunk`` rows per chunk (default `chunk_rows`). At least one chunk,
    empty when ``rows`` is 0, so that a kernel's result has its shape for
    empty data too. Called from a kernel already running on the pool, the
    chunks run on that thread: a pool thread waiting for its own pool could
    wait forever.
    """
    size = chunk or chunk_rows()
    parts = [slice(a, min(a + size, rows)) for a in range(0, rows, size)] or [slice(0, 0)]
    threads = min(thread_count(), len(parts))
    if threads == 1 or getattr(_local, "in_pool", False):
        return [kernel(part) for part in parts]
    return list(_executor(threads).map(kernel, parts))
