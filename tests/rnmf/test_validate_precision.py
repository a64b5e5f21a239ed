"""The ``precision`` validate suite: its rows pass and it is registered."""

from __future__ import annotations

import pytest

from rnmf.validate import precision as P
from rnmf.validate.suites import REGISTRY


def test_registered():
    assert REGISTRY["precision"] == ("rnmf.validate.precision", "run_precision")


def test_fast_rows_pass():
    rows = P._tau_rows(True, 0) + P._integer_rows(True, 0) + P._spinnaker_rows(True, 0)
    assert len(rows) == 11
    failed = [r.row() for r in rows if not r.passed]
    assert not failed, failed


@pytest.mark.slow
def test_quick_suite_passes():
    checks, figs = P.run_precision(quick=True, seeds=2)
    assert figs == {} and len(checks) == 18
    assert all(c.passed for c in checks), [c.row() for c in checks if not c.passed]
