"""Plausible mistakes for notebook 06 (conditional GAN, AC-GAN and InfoGAN), for ``assert_close(..., mistakes=...)``.

Each function maps a description of a mistake to the value that mistake gives on the same
inputs. Where the course has a reference (``course_lib.models.conditional``,
``course_lib.losses.info``, ``course_lib.losses.gan``) the values are that reference called
with changed arguments (softmaxed logits, dropped terms, flipped signs, a wrong variance); the
rest are the wrong answers themselves. The catalogue names a wrong answer without writing out
the right one.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from scipy.optimize import linear_sum_assignment

from course_lib.losses import gan as _gan
from course_lib.losses import info as _info
from course_lib.models import conditional as _conditional

__all__ = ["generator_input", "discriminator_input", "acgan_discriminator_loss", "acgan_generator_loss",
           "information_loss", "infogan_generator_gradients", "mi_lower_bound", "code_to_class_accuracy"]

DOUBLE_SOFTMAX = ("softmax is applied before cross_entropy (a double softmax): F.cross_entropy takes logits and "
                  "applies log-softmax itself")


# --------------------------------------------------------------------------------------------
# Exercise 1: conditioning inputs
# --------------------------------------------------------------------------------------------
def generator_input(z: torch.Tensor, y: torch.Tensor, n_classes: int) -> dict[str, torch.Tensor]:
    """Mistakes of ``generator_input(z, y, n_classes)``."""
    z = z.detach()
    one_hot = F.one_hot(y, n_classes).to(z.dtype)
    return {
        "the label enters as a number (one column holding y): give G a one-hot vector of n_classes columns":
            torch.cat([z, y.to(z.dtype)[:, None]], 1),
        "the one-hot vector comes before z: the convention is [z, one_hot(y)] (z first)": torch.cat([one_hot, z], 1),
        "the label is missing: G must receive [z, one_hot(y)]": z,
        "the one-hot vector is added to z instead of appended: concatenate along dim 1": z[:, :n_classes] + one_hot
        if z.shape[1] >= n_classes else z,
    }


def discriminator_input(x: torch.Tensor, y: torch.Tensor, n_classes: int) -> dict[str, torch.Tensor]:
    """Mistakes of ``discriminator_input(x, y, n_classes)``."""
    x = x.detach()
    right = _conditional.discriminator_input(x, y, n_classes)
    value_map = y.to(x.dtype)[:, None, None, None].expand(-1, 1, *x.shape[2:])
    return {
        "the label is not given to D (x is returned alone): append n_classes label channels to x": x,
        "the label enters as one channel holding the value y: use n_classes one-hot channels": torch.cat([x, value_map], 1),
        "the label channels come before the image: the convention is [x, label maps] (image first)":
            torch.cat([right[:, x.shape[1]:], x], 1),
    }


# --------------------------------------------------------------------------------------------
# Exercise 2: the AC-GAN losses
# --------------------------------------------------------------------------------------------
def acgan_discriminator_loss(real_adv, fake_adv, real_class_logits, fake_class_logits, real_labels,
                             fake_labels) -> dict[str, torch.Tensor]:
    """Mistakes of ``acgan_discriminator_loss``."""
    ra, fa, rc, fc = (t.detach() for t in (real_adv, fake_adv, real_class_logits, fake_class_logits))
    source = _gan.discriminator_loss(ra, fa)
    ce_real, ce_fake = F.cross_entropy(rc, real_labels), F.cross_entropy(fc, fake_labels)
    return {
        DOUBLE_SOFTMAX: source + F.cross_entropy(rc.softmax(1), real_labels) + F.cross_entropy(fc.softmax(1), fake_labels),
        "probabilities are passed where logits are expected: binary_cross_entropy_with_logits applies the sigmoid "
        "itself (no torch.sigmoid before it)": _gan.discriminator_loss(torch.sigmoid(ra), torch.sigmoid(fa)) + ce_real
        + ce_fake,
        "the class term on the fake images is missing: AC-GAN's D classifies real AND generated images": source + ce_real,
        "the class term on the real images is missing: AC-GAN's D classifies real AND generated images": source + ce_fake,
        "the source (real/fake) term is missing: D must also tell real from fake": ce_real + ce_fake,
        "nll_loss is applied to raw logits: it expects log-probabilities (use F.cross_entropy on logits)":
            source + F.nll_loss(rc, real_labels) + F.nll_loss(fc, fake_labels),
        "the class terms have the wrong sign: D minimises the cross-entropy of the right class": source - ce_real - ce_fake,
    }


def acgan_generator_loss(fake_adv, fake_class_logits, fake_labels) -> dict[str, torch.Tensor]:
    """Mistakes of ``acgan_generator_loss``."""
    fa, fc = fake_adv.detach(), fake_class_logits.detach()
    source, ce = _gan.generator_loss_nonsaturating(fa), F.cross_entropy(fc, fake_labels)
    return {
        DOUBLE_SOFTMAX: source + F.cross_entropy(fc.softmax(1), fake_labels),
        "probabilities are passed where logits are expected: binary_cross_entropy_with_logits applies the sigmoid "
        "itself": _gan.generator_loss_nonsaturating(torch.sigmoid(fa)) + ce,
        "the class term is missing: G must also make its samples classified as the requested label": source,
        "the class term has the wrong sign: G minimises the cross-entropy of the requested class": source - ce,
        "the source term is the discriminator's (G wants D(G(z)) = 1, the non-saturating loss)":
            F.binary_cross_entropy_with_logits(fa, torch.zeros_like(fa)) + ce,
    }


# --------------------------------------------------------------------------------------------
# Exercise 3: the information loss
# --------------------------------------------------------------------------------------------
def information_loss(cat_logits, cont_mean, cont_logvar, c_cat, c_cont) -> dict[str, torch.Tensor]:
    """Mistakes of ``information_loss`` (unweighted: CE + Gaussian NLL with a predicted log-variance)."""
    logits, mean, logvar = cat_logits.detach(), cont_mean.detach(), cont_logvar.detach()
    ce = F.cross_entropy(logits, c_cat)
    nll = _info.gaussian_nll(mean, logvar, c_cont)
    half_log_2pi = 0.5 * math.log(2 * math.pi)
    m = c_cont.shape[1]
    as_std = _info.gaussian_nll(mean, 2 * logvar, c_cont)  # exp(logvar) used as the standard deviation
    fixed = _info.gaussian_nll(mean, torch.zeros_like(logvar), c_cont)
    found = {
        DOUBLE_SOFTMAX: F.cross_entropy(logits.softmax(1), c_cat) + nll,
        "probabilities are passed where log-probabilities are expected: nll_loss of softmax probabilities is not a "
        "cross-entropy (use F.cross_entropy on the logits)": F.nll_loss(logits.softmax(1), c_cat) + nll,
        "exp(logvar) is used as the standard deviation: logvar is the log of the VARIANCE, std = exp(logvar / 2)":
            ce + as_std,
        "the predicted log-variance is ignored (variance fixed at 1): Q predicts a log-variance per code": ce + fixed,
        "the constant 0.5 ln(2 pi) per continuous code is missing from the Gaussian negative log-likelihood":
            ce + nll - m * half_log_2pi,
        "the sign is flipped: the information loss is a negative log-likelihood, minimised": -(ce + nll),
        "the continuous term is missing": ce,
        "the categorical term is missing": nll,
    }
    if m > 1:
        found["the continuous codes' log-likelihoods are averaged: sum them over the codes, average over the "
              "batch"] = ce + nll / m
    return found


def infogan_generator_gradients(generator, discriminator, z, c_cat, c_cont, lam) -> dict[str, torch.Tensor]:
    """Mistakes of ``infogan_generator_loss``, as the gradient it sends to G's parameters (a flat vector)."""

    def gradient(info_sign: float, info_to_g: bool) -> torch.Tensor:
        generator.zero_grad(set_to_none=True)
        fake = generator(z, c_cat, c_cont)
        adv, cat_logits, mean, logvar = discriminator.heads(fake if info_to_g else fake.detach())
        adv = discriminator(fake) if not info_to_g else adv
        info = _info.information_loss(cat_logits, mean, logvar, c_cat, c_cont)
        loss = _gan.generator_loss_nonsaturating(adv) + info_sign * lam * info
        grads = torch.autograd.grad(loss, list(generator.parameters()), allow_unused=True)
        return torch.cat([(torch.zeros_like(p) if g is None else g).flatten()
                          for p, g in zip(generator.parameters(), grads)]).detach()

    return {
        "the information term does not reach G (it was computed on a detached image): G must also minimise "
        "lambda * L_I": gradient(1.0, False),
        "the information term has the wrong sign: G MINIMISES lambda * L_I (L_I is a negative log-likelihood; the "
        "slides' '- lambda L_I' is for the mutual information)": gradient(-1.0, True),
    }


