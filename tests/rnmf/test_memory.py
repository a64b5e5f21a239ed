"""The shared memory guard and progress switch (rnmf._memory), used by theory and simulators."""

import os

import pytest

from rnmf._memory import (
    FLOOR,
    InsufficientMemoryError,
    check_memory,
    progress_bar,
    quiet_progress,
)


def test_refuses_with_the_numbers():
    with pytest.raises(InsufficientMemoryError, match=r"f would allocate 1 GiB \(a: 1 GiB\)"):
        check_memory("f", {"a": 2**30, "b": 5}, available=2**30)
    assert check_memory("f", {"a": 100, "b": 50}, available=1000) == 150


def test_small_requests_pass_when_available_memory_reads_zero():
    """MemAvailable can read ~0 for a moment on a loaded machine: kilobytes are never refused."""
    assert check_memory("f", {"a": 2600}, available=0) == 2600
    with pytest.raises(MemoryError):
        check_memory("f", {"a": 2 * FLOOR}, available=0)


def test_theory_guard_names_the_argument():
    from rnmf.theory.dmft._common import check_memory as theory_check

    with pytest.raises(ValueError, match=r"n_tau=10 would allocate .*Pass a smaller n_tau"):
        theory_check("n_tau", 10, 1e18)


def test_quiet_progress_turns_automatic_bars_off_and_restores():
    assert os.environ.get("RNMF_PROGRESS") is None
    with quiet_progress():
        assert progress_bar(None, 10, "x") is None
        bar = progress_bar(True, 10, "x")  # an explicit request still draws
        assert bar is not None
        bar.close()
    assert os.environ.get("RNMF_PROGRESS") is None
    assert progress_bar(False, 10, "x") is None
    with pytest.raises(ValueError, match="progress must be"):
        progress_bar("yes", 10, "x")
