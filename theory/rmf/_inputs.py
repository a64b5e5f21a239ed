"""The RMF neuron's inputs, and the reduction of a network to classes of equivalent neurons.

In the replica-mean-field limit every neuron i receives, from each presynaptic neuron j,
an independent Poisson train at the stationary rate ``beta_j`` that makes it jump by
``W[j, i]`` (Baccelli & Taillefumier 2019, SIAM J. Appl. Dyn. Syst. 18:1756, Sec. 3,
the Poisson hypothesis; Davydov 2022, arXiv:2211.11490, Thm. 1).  Inputs with the same
jump size merge into one Poisson stream: neuron i sees K_i streams of rates
``lam = C_i @ beta + ext`` and jumps ``w``.

Neurons with the same parameters and the same multiset of (class, weight) inputs have
the same transfer function; colour refinement (the coarsest equitable partition,
e.g. McKay 1981, Congr. Numer. 30:45) groups them, so the stationary equations of
solutions that are constant on classes live in P <= N dimensions.  Solutions that
break this symmetry are searched in the full space on request.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from rnmf.models import IntensityNetwork

__all__ = ["Reduced", "Unit", "reduce"]


@dataclass(frozen=True)
class Unit:
    """One neuron (or the representative of a class) and its input streams.

    ``lam = C @ beta + ext`` (rates of the K streams, jump ``w[k]`` each); ``beta``
    has one entry per class.
    """

    b: float
    tau: float
    r: float
    w: np.ndarray  # (K,)
    C: np.ndarray  # (K, P)
    ext: np.ndarray  # (K,)

    def lam(self, beta: np.ndarray) -> np.ndarray:
        """Input rates of the K streams at class rates ``beta``."""
        return self.C @ beta + self.ext


@dataclass(frozen=True)
class Reduced:
    """A network as P classes of equivalent neurons."""

    net: IntensityNetwork
    labels: np.ndarray  # (N,) class of each neuron
    units: tuple  # P Units
    sizes: np.ndarray  # (P,) neurons per class

    @property
    def P(self) -> int:
        return len(self.units)

    def expand(self, beta_classes: np.ndarray) -> np.ndarray:
        """Per-neuron rates from per-class rates."""
        return np.asarray(beta_classes, dtype=float)[self.labels]

    def graph(self) -> np.ndarray:
        """Boolean (P, P): ``G[c, d]`` = class c receives input from class d."""
        G = np.zeros((self.P, self.P), dtype=bool)
        for c, u in enumerate(self.units):
            G[c] = np.any(u.C != 0, axis=0)
        return G


def _key(x: float) -> float:
    return float(np.round(x, 12)) if np.isfinite(x) else float(x)


def _partition(net: IntensityNetwork) -> np.ndarray:
    N = net.N
    base = [
        (_key(net.b[i]), _key(net.tau[i]), _key(net.r[i]), _key(net.ext_rate[i]),
         _key(net.ext_weight[i]))
        for i in range(N)
    ]  # fmt: skip
    colour = _relabel(base)
    src = [np.flatnonzero(net.W[:, i]) for i in range(N)]
    while True:
        keys = [
            (colour[i],)
            + tuple(sorted(Counter((colour[j], _key(net.W[j, i])) for j in src[i]).items()))
            for i in range(N)
        ]
        new = _relabel(keys)
        if new.max() == colour.max():
            return new
        colour = new


def _relabel(keys: list) -> np.ndarray:
    seen: dict = {}
    out = np.empty(len(keys), dtype=np.int64)
    for i, k in enumerate(keys):
        out[i] = seen.setdefault(k, len(seen))
    return out


def reduce(net: IntensityNetwork, *, symmetric: bool = True) -> Reduced:
    """Group the neurons of ``net`` into classes (``symmetric=False``: one per neuron).

    For each class the representative's input streams are merged by jump size; the
    external drive is one more stream with a fixed rate.
    """
    labels = _partition(net) if symmetric else np.arange(net.N)
    P = int(labels.max()) + 1
    units = []
    for c in range(P):
        i = int(np.flatnonzero(labels == c)[0])
        streams: dict[float, np.ndarray] = {}
        ext: dict[float, float] = {}
        for j in np.flatnonzero(net.W[:, i]):
            w = float(net.W[j, i])
            row = streams.setdefault(w, np.zeros(P))
            row[labels[j]] += 1.0
        if net.ext_rate[i] > 0 and net.ext_weight[i] != 0:
            w = float(net.ext_weight[i])
            streams.setdefault(w, np.zeros(P))
            ext[w] = ext.get(w, 0.0) + float(net.ext_rate[i])
        ws = np.array(sorted(streams), dtype=float)
        C = np.array([streams[w] for w in ws]).reshape(len(ws), P)
        e = np.array([ext.get(w, 0.0) for w in ws])
        units.append(Unit(float(net.b[i]), float(net.tau[i]), float(net.r[i]), ws, C, e))
    sizes = np.bincount(labels, minlength=P)
    return Reduced(net=net, labels=labels, units=tuple(units), sizes=sizes)
