"""LIF rows of the ``precision`` suite: Siegert at tau_eff under fp16 / bf16 arithmetic.

Oracle: rnmf.theory.lif.siegert (Brunel 2000, eq. 21) at the tau_eff of the rounded
propagator (rnmf.theory.precision.effective_tau); the rows the swamping criterion flags
must be shown to deviate, the others must agree within sem and the float64 run's
diffusion-approximation error.
"""

from __future__ import annotations

from rnmf.validate import precision as P


def test_lif_rows_pass_and_flag_round_to_nearest():
    rows = P._lif_rows(False, 0)
    assert len(rows) == 6
    failed = [r.row() for r in rows if not r.passed]
    assert not failed, failed
    flagged = [r.params.split(" ")[0] for r in rows if "flagged" in r.quantity]
    predicted = [r.params.split(" ")[0] for r in rows if "tau_eff (Hz)" in r.quantity]
    assert flagged == ["fp16", "bf16"]
    assert predicted == ["fp16-sr", "bf16-sr"]
    # bf16 rounds the propagator to 1 - 2^-8: tau_eff = 25.5 ms moves the rate by > 3x
    bf = next(r for r in rows if r.params.startswith("bf16-sr"))
    assert bf.theory > 3 * 7.0
    # storage in bf16 with SR, float32 arithmetic: the storage noise raises the rate by
    # ~15% over Siegert; the prediction with it passes, Siegert alone would not
    st = next(r for r in rows if r.params.startswith("bf16-sr storage"))
    siegert = float(st.params.split("Siegert ")[1].split(" Hz")[0])
    assert st.sim > siegert + st.allowed and st.passed
