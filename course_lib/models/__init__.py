"""Reference networks, one file per family (``vae``: autoencoders and VAEs)."""
