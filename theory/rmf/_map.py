"""The class transfer map of :func:`rnmf.theory.rmf.solve` with its cache, Newton on
``beta = F(beta)`` and the one-dimensional scan and bracketing (Baccelli & Taillefumier
2019, SIAM J. Appl. Dyn. Syst. 18:1756, eq. (4.2))."""

from __future__ import annotations

import numpy as np

from ._inputs import Reduced
from .transfer import intensity_functions, neuron_rate


class _Map:
    """Evaluate the class transfer functions (and stream gradients) with a cache."""

    def __init__(self, red: Reduced, limit: str, method: str, tol: float) -> None:
        self.red = red
        self.limit, self.method, self.tol = limit, method, tol
        self.phi, self.dphi = intensity_functions(red.net)
        self.kind = red.net.phi_kind
        self.n_eval = 0
        self.methods: set[str] = set()
        self._cache: dict = {}

    def unit(self, c: int, beta: np.ndarray, tol: float | None = None, fast: bool = False):
        u = self.red.units[c]
        return self.at(c, np.maximum(u.lam(beta), 0.0), tol, fast)

    def at(self, c: int, lam: np.ndarray, tol: float | None = None, fast: bool = False):
        """Transfer function of class ``c`` at input-stream rates ``lam`` (cached)."""
        u = self.red.units[c]
        tol = self.tol if tol is None else tol
        key = (c, lam.tobytes(), tol, fast)
        if key in self._cache:
            return self._cache[key]
        self.n_eval += 1
        nr = neuron_rate(
            u.b, u.tau, u.r, lam, u.w, self.phi, kind=self.kind, reset=self.red.net.reset,
            limit=self.limit, method=self.method, tol=tol, dphi=self.dphi, fast=fast,
        )  # fmt: skip
        self.methods.add(nr.method)
        if len(self._cache) > 65536:
            self._cache.clear()
        self._cache[key] = nr
        return nr

    def block(self, comp: np.ndarray, beta: np.ndarray, tol: float | None = None):
        F = np.zeros(comp.size)
        J = np.zeros((comp.size, comp.size))
        E = np.zeros(comp.size)
        for a, c in enumerate(comp):
            fast = isinstance(tol, str)
            nr = self.unit(int(c), beta, None if fast else tol, fast=fast)
            F[a] = nr.beta
            J[a] = (nr.grad @ self.red.units[c].C)[comp] if nr.grad.size else 0.0
            E[a] = nr.error
        return F, J, E


def _newton(m: _Map, comp, beta, tol, *, max_iter=60, tol_map=None):
    """Newton on x - F(x) for the classes ``comp`` (others fixed); returns (x, ok, res, err)."""
    b = beta.copy()
    x = b[comp].copy()
    for _ in range(max_iter):
        b[comp] = x
        F, J, E = m.block(comp, b, tol_map)
        g = x - F
        res = float(np.max(np.abs(g)))
        if res <= 2.0 * float(np.max(E, initial=0.0)) + tol * max(1.0, float(np.max(x))):
            return x, True, res, E, J
        A = np.eye(comp.size) - J
        try:
            dx = np.linalg.solve(A, g)
        except np.linalg.LinAlgError:
            dx = g
        step = 1.0
        for _ls in range(30):
            xn = np.maximum(x - step * dx, 0.0)
            b[comp] = xn
            Fn, _, _ = m.block(comp, b, tol_map)
            if float(np.max(np.abs(xn - Fn))) < (1.0 - 1e-4 * step) * res or step < 1e-6:
                break
            step *= 0.5
        x = xn
    b[comp] = x
    F, J, E = m.block(comp, b, tol_map)
    res = float(np.max(np.abs(x - F)))
    return x, False, res, E, J


def _scan(m: _Map, c: int, beta: np.ndarray, B: float, n_scan: int, tol: float):
    """Roots of F_c(x) - x on [0, B] for one self-coupled class (others fixed)."""
    xs = np.unique(np.concatenate([[0.0], np.linspace(0, B, n_scan // 2 + 1)[1:],
                                   B * np.logspace(-6, 0, n_scan // 2)]))  # fmt: skip
    b = beta.copy()
    g = np.empty(xs.size)
    for k, x in enumerate(xs):
        b[c] = x
        g[k] = m.unit(c, b, fast=True).beta - x
    roots = []
    if g[0] == 0.0:
        roots.append(0.0)
    sign = np.sign(g)
    near = []
    for k in range(xs.size - 1):
        if sign[k] * sign[k + 1] < 0:
            roots.append(_bracket_newton(m, c, b, xs[k], xs[k + 1], g[k], g[k + 1], tol))
        elif (
            0 < k < xs.size - 1
            and sign[k - 1] == sign[k] == sign[k + 1] != 0
            and abs(g[k]) < min(abs(g[k - 1]), abs(g[k + 1]))
            and abs(g[k]) < 0.02 * float(np.max(np.abs(g)))
        ):
            near.append(xs[k])  # |g| dips towards 0 without crossing: possible tangency
    return roots, near, g[-1] > 0


def _bracket_newton(m: _Map, c, b, lo, hi, glo, ghi, tol):
    """Root of F_c(x) - x in [lo, hi]: Illinois on the fast map, then safeguarded
    Newton (bisection fallback) on the accurate one."""
    a, fa, z, fz = lo, glo, hi, ghi
    side = 0
    for _ in range(40):  # Illinois (regula falsi) on the scan's map
        x = (a * fz - z * fa) / (fz - fa)
        b[c] = x
        fx = m.unit(c, b, fast=True).beta - x
        if abs(z - a) <= 1e-4 * max(abs(x), 1e-12) or fx == 0.0:
            break
        if np.sign(fx) == np.sign(fz):
            z, fz = x, fx
            if side == -1:
                fa *= 0.5
            side = -1
        else:
            a, fa = x, fx
            if side == 1:
                fz *= 0.5
            side = 1
    x = (a * fz - z * fa) / (fz - fa) if fz != fa else 0.5 * (a + z)
    for _ in range(100):
        b[c] = x
        nr = m.unit(c, b)
        g = nr.beta - x
        if abs(g) <= 10.0 * nr.error + 1e-13 * max(1.0, x):
            return x
        if np.sign(g) == np.sign(glo):
            lo, glo = x, g
        else:
            hi, ghi = x, g
        dg = float(nr.grad @ m.red.units[c].C[:, c]) - 1.0 if nr.grad.size else -1.0
        xn = x - g / dg if dg != 0 else 0.5 * (lo + hi)
        if not lo < xn < hi or hi - lo < 1e-15 * max(1.0, hi):
            xn = 0.5 * (lo + hi)
        if abs(xn - x) <= 1e-14 * max(1.0, x):
            return xn
        x = xn
    return x
