"""course_lib: the tested package behind the deep generative models course.

Modules
-------
budget    FAST vs full budget (how big, how long), chosen once per process.
device    device choice (CUDA, Apple MPS, CPU) and seeding.
data      MNIST-like data sets held in memory, with an offline fallback.
plotting  image grids, loss curves, 2-D latent maps.
training  a thin training loop with progress bar, history and atomic checkpoints.
models    reference networks (autoencoders and VAEs for now).
losses    reference loss functions (VAE terms and bounds for now).
"""
from course_lib.budget import Budget, get_budget
from course_lib.device import get_device, seed_everything

__all__ = ["Budget", "get_budget", "get_device", "seed_everything"]
__version__ = "0.1.0"
