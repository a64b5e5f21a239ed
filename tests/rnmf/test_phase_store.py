"""The sweep store and the executors under faults (issue 10): chunk-independent vectorised
results, atomic store creation, one sweep per store, bad records, read-only stores, and
``processes`` workers that exit with their parent.

The oracles are the engine's own uninterrupted serial runs (bit for bit) and closed forms.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from rnmf import RateNetwork
from rnmf.phase import PhaseDiagram, StoreInUseError, StoreMismatchError, sweep
from rnmf.phase.store import _Store

NET = RateNetwork(N=200, g=1.0)
HERE = str(Path(__file__).parent)


def batch_sum(net: RateNetwork, params: dict) -> dict:
    """A vectorised function whose last bits depend on the batch it is called with, as
    happens with iterations that stop when the whole batch has converged or with
    quadrature sized to the batch: g + 1e-15 * (sum of the batch)."""
    g = params["g"]
    return {"v": g + 1e-15 * np.sum(g) + params["sigma_noise"]}


batch_sum.vectorized = True


def quiet(net: RateNetwork) -> dict:
    """Closed form: margin 1 - g of the quiet state (SCS 1988)."""
    return {"margin": 1.0 - net.g, "regime": "quiet" if net.g < 1.0 else "chaotic"}


def gauss(net: RateNetwork, rng: np.random.Generator) -> dict:
    time.sleep(0.02)
    return {"x": net.g + rng.standard_normal()}


def _stopping(fn, n_calls: int):
    """fn that raises KeyboardInterrupt at call n_calls + 1 (same identity as fn)."""
    calls = []

    def wrapped(net, params):
        if len(calls) >= n_calls:
            raise KeyboardInterrupt
        calls.append(len(params["g"]))
        return fn(net, params)

    wrapped.__qualname__, wrapped.__module__ = fn.__qualname__, fn.__module__
    wrapped.vectorized = True
    return wrapped, calls


# ------------------------------------------------------------------------- chunk independence


AXES = {"g": np.linspace(0.5, 2.5, 9), "sigma_noise": np.linspace(0.0, 1.0, 5)}


def test_vectorised_result_independent_of_chunk_and_resume(tmp_path):
    """A batch-dependent function gives one diagram for every chunk size, and an
    interrupted sweep resumed with another chunk equals the uninterrupted one bit for bit
    (before issue 10 the chunk was the batch, so the last bits followed the chunk)."""
    batch_sum.block = 7
    try:
        ref = sweep(batch_sum, NET, AXES)
        for chunk in (1, 3, 8, 45, 1000):
            assert sweep(batch_sum, NET, AXES, chunk=chunk).equals(ref), chunk
        fn, calls = _stopping(batch_sum, 2)
        fn.block = 7
        with pytest.raises(KeyboardInterrupt):
            sweep(fn, NET, AXES, store=tmp_path, chunk=5)
        stored = len((tmp_path / "points.jsonl").read_text().splitlines())
        assert 0 < stored < 45
        d = sweep(batch_sum, NET, AXES, store=tmp_path, chunk=11)
        assert d.equals(ref)
    finally:
        del batch_sum.block


def test_rate_theory_resumed_equals_uninterrupted(tmp_path):
    """The DMFT grid solver picks its quadrature and steps from the batch; the resumed
    `rnmf phase rate --store` run equals the uninterrupted one bit for bit."""
    from rnmf.phase.problems.rate import rate_theory

    net = RateNetwork(N=100, g=1.0)
    axes = {"g": np.array([0.5, 1.5, 2.5, 3.0]), "sigma_noise": np.array([0.0, 0.7])}
    ref = sweep(rate_theory, net, axes, block=3)
    fn, calls = _stopping(rate_theory, 1)
    with pytest.raises(KeyboardInterrupt):
        sweep(fn, net, axes, store=tmp_path, block=3)
    assert calls == [3]
    d = sweep(rate_theory, net, axes, store=tmp_path, chunk=8)  # block from the store
    assert d.equals(ref) and set(d.fields["regime"].ravel()) >= {"quiet", "chaotic"}
    assert json.loads((tmp_path / "manifest.json").read_text())["block"] == 3


def test_bad_block():
    with pytest.raises(ValueError, match="block must be a positive integer"):
        sweep(batch_sum, NET, AXES, block=0)


# ------------------------------------------------------------------------- one sweep per store


_RACE = """
import json, sys, time
sys.path.insert(0, {here!r})
from rnmf.phase import sweep
import test_phase_store as t
start = {start!r}
while time.time() < start:
    time.sleep(0.001)
try:
    d = sweep(t.gauss, t.NET, {{"g": [0.5, 1.0, 1.5, 2.0]}}, seeds=2, store={store!r})
    print(json.dumps({{"seed": d.seed}}))
