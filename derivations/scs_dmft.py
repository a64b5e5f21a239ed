"""Re-derive the stationary DMFT of random rate networks and check rnmf.theory.dmft against it.

Run as ``python derivations/scs_dmft.py``; exits with status 1 on any mismatch.

1. Energy conservation (Sompolinsky, Crisanti & Sommers 1988, PRL 61:259, eqs. 5-7; noise
   kink after Schuecker, Goedeke & Helias 2018, PRX 8:041029, eq. 7):
   Delta'' = Delta - g^2 C(Delta) - sigma_I^2 = -V'(Delta) with
   V = -Delta^2/2 + g^2 <Phi Phi> + sigma_I^2 Delta, Price's theorem dF/dDelta = C,
   Delta'(0+) = -sigma^2/2, hence sigma^4/8 + V(Delta0) = V(Delta_inf); for phi = x the
   closed form Delta0 = sigma^2 / (2 sqrt(1 - g^2)).
2. The Lyapunov operator (SCS 1988 eq. 9-10): (d_t+1)(d_s+1)G = g^2 q G with
   G = exp(kappa (t+s)) psi(t-s) gives -psi'' - g^2 q psi = -(kappa+1)^2 psi; psi = Delta'
   has E = -1.
3. The discrete map (Molgedey, Schuchhardt & Schuster 1992, PRL 69:3717): the slope of the
   correlation map at Delta = q is chi = g^2 <phi'^2>, lambda_max = ln(chi)/2; the linear map
   has q = sigma^2 / (1 - g^2).

Each symbolic result is then evaluated against the solver (lambdified residuals at the
solver's solutions, closed forms at random parameters).
"""

from __future__ import annotations

import math
import sys

import numpy as np
import sympy as sp

from rnmf.models import RateNetwork
from rnmf.theory.dmft import potential, schroedinger, solve
from rnmf.theory.gaussian import expect

FAILURES: list[str] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    print(f"[{'ok' if ok else 'FAIL'}] {name} {detail}")
    if not ok:
        FAILURES.append(name)


# ------------------------------------------------------------------------------------------
# Gaussian moments of polynomials: x1 = mu + a y1 + b z, x2 = mu + a y2 (+/-) b z
# ------------------------------------------------------------------------------------------
y1, y2, z = sp.symbols("y1 y2 z", real=True)


def gauss_mean(expr: sp.Expr) -> sp.Expr:
    """E over independent standard normals y1, y2, z of a polynomial (E x^k = (k-1)!!)."""
    poly = sp.Poly(sp.expand(expr), y1, y2, z)
    total = 0
    for (i, j, k), c in poly.terms():
        m = 1
        for p in (i, j, k):
            m *= 0 if p % 2 else sp.factorial2(p - 1)
        total += c * m
    return sp.expand(sp.expand(total).subs({A: sp.sqrt(D0 - D), B: sp.sqrt(D)}))


D, D0, mu = sp.symbols("Delta Delta0 mu", real=True)
a1, a3 = sp.symbols("a1 a3", real=True)
x = sp.symbols("x", real=True)
phi = a1 * x + a3 * x**3  # an odd polynomial transfer function with mean input mu
Phi = sp.integrate(phi, (x, 0, x))
dphi = sp.diff(phi, x)
A, B = sp.symbols("A B", positive=True)  # A^2 = Delta0 - Delta, B^2 = Delta
X1 = mu + A * y1 + B * z
X2 = mu + A * y2 + B * z


def two_point(f: sp.Expr, h: sp.Expr) -> sp.Expr:
    return gauss_mean(f.subs(x, X1) * h.subs(x, X2))


F = two_point(Phi, Phi)
C = two_point(phi, phi)
q = two_point(dphi, dphi)
check("Price: dF/dDelta = C_phi", sp.expand(sp.diff(F, D) - C) == 0)
check("Price: dC/dDelta = q", sp.expand(sp.diff(C, D) - q) == 0)
one_point_dphi2 = gauss_mean(dphi.subs(x, mu + B * z) ** 2).subs(D, D0)
check(
    "chi: dC/dDelta at Delta = Delta0 is <phi'^2>",
    sp.expand(sp.diff(C, D).subs(D, D0) - one_point_dphi2) == 0,
)

