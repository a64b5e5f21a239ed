"""Slow NumPy twin of :mod:`rnmf.sim._kernels.intensity` (test oracle only).

Same algorithm and the same random numbers in the same order, written plainly: the next
event is found with ``argmin`` over all candidate times instead of a heap, the
SplitMix64 stream uses Python integers.  Tests check that kernel and reference produce
the same spikes, event by event.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["SplitMix64", "reference_run"]

_MASK = (1 << 64) - 1


class SplitMix64:
    """SplitMix64 (Steele, Lea & Flood 2014) with Python integers."""

    def __init__(self, state: int) -> None:
        self.state = int(state) & _MASK

    def uniform(self) -> float:
        self.state = (self.state + 0x9E3779B97F4A7C15) & _MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        z = z ^ (z >> 31)
        return float(z >> 11) * (1.0 / 9007199254740992.0)


def reference_run(net, X0: np.ndarray, seed_state: int, T: float) -> tuple[list, np.ndarray]:
    """Simulate up to ``T``; return the spikes ``[(t, neuron, replica), ...]`` and final X.

    ``net`` is the kernel's ``Net`` tuple (built by :func:`rnmf.sim.intensity.build_net`).
    """
    N = net.b.size
    M = net.M
    rng = SplitMix64(seed_state)
    X = np.array(X0, dtype=float).ravel().copy()
    NM = X.size
    t0 = np.zeros(NM)
    cand = np.full(NM, np.inf)
    bound = np.zeros(NM)

    def phi(x: float) -> float:
        if net.kind == 0:
            return max(x, 0.0)
        if net.kind == 1:
            return net.lam0 * math.exp(min(x, 700.0))
        tx, ty = net.table_x, net.table_y
        if x <= tx[0]:
            return float(ty[0])
        if x >= tx[-1]:
            return float(ty[-1])
        f = (x - tx[0]) / (tx[1] - tx[0])
        j = min(int(f), tx.size - 2)
        a = f - j
        return float(ty[j] * (1.0 - a) + ty[j + 1] * a)

    def advance(k: int, i: int, t: float) -> None:
        dt = t - t0[k]
        if dt > 0.0 and net.inv_tau[i] > 0.0:
            X[k] = net.b[i] + (X[k] - net.b[i]) * math.exp(-dt * net.inv_tau[i])
        t0[k] = t

    def redraw(k: int, i: int, t: float) -> float:
        bound[k] = max(phi(X[k]), net.phi_b[i])
        tot = bound[k] + net.ext_rate[i]
        return t - math.log(1.0 - rng.uniform()) / tot if tot > 0.0 else math.inf

    for k in range(NM):
        cand[k] = redraw(k, k % N, 0.0)
    spikes = []
    while True:
        k = int(np.argmin(cand))
        t = float(cand[k])
        if t > T:
            break
        i, m = k % N, k // N
        advance(k, i, t)
        u = rng.uniform() * (bound[k] + net.ext_rate[i])
        if u < net.ext_rate[i]:
            X[k] += net.ext_weight[i]
        elif u - net.ext_rate[i] < phi(X[k]):
            spikes.append((t, i, m))
            if net.reset:
                X[k] = net.r[i]
            for s in range(net.offsets[i], net.offsets[i + 1]):
                j = int(net.targets[s])
                mm = (m + 1 + int(rng.uniform() * (M - 1))) % M if M > 1 else m
                q = mm * N + j
                advance(q, j, t)
                X[q] += net.weights[s]
                bnd = max(phi(X[q]), net.phi_b[j])
                if bnd > bound[q]:  # excess-rate stream superposed (see the kernel notes)
                    extra = t - math.log(1.0 - rng.uniform()) / (bnd - bound[q])
                    bound[q] = bnd
                    cand[q] = min(cand[q], extra)
        cand[k] = redraw(k, i, t)
    return spikes, X
