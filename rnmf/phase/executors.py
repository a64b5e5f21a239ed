"""Where the points of a sweep run: serially, on local processes, or on a dask cluster.

:func:`_execute` hands chunks of work units to a *runner* (the engine's scalar or
vectorised loop, a module-level function so that it pickles by reference) and
passes each chunk's records to a callback as soon as the chunk finishes.
``_Progress`` draws the progress bar.
"""

from __future__ import annotations

import logging
import os
import pickle
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from .._parallel import single_thread_blas

__all__ = ["EXECUTORS"]

EXECUTORS = ("serial", "processes", "dask")

# a work unit: (flat index, seed index or -1, seed or -1, parameter values tuple)
_Unit = tuple[int, int, int, tuple]


class _Progress:
    """Progress bar on stderr: ``enabled`` True (from the start), None (after 2 s), False."""

    DELAY = 2.0

    def __init__(self, total: int, initial: int, enabled: bool | None, desc: str = "sweep") -> None:
        self.total, self.n, self.enabled, self.desc = total, initial, enabled is not False, desc
        self.delay = 0.0 if enabled else self.DELAY
        self.bar = None
        self.shown = False
        self.t0 = self.last = time.monotonic()
        if not self.enabled:
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:
            if not self.delay:
                self._write()
        else:
            self.bar = tqdm(
                total=total,
                initial=initial,
                desc=desc,
                unit="pt",
                file=sys.stderr,
                leave=True,
                delay=self.delay,
            )

    def _write(self, final: bool = False) -> None:
        self.shown = True
        elapsed = time.monotonic() - self.t0
        pct = 100.0 * self.n / self.total if self.total else 100.0
        sys.stderr.write(f"\r{self.desc}: {self.n}/{self.total} ({pct:5.1f}%) {elapsed:7.1f} s")
        if final:
            sys.stderr.write("\n")
        sys.stderr.flush()

    def update(self, k: int) -> None:
        self.n += k
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.update(k)
        elif time.monotonic() - self.last > 0.5 and time.monotonic() - self.t0 >= self.delay:
            self.last = time.monotonic()
            self._write()

    def close(self) -> None:
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.close()
        elif self.shown or not self.delay:
            self._write(final=True)


def _dask_client(scheduler: Any, n_workers: int, timeout: float) -> tuple[Any, list]:
    """Return (client, things to close)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ImportError(
            "executor='dask' needs dask.distributed, an optional dependency: "
            "pip install 'rnmf[dask]' (or pip install 'dask[distributed]')"
        ) from exc
    if scheduler is None:
        with single_thread_blas():
            cluster = LocalCluster(
                n_workers=n_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                # shutdown chatter only; failures of fn are recorded per point and
                # infrastructure failures (a killed worker) raise in this process
                silence_logs=logging.CRITICAL,
            )
        client = Client(cluster)
        return client, [client, cluster]
    if isinstance(scheduler, Client):
        return scheduler, []
    if not isinstance(scheduler, str):
        raise ValueError(
            "scheduler must be None (start a local cluster), an address such as "
            f"'tcp://host:8786', or a distributed.Client; got {type(scheduler).__name__}"
        )
    try:
        client = Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise ConnectionError(
            f"could not reach the dask scheduler at {scheduler!r} within {timeout:g} s ({exc}); "
            "check the address and that the scheduler is running. Nothing was computed; "
            "a store, if given, is unchanged."
        ) from exc
    return client, [client]


class _Batch:
    """Work units wrapped so that dask ships them as one opaque object (no graph parsing)."""

    __slots__ = ("units",)

    def __init__(self, units: list[_Unit]) -> None:
        self.units = units

    def __getstate__(self) -> list[_Unit]:
        return self.units

    def __setstate__(self, state: list[_Unit]) -> None:
        self.units = state


def _run_batch(runner: Callable, fn: Callable, model: Any, names: tuple, batch: _Batch) -> list:
    return runner(fn, model, names, batch.units)


def _watch_parent(parent_pid: int) -> None:
    """Thread body: end this worker process as soon as its parent is gone."""
    import multiprocessing

    parent = multiprocessing.parent_process()
    sentinel = getattr(parent, "sentinel", None)
    if sentinel is not None:
        from multiprocessing.connection import wait

        try:
            wait([sentinel])  # ready when the parent process ends, however it ends
        except OSError:  # pragma: no cover - fall back to polling
            pass
        else:
            os._exit(1)
    while os.getppid() == parent_pid:  # pragma: no cover - POSIX fallback
        time.sleep(0.5)
    os._exit(1)  # pragma: no cover


def _die_with_parent(parent_pid: int) -> None:
    """Initializer of ``processes`` workers: exit when the sweep's process dies.

    A sweep killed with ``kill -9`` runs no clean-up, so its workers would run on
    (and keep computing) as orphans.  On Linux the kernel sends them SIGKILL when
    the parent dies (``prctl(PR_SET_PDEATHSIG)``, which works even while a worker
    holds the GIL in a long compiled kernel); everywhere a daemon thread waits on
    the parent's process sentinel (:func:`multiprocessing.parent_process`) and
    ends the worker with :func:`os._exit`.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            PR_SET_PDEATHSIG = 1
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no usable libc
            pass
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)
    threading.Thread(
        target=_watch_parent, args=(parent_pid,), name="rnmf-parent-watch", daemon=True
    ).start()


def _execute(
    runner: Callable,
    fn: Callable,
    model: Any,
    names: tuple[str, ...],
    chunks: list[list[_Unit]],
    executor: str,
    n_workers: int,
    scheduler: Any,
    timeout: float,
    on_result: Callable[[list], None],
) -> None:
    if executor == "serial" or not chunks:
        for units in chunks:
            on_result(runner(fn, model, names, units))
        return
    if executor == "processes":
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        try:
            pickle.dumps((fn, model))
        except Exception as exc:
            raise ValueError(
                f"executor='processes' sends fn and model to other processes, but they do not "
                f"pickle ({exc}); define fn at module level (no lambda or closure), or use "
                "executor='serial' or 'dask'"
            ) from exc
        with single_thread_blas():
            pool = ProcessPoolExecutor(
                max_workers=min(n_workers, len(chunks)),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_die_with_parent,
                initargs=(os.getpid(),),
            )
        try:
            futures = [pool.submit(runner, fn, model, names, units) for units in chunks]
            for fut in as_completed(futures):
                on_result(fut.result())
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    client, to_close = _dask_client(scheduler, n_workers, timeout)
    try:
        from distributed import as_completed as dask_as_completed

        futures = [
            client.submit(_run_batch, runner, fn, model, names, _Batch(units), pure=False)
            for units in chunks
        ]
        try:
            for fut in dask_as_completed(futures):
                on_result(fut.result())
        finally:
            pending = [fut for fut in futures if not fut.done()]
            if pending:
                client.cancel(pending)
    finally:
        for obj in to_close:
            obj.close()
