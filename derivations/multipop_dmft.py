"""Re-derive the multi-population DMFT equations and check rnmf.theory.dmft.populations.

Run as ``python derivations/multipop_dmft.py``; exits with status 1 on any mismatch.

Kadmon & Sompolinsky 2015 (PRX 5:041030, eqs. 3-5 and 11) and Aljadeff, Stern & Sharpee 2015
(PRL 114:088101, eqs. 5-6).  Steps:

1. The field :math:`h_i = \\sum_b\\sum_{j\\in b} J_{ij}\\phi_j`, :math:`J_{ij}\\sim N(J_{0,ab}/N,
   g_{ab}^2/N)`, :math:`N_b = \\alpha_b N`: mean :math:`\\sum_b\\alpha_b J_{0,ab}m_b`, covariance
   :math:`\\sum_b\\alpha_b g_{ab}^2 C_b` (independent couplings) -> ``block_statistics``.
2. Stationarity: :math:`(1+\\partial_t)(1+\\partial_s)f(t-s) = (1 - \\partial_\\tau^2)f(\\tau)`.
3. Linear phi: the fixed point solves :math:`\\mu = \\bar J\\mu + I`,
   :math:`\\Delta = G(\\Delta + \\mu^2) + \\sigma_I^2`; solved symbolically for P = 2 and compared
   with ``solve_populations`` at random parameters.
4. Tangent dynamics at a fixed point: :math:`(1+\\gamma)^2\\psi = M\\psi` gives
   :math:`\\lambda_{max} = \\sqrt{\\rho(M)} - 1`, :math:`\\rho` the largest eigenvalue of
   :math:`M_{ab} = G_{ab}\\langle\\phi_b'^2\\rangle` (symbolic 2 x 2 eigenvalues).
"""

from __future__ import annotations

import sys

import numpy as np
import sympy as sp

from rnmf.models import RatePopulationNetwork
from rnmf.theory.dmft.populations import solve_populations

FAILURES: list[str] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    print(f"[{'ok' if ok else 'FAIL'}] {name} {detail}")
    if not ok:
        FAILURES.append(name)


P = 2
N = sp.Symbol("N", positive=True)
alpha = sp.symbols("alpha0:2", positive=True)
J0 = sp.Matrix(P, P, lambda a, b: sp.Symbol(f"J0_{a}{b}"))
g = sp.Matrix(P, P, lambda a, b: sp.Symbol(f"g_{a}{b}", positive=True))
m = sp.symbols("m0:2")
C = sp.symbols("C0:2")

# 1. mean and variance of the field: N_b terms of mean J0_ab/N m_b, variance g_ab^2/N C_b
mean = [sp.simplify(sum(alpha[b] * N * J0[a, b] / N * m[b] for b in range(P))) for a in range(P)]
var = [sp.simplify(sum(alpha[b] * N * g[a, b] ** 2 / N * C[b] for b in range(P))) for a in range(P)]
rng = np.random.default_rng(1)
for trial in range(3):
    vals = {alpha[0]: 0.7, alpha[1]: 0.3}
    J0n, gn = rng.normal(size=(P, P)), rng.uniform(0.2, 2.0, (P, P))
    vals.update({J0[a, b]: J0n[a, b] for a in range(P) for b in range(P)})
    vals.update({g[a, b]: gn[a, b] for a in range(P) for b in range(P)})
    net = RatePopulationNetwork(N=100, fractions=(0.7, 0.3), g=gn, J0=J0n)
    Jbar, G, centered = net.block_statistics()
    Jsym = np.array(
        [[float(sp.diff(mean[a], m[b]).subs(vals)) for b in range(P)] for a in range(P)]
    )
    Gsym = np.array([[float(sp.diff(var[a], C[b]).subs(vals)) for b in range(P)] for a in range(P)])
    check(
        f"block statistics, trial {trial}",
        np.allclose(Jsym, Jbar, rtol=1e-14) and np.allclose(Gsym, G, rtol=1e-14) and not centered,
    )

# 2. stationarity turns the two-time operator into 1 - d^2/dtau^2
t, s = sp.symbols("t s", real=True)
f = sp.Function("f")
two_time = (f(t - s) + sp.diff(f(t - s), t)) + sp.diff(f(t - s) + sp.diff(f(t - s), t), s)
tau = sp.Symbol("tau")
lhs = sp.simplify(two_time.subs(s, t - tau).doit())
rhs = f(tau) - sp.diff(f(tau), tau, 2)
check("(1 + d_t)(1 + d_s) f(t - s) = (1 - d_tau^2) f", sp.simplify((lhs - rhs).doit()) == 0)

# 3. linear phi: closed-form fixed point
I = sp.Matrix(sp.symbols("I0:2"))
sI2 = sp.Matrix(sp.symbols("sI0:2", positive=True))
Jb = sp.Matrix(P, P, lambda a, b: alpha[b] * J0[a, b])
Gm = sp.Matrix(P, P, lambda a, b: alpha[b] * g[a, b] ** 2)
mu = (sp.eye(P) - Jb).LUsolve(I)
Delta = (sp.eye(P) - Gm).LUsolve(Gm * mu.applyfunc(lambda v: v**2) + sI2)
for trial in range(3):
    gn = rng.uniform(0.1, 0.6, (P, P))
    J0n = rng.normal(scale=0.5, size=(P, P))
    In, sn = rng.normal(size=P), rng.uniform(0.1, 0.5, P)
    vals = {alpha[0]: 0.7, alpha[1]: 0.3}
    vals.update({J0[a, b]: J0n[a, b] for a in range(P) for b in range(P)})
    vals.update({g[a, b]: gn[a, b] for a in range(P) for b in range(P)})
    vals.update({I[a]: In[a] for a in range(P)})
    vals.update({sI2[a]: sn[a] ** 2 for a in range(P)})
    net = RatePopulationNetwork(
        N=100, fractions=(0.7, 0.3), g=gn, J0=J0n, phi="linear", I0=tuple(In), sigma_I=tuple(sn)
    )
    res = solve_populations(net)
    mu_s = np.array([float(v) for v in mu.subs(vals)])
    D_s = np.array([float(v) for v in Delta.subs(vals)])
    err = max(np.max(np.abs(res.mu - mu_s)), np.max(np.abs(res.Delta0 - D_s)))
    check(f"linear phi fixed point, trial {trial}", err < 1e-10, f"(max error {err:.2e})")
    # 4. lambda_max = sqrt(rho(M)) - 1 with M = G (phi' = 1)
    ev = [complex(v) for v in Gm.subs(vals).eigenvals()]
    rho = max(v.real for v in ev)
    check(f"fixed-point Lyapunov exponent, trial {trial}", abs(res.lambda_max - (np.sqrt(rho) - 1)) < 1e-10,
          f"({res.lambda_max:.12f} vs {np.sqrt(rho) - 1:.12f})")  # fmt: skip

if FAILURES:
    print(f"{len(FAILURES)} check(s) failed: {FAILURES}")
    sys.exit(1)
print("all checks passed")
