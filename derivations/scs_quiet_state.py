"""Re-derive the quiet-state stability of a random rate network for a general phi and check
rnmf.theory.symbolic.mean_field_conditions against the numeric DMFT.

Run as ``python derivations/scs_quiet_state.py``; exits with status 1 on any mismatch.

Sompolinsky, Crisanti & Sommers (1988, PRL 61:259): linearising x' = -x + J phi(x) at x = 0
(phi(0) = 0) gives -1 + phi'(0) J; the circular law puts the bulk of phi'(0) J in a disc of
radius g |phi'(0)|, so the quiet state is stable iff g^2 phi'(0)^2 < 1, i.e. g_c = 1/|phi'(0)|.
At a state with statistics (mu, Delta0) the radius is sqrt(chi), chi = g^2 <phi'(mu +
sqrt(Delta0) z)^2> (with noise, the local-stability line chi = 1; Schuecker, Goedeke & Helias
2018).  Checks, for tanh, tanh(2x) and the user function x/sqrt(1 + x^2):
1. the derived g_c against the DMFT: Delta0 = 0 just below g_c and > 0 just above;
2. the derived chi against rnmf.theory.dmft's chi at noise-driven states.
"""

from __future__ import annotations

import sys

import sympy as sp

from rnmf.models import RateNetwork
from rnmf.theory import dmft
from rnmf.theory.symbolic import mean_field_conditions, transfer_from_sympy

FAILURES: list[str] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    print(f"[{'ok' if ok else 'FAIL'}] {name} {detail}")
    if not ok:
        FAILURES.append(name)


x = sp.Symbol("x", real=True)
cases = {"tanh": sp.tanh(x), "tanh(2x)": sp.tanh(2 * x), "x/sqrt(1+x^2)": x / sp.sqrt(1 + x**2)}
for label, phi in cases.items():
    conds = mean_field_conditions(phi)
    g = next(s for s in conds["quiet"].expr.free_symbols if s.name == "g")
    gc = max(float(v) for v in sp.solve(sp.Eq(conds["quiet"].expr, 0), g))
    d0 = float(sp.diff(phi, x).subs(x, 0))
    check(f"{label}: g_c = 1/phi'(0)", abs(gc - 1 / d0) < 1e-12, f"(g_c = {gc:.6g})")
    tr = transfer_from_sympy(phi, name=label)
    below = dmft.solve(RateNetwork(N=100, g=0.98 * gc, phi=tr), lyapunov=False)
    above = dmft.solve(RateNetwork(N=100, g=1.05 * gc, phi=tr), lyapunov=False)
    check(f"{label}: DMFT quiet below g_c, active above", below.Delta0 < 1e-10 < above.Delta0,
          f"(Delta0 = {below.Delta0:.2g}, {above.Delta0:.4g})")  # fmt: skip
    for g_val, sigma in ((0.8 * gc, 0.7), (1.6 * gc, 0.5)):
        r = dmft.solve(RateNetwork(N=100, g=g_val, sigma_noise=sigma, phi=tr), lyapunov=False)
        chi = float(conds["chi"].function(g=g_val, mu=r.mu, Delta0=r.Delta0)) + 1
        check(f"{label}: chi at g={g_val:.3g}, sigma={sigma}", abs(chi - r.chi) < 1e-7 * r.chi,
              f"(derived {chi:.10g}, DMFT {r.chi:.10g})")  # fmt: skip

if FAILURES:
    print("FAILED:", ", ".join(FAILURES))
    sys.exit(1)
print("all checks passed")
