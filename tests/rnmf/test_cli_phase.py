"""`rnmf phase`: the built-in rate problem end to end, and its bad input."""

import numpy as np
import pytest

from rnmf.cli import main
from rnmf.phase import PhaseDiagram
from rnmf.phase.problems.rate import rate_boundary, rate_local_stability, rate_theory


def test_rate_theory_labels_follow_lambda_and_boundaries_match_theory():
    """Regimes from the sign of the DMFT lambda_max; g_c(0) = 1 (SCS 1988); with noise the
    chaos line lies above the chi = 1 line (Schuecker, Goedeke & Helias 2018)."""
    from rnmf import RateNetwork

    net = RateNetwork(N=100, g=1.0)
    g = np.array([0.5, 1.5, 2.5, 1.5])
    s = np.array([0.0, 0.0, 1.0, 1.0])
    out = rate_theory(net, {"g": g, "sigma_noise": s})
    assert out["regime"].tolist() == ["quiet", "chaotic", "chaotic", "noise-driven"]
    assert np.all((out["lambda_max"] > 0) == (out["regime"] == "chaotic"))
    sig = {"sigma_noise": np.array([0.0, 1.0])}
    gc = rate_boundary(net, sig)
    gl = rate_local_stability(net, sig)
    assert gc[0] == pytest.approx(1.0, abs=1e-6) and gl[0] == pytest.approx(1.0, abs=1e-6)
    assert gc[1] > gl[1] + 0.3  # 1.956 vs 1.499 at sigma = 1


def test_cli_phase_theory_and_simulation(tmp_path, capsys):
    out = tmp_path / "phase.png"
    status = main(
        [
            "phase",
            "rate",
            "--vary",
            "g=0.5:2.5:9",
            "--vary",
            "sigma_noise=0:1:5",
            "--simulate",
            "--seeds",
            "2",
            "--sim-points",
            "2",
            "--set",
            "N=80",
            "--quiet",
            "--out",
            str(out),
        ]
    )
    text = capsys.readouterr().out
    assert status == 0, text
    assert out.stat().st_size > 10_000
    d = PhaseDiagram.from_npz(out.with_suffix(".npz"))
    assert d.shape == (9, 5) and d.n_failed == 0
    assert set(d.curves) == {"chaos: lambda_max = 0", "local stability: chi = 1"}
    sim = PhaseDiagram.from_npz(tmp_path / "phase_simulation.npz")
    assert sim.shape == (2, 2) and sim.seeds.shape[-1] == 2
    assert "simulation: 4 points x 2 seeds" in text


@pytest.mark.parametrize(
    "argv, match",
    [
        (["phase", "spin-glass", "--vary", "g=0:1:3"], "unknown model 'spin-glass'"),
        (["phase", "rate"], "at least one --vary"),
        (["phase", "rate", "--vary", "g=1:2"], "is not start:stop:num"),
        (["phase", "rate", "--vary", "gain=0:1:3"], "gain"),
        (["phase", "rate", "--vary", "g=0:1:3", "--set", "tau=-1"], "tau"),
    ],
)
def test_cli_phase_rejects_bad_input(argv, match, tmp_path, capsys):
    assert main([*argv, "--out", str(tmp_path / "x.png")]) == 2
    assert match in capsys.readouterr().err


