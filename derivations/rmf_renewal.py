"""Re-derive the renewal form of the replica-mean-field neuron and check rnmf.theory.rmf.

Run as ``python derivations/rmf_renewal.py``; exits with status 1 on any mismatch.

Model (Baccelli & Taillefumier 2019, SIAM J. Appl. Dyn. Syst. 18:1756, Sec. 2-4): linear
intensity phi(x) = x, flow dX/dt = (b - X)/tau, reset to r at a spike, Poisson inputs of
rates lam_k and jumps w_k.  The generator is
L f(x) = (b - x)/tau f'(x) + x [f(r) - f(x)] + sum_k lam_k [f(x + w_k) - f(x)].

1. Survival function from the generator.  u(x, t) = P(no spike in [0, t] | X_0 = x)
   solves the backward equation  du/dt = (b - x)/tau du/dx - x u + sum lam (u(x + w) - u)
   (the spike term is the killing at rate x).  The ansatz u = exp(-A(t) x - B(t)) turns it
   into A' = 1 - A/tau, B' = (b/tau) A + sum lam (1 - e^{-w A}), A(0) = B(0) = 0, so
   A = tau (1 - e^{-t/tau}) and S(t) = u(r, t) = exp(-r A - B) equals
   exp(-b t - (r - b) tau (1 - e^{-t/tau}) - sum lam int_0^t [1 - e^{-w tau (1 - e^{-s/tau})}] ds).
2. The Laplace ODE.  With f(x) = e^{-u x}, E[L f] = 0 and E[X e^{-uX}] = -L'(u) give
   (tau - u) L' + [-u b + tau sum lam (e^{-u w} - 1)] L + tau beta e^{-u r} = 0.
3. Numbers: the renewal rate of the code against quadrature of the sympy-derived S; the
   closed-form input integral G(t) against sympy's numerical integral; the Laplace ODE
   residual at the code's stationary density.
"""

from __future__ import annotations

import sys

import mpmath
import numpy as np
import sympy as sp

from rnmf.theory.rmf.density import density_rate
from rnmf.theory.rmf.renewal import cumulative_input, renewal_rate

FAILURES: list[str] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    print(f"[{'ok' if ok else 'FAIL'}] {name} {detail}")
    if not ok:
        FAILURES.append(name)


x, t, s, u = sp.symbols("x t s u", real=True)
b, r = sp.symbols("b r", real=True)
tau, lam, w, beta = sp.symbols("tau lambda w beta", positive=True)
A = sp.Function("A")(t)
B = sp.Function("B")(t)

# ---------------------------------------------------------------- 1. survival function
ansatz = sp.exp(-A * x - B)
backward = sp.diff(ansatz, t) - (
    (b - x) / tau * sp.diff(ansatz, x) - x * ansatz + lam * (ansatz.subs(x, x + w) - ansatz)
)
coeffs = sp.Poly(sp.expand(sp.simplify(backward / ansatz)), x).all_coeffs()
# coefficient of x: -A' - (-A/tau) ... gives A' = 1 - A/tau ; constant term gives B'
sol_A = sp.dsolve(sp.Eq(coeffs[0], 0), A, ics={A.subs(t, 0): 0})
A_t = sp.simplify(sol_A.rhs)
check("A(t) = tau (1 - e^{-t/tau})", sp.simplify(A_t - tau * (1 - sp.exp(-t / tau))) == 0, str(A_t))
Bprime = sp.solve(sp.Eq(coeffs[1].subs(A, A_t).doit(), 0), sp.diff(B, t))[0]
Bprime_expected = b * A_t / tau + lam * (1 - sp.exp(-w * A_t))
check("B' = (b/tau) A + lam (1 - e^{-w A})", sp.simplify(Bprime - Bprime_expected) == 0)
# S = exp(-r A - B) with B = int_0^t B'
B_det = sp.integrate(b * A_t.subs(t, s) / tau, (s, 0, t))
logS_det = sp.simplify(-r * A_t - B_det)
expected_det = -b * t - (r - b) * tau * (1 - sp.exp(-t / tau))
check("deterministic part of -log S", sp.simplify(logS_det - expected_det) == 0, str(logS_det))

