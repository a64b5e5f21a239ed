"""Batched damped Newton search for the fixed points of many-population rate maps.

Works in log-rates ``z = log nu`` on ``G(z) = log Phi(e^z) - z`` over the ``Q`` groups of
populations with identical inputs (see :func:`rnmf.theory.lif.stationary_rates`, whose
docstring explains the method and its guarantees).  Every start advances in the same
NumPy call: one evaluation of the Siegert formula and its analytic derivatives per
iteration for all starts, one batched linear solve.
"""

from __future__ import annotations

import numpy as np

from .inputs import _net_arrays, _neuron, _tau_scale
from .neuron import _rate_and_derivatives, _siegert_and_derivatives

#: iterations over which an exploring Newton start must make progress
_STALL = 10

#: rate (Hz) of the low-rate start of the Newton search in every population
_LOW_START = 0.1


def _halton(n: int, d: int) -> np.ndarray:
    """First ``n`` points of the Halton sequence in [0, 1)^d (low-discrepancy starts)."""
    primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71]
    out = np.empty((n, d))
    for j in range(d):
        base = primes[j % len(primes)] if j < len(primes) else primes[j % len(primes)] + 2 * j
        for i in range(n):
            f, r, k = 1.0, 0.0, i + 1
            while k > 0:
                f /= base
                r += f * (k % base)
                k //= base
            out[i, j] = r
    return out


class _Ctx:
    """Arrays of one network for the rate map, computed once per solve."""

    def __init__(self, net, synapse, groups):
        self.KJ, self.KJ2, self.ext, self.ext2, self.mu_ext = _net_arrays(net)
        self.scale = np.broadcast_to(np.asarray(_tau_scale(net), dtype=float), (net.P,)).copy()
        self.nb = _neuron(net)
        self.synapse = synapse
        self.taylor = synapse == "taylor" and bool(np.any(np.asarray(self.nb["tau_s"]) > 0))
        self.reps = [g[0] for g in groups]
        self.E = np.zeros((net.P, len(groups)))  # population x group membership
        for q, g in enumerate(groups):
            self.E[g, q] = 1.0
        self.eye = np.eye(len(groups))


def _log_map(ctx, z, z_lo, z_hi):
    """``G(z) = log Phi(e^z) - z`` and ``dG/dz`` on the Q groups, batched over rows of z.

    Returns (G (n, Q), dG (n, Q, Q), ok (n,)); ``ok`` is False where G or dG is not
    finite (the Taylor rate, which can turn negative, is floored at 1e-300 Hz)."""
    nu_q = np.exp(np.clip(z, z_lo, z_hi))
    full = nu_q @ ctx.E.T
    mu = ctx.scale * (full @ ctx.KJ.T + ctx.ext) + ctx.mu_ext
    var = ctx.scale * (full @ ctx.KJ2.T + ctx.ext2)
    sigma = np.sqrt(np.maximum(var, 0.0))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        if ctx.taylor:
            phi, dmu, dsig = _rate_and_derivatives(mu, sigma, "taylor", **ctx.nb)
            log_phi = np.log(np.maximum(phi, 1e-300))
            dmu, dsig = dmu / phi, dsig / phi  # derivatives of log Phi
        else:
            log_phi, phi, dmu, dsig = _siegert_and_derivatives(mu, sigma, **ctx.nb, return_log=True)
        r = ctx.reps
        s_r = sigma[..., r, None]
        dsig_dnu = np.where(s_r > 0, ctx.scale[r, None] * ctx.KJ2[r] / (2.0 * s_r), 0.0)
        Jr = dmu[..., r, None] * ctx.scale[r, None] * ctx.KJ[r] + dsig[..., r, None] * dsig_dnu
        dG = (Jr @ ctx.E) * nu_q[..., None, :] - ctx.eye
    G = log_phi[..., r] - z
    ok = np.all(np.isfinite(G), axis=-1) & np.all(np.isfinite(dG), axis=(-2, -1))
    return np.where(ok[..., None], G, np.inf), dG, ok


