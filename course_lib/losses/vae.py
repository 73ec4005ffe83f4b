"""Losses and bounds for autoencoders and VAEs.

Conventions (used throughout the course)
----------------------------------------
* Natural logarithms: every log-likelihood and bound is in nats.
* The encoder outputs ``mu`` and ``logvar`` = log sigma^2 (log-*variance*), both (B, D).
* Per-example quantities are *sums* over pixels and latent dimensions, shape (B,);
  losses are the *mean over the batch* of those sums, so a loss value reads as
  "nats per image".
* The Bernoulli decoder outputs *logits*; probabilities are ``sigmoid(logits)``.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from course_lib._checks import check_positive_int, check_same_device, check_same_shape, check_tensor

LOG_2PI = math.log(2.0 * math.pi)


def _check_gaussian_params(mu: torch.Tensor, logvar: torch.Tensor) -> None:
    check_tensor("mu", mu, ndim=2, floating=True)
    check_tensor("logvar", logvar, ndim=2, floating=True)
    check_same_shape("mu", mu, "logvar", logvar)
    check_same_device("mu", mu, "logvar", logvar)


def reparameterize(mu: torch.Tensor, logvar: torch.Tensor, *, eps: torch.Tensor | None = None,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """Sample z ~ N(mu, diag(exp(logvar))) as z = mu + sigma * eps, eps ~ N(0, I).

    Gradients flow to ``mu`` and ``logvar`` because the randomness sits in ``eps`` alone.
    ``mu``, ``logvar``: (B, D). Returns (B, D).
    """
    _check_gaussian_params(mu, logvar)
    if eps is None:
        eps = torch.randn(mu.shape, dtype=mu.dtype, device=mu.device, generator=generator)
    else:
        check_tensor("eps", eps, floating=True)
        check_same_shape("eps", eps, "mu", mu)
    return mu + torch.exp(0.5 * logvar) * eps


def kl_standard_normal(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, diag sigma^2) || N(0, I)) per example, summed over latent dims: (B, D) -> (B,).

    = 1/2 * sum_j (sigma_j^2 + mu_j^2 - 1 - log sigma_j^2)
    """
    _check_gaussian_params(mu, logvar)
    return 0.5 * (logvar.exp() + mu.pow(2) - 1.0 - logvar).sum(dim=1)


def bernoulli_log_likelihood(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """log p(x | z) for a Bernoulli decoder, summed over pixels: (B, ...) -> (B,).

    ``x`` in [0, 1] (grey levels are allowed: the cross-entropy is still defined; checked for
    CPU tensors).
    Computed from logits with ``binary_cross_entropy_with_logits`` for stability.
    """
    check_tensor("logits", logits, floating=True)
    check_tensor("x", x, floating=True)
    check_same_shape("logits", logits, "x", x)
    # Checked on the CPU only: on a GPU reading x.min() would wait for the device at every step.
    if x.device.type == "cpu" and x.numel() and (float(x.min()) < 0.0 or float(x.max()) > 1.0):
        raise ValueError("x must hold pixel values in [0, 1] for a Bernoulli decoder")
    nll = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
    return -nll.flatten(1).sum(dim=1)


def gaussian_log_likelihood(x: torch.Tensor, mean: torch.Tensor, logvar: torch.Tensor | float) -> torch.Tensor:
    """log N(x; mean, diag exp(logvar)) summed over all but the batch dim: (B, ...) -> (B,)."""
    check_tensor("x", x, floating=True)
    check_tensor("mean", mean, floating=True)
    check_same_shape("x", x, "mean", mean)
    logvar = torch.as_tensor(logvar, dtype=x.dtype, device=x.device).expand_as(x)
    log_density = -0.5 * (LOG_2PI + logvar + (x - mean).pow(2) / logvar.exp())
    return log_density.flatten(1).sum(dim=1)


def log_normal_diag(z: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """log N(z; mu, diag exp(logvar)) summed over the last dim: (..., D) -> (...)."""
    return (-0.5 * (LOG_2PI + logvar + (z - mu).pow(2) / logvar.exp())).sum(dim=-1)


def log_standard_normal(z: torch.Tensor) -> torch.Tensor:
    """log N(z; 0, I) summed over the last dim: (..., D) -> (...)."""
    return (-0.5 * (LOG_2PI + z.pow(2))).sum(dim=-1)


def negative_elbo(logits: torch.Tensor, x: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor,
                  *, beta: float = 1.0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The VAE loss with a Bernoulli decoder and a N(0, I) prior.

    Returns ``(loss, reconstruction, kl)``, each a scalar mean over the batch:
    reconstruction = -log p(x|z) summed over pixels, kl = KL(q(z|x) || p(z)) summed over
    latent dims, loss = reconstruction + beta * kl (beta = 1 is the negative ELBO).
    """
    _check_gaussian_params(mu, logvar)
    if logits.shape[0] != mu.shape[0]:
        raise ValueError(f"logits and mu must share the batch size, got {logits.shape[0]} and {mu.shape[0]}")
    reconstruction = -bernoulli_log_likelihood(logits, x).mean()
    kl = kl_standard_normal(mu, logvar).mean()
    return reconstruction + beta * kl, reconstruction, kl


def iwae_from_log_weights(log_weights: torch.Tensor) -> torch.Tensor:
    """The importance-weighted bound from log-weights of shape (K, B): returns (B,).

    IWAE_K = log (1/K) sum_k w_k = logsumexp_k(log w_k) - log K, computed stably.
    With K = 1 it is the (single-sample) ELBO.
    """
    check_tensor("log_weights", log_weights, ndim=2, floating=True)
    k = log_weights.shape[0]
    return torch.logsumexp(log_weights, dim=0) - math.log(k)


@torch.no_grad()
def log_importance_weights(model, x: torch.Tensor, num_samples: int,
                           generator: torch.Generator | None = None) -> torch.Tensor:
    """log w_k = log p(x|z_k) + log p(z_k) - log q(z_k|x), z_k ~ q(z|x): returns (K, B).

    ``model`` is a ``course_lib.models.vae.VAE`` (anything with ``encoder(x) -> (mu, logvar)``
    and ``decoder(z) -> logits``).
    """
    check_tensor("x", x, floating=True)
    check_positive_int("num_samples", num_samples)
    mu, logvar = model.encoder(x)
    rows = []
    for _ in range(num_samples):
        z = reparameterize(mu, logvar, generator=generator)
        logits = model.decoder(z)
        rows.append(bernoulli_log_likelihood(logits, x) + log_standard_normal(z)
                    - log_normal_diag(z, mu, logvar))
    return torch.stack(rows)


def iwae_bound(model, x: torch.Tensor, num_samples: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """IWAE_K lower bound on log p(x) per example, in nats: (B, ...) -> (B,)."""
    return iwae_from_log_weights(log_importance_weights(model, x, num_samples, generator))
