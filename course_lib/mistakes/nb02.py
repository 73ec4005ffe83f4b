"""Plausible mistakes for notebook 02 (the GAN minimax game), for ``assert_close(..., mistakes=...)``.

Each function maps a description of a mistake to the value that mistake gives on the same
inputs. The values come from the course's references (``course_lib.losses.gan``,
``course_lib.mode_metrics``) called with changed arguments (swapped, squashed, a changed
threshold), scaled, negated or added up: the catalogue names a wrong answer without writing
out the right one.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import torch

from course_lib.losses import gan as _gan
from course_lib.mode_metrics import mode_coverage as _mode_coverage

__all__ = ["discriminator_loss", "generator_losses", "algorithm1_step", "mode_stats"]


def _fake_term(fake_logits: torch.Tensor) -> torch.Tensor:
    """The fakes' term of D's loss alone: the reference's saturating generator loss, negated."""
    return -_gan.generator_loss_saturating(fake_logits)


def _real_term(logits: torch.Tensor, label: float) -> torch.Tensor:
    """The real term of D's loss alone (targets ``label``): the reference D loss of ``logits`` used on
    both sides, less its fake term."""
    return _gan.discriminator_loss(logits, logits, real_label=label) - _fake_term(logits)


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor,
                       real_label: float = 1.0) -> dict[str, torch.Tensor]:
    """Mistakes of ``discriminator_loss(real_logits, fake_logits, real_label)``."""
    real, fake, label = real_logits, fake_logits, real_label
    right = _gan.discriminator_loss(real, fake, real_label=label)
    real_term, fake_term = _real_term(real, label), _fake_term(fake)
    n_real, n_fake = real.numel(), fake.numel()
    squashed_real, squashed_fake = torch.sigmoid(real), torch.sigmoid(fake)
    mistakes = {
        "the labels are flipped: real examples have target 1 (or real_label), fakes target 0":
            _gan.discriminator_loss(fake, real, real_label=label),
        "the sign: the loss is -V, a positive number (BCE), not V": -right,
        "sigmoid applied before binary_cross_entropy_with_logits: the inputs are already logits":
            _gan.discriminator_loss(squashed_real, squashed_fake, real_label=label),
        "sigmoid applied before binary_cross_entropy_with_logits (real term): the inputs are already logits":
            _gan.discriminator_loss(squashed_real, fake, real_label=label),
        "sigmoid applied before binary_cross_entropy_with_logits (fake term): the inputs are already logits":
            _gan.discriminator_loss(real, squashed_fake, real_label=label),
        "you pooled real and fake examples into one mean; the loss is the sum of the two batch means":
            (n_real * real_term + n_fake * fake_term) / (n_real + n_fake),
        "sum over the batch: each term is a mean over its batch": n_real * real_term + n_fake * fake_term,
        "the fake term is missing": real_term,
        "the real term is missing": fake_term,
    }
    if label != 1.0:
        smoothed_fakes = _real_term(fake, 1.0 - label)  # the fakes against the target 1 - real_label
        mistakes.update({
            "label smoothing must be one-sided: the fake targets stay 0 (you also smoothed them to 1 - real_label)":
                real_term + smoothed_fakes,
            "real_label is ignored: the real targets must be real_label": _gan.discriminator_loss(real, fake),
            "the smoothing went to the fakes: the real targets are real_label, the fake targets 0":
                _real_term(real, 1.0) + smoothed_fakes,
        })
    return mistakes


