"""Losses of the original GAN (Goodfellow et al. 2014), computed from logits.

Conventions
-----------
* The discriminator outputs *logits* l (pre-sigmoid scores, any shape, floating);
  D(x) = sigmoid(l). Nothing here takes probabilities: log D = logsigmoid(l) and
  log(1 - D) = logsigmoid(-l) are exact and finite for every finite logit (|l| = 1e4 included),
  whereas log(sigmoid(l)) underflows to log 0 = -inf as soon as sigmoid(l) rounds to 0.
* Natural logarithms; every function returns a scalar (0-d tensor): the mean over the
  batch (over all elements of the logit tensor).
* Real and fake batches may have different sizes.

The value function is V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))]; D maximises it
(equivalently minimises ``discriminator_loss`` = -V) and G minimises it
(``generator_loss_saturating``) or, in practice, minimises -E_z[log D(G(z))]
(``generator_loss_nonsaturating``), which has the same fixed point but strong gradients
early in training, when D rejects G's samples confidently (D(G(z)) ~ 0).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from course_lib._checks import check_real, check_same_device, check_tensor

__all__ = [
    "discriminator_loss",
    "generator_loss_saturating",
    "generator_loss_nonsaturating",
    "value_function",
]


def _check_logits(name: str, logits) -> torch.Tensor:
    check_tensor(name, logits, floating=True)
    if logits.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(logits.shape)}")
    return logits


def _check_pair(real_logits, fake_logits) -> None:
    _check_logits("real_logits", real_logits)
    _check_logits("fake_logits", fake_logits)
    check_same_device("real_logits", real_logits, "fake_logits", fake_logits)


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor,
                       real_label: float = 1.0) -> torch.Tensor:
    """BCE(real_logits, real_label) + BCE(fake_logits, 0), each a mean over its batch.

    With ``real_label=1`` this is -V(D, G). ``real_label`` in (0, 1) is one-sided label
    smoothing (Salimans et al. 2016): only the real targets are softened, because
    smoothing the fake targets too would reward D for leaving G's samples where they are.
    """
    _check_pair(real_logits, fake_logits)
    real_label = check_real("real_label", real_label)
    if not 0.0 < real_label <= 1.0:
        raise ValueError(f"real_label must lie in (0, 1], got {real_label}")
    real_loss = F.binary_cross_entropy_with_logits(real_logits, torch.full_like(real_logits, real_label))
    fake_loss = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return real_loss + fake_loss


def generator_loss_saturating(fake_logits: torch.Tensor) -> torch.Tensor:
    """mean log(1 - D(G(z))) = mean logsigmoid(-l): what G minimises in the minimax game.

    Its gradient w.r.t. the logit is -sigmoid(l), which vanishes when D confidently
    rejects the fakes (l -> -inf) — the saturation that motivates the non-saturating loss.
    """
    _check_logits("fake_logits", fake_logits)
    return F.logsigmoid(-fake_logits).mean()


def generator_loss_nonsaturating(fake_logits: torch.Tensor) -> torch.Tensor:
    """-mean log D(G(z)) = mean softplus(-l) = BCE(fake_logits, 1).

    Its gradient w.r.t. the logit is -(1 - sigmoid(l)) -> -1 (per sample, before the mean)
    when D rejects the fakes, so G keeps learning exactly when it most needs to.
    """
    _check_logits("fake_logits", fake_logits)
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))


def value_function(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """V(D, G) = mean log D(x) + mean log(1 - D(G(z))), in nats; V <= 0, and V = -2 log 2 at D = 1/2."""
    _check_pair(real_logits, fake_logits)
    return F.logsigmoid(real_logits).mean() + F.logsigmoid(-fake_logits).mean()
