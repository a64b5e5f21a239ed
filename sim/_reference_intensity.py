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

    def next64(self) -> int:
        """The next 64-bit output."""
        self.state = (self.state + 0x9E3779B97F4A7C15) & _MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def uniform(self) -> float:
        """The next output as a double in [0, 1)."""
        return float(self.next64() >> 11) * (1.0 / 9007199254740992.0)

    def exponential(self, zk: np.ndarray, zw: np.ndarray, zf: np.ndarray) -> float:
        """Exp(1) by the 256-layer ziggurat (Marsaglia & Tsang 2000, J. Stat. Softw. 5(8),
        Sec. 3) with the tables of :func:`rnmf.sim.intensity._ziggurat`, consuming the
        stream exactly as the kernel's ``_exp1`` does."""
        while True:
            z = self.next64()
            i, j = z & 255, z >> 11
            x = float(j) * float(zw[i])
            if j < int(zk[i]):
                return x
            if i == 0:  # tail beyond r
                return float(zw[1]) * 9007199254740992.0 - math.log(1.0 - self.uniform())
            y = float(zf[i]) + self.uniform() * (float(zf[i + 1]) - float(zf[i]))
            if y < math.exp(-x):
                return x


def reference_run(net, X0: np.ndarray, seed_state: int, T: float) -> tuple[list, np.ndarray]:
    """Simulate up to ``T``; return the spikes ``[(t, neuron, replica), ...]`` and X(T).

    ``net`` is the kernel's ``Net`` tuple (built by :func:`rnmf.sim.intensity.build_net`).
    """
    N = net.b.size
    M = net.M
    rng = SplitMix64(seed_state)
    # Y = (X - b) exp((t0 - te) / tau): X(t) = b + Y exp(-(t - te) / tau) until the next
    # jump, the epoch te moved to the event time once (t - te) / tau exceeds 600
    X = np.array(X0, dtype=float).ravel().copy()
    NM = X.size
    bb = np.tile(net.b, M)
    Y = X - bb
    te = 0.0
    itmax = float(np.max(net.inv_tau))
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

    def decay(i: int, t: float) -> float:
        return math.exp(-(t - te) * net.inv_tau[i])

    def redraw(k: int, i: int, t: float) -> float:
        bound[k] = max(phi(net.b[i] + Y[k] * decay(i, t)), net.phi_b[i])
        tot = bound[k] + net.ext_rate[i]
        return t + rng.exponential(net.zk, net.zw, net.zf) / tot if tot > 0.0 else math.inf

    for k in range(NM):
        cand[k] = redraw(k, k % N, 0.0)
    spikes = []
    while True:
        k = int(np.argmin(cand))
        t = float(cand[k])
        if t > T:
            break
        if (t - te) * itmax > 600.0:
            Y *= np.tile([math.exp(-(t - te) * it) for it in net.inv_tau], M)
            te = t
        i, m = k % N, k // N
        E = decay(i, t)
        u = rng.uniform() * (bound[k] + net.ext_rate[i])
        if u < net.ext_rate[i]:
            Y[k] += net.ext_weight[i] * (1.0 / E)
        elif u - net.ext_rate[i] < phi(net.b[i] + Y[k] * E):
            spikes.append((t, i, m))
            if net.reset:
                Y[k] = (net.r[i] - net.b[i]) * (1.0 / E)
            for s in range(net.offsets[i], net.offsets[i + 1]):
                j = int(net.targets[s])
                mm = (m + 1 + int(rng.uniform() * (M - 1))) % M if M > 1 else m
                q = mm * N + j
                Ej = decay(j, t)
                Y[q] += net.weights[s] * (1.0 / Ej)
                bnd = max(phi(net.b[j] + Y[q] * Ej), net.phi_b[j])
                if bnd > bound[q]:  # excess-rate stream superposed (see the kernel notes)
                    extra = t + rng.exponential(net.zk, net.zw, net.zf) / (bnd - bound[q])
                    bound[q] = bnd
                    cand[q] = min(cand[q], extra)
        cand[k] = redraw(k, i, t)
    return spikes, bb + Y * np.exp(-(T - te) * np.tile(net.inv_tau, M))