def generator_losses(fake_logits: torch.Tensor) -> dict[str, dict[str, torch.Tensor]]:
    """Mistakes of the two generator losses: ``{"saturating": {...}, "nonsaturating": {...}}``."""
    saturating = _gan.generator_loss_saturating(fake_logits)
    nonsaturating = _gan.generator_loss_nonsaturating(fake_logits)
    n = fake_logits.numel()
    return {
        "saturating": {
            "this is the non-saturating loss -log D(G(z)); the saturating one is log(1 - D(G(z)))": nonsaturating,
            "the sign: G minimises E log(1 - D(G(z))), which is negative (your value is D's term for the fakes)":
                -saturating,
            "this is log D(G(z)), not log(1 - D(G(z)))": -nonsaturating,
            "sum over the batch: the loss is a mean": n * saturating,
        },
        "nonsaturating": {
            "this is the saturating loss log(1 - D(G(z))); the non-saturating one asked for is -log D(G(z))":
                saturating,
            "the sign: the non-saturating loss is -log D(G(z)), a positive number": -nonsaturating,
            "the targets: G wants its fakes labelled real (target 1), this is BCE with target 0": -saturating,
            "sum over the batch: the loss is a mean": n * nonsaturating,
        },
    }


def algorithm1_step(run: Callable[..., Any]) -> dict[str, Any]:
    """Mistakes of ``algorithm1_step``.

    ``run(**options)`` replays the test's players, batches and noise through the course's step
    (``course_lib.adversarial.adversarial_step``) and returns what the test compares. Besides
    ``adversarial_step``'s own options it takes ``zero_g_grads``/``zero_d_grads`` (default True):
    False makes that player's optimiser keep its gradients instead of zeroing them.
    """
    return {
        "the generator step uses the saturating loss log(1 - D(G(z))); use the non-saturating -log D(G(z))":
            run(g_loss_fn=_gan.generator_loss_saturating),
        "the discriminator's labels are flipped (real logits must get target 1, fake logits target 0)":
            run(d_loss_fn=lambda real_logits, fake_logits: _gan.discriminator_loss(fake_logits, real_logits)),
        "the generator's loss has the wrong sign: G minimises -log D(G(z))":
            run(g_loss_fn=lambda fake_logits: -_gan.generator_loss_nonsaturating(fake_logits)),
        "g_opt.zero_grad() is missing: G's gradients from the previous call were added to this step's "
        "(start the G step with g_opt.zero_grad())": run(zero_g_grads=False),
        "d_opt.zero_grad() is missing: D's gradients from its previous step were added to this one's "
        "(start every D step with d_opt.zero_grad())": run(zero_d_grads=False),
    }


def mode_stats(samples: torch.Tensor, centres: torch.Tensor, std: float,
               min_count: int) -> dict[str, dict[str, float]]:
    """Mistakes of ``mode_stats``: ``{"covered": {...}, "quality": {...}}``, plain floats."""
    n, m = samples.shape[0], centres.shape[0]
    right = _mode_coverage(samples, centres, std, min_count=min_count)
    any_count = _mode_coverage(samples, centres, std, min_count=1)
    every_sample = _mode_coverage(samples, centres, std, n_std=1e30, min_count=min_count)  # all high quality
    variance_radius = _mode_coverage(samples, centres, std**2, min_count=min_count)
    squared_distance = _mode_coverage(samples, centres, math.sqrt(3 * std), n_std=1.0, min_count=min_count)
    return {
        "covered": {
            "a mode needs at least min_count high-quality samples, not just one": float(any_count.modes_covered),
            "only high-quality samples count towards a mode (distance < 3 std)": float(every_sample.modes_covered),
            "the radius is 3 * std, not 3 * std**2 (std is a standard deviation)": float(variance_radius.modes_covered),
            "compare the distance (not the squared distance) with 3 * std": float(squared_distance.modes_covered),
            "return the number of covered modes, not their fraction": right.modes_covered / m,
        },
        "quality": {
            "the radius is 3 * std, not 3 * std**2 (std is a standard deviation)":
                variance_radius.high_quality_fraction,
            "compare the distance (not the squared distance) with 3 * std": squared_distance.high_quality_fraction,
            "return the share of high-quality samples (a fraction of N), not their number":
                right.high_quality_fraction * n,
            "the share is over all N samples, not over the modes": right.high_quality_fraction * n / m,
        },
    }
