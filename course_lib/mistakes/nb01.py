"""Plausible mistakes for notebook 01 (autoencoders, VAEs and the ELBO), for ``assert_close(..., mistakes=...)``.

Each function maps a description of a mistake to the value that mistake gives on the same
inputs. The values come from the course's references (``course_lib.losses.vae``) and from
``torch.distributions``, called with changed arguments (a doubled log-variance, a transposed
input, logits made from probabilities, the arguments of a KL swapped), scaled, shifted or
negated: the catalogue names a wrong answer without writing out the right one.
"""
from __future__ import annotations

import math

import torch
from torch.distributions import Independent, Normal, kl_divergence

from course_lib.losses import vae as _vae

__all__ = ["iwae_bound", "kl_to_standard_normal", "vae_loss"]


def kl_to_standard_normal(mu: torch.Tensor, logvar: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mistakes of ``kl_to_standard_normal(mu, logvar)``, inputs (B, D), answer (B,)."""
    right = _vae.kl_standard_normal(mu, logvar)
    d = mu.shape[1]
    per_dimension = _vae.kl_standard_normal(mu.reshape(-1, 1), logvar.reshape(-1, 1)).reshape(mu.shape)
    q = Independent(Normal(mu, (0.5 * logvar).exp()), 1)
    prior = Independent(Normal(torch.zeros_like(mu), torch.ones_like(mu)), 1)
    return {
        "the factor 1/2 is missing": 2 * right,
        "the sign is flipped (a KL divergence is never negative)": -right,
        "logvar is log sigma^2, so sigma^2 = exp(logvar); you treated it as log sigma":
            _vae.kl_standard_normal(mu, 2 * logvar),
        "the -1 inside the sum is missing": right + 0.5 * d,
        "you averaged over the latent dimensions; the KL of independent dimensions is their sum": right / d,
        "this is KL(p(z) || q(z|x)), the KL in the other direction; the prior is the second argument":
            kl_divergence(prior, q),
        "return one KL per example (shape (B,)), not the batch mean or sum": right.mean(),
        "return one KL per example, of shape (B,): not the batch mean or sum": right.sum(),
        "sum over the latent dimensions: the result must have shape (B,), not (B, D)": per_dimension,
        "signs of the last two terms: the formula is 1/2 * sum(sigma^2 + mu^2 - 1 - log sigma^2)":
            right + d + logvar.sum(1),
    }


def vae_loss(logits: torch.Tensor, x: torch.Tensor, mu: torch.Tensor,
             logvar: torch.Tensor) -> dict[str, dict[str, torch.Tensor]]:
    """Mistakes of ``vae_loss(logits, x, mu, logvar)``: ``{"reconstruction": {...}, "kl": {...}, "loss": {...}}``."""
    _, rec, kl = _vae.negative_elbo(logits, x, mu, logvar)
    batch, pixels, d = x.shape[0], x[0].numel(), mu.shape[1]
    reconstruction = {
        "average over pixels: -log p(x|z) of an image is a sum over its 784 pixels": rec / pixels,
        "summed over the batch: take the mean over the batch of the per-image sums": rec * batch,
        "sigmoid applied before binary_cross_entropy_with_logits: the decoder already returns logits":
            -_vae.bernoulli_log_likelihood(torch.sigmoid(logits), x).mean(),
        "the sign: the reconstruction term is -log p(x|z), a positive number": -rec,
    }
    if logits.numel() and bool(((logits > 0) & (logits < 1)).all()):
        reconstruction["the logits were treated as probabilities: use binary_cross_entropy_with_logits on the logits"] = \
            -_vae.bernoulli_log_likelihood(torch.logit(logits), x).mean()
    return {
        "reconstruction": reconstruction,
        "kl": {
            "summed over the batch: take the mean over the batch": kl * batch,
            "average over latent dimensions: the KL is a sum over them": kl / d,
        },
        "loss": {
            "the KL is subtracted: the negative ELBO is reconstruction + KL": rec - kl,
            "this is the ELBO; the loss to minimise is its negative, reconstruction + KL": -(rec + kl),
            "the KL term is missing from the loss": rec,
        },
    }


def iwae_bound(log_weights: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mistakes of ``iwae_bound(log_weights)``, log-weights (K, B), answer (B,)."""
    right = _vae.iwae_from_log_weights(log_weights)
    k = log_weights.shape[0]
    weights = torch.exp(log_weights)
    # exp, then mean, then log: -inf where every weight underflows to 0, +inf where one overflows.
    naive = torch.where(weights.amax(0) == 0, -math.inf, torch.where(torch.isinf(weights).any(0), math.inf, right))
    return {
        "the -log K is missing: the bound averages the weights, log((1/K) sum_k w_k)": right + math.log(k),
        "this is the mean of the log-weights (the ELBO estimate), not the log of the mean weight":
            log_weights.mean(0),
        "exp of the log-weights underflows/overflows: use torch.logsumexp (the log-sum-exp trick)": naive,
        "reduce over dimension 0 (the K samples), not dimension 1 (the examples)":
            _vae.iwae_from_log_weights(log_weights.T),
    }
