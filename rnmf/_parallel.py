"""Helpers for worker processes."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

BLAS_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def single_thread_blas() -> Iterator[None]:
    """Environment for starting worker processes with one BLAS thread each.

    Worker processes inherit the environment when they start, and read it when
    they import numpy.  Several multithreaded BLAS pools on a few cores thrash:
    on 2 shared cores an N = 1000 rate-network step took 7 ms with the default
    threads and 1.2 ms with one.  Variables the user has set are left alone.
    """
    saved = {k: os.environ.get(k) for k in BLAS_THREAD_VARS}
    for k, v in saved.items():
        if v is None:
            os.environ[k] = "1"
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
