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
from course_lib.budget import Budget, get_budget
from course_lib.device import get_device, seed_everything

__all__ = ["Budget", "get_budget", "get_device", "seed_everything"]
__version__ = "0.1.0"
