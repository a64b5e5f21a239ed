"""rnmf's Loihi 1 preset against lava-nc 0.10's bit-accurate LIF + Dense, bit for bit.

lava-nc needs Python < 3.11 and runs in its own environment: set RNMF_LAVA_PYTHON to
the python of a venv with ``pip install lava-nc`` (see benchmarks/loihi_vs_lava.py).
The test skips, saying why, when that environment is absent.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _lava_python() -> str:
    py = os.environ.get("RNMF_LAVA_PYTHON")
    if not py:
        pytest.skip("lava-nc absent: set RNMF_LAVA_PYTHON to a Python 3.10 venv with lava-nc 0.10")
    ok = subprocess.run([py, "-c", "import lava.proc.lif.models"], capture_output=True)
    if ok.returncode != 0:
        pytest.skip(f"lava-nc cannot be imported by RNMF_LAVA_PYTHON={py}")
    return py


@pytest.mark.slow
def test_loihi_matches_lava_bit_for_bit():
    py = _lava_python()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from loihi_vs_lava import compare
    finally:
        sys.path.pop(0)
    rows = compare(5, 300, seed=7, python=py, n_max=60)
    rows.pop()
    assert all(r["u_equal"] and r["v_equal"] and r["spikes_equal"] for r in rows), rows
    assert sum(r["spikes"] for r in rows) > 0
