"""Re-derive the inhibition-stabilisation (ISN) condition and the paradoxical response of a
threshold-linear E-I network and check rnmf.theory.symbolic against them.

Run as ``python derivations/isn.py``; exits with status 1 on any mismatch.

Tsodyks, Skaggs, Sejnowski & McNaughton (1997, J Neurosci 17:4382, Results) and Ozeki et al.
(2009, Neuron 62:578): with both units active, r = W r + I with W = [[w_EE, -w_EI],
[w_IE, -w_II]], so r* = (1 - W)^-1 I and

    dr_I*/dI_I = (1 - w_EE) / det(1 - W),   det(1 - W) = (1 - w_EE)(1 + w_II) + w_EI w_IE.

At a stable fixed point det(1 - W) > 0, so the inhibitory rate falls with its own input
(paradoxical response) exactly when w_EE > 1: the E subnetwork alone is unstable, the network
is inhibition-stabilised.  Checks: the API's closed-form fixed point, its ISN and paradoxical
conditions, and a finite difference of fixed points found numerically at random parameters.
"""

from __future__ import annotations

import sys

import numpy as np
import sympy as sp

from rnmf.models.populations import threshold_linear_ei
from rnmf.theory.symbolic import closed_form, conditions, fixed_points

FAILURES: list[str] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    print(f"[{'ok' if ok else 'FAIL'}] {name} {detail}")
    if not ok:
        FAILURES.append(name)


m = threshold_linear_ei()
S = {str(s): s for s in m.parameter_symbols}
W = sp.Matrix([[S["w_EE"], -S["w_EI"]], [S["w_IE"], -S["w_II"]]])
I = sp.Matrix([S["I_E"], S["I_I"]])
r_hand = (sp.eye(2) - W).inv() * I
d_hand = sp.factor(sp.diff(r_hand[1], S["I_I"]))
print("by hand: r* =", [sp.factor(x) for x in r_hand])
print("         dr_I/dI_I =", d_hand)

cf = closed_form(m)
active = [s for s in cf if all(c.is_Relational and c.rel_op in (">", ">=") for c in s.conditions)]
ok = any(
    all(sp.simplify(s.state[st] - r_hand[k]) == 0 for k, st in enumerate(m.states)) for s in active
)
check("closed-form fixed point (both active) = (1 - W)^-1 I", ok)

conds = conditions(m)
print("API:    ", conds["ISN"])
print("        ", conds["paradoxical"])
both_active = {sp.Symbol("f'_E", real=True): 1, sp.Symbol("f'_I", real=True): 1}
expr = conds["paradoxical"].expr.xreplace(both_active)
check("paradoxical expression = hand derivation (active units)", sp.simplify(expr - d_hand) == 0)
check("ISN = (w_EE - 1)/tau_E (active E unit)",
      sp.simplify(conds["ISN"].expr.xreplace(both_active) - (S["w_EE"] - 1) / S["tau_E"]) == 0)  # fmt: skip

rng = np.random.default_rng(1)
agree = n = 0
for _ in range(40):
    p = dict(w_EE=rng.uniform(0.2, 3), w_EI=rng.uniform(1, 4), w_IE=rng.uniform(1, 4),
             w_II=rng.uniform(0, 2), I_E=rng.uniform(0.5, 2), I_I=rng.uniform(0, 1))  # fmt: skip
    res = fixed_points(m, raise_on_failure=False, **p)
    st = [pt for pt in res.stable if np.all(pt.state > 1e-6)]
    if len(st) != 1:
        continue
    h = 1e-6
    up = fixed_points(m, **{**p, "I_I": p["I_I"] + h}).stable
    dn = fixed_points(m, **{**p, "I_I": p["I_I"] - h}).stable
    if len(up) != 1 or len(dn) != 1:
        continue
    fd = (up[0].state[1] - dn[0].state[1]) / (2 * h)
    sym = float(conds["paradoxical"].function()(st[0].state[:, None], **p)[0])
    n += 1
    agree += abs(fd - sym) < 1e-5 * (1 + abs(sym)) and ((fd < 0) == (p["w_EE"] > 1))
check("finite-difference response = derived response; paradoxical iff w_EE > 1", n >= 10 and agree == n,
      f"({agree}/{n} stable active points)")  # fmt: skip

if FAILURES:
    print("FAILED:", ", ".join(FAILURES))
    sys.exit(1)
print("all checks passed")
