"""Training and evaluating the conditional GANs of notebook 06: cGAN, AC-GAN and InfoGAN.

The loop is the course's one loop, ``course_lib.training.train`` (checked resume, the run's
configuration in the checkpoint, progress bar, history); ``make_conditional_step_fn`` gives
its step: one D update, then one G update, with the other player frozen as in
``course_lib.adversarial`` (fakes made under ``no_grad`` for D; D's parameters without
gradients for G). What differs from the unconditional step is what the players see:

* ``"cgan"``: G(z, y) with labels y drawn uniformly; D(x, y) sees the real digits with their
  labels and the fakes with the labels they were asked for.
* ``"acgan"``: G(z, y) as above; D sees no label but classifies (``acgan_*_loss``).
* ``"infogan"``: G(z, c_cat, c_cont) with c_cat uniform over K values and c_cont ~ U[-1, 1];
  D sees no label; Q (D's auxiliary head) predicts the codes of the fakes. D and Q minimise
  the GAN loss plus lambda * L_I on the fakes (the D step), G minimises its GAN loss plus
  lambda * L_I through Q (the G step). lambda = (``lambda_cat``, ``lambda_cont``).

The step logs ``d_loss``, ``g_loss``, ``d_real`` and ``d_fake`` (mean sigmoid of D's logits),
and for InfoGAN ``info_loss`` and ``mi_bound`` = ln K - CE of the G step's fakes (a lower bound
on I(c_cat; G(z, c)) in nats, at most ln K). No EMA generator here: its batch-norm statistics
would need the conditional inputs (``recompute_bn_stats`` draws plain Gaussian latents).
"""
from __future__ import annotations

import math
import os
from typing import Callable

import torch
from torch import nn

from course_lib._checks import check_choice, check_positive_int, check_real, check_tensor
from course_lib.adversarial import check_players
from course_lib.data import from_signed
from course_lib.gan_training import GANRun, GANState
from course_lib.losses.gan import discriminator_loss, generator_loss_nonsaturating
from course_lib.losses.info import (acgan_discriminator_loss, acgan_generator_loss, code_to_class_accuracy,
                                    information_loss)
from course_lib.training import train

__all__ = ["KINDS", "sample_inputs", "make_conditional_step_fn", "train_conditional_gan", "conditional_samples",
           "grid_inputs", "label_accuracy", "q_codes", "q_code_accuracy"]

KINDS = ("cgan", "acgan", "infogan")


def _device_of(module: nn.Module) -> torch.device:
    first = next(module.parameters(), None)
    return first.device if first is not None else torch.device("cpu")


def _noise_dim(generator: nn.Module) -> int:
    for name in ("latent_dim", "noise_dim"):
        if isinstance(getattr(generator, name, None), int):
            return getattr(generator, name)
    raise ValueError("generator has no integer attribute latent_dim or noise_dim")


def sample_inputs(kind: str, generator: nn.Module, n: int, *, rng: torch.Generator | None = None,
                  device: torch.device | str | None = None) -> tuple:
    """G's inputs for n samples: (z, y) for cGAN and AC-GAN (y uniform over the classes), (z, c_cat, c_cont)
    for InfoGAN (c_cat uniform, c_cont ~ U[-1, 1]). Drawn on the CPU from ``rng`` when given (leaving the
    global stream alone), else from the global stream on ``device``."""
    check_choice("kind", kind, KINDS)
    check_positive_int("n", n)
    device = _device_of(generator) if device is None else torch.device(device)
    where = "cpu" if rng is not None else device
    z = torch.randn(n, _noise_dim(generator), generator=rng, device=where)
    if kind == "infogan":
        c_cat = torch.randint(generator.n_categories, (n,), generator=rng, device=where)
        c_cont = torch.rand(n, generator.n_continuous, generator=rng, device=where) * 2 - 1
        return z.to(device), c_cat.to(device), c_cont.to(device)
    y = torch.randint(generator.n_classes, (n,), generator=rng, device=where)
    return z.to(device), y.to(device)


def grid_inputs(kind: str, generator: nn.Module, n_columns: int = 10, *, seed: int = 0) -> tuple:
    """Inputs of a grid with one row per class (cGAN, AC-GAN) or categorical value (InfoGAN) and the same
    ``n_columns`` noise vectors in every row (continuous codes 0). Rows first: sample r * n_columns + j."""
    check_choice("kind", kind, KINDS)
    check_positive_int("n_columns", n_columns)
    rows = generator.n_categories if kind == "infogan" else generator.n_classes
    z = torch.randn(n_columns, _noise_dim(generator), generator=torch.Generator().manual_seed(seed))
    z = z.repeat(rows, 1)
    labels = torch.arange(rows).repeat_interleave(n_columns)
    if kind == "infogan":
        return z, labels, torch.zeros(rows * n_columns, generator.n_continuous)
    return z, labels


