"""Dask executor of rnmf.phase.sweep on a real ``distributed.LocalCluster``.

The oracle is the serial sweep of the same call: a diagram computed on the cluster
must equal it bit for bit (fields, status, messages, seeds).
"""

from __future__ import annotations

import socket
import sys
import time

import numpy as np
import pytest

from rnmf import ConvergenceError, RateNetwork
from rnmf.phase import sweep

distributed = pytest.importorskip("distributed")

NET = RateNetwork(N=100, g=1.0)
AXES = {"g": np.linspace(0.5, 2.5, 9), "sigma_noise": [0.0, 0.5, 1.0]}


def theory(net: RateNetwork) -> dict:
    if net.g > 2.2 and net.sigma_noise > 0.7:
        raise ConvergenceError("no solution")
    gc = float(np.sqrt(1.0 + net.sigma_noise**2))
    return {"excess": net.g - gc, "regime": "chaotic" if net.g > gc else "quiet"}


def grid_theory(net: RateNetwork, params: dict) -> dict:
    gc = np.sqrt(1.0 + params["sigma_noise"] ** 2)
    return {"excess": params["g"] - gc}


def scalar_of_grid(net: RateNetwork) -> dict:
    return {"excess": net.g - float(np.sqrt(1.0 + net.sigma_noise**2))}


def sim(net: RateNetwork, rng: np.random.Generator) -> dict:
    x = rng.standard_normal(8)
    return {"m": net.g + float(x.mean()), "lab": "hi" if x[0] > 0 else "lo"}


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as c:
        yield c


def test_dask_theory_equals_serial_bit_for_bit(cluster):
    ref = sweep(theory, NET, AXES)
    d = sweep(theory, NET, AXES, executor="dask", scheduler=cluster.scheduler_address, chunk=2)
    assert d.equals(ref) and d.executor == "dask"
    assert d.n_failed == ref.n_failed > 0


def test_dask_simulation_seeds_equal_serial(cluster):
    ref = sweep(sim, NET, AXES, seeds=3, seed=2024)
    d = sweep(
        sim, NET, AXES, seeds=3, seed=2024, executor="dask", scheduler=cluster.scheduler_address
    )
    assert d.equals(ref)
    np.testing.assert_array_equal(d.per_seed["m"], ref.per_seed["m"])


def test_dask_vectorized_equals_serial_scalar(cluster):
    with distributed.Client(cluster) as client:  # a Client object works too
        d = sweep(grid_theory, NET, AXES, executor="dask", scheduler=client, vectorized=True)
        assert client.status == "running"  # the caller's client is not closed
    ref = sweep(scalar_of_grid, NET, AXES)
    np.testing.assert_array_equal(d.fields["excess"], ref.fields["excess"])


def test_dask_store_resume(cluster, tmp_path):
    ref = sweep(theory, NET, AXES)
    calls: list = []

    def counted(net):
        calls.append(1)
        if len(calls) > 10:
            raise KeyboardInterrupt
        return theory(net)

    counted.__qualname__ = "theory"
    with pytest.raises(KeyboardInterrupt):
        sweep(counted, NET, AXES, store=tmp_path)
    n_stored = len((tmp_path / "points.jsonl").read_text().splitlines())
    assert n_stored == 10
    d = sweep(
        theory, NET, AXES, executor="dask", scheduler=cluster.scheduler_address, store=tmp_path
    )
    assert d.equals(ref)
    assert len((tmp_path / "points.jsonl").read_text().splitlines()) == 27


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dead_scheduler_is_a_clear_error_and_store_untouched(tmp_path):
    def half(net):
        if net.g > 1.0:
            raise KeyboardInterrupt
        return theory(net)

    half.__qualname__ = "theory"
    with pytest.raises(KeyboardInterrupt):
        sweep(half, NET, {"g": [0.5, 1.5]}, store=tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert len(before["points.jsonl"].splitlines()) == 1
    address = f"tcp://127.0.0.1:{_free_port()}"
    t0 = time.monotonic()
    with pytest.raises(ConnectionError, match="could not reach the dask scheduler"):
        sweep(
            theory,
            NET,
            {"g": [0.5, 1.5]},
            executor="dask",
            scheduler=address,
            timeout=2.0,
            store=tmp_path,
        )
    assert time.monotonic() - t0 < 30
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_missing_dask_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r"pip install 'rnmf\[dask\]'"):
        sweep(theory, NET, {"g": [1.0]}, executor="dask")


def test_local_cluster_on_demand():
    """scheduler=None starts (and closes) a LocalCluster of worker processes."""
    ref = sweep(theory, NET, {"g": [0.5, 1.5, 2.5]})
    d = sweep(theory, NET, {"g": [0.5, 1.5, 2.5]}, executor="dask", n_workers=1)
    assert d.equals(ref)
