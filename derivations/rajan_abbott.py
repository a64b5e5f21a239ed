"""Re-derive the Rajan-Abbott radius of an E/I random matrix and check rnmf.theory.spectra.

Run as ``python derivations/rajan_abbott.py``; exits with status 1 on any mismatch.

Rajan & Abbott (2006, PRL 97:188104): J_ij has variance sigma_E^2/N in a fraction f of the
columns and sigma_I^2/N in the others.  As a block-variance matrix (Aljadeff, Stern & Sharpee
2015) M_cd = alpha_d g_cd^2 with g_cd = sigma_d for both rows c; M is rank one, so its
largest eigenvalue is its trace: r^2 = f sigma_E^2 + (1 - f) sigma_I^2.  Checks: the sympy
eigenvalues, rnmf.theory.spectra (excitatory_inhibitory and block_variances), and sampled
matrices with balanced rows at N = 200, 800 (radius within the O(sqrt(log N / N)) edge).

Radial density.  For a variance profile the fraction of eigenvalues within radius r is
F(r) = 1 - sum_c alpha_c v_c (S w)_c, with v = Tv/((Sw)(Tv) + r^2), w = Sw/((Sw)(Tv) + r^2)
(see rnmf.theory.spectra.block_radial_cdf).  With column variances (g_cd = sigma_d), Sw is a
number B, (Tv)_c = sigma_c^2 A with A = sum_d alpha_d v_d, and both equations reduce to
sum_d alpha_d sigma_d^2 / (u sigma_d^2 + r^2) = 1 in u = AB, with F = 1 - u.  Below: sympy
clears the denominators to the quadratic the API uses, checks the limits (sigma_E = sigma_I:
F = r^2/sigma^2; u = 0 at the radius), and the API's closed form against the general block
iteration.
"""

from __future__ import annotations

import sys

import numpy as np
import sympy as sp

from rnmf.theory import spectra

FAILURES: list[str] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    print(f"[{'ok' if ok else 'FAIL'}] {name} {detail}")
    if not ok:
        FAILURES.append(name)


f, sE, sI = sp.symbols("f sigma_E sigma_I", positive=True)
M = sp.Matrix([[f * sE**2, (1 - f) * sI**2], [f * sE**2, (1 - f) * sI**2]])
ev = [sp.simplify(e) for e in M.eigenvals()]
r2 = f * sE**2 + (1 - f) * sI**2
check("eigenvalues of M are {0, f sE^2 + (1-f) sI^2}", set(ev) == {0, sp.expand(r2)} or
      any(sp.simplify(e - r2) == 0 for e in ev), f"({ev})")  # fmt: skip
radius = sp.lambdify((f, sE, sI), sp.sqrt(r2))

rng = np.random.default_rng(0)
for fv, a, b in ((0.8, 0.5, 1.8), (0.5, 1.0, 1.0), (0.8, 0.2, 2.5)):
    r_api = spectra.excitatory_inhibitory(fv, a, b).radius
    r_blk = spectra.block_variances([fv, 1 - fv], [[a, b], [a, b]]).radius
    r_sym = float(radius(fv, a, b))
    check(f"f={fv}, sE={a}, sI={b}: API = block formula = derivation",
          abs(r_api - r_sym) < 1e-12 and abs(r_blk - r_sym) < 1e-12, f"(r = {r_sym:.6g})")  # fmt: skip
    for N in (200, 800):
        NE = int(fv * N)
        sig = np.r_[np.full(NE, a), np.full(N - NE, b)]
        Z = rng.normal(0, 1 / np.sqrt(N), (N, N)) * sig
        Z -= Z.mean(axis=1, keepdims=True)
        top = np.abs(np.linalg.eigvals(Z)).max()
        tol = 2 * r_sym * np.sqrt(np.log(N) / N)
        check(
            f"    sampled N={N}: spectral radius {top:.4f}",
            abs(top - r_sym) < tol,
            f"(tol {tol:.3f})",
        )

# ---------------------------------------------------------------- radial density
u, r = sp.symbols("u r", positive=True)
lhs = f * sE**2 / (u * sE**2 + r**2) + (1 - f) * sI**2 / (u * sI**2 + r**2) - 1
quad = sp.expand(-sp.numer(sp.together(lhs)))
want = sE**2 * sI**2 * u**2 + (r**2 * (sE**2 + sI**2) - sE**2 * sI**2) * u + r**4 - r**2 * r2
check(
    "column-variance equation -> the API's quadratic in u", sp.simplify(quad - sp.expand(want)) == 0
)
sig = sp.symbols("sigma", positive=True)
eq_equal = sp.simplify(lhs.subs({sE: sig, sI: sig}))
sol = sp.solve(sp.numer(sp.together(eq_equal)), u)
check("equal variances: F = 1 - u = r^2 / sigma^2 (circular law)",
      any(sp.simplify(1 - s_ - r**2 / sig**2) == 0 for s_ in sol), f"({sol})")  # fmt: skip
check("u = 0 solves it at the radius r^2 = f sE^2 + (1-f) sI^2",
      sp.simplify(lhs.subs(u, 0).subs(r, sp.sqrt(r2))) == 0)  # fmt: skip
for fv, a, b in ((0.8, 0.5, 1.8), (0.3, 1.2, 0.4)):
    sp_ = spectra.excitatory_inhibitory(fv, a, b)
    rr = np.linspace(0, sp_.radius, 31)
    closed = sp_.radial_cdf(rr / sp_.radius)
    block = spectra.block_radial_cdf([fv, 1 - fv], [[a, b], [a, b]], rr)
    err = float(np.max(np.abs(closed - block)))
    check(f"f={fv}, sE={a}, sI={b}: closed-form F = block iteration", err < 1e-9, f"({err:.1e})")

if FAILURES:
    print("FAILED:", ", ".join(FAILURES))
    sys.exit(1)
print("all checks passed")