def test_rate_grid_labels_agree_with_the_direct_chaos_boundary():
    """Grid labels (sign of lambda_max at each point) and the transition computed directly
    (root of lambda_max in g) are independent computations; their boundaries must agree to
    within one grid step (issue 5)."""
    from rnmf import RateNetwork
    from rnmf.phase import sweep

    axes = {"g": np.linspace(0.6, 3.0, 25), "sigma_noise": np.linspace(0.1, 1.5, 6)}
    d = sweep(
        rate_theory,
        RateNetwork(N=100, g=1.0),
        axes,
        vectorized=True,
        boundary_fns={"chaos": ("g", rate_boundary)},
    )
    dg = axes["g"][1] - axes["g"][0]
    ds = axes["sigma_noise"][1] - axes["sigma_noise"][0]
    curve = d.curves["chaos"]  # columns (g, sigma_noise)
    slope = np.max(np.abs(np.diff(curve[:, 0]) / np.diff(curve[:, 1])))
    # the staircase boundary of a grid is resolved to one cell in each direction: its corners
    # lie within dg + |dg_c/dsigma| dsigma of the line along g
    dev = d.curve_deviation("chaos", "regime", pair=("chaotic", "noise-driven"))
    assert np.isfinite(dev) and dev <= dg + slope * ds + 1e-9
    # and a finer grid in g brings it closer (convergence to the direct boundary)
    fine = sweep(
        rate_theory,
        RateNetwork(N=100, g=1.0),
        {"g": np.linspace(0.6, 3.0, 97), "sigma_noise": np.linspace(0.1, 1.5, 21)},
        vectorized=True,
        boundary_fns={"chaos": ("g", rate_boundary)},
    )
    assert fine.curve_deviation("chaos", "regime", pair=("chaotic", "noise-driven")) < dev


def test_lowrank_and_lif_problems_reproduce_reference_values():
    """Rank one at the docs/references.md sec. 4 point is in the heterogeneous (bistable) phase with
    kappa = 1.08785127347; Brunel model A at g = 5, eta = 2 has the single stable rate
    37.94969709 Hz (docs/references.md sec. 3)."""
    from rnmf.phase.problems.lif import BrunelParams, lif_theory
    from rnmf.phase.problems.lowrank import RankOneParams, lowrank_theory

    lr = lowrank_theory(
        RankOneParams(), {"g": np.array([1.0, 0.5, 4.5]), "strength": np.array([2.2, 0.5, 1.0])}
    )
    assert lr["regime"].tolist() == ["heterogeneous", "homogeneous", "chaotic"]
    assert lr["kappa"][0] == pytest.approx(1.08785127347, rel=1e-6)
    lif = lif_theory(BrunelParams(), {"g": np.array([5.0]), "eta": np.array([2.0])})
    assert lif["rate"][0] == pytest.approx(37.94969709, rel=1e-8)
    assert lif["regime"][0] == "AI"  # point C of Brunel (2000) Fig. 2
    assert lif["bistable"][0] == 0.0
    with pytest.raises(ValueError, match="M_m"):
        RankOneParams(M_m=0.0)
    with pytest.raises(ValueError, match="V_reset|delay|tau"):
        BrunelParams(D=0.0)


def test_lif_simulation_problem_runs_and_matches_theory():
    """The simulated Brunel point C (N_E = 2000, same in-degrees) fires near the theory's
    37.95 Hz (the network runs ~2-6 % off at this size, docs/references.md sec. 3) and its
    population spectrum peaks at the damped fast mode (~124 Hz from theory, +-30 Hz)."""
    from rnmf.phase.problems.lif import BrunelParams, lif_simulation, lif_theory

    p = BrunelParams(N_E=2000, epsilon=0.5)
    sim_out = lif_simulation(p, np.random.default_rng(3))
    th = lif_theory(p, {"g": np.array([5.0])})
    assert sim_out["rate"] == pytest.approx(th["rate"][0], rel=0.1)
    assert 0.2 < sim_out["cv"] < 1.0
    assert abs(sim_out["peak_hz"] - th["frequency"][0]) < 30.0


def test_cli_phase_lowrank(tmp_path, capsys):
    out = tmp_path / "lr.png"
    status = main(
        [
            "phase",
            "lowrank",
            "--vary",
            "g=0.2:4:9",
            "--vary",
            "strength=0:4:7",
            "--quiet",
            "--out",
            str(out),
        ]
    )
    assert status == 0, capsys.readouterr().out
    d = PhaseDiagram.from_npz(out.with_suffix(".npz"))
    assert set(np.unique(d.fields["regime"])) >= {"homogeneous", "heterogeneous", "chaotic"}
