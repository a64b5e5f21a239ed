"""Tests of the NEST export (rnmf.sim.export.to_nest).

A recording stand-in for the ``nest`` module checks the calls and unit conversions
everywhere; with NEST installed (optional extra), the exported network is run and
compared with rnmf.sim.simulate_lif: identical spike times for deterministic
networks (both integrate exactly on the same grid, Rotter & Diesmann 1999), the same
connection count, and the same rates within statistical error for Brunel's model A
(Brunel 2000, J Comput Neurosci 8:183).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnmf.models import LIFNetwork
from rnmf.models.delays import Delay
from rnmf.sim.export import nest_script, nest_spec, to_nest
from rnmf.sim.spiking import simulate_lif


class _Nodes:
    def __init__(self, fake, model, n, params):
        self.fake, self.model, self.n, self.params = fake, model, n, dict(params or {})
        self.first = fake.next_id
        fake.next_id += n
        self.values = {}

    def __getitem__(self, i):
        return type("Node", (), {"global_id": self.first + i})()

    def __len__(self):
        return self.n

    def set(self, **kw):
        self.values.update(kw)


class _FakeNest:
    """Records what to_nest asks of NEST."""

    def __init__(self):
        self.next_id = 1
        self.calls = []
        self.kernel = {}
        self.created = []

        class _Random:
            @staticmethod
            def uniform(min, max):  # noqa: A002 - NEST's keyword names
                return ("uniform", min, max)

            @staticmethod
            def normal(mean, std):
                return ("normal", mean, std)

            @staticmethod
            def lognormal(mean, std):
                return ("lognormal", mean, std)

        class _Math:
            @staticmethod
            def redraw(p, min, max):  # noqa: A002 - NEST's keyword names
                return ("redraw", p, min, max)

        self.random = _Random()
        self.math = _Math()

    def ResetKernel(self):
        self.calls.append("reset")

    def SetKernelStatus(self, d):
        self.kernel.update(d)

    def Create(self, model, n=1, params=None):
        nodes = _Nodes(self, model, n, params)
        self.created.append(nodes)
        return nodes

    def Connect(self, pre, post, conn_spec=None, syn_spec=None):
        self.calls.append(("connect", pre, post, conn_spec, syn_spec))


def test_export_calls_with_fake_nest():
    """Models, unit conversions, connection rules and generator rates."""
    net = LIFNetwork.brunel(5.0, 2.0, N_E=400, tau_s=2.0, mu_ext=(1.0, 2.0))
    fake = _FakeNest()
    h = to_nest(net, dt=0.1, rng=3, nest=fake)
    assert fake.kernel["resolution"] == 0.1 and fake.kernel["local_num_threads"] == 1
    assert 1 <= fake.kernel["rng_seed"] < 2**31
    E, I = h.populations
    assert E.model == I.model == "iaf_psc_exp" and (E.n, I.n) == (400, 100)
    assert E.params["E_L"] == 0.0 and E.params["tau_syn_ex"] == 2.0
    assert E.params["I_e"] == pytest.approx(1.0 * 250.0 / 20.0)  # mu C_m / tau_m (pA)
    assert I.params["I_e"] == pytest.approx(2.0 * 250.0 / 20.0)
    assert E.values["V_m"] == ("uniform", 0.0, 20.0)
    conns = [
        c
        for c in fake.calls
        if isinstance(c, tuple) and (c[3] or {}).get("rule") == "fixed_indegree"
    ]
    assert len(conns) == 4
    for _, pre, post, conn, syn in conns:
        b = 0 if pre is E else 1
        a = 0 if post is E else 1
        assert conn["indegree"] == net.K[a][b]
        assert conn["allow_autapses"] and conn["allow_multapses"]
        # equal charge: w tau_s / C_m = J
        assert syn["weight"] * 2.0 / 250.0 == pytest.approx(net.J[a][b])
        assert syn["delay"] == 1.5
    gens = [g for g in h.generators]
    assert gens[0].params["rate"] == pytest.approx(net.C_ext[0] * net.nu_ext[0])
    assert h.first_id == 1


def test_export_bernoulli_delays_and_V0_with_fake_nest():
    net = LIFNetwork(
        N=(50, 20), K=((5, 2), (5, 0)), J=((0.1, -0.4), (0.1, 0.0)), connectivity="bernoulli",
        delay=1.0, delay_max=3.0,
    )  # fmt: skip
    fake = _FakeNest()
    V0 = np.linspace(0, 19, 70)
    h = to_nest(net, rng=1, V0=V0, nest=fake)
    assert h.populations[0].model == "iaf_psc_delta"
    np.testing.assert_allclose(h.populations[1].values["V_m"], V0[50:])
    conns = [c for c in fake.calls if isinstance(c, tuple) and (c[3] or {}).get("rule")]
    rules = {c[3]["rule"] for c in conns}
    assert rules == {"pairwise_bernoulli"} and len(conns) == 3  # K[1][1] = 0 skipped
    assert conns[0][3]["p"] == pytest.approx(5 / 50)
    assert conns[0][4]["delay"] == ("uniform", 1.0, 3.0)
    assert h.generators == (None, None) and h.recorder is not None


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"dt": 2.0}, "shorter"),
        ({"dt": -1.0}, "dt"),
        ({"V0": [1.0]}, "V0"),
        ({"threads": 0}, "threads"),
    ],
)
def test_export_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        to_nest(LIFNetwork.brunel(N_E=40), nest=_FakeNest(), **kwargs)
    with pytest.raises(ValueError, match="LIFNetwork"):
        to_nest("net", nest=_FakeNest())


def _driver_target(J, tau_s=0.0):
    return LIFNetwork(
        N=(1, 1), K=((0, 0), (1, 0)), J=((0.0, 0.0), (J, 0.0)), delay=1.5,
        mu_ext=(30.0, 12.0), tau_s=tau_s,
    )  # fmt: skip


@pytest.mark.parametrize("tau_s", [0.0, 2.0])
def test_nest_same_spike_times_deterministic(tau_s):
    """Constant drive plus one synapse: NEST and rnmf spike at the same grid times."""
    nest = pytest.importorskip("nest")
    net = _driver_target(J=9.0, tau_s=tau_s)
    ours = simulate_lif(net, 200.0, rng=0, V0=0.0)
    h = to_nest(net, V0=0.0, rng=0, nest=nest)
    s, t = h.simulate(200.0)
    order = np.lexsort((s, t))
    o2 = np.lexsort((ours.senders, ours.times))
    assert (ours.senders == 1).sum() > 3
    np.testing.assert_array_equal(s[order], ours.senders[o2])
    np.testing.assert_allclose(t[order], ours.times[o2], atol=1e-9)


def test_nest_brunel_rates_agree():
    """Brunel model A (g = 5, eta = 2) at N_E = 2000: same connection count, E rates equal
    within 4 standard errors of the rate difference (independent realisations)."""
    nest = pytest.importorskip("nest")
    net = LIFNetwork.brunel(5.0, 2.0, N_E=2000, epsilon=0.1)
    T, t0 = 600.0, 100.0
    ours = simulate_lif(net, T, rng=1)
    h = to_nest(net, rng=1, nest=nest)
    s, t = h.simulate(T)
    n_conn = nest.GetKernelStatus("num_connections")
    n_rec = sum(net.N)  # spike-recorder connections
    n_gen = sum(net.N)  # generator connections
    assert n_conn == ours.n_synapses + n_rec + n_gen
    nE = net.N[0]
    m = (ours.senders < nE) & (ours.times > t0)
    r_ours = m.sum() / (nE * (T - t0) * 1e-3)
    r_nest = ((s < nE) & (t > t0)).sum() / (nE * (T - t0) * 1e-3)
    se = math.sqrt(r_ours / (nE * (T - t0) * 1e-3)) * 3  # population rate fluctuations
    assert abs(r_ours - r_nest) < 4 * math.sqrt(2) * se + 0.03 * r_nest, (r_ours, r_nest)


def _hetero():
    """Three populations: per-population neurons, mixed synapse kinds, two sources,
    weight spread with sign redraw, per-block delay laws, fixed total number."""
    TG = Delay.truncated_gaussian
    return LIFNetwork(
        N=(60, 40, 30),
        K=((12.5, 6, 4), (10, 5, 3), (8, 4, 0)),
        J=((0.5, -2.0, 0.8), (0.6, -2.5, 0.4), (0.7, -1.5, 0.0)),
        connectivity="fixed_total_number",
        tau_m=(20.0, 10.0, 15.0), V_th=(-50.0, -52.0, 15.0), V_reset=(-65.0, -60.0, 5.0),
        E_L=(-65.0, -62.0, 0.0), t_ref=(2.0, 1.0, 0.5), tau_s=(0.5, 2.0, 0.0),
        C_m=(250.0, 200.0, 100.0),
        nu_ext=((8.0, 15.0), (8.0, 15.0), (10.0, 0.0)),
        C_ext=((300.0, 50.0), (250.0, 40.0), (200.0, 0.0)),
        J_ext=((0.6, 1.2), (0.5, 0.5), (0.4, 0.4)),
        mu_ext=(2.0, 3.0, 1.0), J_sd=0.1, J_truncate=True,
        delay=(
            (TG(1.5, 0.75, low=0.1), Delay.fixed(0.8), Delay.uniform(0.5, 1.2)),
            (Delay.lognormal(1.0, 0.3), TG(0.75, 0.4, low=0.1), Delay.fixed(2.0)),
            (Delay.fixed(1.0), Delay.fixed(1.0), Delay.fixed(1.0)),
        ),
    )  # fmt: skip


def test_export_populations_sources_spread_and_delays_with_fake_nest():
    """Per-population models and parameters, fixed total numbers, weight and delay laws as
    NEST random parameters, one generator per source (Potjans & Diesmann 2014, Table 5:
    redraw of weights to their sign and of delays above the time step)."""
    net = _hetero()
    fake = _FakeNest()
    h = to_nest(net, dt=0.1, rng=2, nest=fake)
    A, B, C = h.populations
    assert (A.model, B.model, C.model) == ("iaf_psc_exp", "iaf_psc_exp", "iaf_psc_delta")
    assert A.params["tau_syn_ex"] == 0.5 and B.params["tau_syn_in"] == 2.0
    assert B.params["E_L"] == -62.0 and B.params["C_m"] == 200.0 and C.params["t_ref"] == 0.5
    assert B.params["I_e"] == pytest.approx(3.0 * 200.0 / 10.0)
    assert A.values["V_m"] == ("uniform", -65.0, -50.0)
    conns = {
        (c[2], c[1]): c
        for c in fake.calls
        if isinstance(c, tuple) and (c[3] or {}).get("rule") not in (None, "all_to_all")
    }
    pops = (A, B, C)
    c00 = conns[(A, A)]
    assert c00[3] == {
        "rule": "fixed_total_number",
        "N": 750,
        "allow_autapses": True,
        "allow_multapses": True,
    }
    w = 0.5 * 250.0 / 0.5
    assert c00[4]["weight"] == (
        "redraw",
        ("normal", pytest.approx(w), pytest.approx(0.1 * w)),
        0.0,
        math.inf,
    )
    assert c00[4]["delay"] == ("redraw", ("normal", 1.5, 0.75), 0.1, math.inf)
    w01 = -2.0 * 250.0 / 0.5
    assert conns[(A, B)][4]["weight"][2:] == (-math.inf, 0.0)
    assert conns[(A, B)][4]["weight"][1][1] == pytest.approx(w01)
    assert conns[(A, C)][4]["delay"] == ("uniform", 0.5, 1.2)
    s2 = math.log1p(0.3**2)
    lg = conns[(B, A)][4]["delay"]
    assert (
        lg[0] == "lognormal"
        and lg[1] == pytest.approx(math.log(1.0) - s2 / 2)
        and lg[2] == pytest.approx(math.sqrt(s2))
    )
    assert conns[(C, A)][4]["weight"][1] == (
        "normal",
        pytest.approx(0.7),
        pytest.approx(0.07),
    )  # delta: mV
    assert (C, C) not in conns  # K = 0
    assert len(h.generators[0]) == 2 and h.generators[2].params["rate"] == pytest.approx(2000.0)
    assert h.generators[0][1].params["rate"] == pytest.approx(50.0 * 15.0)
    assert pops[0] is A


def test_export_refuses_delays_below_dt():
    bad = LIFNetwork(N=(10,), K=((2,),), J=((0.1,),), delay=Delay.gaussian(1.5, 0.5))
    with pytest.raises(ValueError, match="below one time"):
        to_nest(bad, nest=_FakeNest())


def test_nest_script_builds_the_same_network(monkeypatch):
    """The standalone script is valid Python, holds the specification as JSON and its
    builder makes exactly the calls of to_nest (run here against the recording stand-in)."""
    import json
    import sys

    net = _hetero()
    src = nest_script(net, 100.0, rng=4)
    compile(src, "exported.py", "exec")
    fake_script, fake_live = _FakeNest(), _FakeNest()
    monkeypatch.setitem(sys.modules, "nest", fake_script)
    ns: dict = {"__name__": "exported"}
    exec(compile(src, "exported.py", "exec"), ns)
    spec = nest_spec(net, rng=4)
    assert ns["SPEC"]["connections"] == json.loads(json.dumps(spec["connections"]))
    ns["build"](fake_script, ns["SPEC"])
    to_nest(net, rng=4, nest=fake_live)

    def sig(fake):
        out = []
        for c in fake.calls:
            if isinstance(c, tuple):
                out.append((c[1].model, c[2].model, json.dumps(c[3], sort_keys=True), str(c[4])))
        return out

    assert sig(fake_script) == sig(fake_live)
    assert fake_script.kernel == fake_live.kernel


def test_nest_script_runs_under_nest(tmp_path):
    """With NEST installed: the exported script runs in a fresh interpreter and creates
    as many synapses as rnmf samples (fixed total numbers are exact)."""
    import json
    import subprocess
    import sys

    pytest.importorskip("nest", reason="NEST is not installed (pip install nest-simulator); "
                        "the script text is checked by test_nest_script_builds_the_same_network")  # fmt: skip
    from rnmf.sim.spiking import build_connectivity

    net = _hetero()
    path = tmp_path / "net.py"
    nest_script(net, 20.0, rng=1, path=path)
    out = subprocess.run([sys.executable, str(path)], cwd=tmp_path, capture_output=True,
                         text=True, timeout=300, check=True)  # fmt: skip
    info = json.loads(out.stdout.strip().splitlines()[-1])
    M = build_connectivity(net, rng=1).n_synapses
    n_gen = 60 * 2 + 40 * 2 + 30
    assert info["num_connections"] == M + n_gen + sum(net.N)
    assert list(tmp_path.glob("rnmf_spikes-*.dat"))
