"""The ``populations`` validation suite (issue 14) runs and its rows pass."""

import pytest

from rnmf.validate.suites import REGISTRY


def test_registered():
    assert REGISTRY["populations"] == ("rnmf.validate.populations", "run_populations")


@pytest.mark.slow
def test_quick_suite_passes():
    """About 30 s on one core: two-cell-type and E-I threshold-linear rows."""
    from rnmf.validate.populations import run_populations

    rows, _ = run_populations(quick=True, seed=0)
    assert len(rows) == 7
    failed = [r.row() for r in rows if not r.passed]
    assert not failed, failed