# ---------------------------------------------------------------- 2. Laplace ODE
Lf = sp.Function("L")(u)
f = sp.exp(-u * x)
gen = (b - x) / tau * sp.diff(f, x) + x * (f.subs(x, r) - f) + lam * (f.subs(x, x + w) - f)
# E[gen]: replace e^{-ux} -> L, x e^{-ux} -> -L', E[X] = beta (linear intensity)
expanded = sp.expand(gen)
EX = sp.Symbol("EX")
mean_gen = 0
for term in sp.Add.make_args(expanded):
    c, rest = term.as_independent(x)
    if rest == f:
        mean_gen += c * Lf
    elif sp.simplify(rest - x * f) == 0:
        mean_gen += c * (-sp.diff(Lf, u))
    elif rest == x:
        mean_gen += c * EX
    else:
        raise RuntimeError(f"unexpected term {term}")
mean_gen = mean_gen.subs(EX, beta)
ode = sp.expand(tau * mean_gen)
target = (
    (tau - u) * sp.diff(Lf, u)
    + (-u * b + tau * lam * (sp.exp(-u * w) - 1)) * Lf
    + tau * beta * sp.exp(-u * r)
)
check("Laplace ODE from the generator", sp.simplify(ode - sp.expand(target)) == 0)

# ---------------------------------------------------------------- 3. numbers
S_expr = sp.exp(
    expected_det - lam * sp.Integral(1 - sp.exp(-w * tau * (1 - sp.exp(-s / tau))), (s, 0, t))
)
rng = np.random.default_rng(7)
for k in range(3):
    bv, tv, rv = rng.uniform(0.2, 2.0), rng.uniform(0.3, 2.0), rng.uniform(0.0, 1.0)
    lv, wv = rng.uniform(0.2, 3.0), rng.uniform(0.1, 2.0)
    G = lambda T, wv=wv, tv=tv: mpmath.quad(  # noqa: E731
        lambda q: 1 - mpmath.exp(-wv * tv * (1 - mpmath.exp(-q / tv))), [0, T]
    )
    for T in (0.3, 4.0):
        ok = abs(float(G(T)) - cumulative_input(np.array([T]), wv, tv)[0]) < 1e-12 * max(1, T)
        check(f"G(t) closed form vs quadrature (case {k}, t={T})", ok)
    subs = {b: bv, tau: tv, r: rv, lam: lv, w: wv}
    S_num = sp.lambdify(t, S_expr.subs(subs).doit(), modules="mpmath")
    mpmath.mp.dps = 30
    m1 = float(mpmath.quad(S_num, [0, 1, 5, 20, mpmath.inf]))
    mpmath.mp.dps = 15
    rr = renewal_rate(bv, tv, rv, np.array([lv]), np.array([wv]))
    check(f"1/beta = int S (case {k})", abs(rr.m1 - m1) < 1e-9 * m1, f"{rr.m1:.12g} vs {m1:.12g}")
    # Laplace ODE residual at the stationary density of the code (grid error ~1e-6)
    d = density_rate(
        bv, tv, rv, np.array([lv]), np.array([wv]), lambda v: np.maximum(v, 0.0), tol=1e-8
    )
    v, p = d.grid.v, d.pi
    for uv in (0.3, 0.8):
        L0 = float(p @ np.exp(-uv * v))
        L1 = float(-(p @ (v * np.exp(-uv * v))))
        res = (
            (tv - uv) * L1
            + (-uv * bv + tv * lv * np.expm1(-uv * wv)) * L0
            + tv * d.beta * np.exp(-uv * rv)
        )
        check(
            f"Laplace ODE residual at the density (case {k}, u={uv})", abs(res) < 1e-3, f"{res:.2e}"
        )

if FAILURES:
    print(f"{len(FAILURES)} check(s) failed: {FAILURES}")
    sys.exit(1)
print("all checks passed")
