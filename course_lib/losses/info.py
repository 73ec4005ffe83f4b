"""Losses of the AC-GAN and the InfoGAN, the mutual-information lower bound and the
code-to-class accuracy after optimal matching.

Conventions
-----------
* Every network output here is a *logit* (or a mean and a log-variance): nothing takes
  probabilities. ``F.cross_entropy`` applies log-softmax itself, so a softmax before it is
  a second softmax, a known bug that flattens the loss towards ln K.
* Natural logarithms (nats); losses are means over the batch (sums over the continuous codes).
* Labels and categorical codes: int64 (B,); continuous codes: float (B, m).

AC-GAN (Odena et al., 2017). D has a source head (real/fake logits) and a class head. With
L_S the log-likelihood of the right source and L_C that of the right class, D maximises
L_S + L_C and G maximises L_C - L_S; as losses (with G's non-saturating source term)::

    d_loss = BCE(real_adv, 1) + BCE(fake_adv, 0) + CE(real_class, y_real) + CE(fake_class, y_fake)
    g_loss = BCE(fake_adv, 1) + CE(fake_class, y_fake)

InfoGAN (Chen et al., 2016). With a code c ~ p(c) in G's input and an auxiliary network
Q(c | x), the information loss is L_I = E[-log Q(c | G(z, c))]: cross-entropy for the
categorical code, and for each continuous code the Gaussian negative log-likelihood
0.5 * (log 2 pi + logvar + (c - mean)^2 / exp(logvar)), with the log-*variance* predicted by
Q (``AuxiliaryDiscriminator``). G and Q both minimise lambda * L_I (lambda = 1 for the
categorical code in the paper; smaller for continuous codes). H(c) - L_I_cat is a lower bound
on the mutual information I(c; G(z, c)) (``mi_lower_bound``), which for a uniform code with K
values can never exceed H(c) = ln K.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from scipy.optimize import linear_sum_assignment

from course_lib._checks import check_positive_int, check_real, check_tensor
from course_lib.losses.gan import discriminator_loss, generator_loss_nonsaturating

__all__ = ["acgan_discriminator_loss", "acgan_generator_loss", "gaussian_nll", "information_loss",
           "mi_lower_bound", "confusion_matrix", "match_codes_to_classes", "code_to_class_accuracy"]


def _check_class_pair(logits_name: str, logits, labels_name: str, labels) -> None:
    check_tensor(logits_name, logits, ndim=2, floating=True)
    check_tensor(labels_name, labels, ndim=1, integer=True)
    if labels.shape[0] != logits.shape[0]:
        raise ValueError(f"{labels_name} must hold one label per row of {logits_name} ({logits.shape[0]}), "
                         f"got shape {tuple(labels.shape)}")
    if labels.numel() and (int(labels.min()) < 0 or int(labels.max()) >= logits.shape[1]):
        raise ValueError(f"{labels_name} must lie in 0 ... {logits.shape[1] - 1}, got values in "
                         f"[{int(labels.min())}, {int(labels.max())}]")


def acgan_discriminator_loss(real_adv: torch.Tensor, fake_adv: torch.Tensor, real_class_logits: torch.Tensor,
                             fake_class_logits: torch.Tensor, real_labels: torch.Tensor,
                             fake_labels: torch.Tensor) -> torch.Tensor:
    """-(L_S + L_C) for D: the source cross-entropies plus the class cross-entropies on real AND fake images."""
    _check_class_pair("real_class_logits", real_class_logits, "real_labels", real_labels)
    _check_class_pair("fake_class_logits", fake_class_logits, "fake_labels", fake_labels)
    return (discriminator_loss(real_adv, fake_adv) + F.cross_entropy(real_class_logits, real_labels)
            + F.cross_entropy(fake_class_logits, fake_labels))


def acgan_generator_loss(fake_adv: torch.Tensor, fake_class_logits: torch.Tensor,
                         fake_labels: torch.Tensor) -> torch.Tensor:
    """G's loss: the non-saturating source term plus the class cross-entropy of its samples."""
    _check_class_pair("fake_class_logits", fake_class_logits, "fake_labels", fake_labels)
    return generator_loss_nonsaturating(fake_adv) + F.cross_entropy(fake_class_logits, fake_labels)


