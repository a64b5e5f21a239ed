"""Tests of the sweep engine (rnmf.phase): grid, failures, seeds, vectorised path, storage.

The swept functions are closed forms defined here (the engine is generic and must
not depend on the theory or the simulator):

* ``quiet_theory``: the trivial fixed point x = 0 of a random tanh network with
  J0 = I0 = 0 is stable exactly for g < 1, since the spectrum of J fills the disc of
  radius g (Sompolinsky, Crisanti & Sommers 1988, PRL 61:259, eq. 3 and the text
  after it; Girko's circular law).  The function returns the closed-form
  stability margin ``1 - g`` and the label "quiet"/"chaotic" accordingly.
* ``noisy_theory``: a synthetic transition line ``g_c(sigma) = sqrt(1 + sigma^2)``
  (same shape as the noise-shifted boundary of Schuecker, Goedeke & Helias 2018),
  used as a known analytic boundary.
* ``gauss_sim``: a stochastic function whose result is its first normal draw, so
  the oracle is the same draw from the recorded seed.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnmf import ConvergenceError, RateNetwork
from rnmf.phase import PhaseDiagram, StoreMismatchError, sweep

NET = RateNetwork(N=200, g=1.0)


def quiet_theory(net: RateNetwork) -> dict:
    return {"margin": 1.0 - net.g, "regime": "quiet" if net.g < 1.0 else "chaotic"}


def g_c(sigma: float) -> float:
    return float(np.sqrt(1.0 + sigma * sigma))


def noisy_theory(net: RateNetwork) -> dict:
    gc = g_c(net.sigma_noise)
    return {"excess": net.g - gc, "regime": "chaotic" if net.g > gc else "quiet"}


def failing_theory(net: RateNetwork) -> dict:
    if net.g > 2.0:
        raise ConvergenceError(f"no solution at g={net.g:g}")
    return {"v": net.g * 2.0}


def gauss_sim(net: RateNetwork, rng: np.random.Generator) -> dict:
    z = rng.standard_normal()
    return {"x": net.g + z, "sign": "up" if z > 0 else "down"}


def poly(net: RateNetwork) -> dict:
    return {"p": net.g * net.g * (1.0 + net.I0) - 0.5 * net.I0, "ok": net.g > 1.0}


def poly_grid(net: RateNetwork, params: dict) -> dict:
    g, i0 = params["g"], params["I0"]
    return {"p": g * g * (1.0 + i0) - 0.5 * i0, "ok": g > 1.0}


# ------------------------------------------------------------------------- grid + values


def test_theory_values_equal_closed_form_on_grid():
    """Every field equals the closed form at its grid point (C-order flat indexing)."""
    g = np.linspace(0.5, 2.0, 7)
    i0 = np.array([0.0, 0.25, 1.0])
    d = sweep(poly, NET, {"g": g, "I0": i0})
    G, I = np.meshgrid(g, i0, indexing="ij")
    assert d.shape == (7, 3) and d.names == ("g", "I0")
    np.testing.assert_array_equal(d.fields["p"], G * G * (1.0 + I) - 0.5 * I)
    np.testing.assert_array_equal(d.fields["ok"], (G > 1.0).astype(float))
    assert d.fields["p"].dtype == np.float64
    assert np.all(d.status == "ok") and d.n_failed == 0
    assert d.params_at(4) == {"g": g[1], "I0": i0[1]}
    assert d.model_at((6, 2)) == RateNetwork(N=200, g=2.0, I0=1.0)


def test_quiet_state_boundary_at_g_equal_one():
    """SCS 1988: x = 0 is stable iff g < 1; the grid boundary lies between the grid
    points that bracket g = 1, and the stability margin contour is at g = 1 exactly."""
    g = np.linspace(0.55, 1.45, 10)  # 0.95 and 1.05 bracket 1
    s = np.linspace(0.0, 1.0, 5)
    d = sweep(quiet_theory, NET, {"g": g, "sigma_noise": s})
    assert d.is_categorical("regime")
    np.testing.assert_array_equal(d.fields["regime"][g < 1], "quiet")
    np.testing.assert_array_equal(d.fields["regime"][g > 1], "chaotic")
    (line,) = d.boundaries("regime")[("chaotic", "quiet")]
    np.testing.assert_allclose(line[:, 0], 1.0, atol=1e-12)  # midpoint of 0.95 and 1.05
    np.testing.assert_allclose(np.sort(line[:, 1]), s)
    (zero,) = d.contour("margin", 0.0)
    np.testing.assert_allclose(zero[:, 0], 1.0, atol=1e-12)  # linear field: exact


def test_theory_boundary_curve_agrees_with_grid_contour():
    """Known analytic boundary g_c(sigma) = sqrt(1 + sigma^2): the grid contour between
    the regimes lies within one grid step of it (grid resolution), and the stored
    theory curve is the analytic one."""
    g = np.linspace(0.5, 3.0, 51)
    s = np.linspace(0.0, 2.0, 41)
    dg, ds = g[1] - g[0], s[1] - s[0]
    d_fns = {"chaos": ("g", lambda n: g_c(n.sigma_noise))}
    d = sweep(noisy_theory, NET, {"g": g, "sigma_noise": s}, boundary_fns=d_fns)
    curve = d.curves["chaos"]
    assert d.curve_axes["chaos"] == "g"
    np.testing.assert_allclose(curve[:, 1], s)
    np.testing.assert_allclose(curve[:, 0], np.sqrt(1 + s**2), rtol=1e-15)
    lines = d.boundaries("regime")[("chaotic", "quiet")]
    pts = np.concatenate(lines)
    assert len(pts) > len(s)
    # distance of each contour vertex to the analytic curve, in g at fixed sigma
    slope = s / np.sqrt(1 + s**2)  # dg_c/dsigma <= 1
    err = np.abs(pts[:, 0] - np.sqrt(1 + pts[:, 1] ** 2))
    assert np.max(err) <= dg + np.max(slope) * ds / 2 + 1e-12
    dev = d.curve_deviation("chaos", "regime")
    assert dev == pytest.approx(np.max(err), rel=1e-9)
    assert dev <= dg + ds / 2
    # a 2x finer grid: the deviation shrinks with the grid step
    g2, s2 = np.linspace(0.5, 3.0, 101), np.linspace(0.0, 2.0, 81)
    d2 = sweep(noisy_theory, NET, {"g": g2, "sigma_noise": s2}, boundary_fns=d_fns)
    assert d2.curve_deviation("chaos", "regime", pair=("quiet", "chaotic")) <= (dg + ds / 2) / 2
    # and the continuous field contour is exact up to interpolation error
    exc = np.concatenate(d.contour("excess", 0.0))
    np.testing.assert_allclose(exc[:, 0], np.sqrt(1 + exc[:, 1] ** 2), atol=0.01 * dg)


def test_three_regimes_boundaries_and_1d():
    def three(net):
        return {"lab": "a" if net.g < 1 else ("b" if net.g < 2 else "c")}

    d = sweep(three, NET, {"g": np.linspace(0.1, 2.9, 15), "I0": [0.0, 0.5, 1.0]})
    b = d.boundaries("lab")
    assert set(b) == {("a", "b"), ("b", "c")}
    np.testing.assert_allclose(b[("a", "b")][0][:, 0], 1.0)
    np.testing.assert_allclose(b[("b", "c")][0][:, 0], 2.0)
    d1 = sweep(three, NET, {"g": np.linspace(0.1, 2.9, 15)})
    b1 = d1.boundaries("lab")
    assert [p.shape for p in b1[("a", "b")]] == [(1, 1)]
    np.testing.assert_allclose(b1[("a", "b")][0], [[1.0]], rtol=1e-14)
    np.testing.assert_allclose(b1[("b", "c")][0], [[2.0]], rtol=1e-14)
    with pytest.raises(ValueError, match="categorical"):
        d.contour("lab")
    with pytest.raises(ValueError, match="no field 'x'"):
        d.boundaries("x")
    with pytest.raises(ValueError, match="numeric"):
        sweep(poly, NET, {"g": [1.0, 2.0]}).boundaries("p")


def test_three_axes_and_select():
    d = sweep(poly, NET, {"g": [1.0, 2.0], "I0": [0.0, 1.0, 2.0], "sigma_noise": [0.0, 0.5]})
    assert d.shape == (2, 3, 2)
    with pytest.raises(ValueError, match="select"):
        d.contour("p", 1.0)
    cut = d.select(sigma_noise=0.5)
    assert cut.shape == (2, 3) and cut.model.sigma_noise == 0.5
    np.testing.assert_array_equal(cut.fields["p"], d.fields["p"][:, :, 1])
    assert cut.model_at((1, 2)) == d.model_at((1, 2, 1))


# ------------------------------------------------------------------------- failures


def test_failed_points_are_recorded_and_sweep_continues():
    g = np.array([1.0, 1.5, 2.5, 3.0])
    d = sweep(failing_theory, NET, {"g": g})
    np.testing.assert_array_equal(d.status, ["ok", "ok", "failed", "failed"])
    assert "ConvergenceError: no solution at g=2.5" == d.messages[2]
    np.testing.assert_array_equal(d.fields["v"][:2], [2.0, 3.0])
    assert np.all(np.isnan(d.fields["v"][2:]))
    assert d.n_failed == 2
    assert [p for p, _ in d.failures()] == [{"g": 2.5}, {"g": 3.0}]


def test_invalid_model_at_grid_point_is_failed_not_crash():
    d = sweep(quiet_theory, NET, {"g": [-0.5, 0.5], "tau": [1.0, -1.0]})
    assert d.status.tolist() == [["failed", "failed"], ["ok", "failed"]]
    assert "RateNetwork.g must be >= 0" in d.messages[0, 0]
    assert "RateNetwork.tau" in d.messages[1, 1] and d.messages[1, 0] == ""


def test_not_converged_mapping_marks_failed():
    def half(net):
        return {"v": net.g, "converged": net.g < 1.0, "status": "max iterations"}

    d = sweep(half, NET, {"g": [0.5, 1.5]})
    assert d.status.tolist() == ["ok", "failed"]
    assert d.messages[1] == "not converged: max iterations"
    assert d.fields["v"].tolist() == [0.5, 1.5]  # returned values are kept


def test_non_scalar_output_is_a_failure_with_reason():
    d = sweep(lambda net: {"v": np.ones(3)}, NET, {"g": [1.0]})
    assert d.status[0] == "failed" and "not a scalar" in d.messages[0]
    d = sweep(lambda net: 3.0, NET, {"g": [1.0]})
    assert "mapping" in d.messages[0]


# ------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("axes", "match"),
    [
        ({"gain": [1.0]}, "unknown field 'gain'.*valid fields: N, g, J0, phi, tau"),
        ({"g": []}, "empty"),
        ({"g": [1.0, np.nan]}, "NaN or infinite"),
        ({"g": [1.0, np.inf]}, "NaN or infinite"),
        ({"g": [[1.0, 2.0]]}, "1-D"),
        ({"g": [2.0, 1.0, 3.0]}, "strictly increasing or decreasing"),
        ({"g": [1.0, 1.0]}, "strictly"),
        ({"phi": ["tanh", "relu"]}, "real numbers"),
        ({}, "non-empty mapping"),
        ({"g": [1.0], "I0": [0.0], "J0": [0.0], "tau": [1.0]}, "1 to 3 axes"),
    ],
)
def test_bad_axes(axes, match):
    with pytest.raises(ValueError, match=match):
        sweep(quiet_theory, NET, axes)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"executor": "mpi"}, "executor must be one of"),
        ({"seeds": 0}, "seeds must be a positive integer"),
        ({"seeds": 2.5}, "seeds must be a positive integer"),
        ({"seed": 3}, "seed is only used with seeds"),
        ({"seeds": 2, "seed": -1}, "non-negative"),
        ({"chunk": 0}, "chunk must be a positive integer"),
        ({"n_workers": 0}, "n_workers"),
        ({"scheduler": "tcp://x:1"}, "only used with executor='dask'"),
        ({"boundary_fns": {"c": ("I0", len)}}, "not a swept axis"),
        ({"boundary_fns": {"c": len}}, "pair"),
        ({"vectorized": True, "seeds": 2}, "vectorised fn cannot be stochastic"),
        ({"timeout": -1}, "timeout"),
    ],
)
def test_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sweep(quiet_theory, NET, {"g": [0.5, 1.5]}, **kwargs)


def test_bad_model_and_fn():
    with pytest.raises(ValueError, match="dataclass instance"):
        sweep(quiet_theory, {"g": 1.0}, {"g": [1.0]})
    with pytest.raises(ValueError, match="callable"):
        sweep("dmft", NET, {"g": [1.0]})


def test_processes_reject_unpicklable_fn():
    with pytest.raises(ValueError, match="module level"):
        sweep(lambda net: {"v": 1.0}, NET, {"g": [1.0, 2.0]}, executor="processes", n_workers=1)


# ------------------------------------------------------------------------- seeds


def test_seeds_are_recorded_and_reproduce_each_run():
    """Each run's seed is SeedSequence(seed, spawn_key=(i, s)); fn(model_at(i),
    default_rng(seed)) reproduces the stored value bit for bit; mean and standard
    error follow from the per-seed values."""
    g = np.array([0.5, 1.0, 1.5])
    d = sweep(gauss_sim, NET, {"g": g}, seeds=4, seed=11)
    assert d.seeds.shape == (3, 4) and d.seeds.dtype == np.uint64 and d.seed == 11
    for i in range(3):
        for s in range(4):
            want = np.random.SeedSequence(11, spawn_key=(i, s)).generate_state(1, np.uint64)[0]
            assert d.seeds[i, s] == want
            again = gauss_sim(d.model_at(i), np.random.default_rng(int(d.seeds[i, s])))
            assert again["x"] == d.per_seed["x"][i, s]
    x = d.per_seed["x"]
    np.testing.assert_allclose(d.fields["x"], x.mean(axis=1), rtol=1e-14)
    np.testing.assert_allclose(d.sem["x"], x.std(axis=1, ddof=1) / 2.0, rtol=1e-12)
    assert len(set(d.seeds.ravel().tolist())) == 12
    # categorical: most frequent label, alphabetical on ties
    for i in range(3):
        labs = d.per_seed["sign"][i].tolist()
        counts = {v: labs.count(v) for v in sorted(set(labs))}
        assert d.fields["sign"][i] == max(counts, key=counts.get)
    # same seed -> identical, other seed -> different
    assert sweep(gauss_sim, NET, {"g": g}, seeds=4, seed=11).equals(d)
    assert not np.array_equal(sweep(gauss_sim, NET, {"g": g}, seeds=4, seed=12).per_seed["x"], x)


def test_seed_none_draws_and_records_entropy():
    d = sweep(gauss_sim, NET, {"g": [1.0]}, seeds=2)
    assert isinstance(d.seed, int)
    again = sweep(gauss_sim, NET, {"g": [1.0]}, seeds=2, seed=d.seed)
    assert again.equals(d)


def test_failed_seed_run_marks_point_and_mean_uses_others():
    def flaky(net, rng):
        z = rng.standard_normal()
        if z < -0.3:
            raise RuntimeError("diverged")
        return {"z": z}

    d = sweep(flaky, NET, {"g": [1.0, 2.0, 3.0]}, seeds=6, seed=3)
    z, ok = d.per_seed["z"], d.seed_status == "ok"
    assert np.any(~ok)
    for i in range(3):
        assert d.fields["z"][i] == pytest.approx(z[i][ok[i]].mean(), rel=1e-14)
        assert (d.status[i] == "ok") == bool(ok[i].all())
        if not ok[i].all():
            assert "diverged" in d.messages[i]


# ------------------------------------------------------------------------- vectorised


def test_vectorized_equals_scalar_bit_for_bit():
    axes = {"g": np.linspace(0.5, 2.0, 13), "I0": np.linspace(0.0, 1.0, 7)}
    ref = sweep(poly, NET, axes)
    for chunk in (None, 1, 5, 1000):
        d = sweep(poly_grid, NET, axes, vectorized=True, chunk=chunk)
        assert d.equals(ref), chunk


def test_vectorized_attribute_failures_and_invalid_points():
    calls = []

    def grid(net, params):
        calls.append(len(params["g"]))
        g = params["g"]
        return {"v": 2.0 * g, "converged": g < 2.0, "message": np.where(g < 2.0, "", "too big")}

    grid.vectorized = True
    d = sweep(grid, NET, {"g": [-1.0, 0.5, 1.0, 3.0]}, chunk=10)
    assert calls == [3]  # the invalid point (g < 0) is not handed to fn
    assert d.status.tolist() == ["failed", "ok", "ok", "failed"]
    assert d.messages[3] == "too big" and "invalid model" in d.messages[0]

    def broken(net, params):
        return {"v": np.zeros(len(params["g"]) + 1)}

    d = sweep(broken, NET, {"g": [0.5, 1.0]}, vectorized=True, chunk=2)
    assert np.all(d.status == "failed") and "expected (2,)" in d.messages[0]


# ------------------------------------------------------------------------- executors


def test_processes_equal_serial_bit_for_bit():
    axes = {"g": np.linspace(0.5, 2.0, 6), "I0": [0.0, 0.5]}
    ref = sweep(gauss_sim, NET, axes, seeds=2, seed=1)
    d = sweep(gauss_sim, NET, axes, seeds=2, seed=1, executor="processes", n_workers=2, chunk=3)
    assert d.equals(ref) and d.executor == "processes"


@given(
    st.lists(
        st.floats(0.0, 5.0, allow_nan=False).map(lambda v: round(v, 3)),
        min_size=1,
        max_size=6,
        unique=True,
    ),
    st.lists(st.floats(-2.0, 2.0).map(lambda v: round(v, 3)), min_size=1, max_size=4, unique=True),
)
@settings(max_examples=25, deadline=None)
def test_grid_indexing_property(gs, i0s):
    g, i0 = np.sort(gs), np.sort(i0s)
    d = sweep(poly, NET, {"g": g, "I0": i0})
    for flat in range(g.size * i0.size):
        p = d.params_at(flat)
        assert d.fields["p"].ravel()[flat] == poly(d.model_at(flat))["p"]
        assert p == {"g": g[flat // i0.size], "I0": i0[flat % i0.size]}


# ------------------------------------------------------------------------- storage


def _counting(fn, calls, stop_after=None):
    def wrapped(net):
        if stop_after is not None and len(calls) >= stop_after:
            raise KeyboardInterrupt
        calls.append(net.g)
        return fn(net)

    wrapped.__qualname__ = fn.__qualname__  # same identity in the store manifest
    wrapped.__module__ = fn.__module__
    return wrapped


def _tree(path: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def test_store_resume_after_interrupt_computes_only_missing(tmp_path):
    axes = {"g": np.linspace(0.5, 2.0, 5), "sigma_noise": [0.0, 0.5, 1.0, 1.5]}
    ref = sweep(noisy_theory, NET, axes)
    calls: list = []
    with pytest.raises(KeyboardInterrupt):
        sweep(_counting(noisy_theory, calls, stop_after=7), NET, axes, store=tmp_path / "s")
    assert len(calls) == 7
    lines = (tmp_path / "s" / "points.jsonl").read_text().splitlines()
    assert len(lines) == 7  # every finished point is on disk
    calls2: list = []
    d = sweep(_counting(noisy_theory, calls2), NET, axes, store=tmp_path / "s")
    assert len(calls2) == 20 - 7
    assert d.equals(ref)
    calls3: list = []
    again = sweep(_counting(noisy_theory, calls3), NET, axes, store=tmp_path / "s")
    assert calls3 == [] and again.equals(ref)


def test_store_resume_stochastic_and_failed_points(tmp_path):
    axes = {"g": [1.0, 2.0, 3.0]}
    ref = sweep(gauss_sim, NET, axes, seeds=3, seed=9)
    n = {"k": 0}

    def sim(net, rng):
        n["k"] += 1
        if n["k"] == 5:
            raise KeyboardInterrupt
        return gauss_sim(net, rng)

    sim.__qualname__ = "gauss_sim"
    with pytest.raises(KeyboardInterrupt):
        sweep(sim, NET, axes, seeds=3, seed=9, store=tmp_path)
    n["k"] = 100
    d = sweep(sim, NET, axes, seeds=3, store=tmp_path)  # seed=None: the store's seed
    assert n["k"] == 100 + 9 - 4 and d.seed == 9 and d.equals(ref)
    # failed points are kept on resume unless retry_failed
    f_calls: list = []
    store2 = tmp_path / "f"
    sweep(_counting(failing_theory, f_calls), NET, {"g": [1.0, 3.0]}, store=store2)
    sweep(_counting(failing_theory, f_calls), NET, {"g": [1.0, 3.0]}, store=store2)
    assert f_calls == [1.0, 3.0]
    d = sweep(
        _counting(failing_theory, f_calls), NET, {"g": [1.0, 3.0]}, store=store2, retry_failed=True
    )
    assert f_calls == [1.0, 3.0, 3.0] and d.status.tolist() == ["ok", "failed"]


def test_store_from_another_sweep_is_refused_untouched(tmp_path):
    axes = {"g": [0.5, 1.5]}
    sweep(quiet_theory, NET, axes, store=tmp_path)
    before = _tree(tmp_path)
    with pytest.raises(StoreMismatchError, match=r"model field g: 1\.0 \(store\) vs 2\.0 \(now\)"):
        sweep(quiet_theory, RateNetwork(N=200, g=2.0), axes, store=tmp_path)
    with pytest.raises(StoreMismatchError, match="axes"):
        sweep(quiet_theory, NET, {"g": [0.5, 1.5, 2.5]}, store=tmp_path)
    with pytest.raises(StoreMismatchError, match="fn"):
        sweep(noisy_theory, NET, axes, store=tmp_path)
    with pytest.raises(StoreMismatchError, match="seeds"):
        sweep(gauss_sim, NET, axes, seeds=2, seed=0, store=tmp_path)
    assert _tree(tmp_path) == before
    # the name is a label (compare=False): not a different sweep
    sweep(quiet_theory, RateNetwork(N=200, g=1.0, name="x"), axes, store=tmp_path)
    # a directory that is not a store
    other = tmp_path / "other"
    other.mkdir()
    (other / "data.txt").write_text("mine")
    with pytest.raises(StoreMismatchError, match="not an rnmf phase store"):
        sweep(quiet_theory, NET, axes, store=other)
    assert (other / "data.txt").read_text() == "mine" and len(list(other.iterdir())) == 1
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["axes"] == {"g": [0.5, 1.5]} and manifest["model"]["fields"]["N"] == 200


def test_store_torn_last_line_is_dropped(tmp_path):
    axes = {"g": [0.5, 1.0, 1.5, 2.0]}
    ref = sweep(quiet_theory, NET, axes)
    sweep(quiet_theory, NET, axes, store=tmp_path)
    log = tmp_path / "points.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:2]) + lines[2][:10])  # a crash mid-write
    calls: list = []
    d = sweep(_counting(quiet_theory, calls), NET, axes, store=tmp_path)
    assert len(calls) == 2 and d.equals(ref)
    assert len(log.read_text().splitlines()) == 4
    assert all(json.loads(x) for x in log.read_text().splitlines())


_KILL_SCRIPT = """
import sys, time
import numpy as np
sys.path.insert(0, {here!r})
from rnmf import RateNetwork
from rnmf.phase import sweep
import test_phase as tp

