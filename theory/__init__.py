"""Theory of recurrent networks: Gaussian expectations, DMFT, ... (``rnmf.theory``)."""
