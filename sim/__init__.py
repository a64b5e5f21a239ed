"""Reference simulator of recurrent networks (``rnmf.sim``)."""
