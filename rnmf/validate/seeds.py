"""Reproducible seeds and the parallel map of the cross-validation suites.

Every simulation of a suite gets its own seed derived from the run's base seed by
:func:`seed_for`, so results are bitwise reproducible and independent of how the tasks
are distributed over processes by :func:`map_tasks`.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

from .._checks import check_int
from .._memory import quiet_progress
from .._parallel import single_thread_blas

__all__ = ["map_tasks", "seed_for"]


def seed_for(base: int, *keys: int) -> int:
    """Seed of one simulation, derived from the base seed and integer keys.

    ``seed_for(base, i_scenario, i_seed)`` is the first 32-bit word of
    ``numpy.random.SeedSequence([base, i_scenario, i_seed])``: distinct keys give
    statistically independent streams (NumPy's SeedSequence hashing), and the same keys the
    same seed on every platform.  More keys may be given (e.g. a suite number first).

    Parameters
    ----------
    base : int
        The run's base seed (>= 0).
    *keys : int
        Non-negative integers identifying the simulation (scenario, seed index, ...).

    Returns
    -------
    int
        A seed for ``numpy.random.default_rng`` or any ``rng`` argument of rnmf.

    Raises
    ------
    ValueError
        When ``base`` or a key is not a non-negative integer (the message names it).
    """
    base = check_int("base", base, minimum=0)
    keys = tuple(check_int(f"keys[{i}]", k, minimum=0) for i, k in enumerate(keys))
    return int(np.random.SeedSequence([base, *keys]).generate_state(1)[0])


def map_tasks(fn: Callable[..., Any], tasks: Iterable[tuple], jobs: int) -> list[Any]:
    """``[fn(*t) for t in tasks]``, in ``jobs`` spawned processes when ``jobs > 1``.

    Workers are started with the ``spawn`` method and with one BLAS thread each
    (:func:`rnmf._parallel.single_thread_blas`), so ``jobs`` processes use ``jobs`` cores.
    Results come back in the order of ``tasks``.  The simulations' own automatic progress
    bars are off inside (:func:`rnmf._memory.quiet_progress`): the suite reports progress.

    Parameters
    ----------
    fn : callable
        A top-level (picklable) function; with ``jobs > 1`` it runs in another process.
    tasks : iterable of tuple
        Positional arguments of each call (picklable).
    jobs : int
        Worker processes; 1 runs the calls here, one after the other.

    Returns
    -------
    list
        The return values, in task order.

    Notes
    -----
    With ``jobs > 1`` a script that calls this function must guard its entry point with
    ``if __name__ == "__main__":`` (spawned workers import the main module).
    """
    tasks = list(tasks)
    if jobs <= 1:
        with quiet_progress():
            return [fn(*t) for t in tasks]
    with (
        quiet_progress(),
        single_thread_blas(),
        ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn")) as pool,
    ):
        futures = [pool.submit(fn, *t) for t in tasks]
        return [f.result() for f in futures]
