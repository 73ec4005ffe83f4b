"""Training steps of notebook 09 (pix2pix, CycleGAN, SRResNet, SRGAN), run by the course's one loop.

Each ``make_*_step`` returns a ``step_fn(batch) -> dict`` of 0-d tensors for
``course_lib.training.train`` (checked resume, the run's configuration stored in the
checkpoint, a progress bar); ``train_translation`` wraps the call. Batches hold images in
[-1, 1]. The other player is frozen as in ``course_lib.adversarial``: fakes made under
``no_grad`` (or detached) for D's step; D's parameters without gradients for G's step.

* pix2pix, batch (x, y): D step on (x, y) and (x, G(x)) with the halved cross-entropy, then G
  step on gan_weight * GAN + l1_weight * L1. With gan_weight = 0, D is not trained (L1 alone).
* CycleGAN, batch (a, b) of unrelated images: G step on both LSGAN terms + cycle + identity
  (``course_lib.losses.translation``), then each D on real images against fakes drawn from its
  image pool (50 images).
* SRResNet, batch (low, high): mean squared error alone. SRGAN: pixel_weight * MSE +
  perceptual_weight * feature MSE in the MNIST classifier + adversarial_weight * GAN, and a
  PatchGAN D trained with the cross-entropy.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from course_lib._checks import check_positive_int, check_real, check_tensor
from course_lib.adversarial import check_players
from course_lib.image_pool import ImagePool
from course_lib.losses.gan import discriminator_loss, generator_loss_nonsaturating
from course_lib.losses.perceptual import classifier_feature_maps, content_loss
from course_lib.losses.translation import (cycle_loss, identity_loss, lsgan_discriminator_loss, lsgan_generator_loss,
                                           pix2pix_discriminator_loss, pix2pix_generator_loss)
from course_lib.training import History, TrainState, train

__all__ = ["ZippedLoader", "make_pix2pix_step", "make_cyclegan_step", "make_sr_step", "train_translation"]


class ZippedLoader:
    """Batches (a, b) from two ``InMemoryLoader``s shuffled independently (unpaired data), from any global step."""

    def __init__(self, loader_a, loader_b) -> None:
        for name, loader in (("loader_a", loader_a), ("loader_b", loader_b)):
            if not hasattr(loader, "batches"):
                raise TypeError(f"{name} must have a batches(start_step) method, e.g. an InMemoryLoader")
        self.loader_a, self.loader_b = loader_a, loader_b

    def batches(self, start_step: int = 0):
        for (a, *_), (b, *_) in zip(self.loader_a.batches(start_step), self.loader_b.batches(start_step)):
            yield a, b


def _device_of(module: nn.Module) -> torch.device:
    first = next(module.parameters(), None)
    return first.device if first is not None else torch.device("cpu")


@contextmanager
def _frozen(*modules: nn.Module):
    """Parameters of ``modules`` without gradients inside the block (restored afterwards, also on error)."""
    params = [p for m in modules for p in m.parameters()]
    flags = [p.requires_grad for p in params]
    try:
        for p in params:
            p.requires_grad_(False)
        yield
    finally:
        for p, flag in zip(params, flags):
            p.requires_grad_(flag)


def _pair(batch, what: str):
    if not isinstance(batch, (tuple, list)) or len(batch) < 2:
        raise TypeError(f"batch must be a pair ({what}) of image tensors")
    return (check_tensor("batch[0]", batch[0], ndim=4, floating=True),
            check_tensor("batch[1]", batch[1], ndim=4, floating=True))


def _update(optimizer: torch.optim.Optimizer, loss: torch.Tensor) -> None:
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()


def make_pix2pix_step(generator: nn.Module, discriminator: nn.Module, g_opt, d_opt, *, l1_weight: float = 100.0,
                      gan_weight: float = 1.0) -> Callable[[object], dict]:
    """pix2pix's step on a batch (x, y): D(x, .) sees the input concatenated with y or with G(x)."""
    check_players(generator, discriminator, g_opt, d_opt)
    l1_weight, gan_weight = check_real("l1_weight", l1_weight), check_real("gan_weight", gan_weight)
    if l1_weight < 0 or gan_weight < 0 or l1_weight + gan_weight == 0:
        raise ValueError(f"l1_weight and gan_weight must be >= 0 and not both 0, got {l1_weight} and {gan_weight}")
    device = _device_of(generator)

    def step_fn(batch) -> dict:
        x, y = (t.to(device) for t in _pair(batch, "input, target"))
        logs = {}
        if gan_weight > 0:
            with torch.no_grad():
                fake = generator(x)
            real_logits = discriminator(torch.cat([x, y], dim=1))
            fake_logits = discriminator(torch.cat([x, fake], dim=1))
            d_loss = pix2pix_discriminator_loss(real_logits, fake_logits)
            _update(d_opt, d_loss)
            logs = {"d_loss": d_loss.detach(), "d_real": torch.sigmoid(real_logits.detach()).mean(),
                    "d_fake": torch.sigmoid(fake_logits.detach()).mean()}
        with _frozen(discriminator):
            fake = generator(x)
            fake_logits = discriminator(torch.cat([x, fake], dim=1)) if gan_weight > 0 else torch.zeros(1, device=device)
            g_loss = pix2pix_generator_loss(fake_logits, fake, y, l1_weight=l1_weight, gan_weight=gan_weight)
            _update(g_opt, g_loss)
        return {"g_loss": g_loss.detach(), "l1": (fake.detach() - y).abs().mean(), **logs}

    return step_fn


