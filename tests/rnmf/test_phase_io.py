"""PhaseDiagram files and views (issue 10): named arrays in the .npz (old files still
load), ``to_xarray()``, partial diagrams during a sweep, and progress by default."""

from __future__ import annotations

import json
import sys
import time

import numpy as np
import pytest

from rnmf import RateNetwork
from rnmf.phase import PhaseDiagram, sweep
from rnmf.phase import executors as ex
from rnmf.phase._encoding import _encode

NET = RateNetwork(N=50, g=1.0)


def gauss(net: RateNetwork, rng: np.random.Generator) -> dict:
    z = rng.standard_normal()
    return {"x": net.g + z, "sign": "up" if z > 0 else "down"}


def theory(net: RateNetwork) -> dict:
    return {"margin": 1.0 - net.g, "regime": "quiet" if net.g < 1 else "chaotic"}


def _diagram() -> PhaseDiagram:
    return sweep(
        gauss,
        NET,
        {"g": [0.5, 1.5], "sigma_noise": [0.0, 0.5, 1.0]},
        seeds=3,
        seed=4,
        boundary_fns={"chaos: g = 1": ("g", lambda n: 1.0)},
    )


def _write_v1(d: PhaseDiagram, path) -> None:
    """The format-1 writer (before issue 10): positional keys field_0, field_1, ..."""
    meta = {
        "format": "rnmf-phase-diagram",
        "model": _encode(d.model),
        "axes": list(d.axes),
        "fields": list(d.fields),
        "per_seed": list(d.per_seed),
        "sem": list(d.sem),
        "curves": list(d.curves),
        "curve_axes": d.curve_axes,
        "seed": d.seed,
        "wall_time": d.wall_time,
        "executor": d.executor,
        "fn_name": d.fn_name,
    }
    arrays = {"meta": np.array(json.dumps(meta))}
    for prefix, group in (
        ("axis", d.axes),
        ("field", d.fields),
        ("per_seed", d.per_seed),
        ("sem", d.sem),
        ("curve", d.curves),
    ):
        for k, v in enumerate(group.values()):
            arrays[f"{prefix}_{k}"] = v
    arrays.update(status=d.status, messages=d.messages, seeds=d.seeds)
    arrays.update(seed_status=d.seed_status, timings=d.timings)
    np.savez_compressed(path, **arrays)


def test_npz_has_named_arrays_and_round_trips(tmp_path):
    d = _diagram()
    d.to_npz(tmp_path / "d.npz")
    with np.load(tmp_path / "d.npz") as raw:
        names = set(raw.files)
        np.testing.assert_array_equal(raw["field_x"], d.fields["x"])
    assert {"axis_g", "axis_sigma_noise", "field_x", "field_sign", "sem_x"} <= names
    assert {"per_seed_x", "curve_chaos: g = 1"} <= names
    assert not any(k in names for k in ("field_0", "field_1", "axis_0"))
    e = PhaseDiagram.from_npz(tmp_path / "d.npz")
    assert e.equals(d) and e.curve_axes == {"chaos: g = 1": "g"}


def test_old_npz_files_still_load(tmp_path):
    d = _diagram()
    _write_v1(d, tmp_path / "old.npz")
    e = PhaseDiagram.from_npz(tmp_path / "old.npz")
    assert e.equals(d) and list(e.fields) == ["x", "sign"]


def test_npz_from_a_newer_rnmf_is_refused(tmp_path):
    meta = {"format": "rnmf-phase-diagram", "version": 99}
    np.savez(tmp_path / "new.npz", meta=np.array(json.dumps(meta)))
    with pytest.raises(ValueError, match="version 99"):
        PhaseDiagram.from_npz(tmp_path / "new.npz")


def test_to_xarray():
    xr = pytest.importorskip("xarray")
    d = _diagram()
    ds = d.to_xarray()
    assert isinstance(ds, xr.Dataset)
    assert ds["x"].dims == ("g", "sigma_noise") and ds.sizes["seed"] == 3
    np.testing.assert_array_equal(ds["g"].values, d.axes["g"])
    np.testing.assert_array_equal(ds["x"].values, d.fields["x"])
    np.testing.assert_array_equal(ds["x_sem"].values, d.sem["x"])
    np.testing.assert_array_equal(ds["x_per_seed"].values, d.per_seed["x"])
    np.testing.assert_array_equal(ds["seeds"].values, d.seeds)
    assert ds["sign"].values.tolist() == d.fields["sign"].tolist()
    assert ds.attrs["seed"] == 4 and json.loads(ds.attrs["model"]) == _encode(d.model)
    assert json.loads(ds.attrs["curves"])["chaos: g = 1"]["axis"] == "g"
    # label-based selection, the point of xarray
    assert float(ds["x"].sel(g=1.5, sigma_noise=0.5)) == d.fields["x"][1, 1]
    t = sweep(theory, NET, {"g": [0.5, 1.5]}).to_xarray()
    assert "seed" not in t.dims and t["regime"].values.tolist() == ["quiet", "chaotic"]


def test_to_xarray_without_xarray_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "xarray", None)
    with pytest.raises(ImportError, match=r"pip install 'rnmf\[xarray\]'"):
        _diagram().to_xarray()


def test_partial_diagrams_during_a_sweep():
    seen = []
    d = sweep(
        theory, NET, {"g": [0.5, 1.0, 1.5]}, on_update=lambda p: seen.append(p), update_every=0
    )
    assert [p.status.tolist() for p in seen] == [
        ["ok", "pending", "pending"],
        ["ok", "ok", "pending"],
        ["ok", "ok", "ok"],
    ]
    assert np.isnan(seen[0].fields["margin"][1]) and seen[-1].equals(d)
    with pytest.raises(ValueError, match="on_update must be callable"):
        sweep(theory, NET, {"g": [0.5]}, on_update=3)


def slow(net: RateNetwork) -> dict:
    time.sleep(0.05)
    return theory(net)


@pytest.mark.parametrize("tqdm", [True, False])
def test_progress_appears_by_default_only_for_long_sweeps(tqdm, capsys, monkeypatch):
    """progress=None: silent for a short sweep, a bar once the sweep has run for
    _Progress.DELAY seconds (2 s; shortened here); progress=False: never."""
    if not tqdm:
        monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    sweep(theory, NET, {"g": [0.5, 1.5]})
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(ex._Progress, "DELAY", 0.1)
    sweep(slow, NET, {"g": np.linspace(0.5, 1.5, 12)})
    assert "12/12" in capsys.readouterr().err
    sweep(slow, NET, {"g": np.linspace(0.5, 1.5, 12)}, progress=False)
    assert capsys.readouterr().err == ""
    with pytest.raises(ValueError, match="progress must be"):
        sweep(theory, NET, {"g": [0.5]}, progress="yes")
