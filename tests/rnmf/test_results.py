"""Results save, load, compare and convert to JSON (issue 10, section 4).

Every result type in the tree (every subclass of :class:`rnmf.results.Result`) is built
once, cheaply, and must round-trip through ``save``/``load`` to an equal result,
give a JSON-safe ``to_dict`` without private fields, and compare without raising.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import warnings

import numpy as np
import pytest

import rnmf
from rnmf.models import (
    Drive,
    IntensityNetwork,
    LIFNetwork,
    LowRankNetwork,
    RateNetwork,
    RatePopulationNetwork,
)
from rnmf.results import Result, Status, load_result
from rnmf.transfer import Transfer


def _softplus(x):
    return np.log1p(np.exp(x))


def _symbolic():
    return importlib.import_module("rnmf.theory.symbolic")


def _build_catalogue():
    from rnmf import sim
    from rnmf.sim.intensity import simulate_intensity
    from rnmf.sim.loihi import simulate_loihi
    from rnmf.sim.rate_populations import simulate_rate_populations
    from rnmf.sim.spinnaker import simulate_spinnaker
    from rnmf.theory import dmft, lif, precision, rmf
    from rnmf.theory import lowrank as lr
    from rnmf.theory.dmft.driven import periodic_state
    from rnmf.theory.dmft.mixture import solve_mixture
    from rnmf.theory.dmft.populations import solve_populations

    brunel = LIFNetwork.brunel(N_E=400, epsilon=0.1, g=5.0, eta=2.0)
    rot = LowRankNetwork(
        N=10,
        g=0.0,
        R=2,
        means=np.zeros(4),
        cov=np.block(
            [
                [np.eye(2), np.array([[2.0, 1.5], [-1.5, 2.0]])],
                [np.array([[2.0, -1.5], [1.5, 2.0]]), np.diag([6.55, 6.55])],
            ]
        ),
    )
    rate = RateNetwork(60, 2.0, sigma_noise=0.1)
    traj = sim.simulate(rate, 5.0, rng=1, record_units=3)
    cases = {
        "DMFTResult": lambda: dmft.solve(RateNetwork(100, 2.0)),
        "MixtureChaos": lambda: solve_mixture(3.0, "tanh", [0.5, 0.5], [0.0, 0.0], [0.5, 1.0]),
        "RMFResult": lambda: rmf.solve(IntensityNetwork(W=[[0.0, 0.2], [0.2, 0.0]], b=0.5)),
        "FixedPoints": lambda: _symbolic().fixed_points(_symbolic().wilson_cowan(), n_starts=8),
        "Continuation": lambda: _symbolic().continuation(
            _symbolic().wilson_cowan(), "I_E", np.linspace(0.0, 1.0, 3), n_starts=4
        ),
        "EIPhaseDiagram": lambda: importlib.import_module("rnmf.theory.rmf.phase").phase_diagram(
            np.array([0.1, 0.3]), np.array([-0.2]), n_scan=8
        ),
        "LIFStationary": lambda: lif.stationary_rates(brunel),
        "BrunelGrid": lambda: lif.brunel_rates([4.0, 5.0], [2.0]),
        "BalancedRates": lambda: lif.balanced_rates(brunel),
        "AsyncStability": lambda: lif.asynchronous_stability(brunel),
        "LinearResponse": lambda: lif.linear_response(brunel, [0.0, 10.0, 50.0]),
        "BrunelPhaseDiagram": lambda: lif.brunel_phase_diagram([5.0], [2.0]),
        "HopfBoundary": lambda: lif.hopf_boundary([5.0], n_eta=4),
        "LowRankState": lambda: lr.solve(LowRankNetwork.rank_one(N=100, M_m=1.0, M_n=2.0)),
        "LimitCycle": lambda: lr.rotational_limit_cycle(rot),
        "LowRankPhaseDiagram": lambda: lr.phase_diagram([0.5, 1.5], [0.5, 2.0], n_boundary=8),
        "Trajectory": lambda: traj,
        "LowRankTrajectory": lambda: sim.simulate_lowrank(
            LowRankNetwork.rank_one(N=50, M_m=1.0, M_n=2.0), 2.0, rng=2
        ),
        "LyapunovSpectrum": lambda: sim.lyapunov_spectrum(rate, 5.0, k=2, rng=3, burn_in=1.0),
        "LIFResult": lambda: sim.simulate_lif(brunel, 20.0, rng=4),
        "PopulationStats": lambda: sim.population_stats(traj),
        "CouplingMoments": lambda: precision.quantized_coupling_moments(0.1, 0.02, max_level=7),
        "EffectiveTau": lambda: precision.effective_tau(0.1, 10.0, "bfloat16"),
        "Swamping": lambda: precision.swamping(1e-3, 1.0, "float16"),
        "IntegerLeak": lambda: precision.integer_leak(100, 256),
        "QuantizedLIF": lambda: precision.quantized_lif_network(
            brunel, bits=4, rounding="stochastic"
        ),
        "QuantizedLIFRates": lambda: precision.quantized_lif_rates(brunel, bits=4),
        "QuantizedLowRankBoundaries": lambda: precision.quantized_lowrank_boundaries(
            2.2, N=1000, bits=3, g_max=3.0, n_scan=8
        ),
        "StorageRate": lambda: precision.stochastic_storage_rate(
            18.0, 2.0, tau_m=20.0, V_th=20.0, V_reset=10.0, t_ref=2.0, dt=0.1, n_grid=2001
        ),
        "MismatchRates": lambda: precision.mismatch_rates(15.0, 5.0, 0.05, n_quad=8),
        "TwoTimeResult": lambda: importlib.import_module("rnmf.theory.dmft.two_time").transient(
            RatePopulationNetwork(N=1, g=[[1.5]]), 1.0, h=0.1, Delta_init=2.0
        ),
        "DrivenDMFTResult": lambda: periodic_state(
            RatePopulationNetwork(
                N=1, g=[[1.5]], drive=Drive("sine", amplitude=4.0, frequency=0.5)
            ),
            n=32,
            n_theta=12,
            n_gh=16,
            tol=1e-8,
        ),
        "PopulationDMFTResult": lambda: solve_populations(
            RatePopulationNetwork(N=100, fractions=(0.3, 0.7), g=np.full((2, 2), 0.8))
        ),
        "RatePopulationTrajectory": lambda: simulate_rate_populations(
            RatePopulationNetwork(N=40, fractions=(0.5, 0.5), g=np.full((2, 2), 1.2)),
            2.0,
            rng=5,
            record_units=4,
        ),
        "IntensityRun": lambda: simulate_intensity(
            IntensityNetwork.all_to_all(4, 0.5, b=1.0), 20.0, M=2, rng=6, record="all"
        ),
        "LoihiResult": lambda: simulate_loihi(
            np.array([[0, 64], [-64, 0]]), 20, du=100, dv=200, vth=10, bias_mant=300, bias_exp=2
        ),
        "SpiNNakerResult": lambda: simulate_spinnaker(
            np.full((6, 6), 0.3),
            np.full((6, 6), 0.2),
            50,
            n_ext=10,
            ext_rate=30.0,
            ext_weight=0.6,
            rng=7,
        ),
    }
    return cases


_CATALOGUE = _build_catalogue()


def _all_result_types() -> set[type]:
    for pkg in ("rnmf", "rnmf.theory", "rnmf.sim"):
        mod = importlib.import_module(pkg)
        for info in pkgutil.walk_packages(mod.__path__, pkg + "."):
            if info.name.split(".")[-1] in ("cli", "__main__"):
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                importlib.import_module(info.name)
    out, todo = set(), [Result]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("rnmf") and sub not in out:
                out.add(sub)
                todo.append(sub)
    return out


def test_catalogue_covers_every_result_type():
    """A new Result subclass without a round-trip case here fails this test."""
    names = {cls.__name__ for cls in _all_result_types()}
    missing = names - set(_CATALOGUE)
    assert not missing, f"result types without a save/load test: {sorted(missing)}"


@pytest.fixture(scope="module", params=sorted(_CATALOGUE))
def result(request):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = _CATALOGUE[request.param]()
    assert isinstance(res, Result), f"{request.param} did not build"
    assert type(res).__name__ == request.param
    return res


def test_save_load_round_trip(result, tmp_path):
    path = result.save(tmp_path / "res")
    assert path.suffix == ".npz" and path.is_file()
    back = type(result).load(path)
    assert type(back) is type(result)
    assert back == result
    assert not (back != result)
    assert Result.load(path) == result
    assert load_result(path) == result
    # the archive is plain numpy: no pickles
    with np.load(path, allow_pickle=False) as data:
        header = json.loads(str(data["__rnmf__"]))
    assert header["format"] == "rnmf-result" and header["type"].endswith(type(result).__name__)
    repr(back)


def test_to_dict_is_json_safe_and_public(result):
    d = result.to_dict()
    text = json.dumps(d, allow_nan=False)
    assert d["__type__"] == type(result).__name__

    def keys(obj):
        if isinstance(obj, dict):
            for k, v in obj.items():
                yield k
                yield from keys(v)
        elif isinstance(obj, list):
            for v in obj:
                yield from keys(v)

    assert not [k for k in keys(d) if k.startswith("_") and k != "__type__"]
    assert "status" in d and isinstance(d["status"], str)
    assert len(text) > 20


def test_equality_does_not_raise_on_arrays():
    """The dataclass-generated == compared tuples of arrays and raised ValueError."""
    from rnmf.sim import simulate

    net = RateNetwork(20, 1.5)
    a = simulate(net, 1.0, rng=1)
    b = simulate(net, 1.0, rng=1)
    c = simulate(net, 1.0, rng=2)
    assert a == b
    assert a != c
    assert (a == "something else") is False
    assert a != RateNetwork(20, 1.5)
    with pytest.raises(TypeError):
        hash(a)


def test_equality_of_nan_fields():
    from rnmf.sim import LyapunovSpectrum

    kw = dict(model=None, exponents=np.array([0.1]), sem=np.array([np.nan]))
    assert LyapunovSpectrum(**kw) == LyapunovSpectrum(**kw)
    assert LyapunovSpectrum(**kw) != LyapunovSpectrum(**{**kw, "exponents": np.array([0.2])})
    assert LyapunovSpectrum(**kw) != LyapunovSpectrum(**{**kw, "sem": np.array([np.nan, 1.0])})


def test_save_custom_transfer_by_name_and_formula(tmp_path):
    """A module-level phi is stored by its qualified name, a sympy Transfer as its
    formula; both load back into a model that simulates identically."""
    from rnmf.sim import simulate

    for phi in (
        Transfer("custom", func=_softplus, name="softplus"),
        Transfer.from_sympy("log(1 + exp(x))"),
    ):
        net = RateNetwork(20, 1.0, phi=phi)
        tr = simulate(net, 1.0, rng=5)
        back = Result.load(tr.save(tmp_path / "tr"))
        assert back == tr
        again = simulate(back.model, 1.0, rng=5)
        np.testing.assert_array_equal(again.x, tr.x)
        assert back.model.phi.deriv_method == phi.deriv_method


def test_save_refuses_lambda_with_advice(tmp_path):
    from rnmf.sim import simulate

    net = RateNetwork(10, 1.0, phi=Transfer("custom", func=lambda x: np.tanh(x)))
    tr = simulate(net, 1.0, rng=1)
    with pytest.raises(ValueError, match="module level|from_sympy"):
        tr.save(tmp_path / "x")
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_load_errors_are_clear(tmp_path):
    with pytest.raises(ValueError, match="no result file"):
        Result.load(tmp_path / "missing.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a readable"):
        Result.load(junk)
    other = tmp_path / "other.npz"
    np.savez(other, a=np.arange(3))
    with pytest.raises(ValueError, match="not an rnmf result"):
        Result.load(other)
    from rnmf.sim import LyapunovSpectrum, Trajectory, simulate

    path = simulate(RateNetwork(10, 1.0), 1.0, rng=1).save(tmp_path / "t")
    with pytest.raises(ValueError, match="holds a Trajectory, not a LyapunovSpectrum"):
        LyapunovSpectrum.load(path)
    assert isinstance(Trajectory.load(path), Trajectory)
    with pytest.raises(ValueError, match="does not exist"):
        simulate(RateNetwork(10, 1.0), 1.0, rng=1).save(tmp_path / "no" / "such" / "dir")


def test_status_members_for_divergence():
    assert Status.DIVERGED.value.startswith("diverged")
    assert Status.UNBOUNDED.value.startswith("unbounded")


def test_rnmf_version_importable():
    assert rnmf.__name__ == "rnmf"


@pytest.mark.parametrize("path", [3.0, None, ["a.npz"], np.ones(2), True, object()])
def test_load_and_save_refuse_a_path_that_is_not_a_file_name(path, tmp_path):
    """Issue 10 fuzz: ``Result.load(3.0)`` raised pathlib's TypeError without naming path."""
    from rnmf.results import Result

    with pytest.raises(TypeError, match=r"\bpath must be a str or path-like"):
        Result.load(path)
    result = rnmf.theory.dmft.solve(rnmf.RateNetwork(N=10, g=0.5), lyapunov=False)
    with pytest.raises(TypeError, match=r"\bpath\b"):
        result.save(path)
    assert type(Result.load(result.save(tmp_path / "ok"))) is type(result)


def test_finish_refuses_a_flag_that_is_not_true_or_false():
    """``rnmf.results.finish`` (every solver's raise_on_failure): a string is not a flag."""
    from rnmf.results import finish

    result = rnmf.theory.dmft.solve(rnmf.RateNetwork(N=10, g=0.5), lyapunov=False)
    assert finish(result, np.bool_(True)) is result
    with pytest.raises(TypeError, match="raise_on_failure must be True or False"):
        finish(result, "no")
