"""The ``populations`` validation suite (issue 14) runs and its rows pass."""

import pytest

from rnmf.validate.suites import REGISTRY


def test_registered():
    assert REGISTRY["populations"] == ("rnmf.validate.populations", "run_populations")


@pytest.mark.slow
def test_quick_suite_passes():
    """Quick suite: two-cell-type and E-I threshold-linear variances and exponents, the chaos
    onset at two N (two cell types) and at two C (E-I threshold-linear; two N in the full run), the driven
    network's lambda on both sides of A_c(f = 0.5) with the simulated crossing, and C(t, t + tau)
    of the entrained state."""
    from rnmf.validate.populations import run_populations

    rows, _ = run_populations(quick=True, seed=0)
    assert len(rows) == 21
    q = [r.quantity for r in rows]
    assert q.count("A_c") == 1 and sum(k.startswith("C(t") for k in q) == 3
    onset = [r for r in rows if "x_c" in r.params]
    assert len(onset) == 8
    # the sign change: simulated lambda below the onset negative, above positive
    for r in onset:
        assert (r.sim < 0) == (r.theory < 0), r.row()
    failed = [r.row() for r in rows if not r.passed]
    assert not failed, failed