def make_conditional_step_fn(kind: str, generator: nn.Module, discriminator: nn.Module,
                             g_opt: torch.optim.Optimizer, d_opt: torch.optim.Optimizer, *,
                             lambda_cat: float = 1.0, lambda_cont: float = 0.1) -> Callable[[object], dict]:
    """A ``step_fn((x, y)) -> dict`` of 0-d tensors for ``course_lib.training.train`` (see the module docstring).

    ``x`` in [-1, 1]; ``y`` the labels (used by the cGAN's D, ignored by AC-GAN's and InfoGAN's
    D except as AC-GAN's class targets on real images).
    """
    check_choice("kind", kind, KINDS)
    check_players(generator, discriminator, g_opt, d_opt)
    lambda_cat, lambda_cont = check_real("lambda_cat", lambda_cat), check_real("lambda_cont", lambda_cont)
    if lambda_cat < 0 or lambda_cont < 0:
        raise ValueError(f"lambda_cat and lambda_cont must be >= 0, got {lambda_cat} and {lambda_cont}")
    if kind != "cgan" and not hasattr(discriminator, "heads"):
        raise TypeError(f"{kind} needs a discriminator with heads(x) (an AuxiliaryDiscriminator)")
    device = _device_of(discriminator)
    log_k = math.log(generator.n_categories) if kind == "infogan" else None

    def info(fake_heads, c_cat, c_cont):
        _, cat_logits, mean, logvar = fake_heads
        return information_loss(cat_logits, mean, logvar, c_cat, c_cont, cat_weight=lambda_cat,
                                cont_weight=lambda_cont), cat_logits

    def step_fn(batch) -> dict:
        if not isinstance(batch, (tuple, list)) or len(batch) != 2:
            raise TypeError("batch must be a pair (x, y) as an InMemoryLoader of images and labels yields")
        x = check_tensor("batch[0]", batch[0], ndim=4, floating=True).to(device)
        y = check_tensor("batch[1]", batch[1], ndim=1, integer=True).to(device)
        n = x.shape[0]
        # ---- D (and Q) step: fakes without a graph to G.
        with torch.no_grad():
            inputs = sample_inputs(kind, generator, n, device=device)
            fake = generator(*inputs)
        logs = {}
        if kind == "cgan":
            real_adv, fake_adv = discriminator(x, y), discriminator(fake, inputs[1])
            d_loss = discriminator_loss(real_adv, fake_adv)
        else:
            real_heads, fake_heads = discriminator.heads(x), discriminator.heads(fake)
            real_adv, fake_adv = real_heads[0], fake_heads[0]
            if kind == "acgan":
                d_loss = acgan_discriminator_loss(real_adv, fake_adv, real_heads[1], fake_heads[1], y, inputs[1])
                logs["class_acc_real"] = (real_heads[1].argmax(1) == y).float().mean().detach()
            else:
                d_info, _ = info(fake_heads, inputs[1], inputs[2])
                d_loss = discriminator_loss(real_adv, fake_adv) + d_info
        d_opt.zero_grad(set_to_none=True)
        d_loss.backward()
        d_opt.step()
        d_real, d_fake = torch.sigmoid(real_adv.detach()).mean(), torch.sigmoid(fake_adv.detach()).mean()
        # ---- G step: D frozen (no gradients for its parameters), fresh inputs.
        d_params = list(discriminator.parameters())
        flags = [p.requires_grad for p in d_params]
        try:
            for p in d_params:
                p.requires_grad_(False)
            inputs = sample_inputs(kind, generator, n, device=device)
            fake = generator(*inputs)
            if kind == "cgan":
                g_loss = generator_loss_nonsaturating(discriminator(fake, inputs[1]))
            elif kind == "acgan":
                fake_heads = discriminator.heads(fake)
                g_loss = acgan_generator_loss(fake_heads[0], fake_heads[1], inputs[1])
            else:
                fake_heads = discriminator.heads(fake)
                g_info, cat_logits = info(fake_heads, inputs[1], inputs[2])
                g_loss = generator_loss_nonsaturating(fake_heads[0]) + g_info
                ce = nn.functional.cross_entropy(cat_logits.detach(), inputs[1])
                logs["info_loss"] = g_info.detach()
                logs["mi_bound"] = log_k - ce
            g_opt.zero_grad(set_to_none=True)
            g_loss.backward()
            g_opt.step()
        finally:
            for p, flag in zip(d_params, flags):
                p.requires_grad_(flag)
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach(), "d_real": d_real, "d_fake": d_fake, **logs}

    return step_fn


