"""Losses of the Wasserstein GAN family and friends, on unbounded critic scores.

Conventions: every function takes the scores (B,) the critic/discriminator returns for real
and generated images and returns a scalar to *minimise*.

* WGAN (Arjovsky et al. 2017): the critic maximises E[f(x)] - E[f(G(z))], so it minimises
  ``wgan_critic_loss = mean f(fake) - mean f(real)``; G minimises ``-mean f(fake)``. The
  critic must stay (about) 1-Lipschitz: ``clip_weights_`` (c = 0.01) or ``gradient_penalty``.
* WGAN-GP (Gulrajani et al. 2017): lambda * E[(||grad_x f(x_hat)||_2 - 1)^2] on random
  interpolates x_hat = alpha x + (1 - alpha) G(z), one alpha per sample, lambda = 10.
* LSGAN (Mao et al. 2017) with targets a = 0 (fake), b = 1 (real), c = 1 (G's target).
* Hinge loss (Lim & Ye 2017; Miyato et al. 2018).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from course_lib._checks import check_real, check_same_device, check_same_shape, check_tensor


def _check_scores(name: str, scores) -> torch.Tensor:
    check_tensor(name, scores, ndim=1, floating=True)
    if scores.numel() == 0:
        raise ValueError(f"{name} must not be empty")
    return scores


def _check_pair(real_scores, fake_scores) -> None:
    _check_scores("real_scores", real_scores)
    _check_scores("fake_scores", fake_scores)
    check_same_device("real_scores", real_scores, "fake_scores", fake_scores)


def wgan_critic_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """mean f(G(z)) - mean f(x): minus the critic's estimate of W1 (up to the Lipschitz constant)."""
    _check_pair(real_scores, fake_scores)
    return fake_scores.mean() - real_scores.mean()


def wgan_generator_loss(fake_scores: torch.Tensor) -> torch.Tensor:
    """-mean f(G(z))."""
    return -_check_scores("fake_scores", fake_scores).mean()


@torch.no_grad()
def clip_weights_(critic: nn.Module, clip: float = 0.01) -> None:
    """Clamp every parameter of the *critic* to [-clip, clip] in place (the original WGAN)."""
    if not isinstance(critic, nn.Module):
        raise TypeError(f"critic must be an nn.Module, got {type(critic).__name__}")
    clip = check_real("clip", clip, positive=True)
    for p in critic.parameters():
        p.clamp_(-clip, clip)


def gradient_penalty(critic: nn.Module, real: torch.Tensor, fake: torch.Tensor,
                     generator: torch.Generator | None = None, alpha: torch.Tensor | None = None) -> torch.Tensor:
    """E[(||grad_x f(x_hat)||_2 - 1)^2] over random interpolates, one alpha ~ U(0, 1) per sample.

    ``real``, ``fake``: (B, ...) of the same shape (``fake`` is detached here: the penalty
    trains the critic). The gradient is taken with ``create_graph=True`` so that the
    penalty itself can be differentiated w.r.t. the critic's parameters; its norm is over
    all dimensions of each sample (flattened), never across the batch. Returns a scalar;
    multiply by lambda (10) in the critic's loss. ``alpha``: (B,) weights in [0, 1] to use
    instead of drawing them (a multi-process run draws them as ``course_lib.distributed`` says).
    """
    if not isinstance(critic, nn.Module):
        raise TypeError(f"critic must be an nn.Module, got {type(critic).__name__}")
    check_tensor("real", real, floating=True)
    check_tensor("fake", fake, floating=True)
    check_same_shape("real", real, "fake", fake)
    check_same_device("real", real, "fake", fake)
    if real.ndim < 2:
        raise ValueError(f"real must have a batch dimension and at least one more, got shape {tuple(real.shape)}")
    alpha_shape = (real.shape[0],) + (1,) * (real.ndim - 1)
    if alpha is not None:
        check_tensor("alpha", alpha, floating=True)
        if alpha.shape != (real.shape[0],):
            raise ValueError(f"alpha must have shape ({real.shape[0]},), one weight per sample, got {tuple(alpha.shape)}")
        alpha = alpha.to(real.device, real.dtype).view(alpha_shape)
    elif generator is None:
        alpha = torch.rand(alpha_shape, dtype=real.dtype, device=real.device)
    else:  # a seeded CPU generator, for tests and exact reproducibility
        alpha = torch.rand(alpha_shape, generator=generator, dtype=real.dtype).to(real.device)
    x_hat = (alpha * real.detach() + (1 - alpha) * fake.detach()).requires_grad_(True)
    scores = critic(x_hat)
    (grad,) = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)
    norms = grad.flatten(1).norm(2, dim=1)  # one norm per sample
    return (norms - 1.0).pow(2).mean()


def lsgan_discriminator_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """1/2 mean (D(x) - 1)^2 + 1/2 mean D(G(z))^2 (targets b = 1 for real, a = 0 for fake)."""
    _check_pair(real_scores, fake_scores)
    return 0.5 * (real_scores - 1.0).pow(2).mean() + 0.5 * fake_scores.pow(2).mean()


def lsgan_generator_loss(fake_scores: torch.Tensor) -> torch.Tensor:
    """1/2 mean (D(G(z)) - 1)^2 (target c = 1)."""
    return 0.5 * (_check_scores("fake_scores", fake_scores) - 1.0).pow(2).mean()


def hinge_discriminator_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """mean relu(1 - D(x)) + mean relu(1 + D(G(z)))."""
    _check_pair(real_scores, fake_scores)
    return F.relu(1.0 - real_scores).mean() + F.relu(1.0 + fake_scores).mean()


def hinge_generator_loss(fake_scores: torch.Tensor) -> torch.Tensor:
    """-mean D(G(z))."""
    return -_check_scores("fake_scores", fake_scores).mean()