def _damped_newton(ctx, z0, z_lo, z_hi, gtol, max_iter=150, known=None, n_half=7):
    """Batched damped Newton on ``G(z) = 0`` from every row of ``z0`` (log-rates).

    Each iteration solves ``dG dz = -G`` for all starts at once, limits ``|dz| <= 3``
    (a factor 20 in rate) and halves the step until the merit ``|G|^2`` decreases
    (Armijo, 7 halvings).  Where no halving does (far from
    a root, near a minimum of ``|G|`` that is not a root) the start takes a damped
    fixed-point step ``z <- z + clip(G / 2, -3, 3)`` (``nu <- sqrt(nu Phi(nu))``)
    instead, which moves it towards a stable state."""
    z = np.array(z0, dtype=float)
    tol_c = max(gtol, 64 * np.finfo(float).eps)

    def conv_now(G, ok, merit):
        return ok & np.isfinite(merit) & (np.max(np.abs(G), axis=-1) <= tol_c)

    G, dG, ok = _log_map(ctx, z, z_lo, z_hi)
    n_eval = len(z)
    merit = np.where(ok, np.sum(G * G, axis=-1), np.inf)
    active = ok & (np.max(np.abs(G), axis=-1) > gtol)
    history = []
    for it in range(max_iter):
        if not np.any(active):
            break
        history.append(merit.copy())
        if known is not None and it >= _STALL:
            # an exploring start whose merit has not dropped by 10 % in _STALL iterations
            # wanders (a minimum of |G| that is not a root, a slow relaxation): stop it
            active &= merit < 0.9 * history[it - _STALL]
            if not np.any(active):
                break
        idx = np.nonzero(active)[0]
        Gi = G[idx]
        try:
            step = np.linalg.solve(dG[idx], -Gi[..., None])[..., 0]
        except np.linalg.LinAlgError:
            step = np.stack([np.linalg.lstsq(dG[i], -G[i], rcond=None)[0] for i in idx])
        relax = np.clip(0.5 * Gi, -3.0, 3.0)  # damped fixed-point step in log-rates
        bad = ~np.all(np.isfinite(step), axis=-1)
        step[bad] = relax[bad]
        big = np.max(np.abs(step), axis=-1)
        step *= np.minimum(1.0, 3.0 / np.maximum(big, 1e-300))[:, None]
        alpha = np.ones(idx.size)
        accepted = np.zeros(idx.size, dtype=bool)
        for _half in range(n_half + 1):
            todo = np.nonzero(~accepted)[0]
            if todo.size == 0:
                break
            last = _half == n_half
            trial = z[idx[todo]] + (relax[todo] if last else alpha[todo, None] * step[todo])
            trial = np.clip(trial, z_lo, z_hi)
            g_t, dg_t, ok_t = _log_map(ctx, trial, z_lo, z_hi)
            n_eval += todo.size
            m_t = np.where(ok_t, np.sum(g_t * g_t, axis=-1), np.inf)
            better = ok_t & (
                (m_t <= (1.0 - 1e-4 * alpha[todo]) * merit[idx[todo]]) | (last & np.isfinite(m_t))
            )
            sel = todo[better]
            rows = idx[sel]
            z[rows], G[rows], dG[rows], merit[rows] = (
                trial[better],
                g_t[better],
                dg_t[better],
                m_t[better],
            )
            accepted[sel] = True
            alpha[todo] *= 0.5
        done = np.max(np.abs(G[idx]), axis=-1) <= gtol
        active[idx[done | ~accepted]] = False
        if known is not None:
            # a start that has come within 0.3 (log-rate) of a root found already lies
            # in its basin: stop it (its Newton steps would only converge there)
            found = np.concatenate([known, z[conv_now(G, ok, merit)]])
            if found.size:
                near = np.min(np.max(np.abs(z[:, None, :] - found[None, :, :]), axis=-1), axis=1)
                active &= ~((near < 0.3) & (np.max(np.abs(G), axis=-1) > gtol))
    return z, conv_now(G, ok, merit), n_eval


def _search(ctx, first, rest, z_lo, z_hi, gtol):
    """Damped Newton from the ``first`` starts, then from the ``rest``, which stop as soon
    as they come within 0.3 (log-rate) of a root found already or stall."""
    z1, ok1, n1 = _damped_newton(ctx, first, z_lo, z_hi, gtol)
    if not len(rest):
        return z1, ok1, n1
    z2, ok2, n2 = _damped_newton(ctx, rest, z_lo, z_hi, gtol, max_iter=40, known=z1[ok1], n_half=3)
    return np.concatenate([z1, z2]), np.concatenate([ok1, ok2]), n1 + n2
