"""numba kernels: the only place in rnmf that imports numba."""