@torch.no_grad()
def conditional_samples(generator: nn.Module, inputs: tuple, *, batch_size: int = 500) -> torch.Tensor:
    """G(*inputs) in eval mode, in [0, 1], float32 on the CPU; G's mode is restored."""
    if not isinstance(generator, nn.Module):
        raise TypeError(f"generator must be an nn.Module, got {type(generator).__name__}")
    if not isinstance(inputs, tuple) or not inputs:
        raise TypeError("inputs must be a non-empty tuple of G's input tensors")
    device, was_training = _device_of(generator), generator.training
    generator.eval()
    try:
        chunks = zip(*(t.split(batch_size) for t in inputs))
        out = [from_signed(generator(*(t.to(device) for t in parts)).float()).cpu() for parts in chunks]
    finally:
        generator.train(was_training)
    return torch.cat(out)


def train_conditional_gan(kind: str, generator: nn.Module, discriminator: nn.Module, g_opt: torch.optim.Optimizer,
                          d_opt: torch.optim.Optimizer, loader, steps: int, *, lambda_cat: float = 1.0,
                          lambda_cont: float = 0.1, sample_every: int | None = None,
                          checkpoint_path: str | os.PathLike | None = None, checkpoint_every: int | None = None,
                          log_every: int = 10, desc: str | None = None, progress: bool = True) -> GANRun:
    """Train a cGAN, AC-GAN or InfoGAN for ``steps`` generator updates through ``course_lib.training.train``.

    ``loader``: an ``InMemoryLoader`` of (images in [-1, 1], labels). Sample grids
    (``grid_inputs``, 10 x 10, in [0, 1]) at step 0, every ``sample_every`` steps and at the end
    land in ``run.samples``. A checkpoint is resumed only when it was made with the same
    configuration (models, optimisers, kind, lambdas).
    """
    check_choice("kind", kind, KINDS)
    check_positive_int("steps", steps, minimum=0)
    if sample_every is not None:
        check_positive_int("sample_every", sample_every)
    step_fn = make_conditional_step_fn(kind, generator, discriminator, g_opt, d_opt, lambda_cat=lambda_cat,
                                       lambda_cont=lambda_cont)
    config = {"kind": kind, "lambda_cat": lambda_cat if kind == "infogan" else None,
              "lambda_cont": lambda_cont if kind == "infogan" else None}
    state = GANState(modules={"generator": generator, "critic": discriminator},
                     optimizers={"g_opt": g_opt, "d_opt": d_opt}, config=config)
    run = GANRun(generator, discriminator, None, state, kind)
    grid = grid_inputs(kind, generator)

    def record(step: int) -> None:
        if sample_every is not None and step not in state.samples:
            state.samples[step] = conditional_samples(generator, grid)

    def callback(s) -> None:
        if sample_every is not None and (s.step % sample_every == 0 or s.step == steps):
            record(s.step)

    if checkpoint_path is None or not os.path.isfile(checkpoint_path):
        record(0)
    train(step_fn, loader, steps, state, checkpoint_path=checkpoint_path, checkpoint_every=checkpoint_every,
          log_every=log_every, desc=desc or kind, progress=progress, callback=callback)
    return run


@torch.no_grad()
def label_accuracy(generator: nn.Module, classifier: nn.Module, *, n_per_class: int = 100,
                   seed: int = 0) -> torch.Tensor:
    """Per requested label y, the share of G(z, y) (cGAN or AC-GAN) that ``classifier`` labels y: (n_classes,)."""
    check_positive_int("n_per_class", n_per_class)
    k = generator.n_classes
    z = torch.randn(k * n_per_class, _noise_dim(generator), generator=torch.Generator().manual_seed(seed))
    y = torch.arange(k).repeat_interleave(n_per_class)
    images = conditional_samples(generator, (z, y))
    predicted = _predict(classifier, images)
    return (predicted == y).double().reshape(k, n_per_class).mean(1)


def _predict(classifier: nn.Module, images: torch.Tensor) -> torch.Tensor:
    device, was_training = _device_of(classifier), classifier.training
    classifier.eval()
    try:
        return torch.cat([classifier(chunk.to(device)).argmax(1).cpu() for chunk in images.split(500)])
    finally:
        classifier.train(was_training)


@torch.no_grad()
def q_codes(discriminator: nn.Module, images: torch.Tensor, *, batch_size: int = 500) -> torch.Tensor:
    """argmax_c Q(c | x) for images (N, C, 28, 28) in [0, 1] (mapped to [-1, 1] for D): (N,) int64."""
    check_tensor("images", images, ndim=4, floating=True)
    device, was_training = _device_of(discriminator), discriminator.training
    discriminator.eval()
    try:
        return torch.cat([discriminator.q(chunk.to(device) * 2 - 1)[0].argmax(1).cpu()
                          for chunk in images.split(batch_size)])
    finally:
        discriminator.train(was_training)


def q_code_accuracy(discriminator: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> tuple[float, torch.Tensor]:
    """InfoGAN's categorical code as a classifier of real digits: accuracy after the best one-to-one
    code-to-class matching, and the matching (``code_to_class_accuracy``)."""
    codes = q_codes(discriminator, images)
    return code_to_class_accuracy(codes, labels.cpu(), discriminator.n_classes, int(labels.max()) + 1)