# ------------------------------------------------------------------------------------------
# 1. energy conservation and the noise kink
# ------------------------------------------------------------------------------------------
g, sI, sig, tau = sp.symbols("g sigma_I sigma tau", positive=True)
Ff = sp.Function("F")  # F(Delta) = <Phi(x1) Phi(x2)>, with F' = C (Price)
Dl = sp.Function("Delta")(tau)
V = lambda u: -(u**2) / 2 + g**2 * Ff(u) + sI**2 * u
u = sp.symbols("u", real=True)
Vprime = sp.diff(V(u), u)
# equation of motion Delta'' = Delta - g^2 C(Delta) - sigma_I^2 with C = F'
eom = Dl - g**2 * sp.diff(Ff(u), u).subs(u, Dl) - sI**2
check("EOM is Newton's law in V", sp.simplify(eom + Vprime.subs(u, Dl)) == 0)
energy = sp.diff(Dl, tau) ** 2 / 2 + V(Dl)
dE = sp.diff(energy, tau).subs(sp.diff(Dl, tau, 2), eom)
check("dE/dtau = 0 along solutions", sp.simplify(dE) == 0)
# kink: integrate (1 - d^2/dtau^2) Delta = ... + sigma^2 delta(tau) over (-eps, eps), Delta even
d0 = sp.symbols("d0", real=True)
kink = sp.solve(sp.Eq(-(d0 - (-d0)), sig**2), d0)[0]
check("noise kink Delta'(0+) = -sigma^2/2", sp.simplify(kink + sig**2 / 2) == 0)
V0, Vinf = sp.symbols("V0 Vinf", real=True)
residual = kink**2 / 2 + V0 - Vinf  # E(0+) = E(infinity) = V(Delta_inf)
check(
    "energy equation sigma^4/8 + V(D0) = V(Dinf)",
    sp.simplify(residual - (sig**4 / 8 + V0 - Vinf)) == 0,
)
res_fn = sp.lambdify((sig, V0, Vinf), residual, "math")

rng = np.random.default_rng(12345)
for _ in range(4):
    gv, sv = float(rng.uniform(1.2, 2.8)), float(rng.choice([0.0, rng.uniform(0.3, 1.5)]))
    net = RateNetwork(N=10, g=gv, sigma_noise=sv)
    r = solve(net, lyapunov=False)
    Vd0 = potential(net, r.Delta0, mu=r.mu, Delta0=r.Delta0)
    Vdi = potential(net, r.Delta_inf, mu=r.mu, Delta0=r.Delta0)
    val = res_fn(sv, Vd0, Vdi)
    check(
        f"energy residual at the solver's solution g={gv:.3f} sigma={sv:.3f}",
        abs(val) < 1e-9 * max(1.0, r.Delta0**2),
        f"({val:.2e})",
    )
    # hilltop: V'(Delta_inf) = 0 (numerical derivative of the potential)
    h = 1e-5 * r.Delta0
    dV = (
        potential(net, r.Delta_inf + h, mu=r.mu, Delta0=r.Delta0)
        - potential(net, max(r.Delta_inf - h, -r.Delta0), mu=r.mu, Delta0=r.Delta0)
    ) / (h + min(h, r.Delta_inf + r.Delta0))
    check(f"hilltop V'(Delta_inf) = 0 g={gv:.3f}", abs(dV) < 1e-6, f"({dV:.2e})")

# linear phi: F = <x1^2 x2^2>/4 at mu = 0, closed form of Delta0 with noise
F_lin = two_point(x**2 / 2, x**2 / 2).subs(mu, 0)
check("linear: F = (D0^2 + 2 Delta^2)/4", sp.expand(F_lin - (D0**2 + 2 * D**2) / 4) == 0)
V_lin = -(D**2) / 2 + g**2 * F_lin
Dinf_lin = sp.solve(sp.diff(V_lin, D), D)
check("linear: hilltop at Delta_inf = 0", Dinf_lin == [0])
eq = sp.Eq(sig**4 / 8 + V_lin.subs(D, D0), V_lin.subs(D, 0))
D0_lin = [s for s in sp.solve(eq, D0) if s.is_positive is not False]
closed = sig**2 / (2 * sp.sqrt(1 - g**2))
check(
    "linear: Delta0 = sigma^2 / (2 sqrt(1 - g^2))",
    any(sp.simplify((s - closed).subs({g: sp.Rational(3, 5)})) == 0 for s in D0_lin),
)
closed_fn = sp.lambdify((g, sig), closed, "math")
for _ in range(3):
    gv, sv = float(rng.uniform(0.0, 0.9)), float(rng.uniform(0.2, 2.0))
    r = solve(RateNetwork(N=10, g=gv, phi="linear", sigma_noise=sv), lyapunov=False)
    want = closed_fn(gv, sv)
    check(
        f"linear closed form vs solver g={gv:.3f} sigma={sv:.3f}",
        abs(r.Delta0 / want - 1) < 1e-9,
        f"({r.Delta0:.12g} vs {want:.12g})",
    )