# --------------------------------------------------------------------------------------------
# Exercise 4: the mutual-information lower bound
# --------------------------------------------------------------------------------------------
def mi_lower_bound(cat_logits, c_cat) -> dict[str, torch.Tensor]:
    """Mistakes of ``mi_lower_bound(cat_logits, c_cat)`` (uniform prior over K codes)."""
    logits = cat_logits.detach()
    k = logits.shape[1]
    ce = F.cross_entropy(logits, c_cat)
    right = _info.mi_lower_bound(logits, c_cat)
    return {
        "H(c) is left out: the bound is H(c) + E[log Q(c | x)] = ln K - cross-entropy": -ce,
        "the bound is in bits: the course works in nats (natural logarithms throughout)": right / math.log(2),
        "H(c) is taken in base 2 (log2 K) while the cross-entropy is in nats: use ln K": math.log2(k) - ce,
        DOUBLE_SOFTMAX: math.log(k) - F.cross_entropy(logits.softmax(1), c_cat),
        "the sign is flipped: the bound is H(c) MINUS the cross-entropy": ce - math.log(k),
        "this is the cross-entropy alone: the bound is ln K - cross-entropy": ce,
    }


# --------------------------------------------------------------------------------------------
# Exercise 5: code-to-class accuracy
# --------------------------------------------------------------------------------------------
def code_to_class_accuracy(codes: torch.Tensor, labels: torch.Tensor, n_codes: int,
                           n_classes: int) -> dict[str, torch.Tensor]:
    """Mistakes of the accuracy returned by ``code_to_class_accuracy`` (float64 tensors)."""
    counts = _info.confusion_matrix(codes, labels, n_codes, n_classes).double()
    total = counts.sum()
    right, _ = _info.code_to_class_accuracy(codes, labels, n_codes, n_classes)
    rows, cols = linear_sum_assignment(counts.numpy())  # minimised by mistake
    return {
        "a greedy per-code argmax may give two codes the same class: find the best ONE-TO-ONE assignment "
        "(scipy.optimize.linear_sum_assignment)": counts.max(1).values.sum() / total,
        "the codes are compared with the labels as they are: a code is an arbitrary name, match codes to classes first":
            (codes == labels).double().mean(),
        "linear_sum_assignment minimises by default: maximise the matched counts (maximize=True)":
            counts[rows, cols].sum() / total,
        "the matched counts are not divided by the number of samples": total * right,
    }
