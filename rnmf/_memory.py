"""Memory estimate before a computation allocates its arrays, and the progress bar.

Shared by the theory (``rnmf.theory``: grids of DMFT solvers) and the simulators
(``rnmf.sim``): a computation sums the bytes of its large arrays (couplings,
recordings, time grids, ...) and calls :func:`check_memory` before allocating any of
them, so a run that cannot fit is refused at once, with the numbers, instead of
swapping or being killed after minutes of work.  Requests below :data:`FLOOR` are
never refused: ``MemAvailable`` can read near zero for a moment on a busy machine,
and refusing a few kilobytes then would be a false alarm.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = [
    "InsufficientMemoryError",
    "available_memory",
    "check_memory",
    "progress_bar",
    "quiet_progress",
]

#: Fraction of the available memory a single run may claim.
FRACTION = 0.8
#: Environment variable: "0" turns the automatic (``progress=None``) bars off, for work
#: running inside a validate suite or a sweep that draws its own progress.
QUIET_ENV = "RNMF_PROGRESS"
#: Requests smaller than this (bytes) are always allowed.
FLOOR = 2**20


class InsufficientMemoryError(MemoryError, ValueError):
    """A run would need more memory than is available (a MemoryError and a ValueError)."""


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux ``MemAvailable``), or None."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def _gib(n: float) -> str:
    return f"{n / 2**30:.3g} GiB"


def check_memory(
    func_name: str,
    parts: Mapping[str, float],
    *,
    available: int | None = None,
    hint: str = "",
) -> int:
    """Refuse a run whose arrays would not fit into memory.

    Parameters
    ----------
    func_name : str
        Name of the calling function (for the message).
    parts : mapping of str to bytes
        What the run allocates, e.g. ``{"couplings J (N^2 float64)": 8 * N * N}``.
    available : int, optional
        Available bytes; default :func:`available_memory` (no check when unknown).
    hint : str
        What to reduce, appended to the message.

    Returns
    -------
    int
        The total number of bytes.

    Raises
    ------
    InsufficientMemoryError
        When the total exceeds ``FRACTION`` (80 %) of the available memory; the
        message gives the total and every part.
    """
    total = int(sum(max(0.0, float(v)) for v in parts.values()))
    avail = available_memory() if available is None else int(available)
    if avail is not None and total > max(FRACTION * avail, FLOOR):
        detail = ", ".join(f"{k}: {_gib(v)}" for k, v in parts.items() if v >= 2**20)
        raise InsufficientMemoryError(
            f"{func_name} would allocate {_gib(total)} ({detail}) but only {_gib(avail)} of "
            f"memory is available (a run may use {FRACTION:.0%} of it); refused before "
            f"allocating. {hint}".rstrip()
        )
    return total


def progress_bar(progress: Any, total: int, desc: str, unit: str = "step") -> Any:
    """A tqdm bar on stderr, or None.

    ``progress=None`` (default of the simulators): a bar that appears only when the
    run lasts more than 2 s; ``True``: from the start; ``False``: none.
    """
    if progress is False:
        return None
    if progress is None and os.environ.get(QUIET_ENV) == "0":
        return None  # inside a suite or sweep that reports its own progress
    if progress is not None and progress is not True:
        raise ValueError(f"progress must be True, False or None (automatic), got {progress!r}")
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        file=sys.stderr,
        delay=0.0 if progress else 2.0,
        leave=bool(progress),
        dynamic_ncols=True,
    )


@contextlib.contextmanager
def quiet_progress() -> Iterator[None]:
    """Turn the automatic progress bars off, here and in worker processes started inside.

    A validate suite or a sweep reports its own progress; the bars of the simulations it
    runs (``progress=None``, the default) would interleave with it.  An explicit
    ``progress=True`` still draws its bar.
    """
    saved = os.environ.get(QUIET_ENV)
    os.environ[QUIET_ENV] = "0"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(QUIET_ENV, None)
        else:
            os.environ[QUIET_ENV] = saved
