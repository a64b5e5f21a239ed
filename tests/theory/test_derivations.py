"""Run the sympy derivation scripts of the DMFT as subprocesses; each exits non-zero on a
mismatch between the re-derived expressions and rnmf.theory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "script",
    [
        "scs_dmft.py",
        "rmf_renewal.py",
        "wilson_cowan.py",
        "isn.py",
        "scs_quiet_state.py",
        "rajan_abbott.py",
        "multipop_dmft.py",
    ],
)
def test_derivation_script(script):
    """derivations/scs_dmft.py: SCS 1988 energy equation with the noise kink (Schuecker et al.
    2018), the Lyapunov operator (SCS 1988 eq. 9-10), the discrete-map chi (MSS 1992)."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "derivations" / script)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "all checks passed" in proc.stdout
    assert "[FAIL]" not in proc.stdout
