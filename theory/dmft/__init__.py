"""Dynamic mean-field theory of random rate networks."""
