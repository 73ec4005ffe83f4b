"""Losses of image-to-image translation: pix2pix, CycleGAN (least squares) and their reconstruction terms.

Conventions: images in [-1, 1], shape (N, C, H, W); discriminators return a map of logits
(PatchGAN), and every loss is a mean over the batch and the map (a 0-d tensor).

* pix2pix (Isola et al., 2017): D sees the pair (input, output) concatenated along the channels,
  input first. G minimises the non-saturating GAN term + lambda * L1(G(x), y), lambda = 100; D
  minimises its cross-entropy **halved**, which slows D relative to G.
* CycleGAN (Zhu et al., 2017): least-squares GAN terms (D's output is a score, not a logit:
  D -> 1 on real, 0 on fake); cycle loss lambda * (|F(G(a)) - a|_1 + |G(F(b)) - b|_1) with
  lambda = 10, where G maps A -> B and F maps B -> A; identity loss
  0.5 * lambda * (|G(b) - b|_1 + |F(a) - a|_1). D's least-squares loss is halved too.
"""
from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F

from course_lib._checks import check_real, check_same_shape, check_tensor

Translator = Callable[[torch.Tensor], torch.Tensor]


def _logits(name: str, value) -> torch.Tensor:
    return check_tensor(name, value, floating=True)


def pix2pix_generator_loss(fake_logits: torch.Tensor, fake: torch.Tensor, target: torch.Tensor, *,
                           l1_weight: float = 100.0, gan_weight: float = 1.0) -> torch.Tensor:
    """gan_weight * BCE(D(x, G(x)), 1) + l1_weight * mean |G(x) - y|. ``fake_logits``: D's map on (x, G(x))."""
    _logits("fake_logits", fake_logits)
    check_tensor("fake", fake, ndim=4, floating=True)
    check_same_shape("fake", fake, "target", target)
    l1_weight, gan_weight = check_real("l1_weight", l1_weight), check_real("gan_weight", gan_weight)
    adversarial = F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
    return gan_weight * adversarial + l1_weight * (fake - target).abs().mean()


def pix2pix_discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """0.5 * (BCE(D(x, y), 1) + BCE(D(x, G(x)), 0)): the cross-entropy halved."""
    _logits("real_logits", real_logits)
    _logits("fake_logits", fake_logits)
    real = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
    fake = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return 0.5 * (real + fake)


def lsgan_generator_loss(fake_scores: torch.Tensor) -> torch.Tensor:
    """mean (D(G(a)) - 1)^2."""
    _logits("fake_scores", fake_scores)
    return (fake_scores - 1).pow(2).mean()


def lsgan_discriminator_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """0.5 * (mean (D(b) - 1)^2 + mean D(G(a))^2)."""
    _logits("real_scores", real_scores)
    _logits("fake_scores", fake_scores)
    return 0.5 * ((real_scores - 1).pow(2).mean() + fake_scores.pow(2).mean())


def _check_translators(g_ab, g_ba) -> None:
    for name, fn in (("g_ab", g_ab), ("g_ba", g_ba)):
        if not callable(fn):
            raise TypeError(f"{name} must be callable (a generator), got {type(fn).__name__}")


def cycle_loss(real_a: torch.Tensor, real_b: torch.Tensor, g_ab: Translator, g_ba: Translator, *,
               lambda_cycle: float = 10.0) -> torch.Tensor:
    """lambda * (mean |g_ba(g_ab(a)) - a| + mean |g_ab(g_ba(b)) - b|): a -> B -> A and b -> A -> B come back."""
    check_tensor("real_a", real_a, ndim=4, floating=True)
    check_tensor("real_b", real_b, ndim=4, floating=True)
    _check_translators(g_ab, g_ba)
    lambda_cycle = check_real("lambda_cycle", lambda_cycle)
    return lambda_cycle * ((g_ba(g_ab(real_a)) - real_a).abs().mean() + (g_ab(g_ba(real_b)) - real_b).abs().mean())


def identity_loss(real_a: torch.Tensor, real_b: torch.Tensor, g_ab: Translator, g_ba: Translator, *,
                  lambda_cycle: float = 10.0, identity_ratio: float = 0.5) -> torch.Tensor:
    """identity_ratio * lambda * (mean |g_ab(b) - b| + mean |g_ba(a) - a|): a generator fed its own target domain
    should leave the image alone."""
    check_tensor("real_a", real_a, ndim=4, floating=True)
    check_tensor("real_b", real_b, ndim=4, floating=True)
    _check_translators(g_ab, g_ba)
    weight = check_real("identity_ratio", identity_ratio) * check_real("lambda_cycle", lambda_cycle)
    return weight * ((g_ab(real_b) - real_b).abs().mean() + (g_ba(real_a) - real_a).abs().mean())
