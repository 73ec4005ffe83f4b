"""Reference loss functions: pure functions of tensors, one file per family (``vae``, ``gan``)."""