except Exception as exc:
    print(json.dumps({{"error": type(exc).__name__, "message": str(exc)}}))
"""


def test_two_sweeps_at_once_on_a_new_store(tmp_path):
    """Two seeded sweeps with seed=None start at the same instant on a new store: never
    two successes with different base seeds; the loser says the store is in use."""
    store = tmp_path / "s"
    for _ in range(2):
        start = time.time() + 2.5
        script = textwrap.dedent(_RACE.format(here=HERE, start=start, store=str(store)))
        procs = [
            subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outs = [json.loads(p.communicate(timeout=120)[0].strip().splitlines()[-1]) for p in procs]
        manifest = json.loads((store / "manifest.json").read_text())
        seeds = [o["seed"] for o in outs if "seed" in o]
        assert seeds and all(s == manifest["seed"] for s in seeds), outs
        for o in outs:
            if "error" in o:
                assert o["error"] == "StoreInUseError" and "in use" in o["message"], o
    d = sweep(gauss, NET, {"g": [0.5, 1.0, 1.5, 2.0]}, seeds=2, store=store)
    assert d.seed == manifest["seed"] and d.n_failed == 0


def test_store_in_use_is_a_clear_error(tmp_path):
    held = _Store(tmp_path)
    try:
        with pytest.raises(StoreInUseError, match="in use by another running sweep"):
            sweep(quiet, NET, {"g": [0.5, 1.5]}, store=tmp_path)
    finally:
        held.close()
    d = sweep(quiet, NET, {"g": [0.5, 1.5]}, store=tmp_path)  # released: runs
    assert d.fields["margin"].tolist() == [0.5, -0.5]


def test_manifest_created_by_another_sweep_gives_its_seed(tmp_path):
    """The race is lost between looking and linking: the other sweep's manifest is read
    and its seed adopted (seed=None) or refused (another seed)."""
    from rnmf.phase.store import _manifest

    axes = {"g": np.array([0.5, 1.0])}
    st = _Store(tmp_path)
    try:
        won = _manifest(NET, axes, gauss, 2, 1234)
        assert st._create_manifest(won)
        assert not st._create_manifest(_manifest(NET, axes, gauss, 2, 99))  # exists: lost
        seed = st.bind(lambda s: _manifest(NET, axes, gauss, 2, s), None, True)
        assert seed == 1234
        with pytest.raises(StoreMismatchError, match="seed"):
            st.bind(lambda s: _manifest(NET, axes, gauss, 2, s), 5, False)
    finally:
        st.close()
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]  # no temporary left


# ------------------------------------------------------------------------- bad records


def _complete_store(path: Path) -> PhaseDiagram:
    return sweep(quiet, NET, {"g": [0.5, 1.0, 1.5, 2.0]}, store=path)


def _resume(path: Path, calls: list) -> PhaseDiagram:
    def fn(net):
        calls.append(net.g)
        return quiet(net)

    fn.__qualname__, fn.__module__ = quiet.__qualname__, quiet.__module__
    return sweep(fn, NET, {"g": [0.5, 1.0, 1.5, 2.0]}, store=path)


@pytest.mark.parametrize(
    "record, named",
    [
        ({"i": 57, "s": -1, "ok": True, "m": "", "v": {"margin": 1.0}, "t": 0.0}, "index 57"),
        ({"i": -1, "s": -1, "ok": True, "m": "", "v": {"bogus": 1.0}, "t": 0.0}, "index -1"),
        ({"i": 1, "s": 3, "ok": True, "m": "", "v": {"margin": 1.0}, "t": 0.0}, "seed index 3"),
        ({"i": 1, "s": -1, "ok": "yes", "m": "", "v": {}, "t": 0.0}, "bad ok"),
        (
            {"i": 1, "s": -1, "ok": True, "m": "", "v": {"margin": [1]}, "t": 0.0},
            "value of 'margin' is list",
        ),
    ],
)
def test_out_of_grid_and_malformed_records_are_skipped_with_a_warning(tmp_path, record, named):
    ref = _complete_store(tmp_path)
    log = tmp_path / "points.jsonl"
    lines = log.read_text().splitlines()
    # drop point 1 and add the bad record in its place
    kept = [x for x in lines if json.loads(x)["i"] != 1]
    log.write_text("\n".join([*kept, json.dumps(record)]) + "\n")
    calls: list = []
    with pytest.warns(RuntimeWarning, match=rf"line 4 \({named}"):
        d = _resume(tmp_path, calls)
    assert calls == [1.0] and d.equals(ref)
    assert list(d.fields) == ["margin", "regime"]  # no bogus field


def test_string_value_does_not_turn_a_numeric_field_into_strings(tmp_path):
    ref = _complete_store(tmp_path)
    log = tmp_path / "points.jsonl"
    recs = [json.loads(x) for x in log.read_text().splitlines()]
    recs[2]["v"]["margin"] = "abc"
    log.write_text("".join(json.dumps(r) + "\n" for r in recs))
    calls: list = []
    with pytest.warns(RuntimeWarning, match=r"line 3 \(value 'abc' of field 'margin'"):
        d = _resume(tmp_path, calls)
    assert calls == [recs[2]["i"] * 0.5 + 0.5]
    assert d.fields["margin"].dtype == np.float64 and d.equals(ref)


def test_store_path_that_is_a_file(tmp_path):
    f = tmp_path / "f.txt"
    f.write_text("x")
    with pytest.raises(ValueError, match="is not a directory"):
        sweep(quiet, NET, {"g": [0.5]}, store=f)
    assert f.read_text() == "x"


# ------------------------------------------------------------------------- read-only stores


def _deny_writes(monkeypatch, root: Path) -> None:
    """Make every write under root fail as on a read-only mount (tests run as root)."""
    real_open = os.open
    flags_w = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def fake_open(path, flags, *a, **k):
        if str(path).startswith(str(root)) and flags & flags_w:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *a, **k)

    def fake_truncate(path, n):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "truncate", fake_truncate)


def test_complete_store_in_read_only_directory_is_readable(tmp_path, monkeypatch):
    ref = _complete_store(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    _deny_writes(monkeypatch, tmp_path)
    calls: list = []
    d = _resume(tmp_path, calls)
    assert calls == [] and d.equals(ref)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    # points missing from a read-only store: a clear error, not a traceback from os.open
    monkeypatch.undo()
    log = tmp_path / "points.jsonl"
    log.write_text("".join(log.read_text().splitlines(keepends=True)[:2]))
    _deny_writes(monkeypatch, tmp_path)
    with pytest.raises(ValueError, match="cannot write to the store .* points are missing"):
        _resume(tmp_path, calls)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes into 0o555 dirs"
)
def test_complete_store_chmod_read_only(tmp_path):  # pragma: no cover - not as root
    store = tmp_path / "s"
    ref = _complete_store(store)
    for p in store.iterdir():
        p.chmod(0o444)
    store.chmod(0o555)
    try:
        assert _resume(store, []).equals(ref)
    finally:
        store.chmod(0o755)


# ------------------------------------------------------------------------- orphans


def sleeper(net: RateNetwork) -> dict:
    """Records the worker's pid, then computes for a long time."""
    pid_dir = os.environ["RNMF_TEST_PID_DIR"]
    Path(pid_dir, str(os.getpid())).write_text("")
    time.sleep(60.0)
    return {"v": net.g}


