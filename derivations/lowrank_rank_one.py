r"""Re-derive the rank-one mean-field equations with sympy and check rnmf against them.

Mastrogiuseppe & Ostojic 2018 (Neuron 99:609), STAR Methods, stationary mean-field solutions: in the stationary
state of :math:`\dot x = -x + (g\chi + mn^T/N)\phi(x)` the input of unit i is
:math:`x_i = m_i\kappa + \eta_i` with :math:`\eta_i` Gaussian, independent of the
loadings, variance :math:`\Delta_\eta = g^2\langle\phi^2\rangle`, and
:math:`\kappa = \langle n\phi(x)\rangle`.

Steps
-----
1. With :math:`m = M_m + S_m\xi_1`, :math:`n = M_n + S_n(\rho\xi_1 + \sqrt{1-\rho^2}\xi_2)`,
   :math:`\eta = \sqrt{\Delta_\eta}\xi_3` (:math:`\xi` i.i.d. standard normal), sympy
   derives (expanding in the xi and replacing :math:`\xi^k` by the Gaussian moments
   :math:`(k-1)!!` for even k, 0 for odd k) :math:`\mu = E[x]`, :math:`\Delta_0 = \mathrm{Var}[x]` and :math:`c = \mathrm{Cov}(n, x)`.
2. Gaussian integration by parts :math:`E[n\phi(x)] = M_n E[\phi] + c\,E[\phi']` is checked
   symbolically for polynomial phi (degree 1..5).
3. At random parameter points, rnmf.theory.lowrank.solve is evaluated, and the derived
   equations are checked with an independent quadrature (scipy.integrate.quad of the
   conditional expectation :math:`E[n\mid x] = M_n + c(x-\mu)/\Delta_0`, no derivative of phi):
   :math:`|\kappa - E[n\tanh x]|` and :math:`|\Delta_\eta - g^2E[\tanh^2x]|` below 1e-8.

Run as a script; exits with status 1 on any mismatch.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import sympy as sp
from scipy import integrate

from rnmf.models import LowRankNetwork
from rnmf.theory import lowrank

XI = sp.symbols("xi1:4", real=True)


def E(expr: sp.Expr) -> sp.Expr:
    """Expectation over the i.i.d. standard normals XI of a polynomial in them."""
    poly = sp.Poly(sp.expand(expr), *XI)
    total = sp.Integer(0)
    for powers, coeff in poly.terms():
        mom = sp.Integer(1)
        for k in powers:
            mom *= 0 if k % 2 else sp.factorial2(k - 1)
        total += coeff * mom
    return sp.simplify(total)


def derive() -> dict:
    """Symbolic mean, variance and covariance of x = m kappa + eta (step 1)."""
    Mm, Mn, kap = sp.symbols("M_m M_n kappa", real=True)
    Sm, Sn, De = sp.symbols("S_m S_n Delta_eta", positive=True)
    rho = sp.symbols("rho", real=True)
    x1, x2, x3 = XI
    m = Mm + Sm * x1
    n = Mn + Sn * (rho * x1 + sp.sqrt(1 - rho**2) * x2)
    x = m * kap + sp.sqrt(De) * x3
    mu = E(x)
    var = sp.simplify(E(x**2) - mu**2)
    cov = sp.simplify(E(n * x) - E(n) * mu)
    return {
        "symbols": (Mm, Mn, Sm, Sn, rho, kap, De),
        "mu": mu,
        "Delta0": var,
        "cov_nx": cov,
        "n": n,
        "x": x,
    }


def check_symbolic(d: dict) -> list[str]:
    """Steps 1-2: compare with the expressions implemented in rnmf.theory.lowrank."""
    Mm, Mn, Sm, Sn, rho, kap, De = d["symbols"]
    errors = []
    for name, got, want in (
        ("mu", d["mu"], Mm * kap),
        ("Delta0", d["Delta0"], Sm**2 * kap**2 + De),
        ("Cov(n, x)", d["cov_nx"], rho * Sm * Sn * kap),
    ):
        if sp.simplify(got - want) != 0:
            errors.append(f"{name}: derived {got}, code uses {want}")
    # Stein: E[n phi(x)] = M_n E[phi(x)] + Cov(n, x) E[phi'(x)] for polynomial phi
    xs = sp.symbols("x_s")
    for deg in range(1, 6):
        phi = xs**deg + sp.Rational(1, 3) * xs ** max(deg - 2, 0)
        lhs = E(d["n"] * phi.subs(xs, d["x"]))
        rhs = Mn * E(phi.subs(xs, d["x"])) + d["cov_nx"] * E(sp.diff(phi, xs).subs(xs, d["x"]))
        if sp.simplify(sp.expand(lhs - rhs)) != 0:
            errors.append(f"Stein identity fails for phi = {phi}")
    return errors


def _gauss(f, mu: float, D: float) -> float:
    if D == 0:
        return float(f(mu))
    s = math.sqrt(D)
    dens = lambda z: math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)  # noqa: E731
    return sum(
        integrate.quad(
            lambda z: f(mu + s * z) * dens(z), a, b, epsabs=1e-14, epsrel=1e-13, limit=200
        )[0]
        for a, b in ((-np.inf, -4), (-4, 0), (0, 4), (4, np.inf))
    )


def check_numeric(d: dict, n_points: int = 6, seed: int = 7) -> list[str]:
    """Step 3: rnmf's solutions satisfy the derived equations (independent quadrature)."""
    Mm, Mn, Sm, Sn, rho, kap, De = d["symbols"]
    args = (Mm, Mn, Sm, Sn, rho, kap, De)
    f_mu = sp.lambdify(args, d["mu"])
    f_var = sp.lambdify(args, d["Delta0"])
    f_cov = sp.lambdify(args, d["cov_nx"])
    rng = np.random.default_rng(seed)
    errors = []
    checked = 0
    while checked < n_points:
        p = dict(
            M_m=rng.uniform(-2, 2),
            M_n=rng.uniform(-3, 3),
            S_m=rng.uniform(0.1, 1.5),
            S_n=rng.uniform(0.0, 1.5),
            rho=rng.uniform(-0.9, 0.9),
            g=rng.uniform(0.0, 1.2),
        )
        net = LowRankNetwork.rank_one(N=1000, **p)
        res = lowrank.solve(net, chaotic=False)
        for st in res.solutions:
            k, de = float(st.kappa[0]), st.Delta_eta
            vals = (p["M_m"], p["M_n"], p["S_m"], p["S_n"], p["rho"], k, de)
            mu, var, c = f_mu(*vals), f_var(*vals), f_cov(*vals)
            slope = c / var if var > 0 else 0.0
            k_q = _gauss(
                lambda x, a=p["M_n"], b=slope, c0=mu: (a + b * (x - c0)) * math.tanh(x), mu, var
            )
            de_q = p["g"] ** 2 * _gauss(lambda x: math.tanh(x) ** 2, mu, var)
            for name, a, b in (
                ("kappa", k, k_q),
                ("Delta_eta", de, de_q),
                ("mu", st.mu, mu),
                ("Delta0", st.Delta0, var),
            ):
                if abs(a - b) > 1e-8 * (1 + abs(b)):
                    errors.append(f"{name}: rnmf {a!r} vs derived {b!r} at {p}")
        checked += 1
    return errors


def main() -> int:
    d = derive()
    errors = check_symbolic(d) + check_numeric(d)
    if errors:
        print("MISMATCH:\n  " + "\n  ".join(errors))
        return 1
    print("rank-one mean-field equations: sympy derivation agrees with rnmf.theory.lowrank")
    return 0


if __name__ == "__main__":
    sys.exit(main())
