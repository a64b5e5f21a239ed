"""Memory guard and progress bar of the simulators (the implementation lives in the hub).

See :mod:`rnmf._memory`; theory and simulation share it.
"""

from rnmf._memory import (
    FLOOR,
    FRACTION,
    InsufficientMemoryError,
    available_memory,
    check_memory,
    progress_bar,
)

__all__ = [
    "FLOOR",
    "FRACTION",
    "InsufficientMemoryError",
    "available_memory",
    "check_memory",
    "progress_bar",
]
