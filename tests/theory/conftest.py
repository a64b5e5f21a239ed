"""Shared test networks of the theory tests."""

from __future__ import annotations

import pytest

from rnmf import LIFNetwork


def _two_pop(**kw) -> LIFNetwork:
    args = dict(
        N=(4000, 1000),
        K=[[400, 100], [400, 100]],
        J=[[0.1, -0.5], [0.1, -0.5]],
        tau_m=(20.0, 10.0),
        t_ref=(2.0, 1.0),
        nu_ext=15.0,
        C_ext=(1000, 800),
        J_ext=0.1,
    )
    args.update(kw)
    return LIFNetwork(**args)


@pytest.fixture
def two_pop():
    """Factory of a two-population (E, I) LIF network with different ``tau_m`` and
    ``t_ref``; keyword arguments replace fields."""
    return _two_pop