def make_cyclegan_step(g_ab: nn.Module, g_ba: nn.Module, d_a: nn.Module, d_b: nn.Module, g_opt, d_opt,
                       pool_a: ImagePool, pool_b: ImagePool, *, lambda_cycle: float = 10.0,
                       identity_ratio: float = 0.5) -> Callable[[object], dict]:
    """CycleGAN's step on a batch (a, b): one update of both generators, then one of both discriminators.

    ``g_opt`` holds the parameters of g_ab and g_ba, ``d_opt`` those of d_a (judges domain A) and d_b."""
    for name, module in (("g_ab", g_ab), ("g_ba", g_ba), ("d_a", d_a), ("d_b", d_b)):
        if not isinstance(module, nn.Module):
            raise TypeError(f"{name} must be an nn.Module, got {type(module).__name__}")
    check_players(g_ab, d_a, g_opt, d_opt)
    for name, pool in (("pool_a", pool_a), ("pool_b", pool_b)):
        if not isinstance(pool, ImagePool):
            raise TypeError(f"{name} must be an ImagePool, got {type(pool).__name__}")
    lambda_cycle, identity_ratio = check_real("lambda_cycle", lambda_cycle), check_real("identity_ratio", identity_ratio)
    device = _device_of(g_ab)

    def step_fn(batch) -> dict:
        a, b = (t.to(device) for t in _pair(batch, "domain A, domain B"))
        with _frozen(d_a, d_b):
            fake_b, fake_a = g_ab(a), g_ba(b)
            gan = lsgan_generator_loss(d_b(fake_b)) + lsgan_generator_loss(d_a(fake_a))
            cycle = cycle_loss(a, b, g_ab, g_ba, lambda_cycle=lambda_cycle)
            identity = (identity_loss(a, b, g_ab, g_ba, lambda_cycle=lambda_cycle, identity_ratio=identity_ratio)
                        if identity_ratio > 0 else torch.zeros((), device=device))
            g_loss = gan + cycle + identity
            _update(g_opt, g_loss)
        d_loss_a = lsgan_discriminator_loss(d_a(a), d_a(pool_a.query(fake_a.detach())))
        d_loss_b = lsgan_discriminator_loss(d_b(b), d_b(pool_b.query(fake_b.detach())))
        _update(d_opt, d_loss_a + d_loss_b)
        return {"g_gan": gan.detach(), "cycle": cycle.detach(), "identity": identity.detach(),
                "d_a": d_loss_a.detach(), "d_b": d_loss_b.detach()}

    return step_fn