# ------------------------------------------------------------------------------------------
# 2. Lyapunov operator
# ------------------------------------------------------------------------------------------
t, s_, kappa = sp.symbols("t s kappa", real=True)
psi = sp.Function("psi")
qf = sp.Function("q")
G = sp.exp(kappa * (t + s_)) * psi(t - s_)
lhs = sp.diff(sp.diff(G, s_) + G, t) + sp.diff(G, s_) + G - g**2 * qf(t - s_) * G
rhs = sp.exp(kappa * (t + s_)) * (
    -sp.diff(psi(t - s_), t, 2) + (kappa + 1) ** 2 * psi(t - s_) - g**2 * qf(t - s_) * psi(t - s_)
)
check(
    "(d_t+1)(d_s+1)G - g^2 q G = e^{kappa T} [H psi + (kappa+1)^2 psi]",
    sp.simplify(lhs - rhs) == 0,
)
# translation mode: psi = Delta' solves H psi = -psi
Cf = sp.Function("C")
Dt = sp.Function("Delta")(tau)
eom3 = sp.diff(Dt - g**2 * Cf(Dt) - sI**2, tau)  # Delta''' from the EOM
psi_t = sp.diff(Dt, tau)
Hpsi = -eom3 - g**2 * sp.diff(Cf(u), u).subs(u, Dt) * psi_t  # -psi'' - g^2 q psi, q = C'
check("translation mode: H Delta' = -Delta' (E = -1, lambda = 0)", sp.simplify(Hpsi + psi_t) == 0)
E0 = sp.symbols("E0", negative=True)
lam_expr = sp.solve(sp.Eq(E0, -((kappa + 1) ** 2)), kappa)
check("lambda_max = sqrt(-E0) - 1", any(sp.simplify(k - (sp.sqrt(-E0) - 1)) == 0 for k in lam_expr))

r = solve(RateNetwork(N=10, g=2.0))
spec = schroedinger(r, k=2)
check("numerical E1 = -1 at g = 2", abs(spec.E[1] + 1) < 1e-8, f"({spec.E[1]:.12f})")
check(
    "solver lambda = sqrt(-E0) - 1",
    abs(r.lambda_max - (math.sqrt(-spec.E[0]) - 1)) < 1e-8,
    f"({r.lambda_max:.8f})",
)
for gv in rng.uniform(0.1, 0.95, 3):
    r = solve(RateNetwork(N=10, g=float(gv)))
    check(f"quiet state lambda = g - 1 (g={gv:.3f})", abs(r.lambda_max - (gv - 1)) < 1e-12)

# ------------------------------------------------------------------------------------------
# 3. discrete map
# ------------------------------------------------------------------------------------------
chi_s = sp.symbols("chi", positive=True)
check(
    "lambda = ln sqrt(chi) = ln(chi)/2",
    sp.simplify(sp.log(sp.sqrt(chi_s)) - sp.log(chi_s) / 2) == 0,
)
qs = sp.symbols("q", positive=True)
q_lin = sp.solve(sp.Eq(qs, g**2 * qs + sig**2), qs)[0]
q_lin_fn = sp.lambdify((g, sig), q_lin, "math")
for _ in range(3):
    gv, sv = float(rng.uniform(0.0, 0.9)), float(rng.uniform(0.2, 2.0))
    r = solve(RateNetwork(N=10, g=gv, phi="linear", sigma_noise=sv, time="discrete"))
    check(
        f"linear map q = sigma^2/(1-g^2) g={gv:.3f}",
        abs(r.Delta0 / q_lin_fn(gv, sv) - 1) < 1e-9,
    )
for gv in rng.uniform(1.2, 3.0, 3):
    r = solve(RateNetwork(N=10, g=float(gv), time="discrete"))
    chi_q = gv**2 * expect(
        lambda x: np.cosh(np.clip(x, -150, 150)) ** -4, 0.0, r.Delta0, method="quad"
    )
    q_q = gv**2 * expect(lambda x: np.tanh(x) ** 2, 0.0, r.Delta0, method="quad")
    check(
        f"map: q = g^2<tanh^2>, chi = g^2<sech^4> by quadrature (g={gv:.3f})",
        abs(q_q / r.Delta0 - 1) < 1e-10 and abs(chi_q / r.chi - 1) < 1e-10,
    )
    check(
        f"map: lambda = ln(chi)/2 (g={gv:.3f})",
        abs(r.lambda_max - 0.5 * math.log(r.chi)) < 1e-14,
    )

if FAILURES:
    print(f"{len(FAILURES)} check(s) failed: {FAILURES}")
    sys.exit(1)
print("all checks passed")
