"""`rnmf phase`: the built-in rate problem end to end, and its bad input."""

import re

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
        (["phase", "spin-glass", "--vary", "g=0:1:3"], "invalid choice: 'spin-glass'"),
        (["phase", "rate"], "at least one --vary"),
        (["phase", "rate", "--vary", "g=1:2"], "is not start:stop:num"),
        (["phase", "rate", "--vary", "g=a,b"], "--vary g=a,b: 'a,b' is not"),
        (["phase", "rate", "--vary", "gain=0:1:3"], "--vary gain=0:1:3: the rate theory has no"),
        (["phase", "rate", "--vary", "N=100:200:3"], "--vary N=100:200:3: the rate theory cannot"),
        (["phase", "rate", "--vary", "g=0:1:3", "--vary", "g=1:2:3"], "--vary g is given twice"),
        (["phase", "rate", "--vary", "g=-1:1:3"], "--vary g: g = -1 is not allowed"),
        (["phase", "rate", "--vary", "g=0:1:3", "--set", "tau=-1"], "--set: RateNetwork.tau"),
        (["phase", "rate", "--vary", "g=0:1:3", "--set", "foo=1"], "--set foo=1: rate has no"),
        (["phase", "rate", "--vary", "g=0:1:3", "--set", "N=abc"], "--set N=abc: N takes an int"),
        (["phase", "rate", "--vary", "g=0:1:3", "--set", "g=x"], "--set g=x: g takes a number"),
        (["phase", "rate", "--vary", "g=0:1:3", "--set", "g=2"], "g is given with both --set"),
        (["phase", "lif", "--vary", "g=4:6:3", "--set", "delay=3"], "--set delay=3: lif has no"),
        (["phase", "rate", "--vary", "g=0:1:3", "--sim-points", "0"], "--sim-points must be"),
        (["phase", "rate", "--vary", "g=0:1:3", "--seeds", "0"], "--seeds must be"),
        (["phase", "rate", "--vary", "g=0:1:3", "--workers", "0"], "--workers must be"),
        (["phase", "rate", "--vary", "g=0:1:3", "--seeds", "x"], "argument --seeds: invalid int"),
        (["phase", "rate", "--vary", "g=0:1:3", "--field", "foo"], "--field foo: the rate theory"),
        (["phase", "rate", "--vary", "g=0:1:3", "--scheduler", "tcp://x:1"], "--scheduler is"),
        (
            ["phase", "rate", "--vary", "g=0:1:3", "--vary", "J0=0:1:2", "--vary", "I0=0:1:2"],
            "--vary is given for 3 fields",
        ),
    ],
)
def test_cli_phase_rejects_bad_input(argv, match, tmp_path, capsys, monkeypatch):
    """Every bad argument is refused before any work (the theory must not run), with a
    message that names the flag, status 2 and no traceback."""
    import dataclasses

    from rnmf.phase.problems import PROBLEMS

    def must_not_run(*a, **k):
        raise AssertionError("the theory ran before the arguments were checked")

    for name, prob in list(PROBLEMS.items()):
        monkeypatch.setitem(
            PROBLEMS, name, dataclasses.replace(prob, theory=must_not_run, boundaries={})
        )
    assert main([*argv, "--out", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert match in err and "Traceback" not in err
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(
    "make, flag",
    [
        (lambda d: ["--store", str(_file(d))], "--store"),
        (lambda d: ["--store", str(_foreign(d))], "--store"),
        (lambda d: ["--out", str(_file(d) / "x.png")], "--out"),
        (lambda d: ["--out", str(d / "x.foo")], "--out"),
        (lambda d: ["--out", str(d)], "--out"),
    ],
)
def test_cli_phase_rejects_bad_paths_before_work(make, flag, tmp_path, capsys):
    assert main(["phase", "rate", "--vary", "g=0:1:3", *make(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rnmf: error: {flag}") and "Traceback" not in err


def _file(d):
    f = d / "a-file"
    f.write_text("x")
    return f


def _foreign(d):
    f = d / "mine"
    f.mkdir()
    (f / "notes.txt").write_text("x")
    return f


def test_cli_validate_checks_arguments_before_running(tmp_path, capsys, monkeypatch):
    """`validate --out <existing file>` used to fail with a traceback after the whole
    suite had run (41 s, report lost); now it is refused before any work."""
    import rnmf.validate

    def must_not_run(**k):
        raise AssertionError("validate ran before the arguments were checked")

    monkeypatch.setattr(rnmf.validate, "run", must_not_run)
    f = _file(tmp_path)
    for argv, match in (
        (["--out", str(f)], "--out"),
        (["--out", str(f / "sub")], "--out"),
        (["--suite", "rate,spin"], "--suite rate,spin: unknown suite 'spin'"),
        (["--seeds", "0"], "--seeds must be"),
        (["--jobs", "0"], "--jobs must be"),
    ):
        assert main(["validate", *argv]) == 2
        err = capsys.readouterr().err
        assert match in err and "Traceback" not in err, (argv, err)


@pytest.mark.parametrize("model", ["rate", "lowrank", "lif"])
def test_cli_phase_help_lists_fields_from_the_registry(model, capsys):
    from rnmf.phase.problems import PROBLEMS

    prob = PROBLEMS[model]
    with pytest.raises(SystemExit) as info:
        main(["phase", model, "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert "fields the theory can vary" in text and "fields that can be set" in text
    for name in prob.settable():
        assert re.search(rf"\n  {re.escape(name)} +\w+ +default ", text), name
    for name in prob.sweepable_fields():
        assert f"\n  {name} " in text.split("fields that can be set")[0]
    for name in prob.outputs:
        assert f"\n  {name} " in text
    assert "cost per simulation point" in text
    if prob.sim_cost is not None:
        assert re.search(r"~[0-9.]+ (s|min|h) per seed", text)


def test_cli_phase_simulate_writes_theory_first_then_adds_points(tmp_path, capsys, monkeypatch):
    """With --simulate the theory figure and data exist before the first simulation runs;
    the figure is redrawn as simulation points come in, and at the end."""
    import dataclasses

    from rnmf.phase import _cli
    from rnmf.phase.problems import PROBLEMS

    out = tmp_path / "p.png"
    seen = []

    def fake_sim(net, rng):
        seen.append((out.exists(), out.with_suffix(".npz").exists(), out.stat().st_mtime_ns))
        return {"regime": "quiet" if net.g < 1 else "chaotic", "Delta0": 0.0}

    def fake_theory(net, params):  # closed form: quiet below g = 1 (SCS 1988)
        g = params["g"]
        return {"regime": np.where(g < 1, "quiet", "chaotic"), "chi": g**2, "Delta0": 0 * g}

    fake_theory.vectorized = True
    prob = dataclasses.replace(
        PROBLEMS["rate"], theory=fake_theory, simulation=fake_sim, boundaries={}
    )
    monkeypatch.setitem(PROBLEMS, "rate", prob)
    monkeypatch.setattr(_cli, "_REDRAW_EVERY", 0.0)
    argv = ["phase", "rate", "--vary", "g=0.5:1.5:3", "--simulate", "--seeds", "1"]
    assert main([*argv, "--sim-points", "2", "--no-progress", "--out", str(out)]) == 0
    assert len(seen) == 2 and all(a and b for a, b, _ in seen)
    assert seen[1][2] > seen[0][2]  # redrawn after the first simulation point
    cap = capsys.readouterr()
    assert "simulation: 1 of 2 points done; figure updated" in cap.err
    assert PhaseDiagram.from_npz(tmp_path / "p_simulation.npz").shape == (2,)
    # a field the simulation does not measure: the figure is still written, with the
    # simulated points as plain markers (`rnmf phase lif --field regime --simulate`)
    out.unlink()
    assert main([*argv, "--field", "chi", "--no-progress", "--out", str(out)]) == 0
    assert out.stat().st_size > 10_000
    assert "the simulation does not measure 'chi'" in capsys.readouterr().err


def test_cli_interrupt_is_status_130_without_traceback(tmp_path, capsys, monkeypatch):
    from rnmf.phase import _cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(_cli, "run_phase", interrupted)
    assert main(["phase", "rate", "--vary", "g=0:1:3", "--out", str(tmp_path / "x.png")]) == 130
    assert "run the same command again to resume" in capsys.readouterr().err


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


def test_cli_validate_progress_by_default_and_no_progress(tmp_path, capsys, monkeypatch):
    """`rnmf validate` prints its progress lines on stderr by default; --no-progress
    silences them (the report is unchanged)."""
    import rnmf.validate

    class FakeReport:
        checks, n_failed, passed = [], 0, True

        def table(self):
            return "table"

        def write(self, out):
            return tmp_path / "report.md"

    def fake_run(progress=None, **k):
        progress("rate: 3 of 9 points")
        return FakeReport()

    monkeypatch.setattr(rnmf.validate, "run", fake_run)
    assert main(["validate", "--out", str(tmp_path / "r")]) == 0
    assert "rate: 3 of 9 points" in capsys.readouterr().err
    assert main(["validate", "--out", str(tmp_path / "r"), "--no-progress"]) == 0
    assert capsys.readouterr().err == ""
