"""Stores and npz files written before the package move (issue 9) still resume and load.

Qualified names changed when ``rnmf.problems`` became ``rnmf.phase.problems`` and ``RateNetwork``
moved to ``rnmf.models.rate``; a store or diagram that names the old paths must resume bit for bit,
while a genuinely different sweep is still refused with the store untouched.
"""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from rnmf.models import RateNetwork
from rnmf.phase import StoreMismatchError, sweep
from rnmf.phase.problems.lowrank import RankOneParams, lowrank_theory
from rnmf.phase.problems.rate import rate_theory


def _rename_manifest(store, mapping):
    m = Path(store) / "manifest.json"
    text = m.read_text()
    for new, old in mapping.items():
        text = text.replace(f'"{new}"', f'"{old}"')
    m.write_text(text)


def test_store_with_old_names_resumes(tmp_path):
    net = RateNetwork(N=100, g=1.5)
    axes = {"g": np.linspace(0.5, 2.0, 6)}
    store = tmp_path / "s"
    full = sweep(rate_theory, net, axes, vectorized=True, store=store)
    # forge a store written before the move: old qualified names, key computed from them
    from rnmf.phase.store import _key

    m = json.loads((store / "manifest.json").read_text())
    assert m["fn"] == "rnmf.phase.problems.rate.rate_theory"
    _rename_manifest(
        store,
        {
            "rnmf.phase.problems.rate.rate_theory": "rnmf.problems.rate_theory",
            "rnmf.models.rate.RateNetwork": "rnmf.models.RateNetwork",
        },
    )
    m = json.loads((store / "manifest.json").read_text())
    m["key"] = _key({k: m[k] for k in ("model", "axes", "fn", "seeds", "seed")})
    (store / "manifest.json").write_text(json.dumps(m))
    lines = (store / "points.jsonl").read_text().splitlines()
    (store / "points.jsonl").write_text("\n".join(lines[:3]) + "\n")  # half done
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        resumed = sweep(rate_theory, net, axes, vectorized=True, store=store)
    assert resumed.equals(full)
    assert len((store / "points.jsonl").read_text().splitlines()) == 6
    # a genuinely different sweep is still refused, store untouched
    before = (store / "manifest.json").read_bytes()
    with pytest.raises(StoreMismatchError, match="model field N"):
        sweep(rate_theory, RateNetwork(N=200, g=1.5), axes, vectorized=True, store=store)
    assert (store / "manifest.json").read_bytes() == before


def test_npz_with_old_names_loads(tmp_path):
    from rnmf.phase import PhaseDiagram

    p = RankOneParams()
    d = sweep(lowrank_theory, p, {"g": [0.5, 1.5]}, vectorized=True)
    path = tmp_path / "d.npz"
    d.to_npz(path)
    data = dict(np.load(path))
    meta = str(data["meta"]).replace(
        "rnmf.phase.problems.lowrank.RankOneParams", "rnmf.problems.RankOneParams"
    )
    assert "rnmf.problems.RankOneParams" in meta
    data["meta"] = np.array(meta)
    np.savez_compressed(tmp_path / "old.npz", **data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        back = PhaseDiagram.from_npz(tmp_path / "old.npz")
    assert back.equals(d)