def gaussian_nll(mean: torch.Tensor, logvar: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """-log N(target; mean, exp(logvar)) summed over the last dimension, averaged over the batch.

    (B, m), (B, m), (B, m) -> (). ``logvar`` is the log of the *variance* (std = exp(logvar / 2)).
    Computed with ``torch.distributions.Normal``.
    """
    for name, value in (("mean", mean), ("logvar", logvar), ("target", target)):
        check_tensor(name, value, ndim=2, floating=True)
    if not (mean.shape == logvar.shape == target.shape):
        raise ValueError(f"mean, logvar and target must have the same shape (B, m), got {tuple(mean.shape)}, "
                         f"{tuple(logvar.shape)} and {tuple(target.shape)}")
    if mean.shape[1] == 0:
        return mean.new_zeros(())
    normal = torch.distributions.Normal(mean, torch.exp(0.5 * logvar), validate_args=False)
    return -normal.log_prob(target).sum(dim=1).mean()


def information_loss(cat_logits: torch.Tensor, cont_mean: torch.Tensor, cont_logvar: torch.Tensor,
                     c_cat: torch.Tensor, c_cont: torch.Tensor, *, cat_weight: float = 1.0,
                     cont_weight: float = 1.0) -> torch.Tensor:
    """L_I = cat_weight * CE(cat_logits, c_cat) + cont_weight * gaussian_nll(cont_mean, cont_logvar, c_cont).

    (B, K), (B, m), (B, m), (B,) int, (B, m) -> (). Minimised by G and Q (InfoGAN).
    """
    _check_class_pair("cat_logits", cat_logits, "c_cat", c_cat)
    cat_weight = check_real("cat_weight", cat_weight)
    cont_weight = check_real("cont_weight", cont_weight)
    if cat_weight < 0 or cont_weight < 0:
        raise ValueError(f"cat_weight and cont_weight must be >= 0, got {cat_weight} and {cont_weight}")
    nll = gaussian_nll(cont_mean, cont_logvar, c_cont)
    if cont_mean.shape[0] != cat_logits.shape[0]:
        raise ValueError(f"cont_mean must have one row per sample ({cat_logits.shape[0]}), got {tuple(cont_mean.shape)}")
    return cat_weight * F.cross_entropy(cat_logits, c_cat) + cont_weight * nll


def mi_lower_bound(cat_logits: torch.Tensor, c_cat: torch.Tensor, prior: torch.Tensor | None = None) -> torch.Tensor:
    """H(c) + E[log Q(c | x)] in nats, estimated on the pairs (c_cat[i], x_i) with Q's logits cat_logits[i].

    (B, K), (B,) int -> (). ``prior``: p(c), (K,) summing to 1 (default uniform: H(c) = ln K).
    It is <= I(c; x) <= H(c) for every Q (the estimate, on a finite sample, may stray by its
    Monte-Carlo error).
    """
    _check_class_pair("cat_logits", cat_logits, "c_cat", c_cat)
    k = cat_logits.shape[1]
    if prior is None:
        entropy = torch.tensor(math.log(k), dtype=cat_logits.dtype, device=cat_logits.device)
    else:
        check_tensor("prior", prior, shape=(k,), floating=True)
        if float(prior.min()) < 0 or abs(float(prior.sum()) - 1.0) > 1e-6:
            raise ValueError(f"prior must be a probability vector over the {k} codes (>= 0, summing to 1)")
        p = prior.to(cat_logits)
        entropy = -torch.special.xlogy(p, p).sum()
    return entropy - F.cross_entropy(cat_logits, c_cat)


def confusion_matrix(codes: torch.Tensor, labels: torch.Tensor, n_codes: int, n_classes: int) -> torch.Tensor:
    """counts[i, j] = number of samples with code i and label j: (N,), (N,) int -> (n_codes, n_classes) int64."""
    check_positive_int("n_codes", n_codes)
    check_positive_int("n_classes", n_classes)
    check_tensor("codes", codes, ndim=1, integer=True)
    check_tensor("labels", labels, ndim=1, integer=True)
    if codes.shape != labels.shape:
        raise ValueError(f"codes and labels must have the same shape (N,), got {tuple(codes.shape)} and "
                         f"{tuple(labels.shape)}")
    for name, value, n in (("codes", codes, n_codes), ("labels", labels, n_classes)):
        if value.numel() and (int(value.min()) < 0 or int(value.max()) >= n):
            raise ValueError(f"{name} must lie in 0 ... {n - 1}, got values in [{int(value.min())}, {int(value.max())}]")
    flat = codes.long().cpu() * n_classes + labels.long().cpu()
    return torch.bincount(flat, minlength=n_codes * n_classes).reshape(n_codes, n_classes)


def match_codes_to_classes(counts: torch.Tensor) -> torch.Tensor:
    """The one-to-one assignment code -> class that maximises the matched counts (Hungarian
    algorithm, ``scipy.optimize.linear_sum_assignment``): (n_codes, n_classes) -> (n_codes,) int64,
    -1 for codes left unassigned when there are more codes than classes."""
    check_tensor("counts", counts, ndim=2)
    rows, cols = linear_sum_assignment(counts.detach().cpu().double().numpy(), maximize=True)
    mapping = torch.full((counts.shape[0],), -1, dtype=torch.int64)
    mapping[torch.as_tensor(rows, dtype=torch.int64)] = torch.as_tensor(cols, dtype=torch.int64)
    return mapping


def code_to_class_accuracy(codes: torch.Tensor, labels: torch.Tensor, n_codes: int,
                           n_classes: int) -> tuple[float, torch.Tensor]:
    """(accuracy, mapping): the share of samples whose code is mapped to their label under the best
    one-to-one code-to-class assignment, and that assignment (``match_codes_to_classes``)."""
    counts = confusion_matrix(codes, labels, n_codes, n_classes)
    if counts.sum() == 0:
        raise ValueError("codes and labels must not be empty")
    mapping = match_codes_to_classes(counts)
    matched = counts[torch.arange(n_codes)[mapping >= 0], mapping[mapping >= 0]].sum()
    return float(matched) / float(counts.sum()), mapping