def slow(net):
    time.sleep(0.05)
    return tp.noisy_theory(net)
slow.__qualname__ = "noisy_theory"
slow.__module__ = "test_phase"
sweep(slow, tp.NET, {{"g": np.linspace(0.5, 2.0, 10), "sigma_noise": [0.0, 1.0, 2.0, 3.0]}},
      store={store!r})
"""


def test_store_survives_kill_of_the_process(tmp_path):
    """Kill -9 a sweep running in another process midway; the resumed sweep computes
    only the points not on disk, and equals an uninterrupted run."""
    store = tmp_path / "s"
    script = _KILL_SCRIPT.format(here=str(Path(__file__).parent), store=str(store))
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script)])
    log = store / "points.jsonl"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if log.exists() and len(log.read_bytes().splitlines()) >= 8:
                break
            time.sleep(0.02)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    n_done = len(log.read_bytes().split(b"\n")) - 1
    assert 8 <= n_done < 40
    axes = {"g": np.linspace(0.5, 2.0, 10), "sigma_noise": [0.0, 1.0, 2.0, 3.0]}
    calls: list = []
    resume = _counting(noisy_theory, calls)
    resume.__module__ = "test_phase"  # the identity the killed process recorded
    d = sweep(resume, NET, axes, store=store)
    assert len(calls) == 40 - n_done
    assert d.equals(sweep(noisy_theory, NET, axes))


# ------------------------------------------------------------------------- io, repr, progress


def test_npz_round_trip(tmp_path):
    d = sweep(
        gauss_sim,
        RateNetwork(N=50, g=1.0, phi="relu", name="demo"),
        {"g": [0.5, 1.5], "sigma_noise": [0.0, 1.0]},
        seeds=3,
        seed=4,
        boundary_fns={"c": ("g", lambda n: g_c(n.sigma_noise))},
    )
    d.to_npz(tmp_path / "d.npz")
    e = PhaseDiagram.from_npz(tmp_path / "d.npz")
    assert e.equals(d) and e.model == d.model and e.model.phi.kind == "relu"
    assert e.fields["sign"].dtype.kind == "U" and e.curve_axes == {"c": "g"}
    np.testing.assert_array_equal(e.timings, d.timings)
    bad = tmp_path / "bad.npz"
    np.savez(bad, meta=np.array(json.dumps({"format": "x"})))
    with pytest.raises(ValueError, match="not an rnmf phase diagram"):
        PhaseDiagram.from_npz(bad)


def test_repr_is_a_short_table():
    d = sweep(failing_theory, NET, {"g": [1.0, 3.0], "I0": [0.0, 1.0]})
    text = repr(d)
    assert text.startswith("PhaseDiagram  2 x 2 = 4 points")
    assert "axis g" in text and "axis I0" in text
    assert re.search(r"failed +2 of 4", text) and re.search(r"v +2 .. 2", text)
    assert len(text.splitlines()) <= 8


def test_progress_on_and_off(capsys):
    sweep(quiet_theory, NET, {"g": [0.5, 1.5]}, progress=True)
    assert "2/2" in capsys.readouterr().err
    sweep(quiet_theory, NET, {"g": [0.5, 1.5]})  # stderr is not a terminal under pytest
    assert capsys.readouterr().err == ""


@given(st.integers(0, 12), st.integers(1, 5))
@settings(max_examples=15, deadline=None)
def test_resume_after_any_interruption_property(stop_after, chunk):
    """Interrupted after any number of points, a resumed sweep computes exactly the
    missing points and equals the uninterrupted one, whatever the chunk size."""
    import tempfile

    axes = {"g": [0.5, 1.0, 1.5, 2.0], "sigma_noise": [0.0, 1.0, 2.0]}
    ref = sweep(noisy_theory, NET, axes)
    with tempfile.TemporaryDirectory() as tmp:
        calls: list = []
        fn = _counting(noisy_theory, calls, stop_after=stop_after)
        if stop_after < 12:
            with pytest.raises(KeyboardInterrupt):
                sweep(fn, NET, axes, store=tmp, chunk=chunk)
        else:
            sweep(fn, NET, axes, store=tmp, chunk=chunk)
        stored = len((Path(tmp) / "points.jsonl").read_text().splitlines())
        assert stored == (stop_after // chunk) * chunk if stop_after < 12 else stored == 12
        calls2: list = []
        d = sweep(_counting(noisy_theory, calls2), NET, axes, store=tmp, chunk=chunk)
        assert len(calls2) == 12 - stored and d.equals(ref)


def test_progress_fallback_without_tqdm(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    sweep(quiet_theory, NET, {"g": [0.5, 1.0, 1.5]}, progress=True)
    err = capsys.readouterr().err
    assert "sweep: 3/3 (100.0%)" in err and err.endswith("\n")


def test_vectorised_boundary_function_matches_scalar_one():
    """A boundary f(model, params) called once equals the per-combination f(model)."""

    def scalar(net):
        return float(np.sqrt(1.0 + net.sigma_noise**2))

    def vector(net, params):
        return np.sqrt(1.0 + params["sigma_noise"] ** 2)

    vector.vectorized = True
    base = RateNetwork(N=10, g=1.0)
    axes = {"g": np.linspace(0.5, 2.0, 4), "sigma_noise": np.linspace(0.0, 1.0, 5)}
    fn = lambda net: {"x": net.g}  # noqa: E731
    a = sweep(fn, base, axes, boundary_fns={"c": ("g", scalar)})
    b = sweep(fn, base, axes, boundary_fns={"c": ("g", vector)})
    np.testing.assert_array_equal(a.curves["c"], b.curves["c"])
    np.testing.assert_allclose(b.curves["c"][:, 0], np.sqrt(1 + axes["sigma_noise"] ** 2))
