"""Re-derive the Wilson-Cowan stability conditions by hand and check rnmf.theory.symbolic.

Run as ``python derivations/wilson_cowan.py``; exits with status 1 on any mismatch.

Wilson & Cowan (1972, Biophys J 12:1) without the refractory factor:
tau_E r_E' = -r_E + f_E(w_EE r_E - w_EI r_I + I_E), tau_I r_I' = -r_I + f_I(w_IE r_E - w_II r_I + I_I),
f_X logistic with slope a_X and threshold theta_X, so f_X' = a_X f_X (1 - f_X).

1. By hand: at a fixed point f_E = r_E, f_I = r_I, hence the gains are f_E' = a_E r_E (1 - r_E) and
   f_I' = a_I r_I (1 - r_I); the Jacobian A = diag(1/tau) (-1 + W diag-gains) has
   tr A = (w_EE f_E' - 1)/tau_E - (1 + w_II f_I')/tau_I and
   det A = [(1 - w_EE f_E')(1 + w_II f_I') + w_EI w_IE f_E' f_I'] / (tau_E tau_I).
   Saddle-node: det A = 0; Hopf: tr A = 0 with det A > 0 (Kuznetsov 2004, ch. 3).
2. The API's conditions equal these (at fixed points, where the gains take the closed form).
3. At the Hopf and saddle-node points the API locates, the eigenvalues of a finite-difference
   Jacobian are +-i sqrt(det A) and 0.
"""

from __future__ import annotations

import sys

import numpy as np
import sympy as sp

from rnmf.models.populations import wilson_cowan
from rnmf.theory.symbolic import conditions, fixed_points, locate

FAILURES: list[str] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    print(f"[{'ok' if ok else 'FAIL'}] {name} {detail}")
    if not ok:
        FAILURES.append(name)


m = wilson_cowan()
r_E, r_I = sp.symbols("r_E r_I", real=True)
P = {str(s): s for s in m.parameter_symbols}
gE = P["a_E"] * r_E * (1 - r_E)
gI = P["a_I"] * r_I * (1 - r_I)
tr_hand = (P["w_EE"] * gE - 1) / P["tau_E"] - (1 + P["w_II"] * gI) / P["tau_I"]
det_hand = ((1 - P["w_EE"] * gE) * (1 + P["w_II"] * gI) + P["w_EI"] * P["w_IE"] * gE * gI) / (
    P["tau_E"] * P["tau_I"]
)
print("by hand:  tr A =", tr_hand)
print("          det A =", sp.factor(det_hand))

conds = conditions(m)
print("API:     ", conds["saddle-node"])
print("         ", conds["Hopf"])

# 2. compare at fixed points of random parameter sets (gains = closed form there)
rng = np.random.default_rng(0)
fn_sn, fn_hopf = conds["saddle-node"].function(), conds["Hopf"].function()
hand_sn = sp.lambdify([r_E, r_I, *m.parameter_symbols], det_hand, "numpy")
hand_tr = sp.lambdify([r_E, r_I, *m.parameter_symbols], tr_hand, "numpy")
worst = 0.0
for _ in range(20):
    p = dict(m.params, I_E=rng.uniform(-2, 4), I_I=rng.uniform(-6, 2), tau_I=rng.uniform(0.5, 2))
    for pt in fixed_points(m, **{k: p[k] for k in ("I_E", "I_I", "tau_I")}).points:
        s = pt.state[:, None]
        a = float(fn_sn(s, **p)[0]), float(fn_hopf(s, **p)[0])
        b = float(hand_sn(*pt.state, *p.values())), -float(hand_tr(*pt.state, *p.values()))
        worst = max(worst, abs(a[0] - b[0]) / (1 + abs(b[0])), abs(a[1] - b[1]) / (1 + abs(b[1])))
check(
    "API conditions = hand derivation at fixed points", worst < 1e-9, f"(max rel. diff {worst:.1e})"
)


# 3. eigenvalues at the located points
def fd_jac(model, r, h=1e-6):
    f = model.vector_field()
    J = np.empty((2, 2))
    for k in range(2):
        e = np.zeros(2)
        e[k] = h
        J[:, k] = (f(r + e) - f(r - e)) / (2 * h)
    return J


II = np.array([-6.0, 1.0, 2.0])
for name in ("Hopf", "saddle-node"):
    crit = locate(m, name, "I_E", (-4.0, 8.0), {"I_I": II})
    n_ok = n = 0
    for i, row in enumerate(crit):
        for c in row[np.isfinite(row)]:
            mm = m.with_params(I_E=float(c), I_I=float(II[i]))
            evs = [np.linalg.eigvals(fd_jac(mm, pt.state)) for pt in fixed_points(mm).points]
            if name == "Hopf":
                hit = any(abs(e.real).max() < 1e-4 and abs(e.imag).min() > 1e-3 for e in evs)
            else:
                hit = any(np.min(np.abs(e)) < 2e-3 for e in evs)
            n += 1
            n_ok += hit
            print(f"    {name} at I_E = {c:.6f}, I_I = {II[i]:g}: eigenvalues "
                  + "; ".join(", ".join(f"{z:.3g}" for z in e) for e in evs))  # fmt: skip
    check(
        f"{name}: finite-difference eigenvalues at the located points",
        n > 0 and n_ok == n,
        f"({n_ok}/{n})",
    )

if FAILURES:
    print("FAILED:", ", ".join(FAILURES))
    sys.exit(1)
print("all checks passed")
