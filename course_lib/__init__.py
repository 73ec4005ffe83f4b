"""course_lib: the tested package behind the deep generative models course.

Modules
-------
budget    FAST vs full budget (how big, how long), chosen once per process.
device    device choice (CUDA, Apple MPS, CPU) and seeding.
data      MNIST-like data sets held in memory, with an offline fallback.
plotting  image grids, loss curves, 2-D latent maps.
training  a thin training loop with progress bar, history and atomic checkpoints.
grading   comparisons for the notebooks' test cells that name a student's mistake.
models    reference networks (VAEs, MLP GANs, DCGAN, the MNIST classifier).
losses    reference loss functions (VAE terms and bounds; GAN losses on logits; WGAN, LSGAN, hinge).
toy       1-D and 2-D toy distributions with exact densities (ring of 8, grid of 25).
mode_metrics  modes covered and the share of high-quality samples.
divergences   KL and JSD (discrete and 1-D densities), the optimal discriminator, V at the optimum.
adversarial   one step of Algorithm 1 (n_critic discriminator steps, one generator step).
gan_training  one loop for every GAN: named losses, n_critic, clipping/GP, EMA, sample grids, FID, AMP.
distributed   the same loop on several processes (torchrun, DistributedDataParallel, synchronised batch norm).
recipes       DCGAN, WGAN and WGAN-GP runs with their published settings (``python -m course_lib train``).
pretrained    generators trained by those recipes and committed small, checked by SHA-256.
gan_tricks    minibatch standard deviation, feature matching, historical averaging.
metrics       Parzen log-likelihood, Inception Score, Frechet distance, precision/recall, the MNIST feature network.
"""
from importlib import import_module

__all__ = ["Budget", "get_budget", "get_device", "seed_everything"]
__version__ = "0.1.0"

# Imported at first use, not with the package: nbgrader's configuration imports course_lib.autograde
# in every nbgrader command, which needs neither torch nor numpy (three seconds per command).
_HOMES = {"Budget": "course_lib.budget", "get_budget": "course_lib.budget",
          "get_device": "course_lib.device", "seed_everything": "course_lib.device"}


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'course_lib' has no attribute {name!r}")
    value = getattr(import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
