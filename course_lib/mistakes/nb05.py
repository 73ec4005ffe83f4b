"""Plausible mistakes for notebook 05 (Wasserstein GAN and gradient penalty), for ``assert_close(..., mistakes=...)``.

Each function maps a description of a mistake to the value that mistake gives on the same
inputs. Where the course has a reference (``course_lib.losses.wgan``, ``course_lib.losses.gan``,
``course_lib.adversarial``, ``scipy.stats.wasserstein_distance``) the values are that reference
called with changed arguments (shifted, squashed, scaled, swapped) or scaled and negated; the
rest are the wrong answers themselves (a wrong pairing of the samples, a norm over the wrong
dimension). The catalogue names a wrong answer without writing out the right one.
"""
from __future__ import annotations

import copy

import numpy as np
import torch
from scipy import stats
from torch import nn
from torch.nn.utils import parameters_to_vector

from course_lib.adversarial import adversarial_step as _adversarial_step
from course_lib.losses import gan as _gan
from course_lib.losses import wgan as _wgan

__all__ = ["w1_from_samples", "w1_linear_program", "wgan_critic_loss", "wgan_generator_loss", "clip_weights",
           "wgan_critic_steps", "gradient_penalty", "lsgan_discriminator_loss", "lsgan_generator_loss"]