_ORPHAN = """
import sys
sys.path.insert(0, {here!r})
from rnmf.phase import sweep
import test_phase_store as t
sweep(t.sleeper, t.NET, {{"g": [0.5, 1.0, 1.5, 2.0]}}, executor="processes", n_workers=2)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_processes_workers_exit_when_the_sweep_is_killed(tmp_path):
    """kill -9 of a `processes` sweep: its workers are gone within a few seconds
    (before issue 10 they computed on as orphans)."""
    env = dict(os.environ, RNMF_TEST_PID_DIR=str(tmp_path))
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_ORPHAN.format(here=HERE))], env=env
    )
    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline and len(list(tmp_path.iterdir())) < 2:
            time.sleep(0.05)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    workers = [int(p.name) for p in tmp_path.iterdir()]
    assert len(workers) == 2
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.05)
    alive = [w for w in workers if _alive(w)]
    for w in alive:  # clean up before failing
        os.kill(w, signal.SIGKILL)
    assert alive == []


# ------------------------------------------------------------------------- boundaries


def test_boundary_curves_are_kept_in_the_store(tmp_path):
    """A resumed sweep reads its theory boundaries back instead of solving them again."""
    calls = []

    def crit(net):
        calls.append(net.sigma_noise)
        return float(np.sqrt(1.0 + net.sigma_noise**2))

    axes = {"g": [0.5, 1.5], "sigma_noise": [0.0, 0.5, 1.0]}
    fns = {"c": ("g", crit)}
    ref = sweep(quiet, NET, axes, boundary_fns=fns)
    a = sweep(quiet, NET, axes, boundary_fns=fns, store=tmp_path)
    assert len(calls) == 6
    b = sweep(quiet, NET, axes, boundary_fns=fns, store=tmp_path)
    assert len(calls) == 6 and a.equals(ref) and b.equals(ref)
    c = sweep(quiet, NET, axes, boundary_fns={"other": ("g", crit)}, store=tmp_path)
    assert len(calls) == 9 and set(c.curves) == {"other"}  # another curve: computed
