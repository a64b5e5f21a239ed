"""The cross-validation layer: Check arithmetic, Report rendering, the CLI."""

import math

import pytest

from rnmf.validate import Check, Report


def test_check_tolerance_is_sem_plus_finite_size_plus_floor():
    c = Check(
        "Delta0",
        "g=2",
        theory=2.0,
        sim=2.05,
        sem=0.01,
        n_seeds=4,
        N=400,
        z=3.0,
        finite_size=2.0,
        order=0.5,
        floor=0.001,
    )
    # allowed = 3 * 0.01 + 2 * 2.0 / sqrt(400) + 0.001 = 0.03 + 0.2 + 0.001
    assert c.allowed == pytest.approx(0.231)
    assert c.passed and c.rel_error == pytest.approx(0.025)
    tight = Check("Delta0", "g=2", theory=2.0, sim=2.05, sem=0.01, n_seeds=4, N=400)
    assert tight.allowed == pytest.approx(0.03) and not tight.passed


def test_check_with_zero_theory_uses_the_floor():
    c = Check("Delta0", "g=0.5", theory=0.0, sim=1e-5, sem=1e-6, n_seeds=3, N=100, floor=1e-3)
    assert c.passed and math.isinf(c.rel_error)
    assert Check("x", "", 0.0, 0.0, 0.0, 2, 10).rel_error == 0.0


def test_check_nan_simulation_fails():
    assert not Check("x", "", 1.0, float("nan"), 0.1, 2, 10, floor=10.0).passed


def test_report_renders_table_and_markdown(tmp_path):
    rows = [
        Check("Delta0", "g=2", 2.0, 2.01, 0.01, 4, 1000, finite_size=2.0),
        Check("lambda_max", "g=2", 0.2, 0.5, 0.01, 4, 1000),
    ]
    rep = Report(checks=rows, meta={"mode": "test"})
    assert not rep.passed and rep.n_failed == 1
    table = rep.table()
    assert "PASS" in table and "FAIL" in table and "2.01 ± 0.01" in table
    path = rep.write(tmp_path / "out")
    text = path.read_text()
    assert "1 of 2 checks passed" in text and "| Delta0 | g=2 |" in text