# --------------------------------------------------------------------------------------------
# Exercises 1 and 2: W1
# --------------------------------------------------------------------------------------------
def w1_from_samples(x: torch.Tensor, y: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mistakes of ``w1_from_samples(x, y)`` (1-D samples of equal size)."""
    x, y = x.detach(), y.detach()
    right = torch.tensor(stats.wasserstein_distance(x.double().numpy(), y.double().numpy()), dtype=x.dtype)
    xs, ys = torch.sort(x).values, torch.sort(y).values
    w2_squared = (xs - ys).pow(2).mean()
    return {
        "the samples are not sorted: W1 pairs the i-th smallest x with the i-th smallest y (sort both)": (x - y).abs().mean(),
        "only x is sorted: sort both samples": (xs - y).abs().mean(),
        "only y is sorted: sort both samples": (x - ys).abs().mean(),
        "one sample is sorted in decreasing order: sort both in increasing order": (xs - ys.flip(0)).abs().mean(),
        "this is the mean squared difference (W2^2): W1 averages |x_(i) - y_(i)|": w2_squared,
        "this is W2 (a root mean square): W1 averages |x_(i) - y_(i)|": w2_squared.sqrt(),
        "the differences are summed: each of the n pairs carries mass 1/n, so take the mean": x.numel() * right,
        "|mean(x) - mean(y)| is only a lower bound on W1: match the sorted samples": (x.mean() - y.mean()).abs(),
        "the absolute value is missing: average |x_(i) - y_(i)|, not x_(i) - y_(i)": x.mean() - y.mean(),
    }


def w1_linear_program(cost: np.ndarray, p: np.ndarray, q: np.ndarray) -> dict[str, torch.Tensor]:
    """Mistakes of the value of ``w1_linear_program(cost, p, q)`` (float64 tensors)."""
    cost, p, q = np.asarray(cost, dtype=float), np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    return {
        "only the row-sum constraints are used (each x_i goes to its nearest y)":
            torch.tensor(float((p * cost.min(1)).sum()), dtype=torch.float64),
        "only the column-sum constraints are used (each y_j receives from its nearest x)":
            torch.tensor(float((q * cost.min(0)).sum()), dtype=torch.float64),
    }


# --------------------------------------------------------------------------------------------
# Exercise 3: the WGAN losses
# --------------------------------------------------------------------------------------------
def wgan_critic_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mistakes of ``wgan_critic_loss(real_scores, fake_scores)``."""
    real, fake = real_scores.detach(), fake_scores.detach()
    right = _wgan.wgan_critic_loss(real, fake)
    return {
        "the sign is flipped: the critic MINIMISES mean f(fake) - mean f(real) (its W1 estimate is minus this loss)": -right,
        "the scores are summed: use means over each batch": _wgan.wgan_critic_loss(real * real.numel(), fake * fake.numel()),
        "no absolute value: the critic's loss is mean f(fake) - mean f(real), which becomes negative as the critic learns":
            right.abs(),
        "no sigmoid: a critic's scores enter the loss as they are":
            _wgan.wgan_critic_loss(torch.sigmoid(real), torch.sigmoid(fake)),
        "this is the GAN discriminator's cross-entropy: the WGAN critic's loss has no logs": _gan.discriminator_loss(real, fake),
    }


def wgan_generator_loss(fake_scores: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mistakes of ``wgan_generator_loss(fake_scores)``."""
    fake = fake_scores.detach()
    right = _wgan.wgan_generator_loss(fake)
    return {
        "the sign is flipped: the generator minimises -mean f(G(z)) (it wants high scores)": -right,
        "the scores are summed: use the mean over the batch": _wgan.wgan_generator_loss(fake * fake.numel()),
        "this is the non-saturating GAN loss: the WGAN generator's loss has no logs": _gan.generator_loss_nonsaturating(fake),
        "no sigmoid: the critic's scores enter the loss as they are": _wgan.wgan_generator_loss(torch.sigmoid(fake)),
    }


# --------------------------------------------------------------------------------------------
# Exercise 4: weight clipping and the critic step
# --------------------------------------------------------------------------------------------
def _flat(module: nn.Module) -> torch.Tensor:
    return parameters_to_vector(module.parameters()).detach().clone()


def clip_weights(module: nn.Module, clip: float) -> dict[str, torch.Tensor]:
    """Mistakes of ``clip_weights(module, clip)``: the flattened parameters each would leave.
    ``module`` is the module *before* clipping; it is not changed."""
    clipped = copy.deepcopy(module)
    _wgan.clip_weights_(clipped, clip)
    weights_only = copy.deepcopy(clipped)
    with torch.no_grad():
        for (name, p), original in zip(weights_only.named_parameters(), module.parameters()):
            if name.split(".")[-1] == "bias":
                p.copy_(original)
    return {
        "the parameters did not change: clamp them in place (p.clamp_(-clip, clip) inside torch.no_grad())": _flat(module),
        "the negative parameters were set to 0: clip to [-clip, clip], not [0, clip]": _flat(clipped).clamp(min=0.0),
        "the biases were not clipped: clip every parameter (module.parameters()), weights and biases": _flat(weights_only),
    }


def _course_critic_steps(players, make_opt, clip, batches, *, sign=1.0, carry_gradients=False) -> nn.Module:
    """Critic updates by the course's ``adversarial_step`` (k = 1, clipping on), one per (real, z) batch; the
    generator's optimiser has learning rate 0, so the generator does not move. ``sign=-1`` climbs the loss;
    ``carry_gradients`` adds to each step's gradient all the earlier steps' gradients (a linear term whose
    gradient is exactly what a missing ``zero_grad()`` would leave in ``.grad``)."""
    critic, generator = players()
    opt, frozen = make_opt(critic), torch.optim.SGD(generator.parameters(), lr=0.0)
    params = list(critic.parameters())
    carried = [torch.zeros_like(p) for p in params]

    def carried_term() -> torch.Tensor:
        return sum((p * c).sum() for p, c in zip(params, carried))

    for real, z in batches:
        _adversarial_step(generator, critic, frozen, opt, real, lambda n, z=z: z,
                          d_loss_fn=lambda r, f: sign * _wgan.wgan_critic_loss(r, f), g_loss_fn=_wgan.wgan_generator_loss,
                          clip=clip, scores="raw", d_penalty=carried_term if carry_gradients else None)
        if carry_gradients:
            carried = [p.grad.detach().clone() for p in params]
    return critic


def wgan_critic_steps(players, make_opt, clip: float, batches) -> dict[str, torch.Tensor]:
    """Mistakes of a run of ``wgan_critic_step``, one call per (real, z) batch from the players ``players()``
    returns, with the optimiser ``make_opt(critic)``: the critic's flattened parameters after the run."""
    return {
        "the critic climbs its own loss (sign flipped): it must minimise mean f(fake) - mean f(real)":
            _flat(_course_critic_steps(players, make_opt, clip, batches, sign=-1.0)),
        "the gradients are not zeroed before backward(), so they accumulate from one critic step to the next":
            _flat(_course_critic_steps(players, make_opt, clip, batches, carry_gradients=True)),
    }


# --------------------------------------------------------------------------------------------
# Exercise 5: the gradient penalty
# --------------------------------------------------------------------------------------------
def gradient_penalty(critic: nn.Module, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mistakes of ``gradient_penalty(critic, x, x)``: with real = fake = x every interpolate is x."""
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x).sum(), x)
    flat = grad.flatten(1)
    norms = flat.norm(dim=1)
    right = _wgan.gradient_penalty(critic, x.detach(), x.detach().clone()).detach()
    out = {
        "the norm is taken over the batch (dim=0): take one norm per sample, grad.flatten(1).norm(2, dim=1)":
            ((flat.norm(dim=0) - 1) ** 2).mean(),
        "the penalty is on ||grad||^2; it must be (||grad||_2 - 1)^2, which costs nothing at a unit norm": (norms ** 2).mean(),
        "the penalty is summed over the batch: take the mean (it is an expectation over interpolates)": x.shape[0] * right,
        "the square is missing: the penalty is (||grad||_2 - 1)^2, not |  ||grad||_2 - 1  |": (norms - 1).abs().mean(),
        "the squared norm is used: (||grad||_2 - 1)^2 with the norm itself, not (||grad||^2 - 1)^2":
            ((norms ** 2 - 1) ** 2).mean(),
        "the norm uses a mean over the coordinates instead of a sum: ||grad||_2 is the square root of the SUM of the "
        "squared partial derivatives over all of a sample's coordinates (pixels), not of their mean":
            ((norms / flat.shape[1] ** 0.5 - 1) ** 2).mean(),
        "the norm is a mean of |partial derivatives| over the coordinates: ||grad||_2 is the square root of the sum of "
        "their squares": ((flat.abs().mean(1) - 1) ** 2).mean(),
    }
    if grad.ndim > 2:
        out["the norm is taken over dim=1 only (the channels): flatten each sample first, grad.flatten(1).norm(2, dim=1)"] = \
            ((grad.norm(2, dim=1) - 1) ** 2).mean()
    return out


# --------------------------------------------------------------------------------------------
# Exercise 6: the LSGAN losses
# --------------------------------------------------------------------------------------------
def _lsgan_term_to(scores: torch.Tensor, target: float) -> torch.Tensor:
    """1/2 mean (D - target)^2, from the reference generator loss of shifted scores."""
    return _wgan.lsgan_generator_loss(scores + (1.0 - target))


def lsgan_discriminator_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mistakes of ``lsgan_discriminator_loss(real_scores, fake_scores)``."""
    real, fake = real_scores.detach(), fake_scores.detach()
    right = _wgan.lsgan_discriminator_loss(real, fake)
    return {
        "the factor 1/2 is missing (this course uses 1/2 (D(x) - 1)^2 + 1/2 D(G(z))^2)": 2 * right,
        "the targets are swapped: real scores go to b = 1, fake scores to a = 0":
            _lsgan_term_to(real, 0.0) + _lsgan_term_to(fake, 1.0),
        "the squared errors are summed: take the mean over each batch":
            real.numel() * _lsgan_term_to(real, 1.0) + fake.numel() * _lsgan_term_to(fake, 0.0),
        "no sigmoid: LSGAN's scores are raw": _wgan.lsgan_discriminator_loss(torch.sigmoid(real), torch.sigmoid(fake)),
        "the fake target is a = 0, so the fake term is 1/2 D(G(z))^2, not 1/2 (D(G(z)) + 1)^2":
            _lsgan_term_to(real, 1.0) + _lsgan_term_to(fake, -1.0),
    }


def lsgan_generator_loss(fake_scores: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mistakes of ``lsgan_generator_loss(fake_scores)``."""
    fake = fake_scores.detach()
    right = _wgan.lsgan_generator_loss(fake)
    return {
        "the factor 1/2 is missing (this course uses 1/2 (D(G(z)) - 1)^2)": 2 * right,
        "the generator's target is c = 1 (be scored as real), not 0": _lsgan_term_to(fake, 0.0),
        "the squared errors are summed: take the mean over the batch": fake.numel() * right,
        "no sigmoid: LSGAN's scores are raw": _wgan.lsgan_generator_loss(torch.sigmoid(fake)),
        "the generator's loss is 1/2 (D(G(z)) - 1)^2, not minus the discriminator's loss": -_lsgan_term_to(fake, 0.0),
    }