def make_sr_step(generator: nn.Module, g_opt, *, discriminator: nn.Module | None = None, d_opt=None,
                 classifier: nn.Module | None = None, pixel_weight: float = 1.0, perceptual_weight: float = 0.0,
                 adversarial_weight: float = 0.0) -> Callable[[object], dict]:
    """Super-resolution step on a batch (low, high). Without a discriminator: SRResNet (pixel MSE, plus the
    perceptual term if its weight is > 0). With one: SRGAN (D step with the cross-entropy, then G)."""
    pixel_weight = check_real("pixel_weight", pixel_weight)
    perceptual_weight = check_real("perceptual_weight", perceptual_weight)
    adversarial_weight = check_real("adversarial_weight", adversarial_weight)
    if (discriminator is None) != (d_opt is None) or (discriminator is None and adversarial_weight > 0):
        raise ValueError("an adversarial_weight > 0 needs both discriminator and d_opt (and they come together)")
    if perceptual_weight > 0 and classifier is None:
        raise ValueError("perceptual_weight > 0 needs the classifier whose feature maps it compares")
    if discriminator is not None:
        check_players(generator, discriminator, g_opt, d_opt)
    device = _device_of(generator)

    def features(images):   # the classifier reads [0, 1]
        return classifier_feature_maps(classifier, (images + 1) / 2)

    def step_fn(batch) -> dict:
        low, high = (t.to(device) for t in _pair(batch, "low resolution, high resolution"))
        logs = {}
        if discriminator is not None:
            with torch.no_grad():
                fake = generator(low)
            real_logits, fake_logits = discriminator(high), discriminator(fake)
            d_loss = discriminator_loss(real_logits, fake_logits)
            _update(d_opt, d_loss)
            logs["d_loss"] = d_loss.detach()
        frozen = (discriminator,) if discriminator is not None else ()
        with _frozen(*frozen):
            fake = generator(low)
            mse = F.mse_loss(fake, high)
            g_loss = pixel_weight * mse
            if perceptual_weight > 0:
                perceptual = content_loss(features(fake), [f.detach() for f in features(high)])
                g_loss = g_loss + perceptual_weight * perceptual
                logs["perceptual"] = perceptual.detach()
            if discriminator is not None:
                adversarial = generator_loss_nonsaturating(discriminator(fake))
                g_loss = g_loss + adversarial_weight * adversarial
                logs["g_adv"] = adversarial.detach()
            _update(g_opt, g_loss)
        return {"g_loss": g_loss.detach(), "mse": mse.detach(), **logs}

    return step_fn


def train_translation(step_fn: Callable, modules: dict[str, nn.Module], optimizers: dict, loader, steps: int, *,
                      config: dict, checkpoint_path: str | os.PathLike | None = None,
                      checkpoint_every: int | None = None, log_every: int = 10, desc: str = "translation",
                      progress: bool = True) -> History:
    """Run ``step_fn`` for ``steps`` steps through ``course_lib.training.train``; the modules (image pools
    included), optimisers and ``config`` (plain values: the losses' weights) go into the checkpoint, and a
    checkpoint is resumed only if it was made with the same ones."""
    check_positive_int("steps", steps, minimum=0)
    if not isinstance(modules, dict) or not all(isinstance(m, nn.Module) for m in modules.values()):
        raise TypeError("modules must be a dict of nn.Module")
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict of plain values, got {type(config).__name__}")
    state = TrainState(modules=dict(modules), optimizers=dict(optimizers), config=dict(config))
    return train(step_fn, loader, steps, state, checkpoint_path=checkpoint_path, checkpoint_every=checkpoint_every,
                 log_every=log_every, desc=desc, progress=progress)
