"""One iteration of Algorithm 1 of Goodfellow et al. (2014): k discriminator steps, one generator step.

The number of discriminator (critic) steps per generator step is called ``n_critic`` everywhere
in the course's code, as in the WGAN papers; it is the k of Algorithm 1.

Contract
--------
* ``generator(z)`` maps a latent batch (n, latent_dim) to samples shaped like the real batch;
  ``discriminator(x)`` maps a batch to *logits* of shape (n,) or (n, 1) (D(x) = sigmoid).
* ``latent_sampler(n)`` returns a floating (n, latent_dim) tensor on the models' device.
* ``d_loss_fn(real_logits, fake_logits)`` and ``g_loss_fn(fake_logits)`` return scalar
  tensors (defaults: ``course_lib.losses.gan``). When ``real_label != 1`` it is passed on
  as ``d_loss_fn(real_logits, fake_logits, real_label=real_label)``, so a custom D loss
  without label smoothing need not accept it.

How the real batch is used
--------------------------
Algorithm 1 draws a *fresh* minibatch of m real examples for each of the k discriminator
steps. To keep one loader batch per training step, the real batch of N >= k examples is
split into k = n_critic consecutive chunks (``torch.tensor_split``: sizes differ by at most one) and
discriminator step i uses chunk i with as many fresh latents. So with batch size k * m the
step is exactly Algorithm 1 with minibatch size m; with k = 1 the whole batch is used. The
generator step then draws ceil(N / k) fresh latents (= m).

Extras for the training tricks (``course_lib.gan_tricks``), all off by default
---------------------------------------------------------------------------
* ``d_penalty()`` / ``g_penalty()``: callables returning a scalar tensor added to every
  D loss / to the G loss (e.g. ``HistoricalAverage(D, w).penalty``).
* ``g_objective(real_batch, fake)``: replaces ``g_loss_fn(discriminator(fake))`` as the G
  loss (e.g. feature matching, ``feature_matching_loss(D.features(real), D.features(fake))``).
  It runs with D frozen, like the default G loss.
The returned ``d_loss``/``g_loss`` are the totals each player minimised, penalties included.

Extras for the Wasserstein family and for GPUs (``course_lib.gan_training``), all off by default
------------------------------------------------------------------------------------------------
* ``clip=c``: after every critic update, the critic's parameters are clamped to [-c, c] (WGAN).
* ``gp_weight=lambda``: lambda * ``gradient_penalty(D, real, fake)`` is added to every D loss (WGAN-GP);
  ``uniform_sampler(n)``, if given, draws its n interpolation weights (a multi-process run
  shares out one global draw, as for the latent codes).
* ``scores="raw"``: D returns unbounded scores (a critic, LSGAN, hinge), so ``d_real``/``d_fake``
  report mean raw scores instead of mean sigmoid probabilities.
* ``autocast_dtype``: run the forward passes under ``torch.autocast`` with this dtype (bfloat16
  needs no loss scaling); the losses are computed in float32.
* ``ema``: a ``torch.optim.swa_utils.AveragedModel`` of G, updated after the G step.
* ``reuse_fake=True`` (n_critic = 1 only): the G step reuses the fakes of the D step, through the
  same graph, instead of drawing fresh latents -- one generator forward per step instead
  of two, as in the DCGAN reference code (pytorch/examples). Algorithm 1 as written draws
  fresh latents, which is the default.

Real and fake examples go through D in separate forward passes (the DCGAN practice), so
batch-norm statistics in D never mix the two.

Freezing the other player
-------------------------
* D steps: fakes are generated under ``torch.no_grad()``, so no graph reaches G; G's
  parameters are not touched and their ``.grad`` stay as they were (None after
  ``zero_grad``), and only ``d_opt`` steps.
* G step: D's parameters have ``requires_grad`` switched off for the forward/backward
  (and restored afterwards, also on error), so the backward pass computes no gradient for
  them, D's ``.grad`` are left untouched and only ``g_opt`` steps. A D wrapped in
  ``DistributedDataParallel`` is called unwrapped here (``.module``): it is not trained in this
  step, so DDP must not wait for its gradients (see ``course_lib.distributed``).
"""
from __future__ import annotations

import contextlib
import inspect
from typing import Callable

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from course_lib._checks import check_positive_int, check_real, check_tensor
from course_lib.losses.gan import discriminator_loss, generator_loss_nonsaturating
from course_lib.losses.wgan import clip_weights_, gradient_penalty

__all__ = ["adversarial_step", "adversarial_step_tensors", "make_adversarial_step_fn"]

LatentSampler = Callable[[int], torch.Tensor]


def check_players(generator, discriminator, g_opt, d_opt) -> None:
    """Two modules and two distinct optimisers, one per player (TypeError/ValueError naming the argument)."""
    for name, module in (("generator", generator), ("discriminator", discriminator)):
        if not isinstance(module, nn.Module):
            raise TypeError(f"{name} must be a torch.nn.Module, got {type(module).__name__}")
    for name, opt in (("g_opt", g_opt), ("d_opt", d_opt)):
        if not isinstance(opt, torch.optim.Optimizer):
            raise TypeError(f"{name} must be a torch.optim.Optimizer, got {type(opt).__name__}")
    if g_opt is d_opt:
        raise ValueError("g_opt and d_opt must be two different optimizers, one per player")


def _check_setup(generator, discriminator, g_opt, d_opt, latent_sampler, n_critic, d_loss_fn, g_loss_fn,
                 real_label, d_penalty=None, g_penalty=None, g_objective=None) -> None:
    check_players(generator, discriminator, g_opt, d_opt)
    for name, fn in (("latent_sampler", latent_sampler), ("d_loss_fn", d_loss_fn),
                     ("g_loss_fn", g_loss_fn)):
        if not callable(fn):
            raise TypeError(f"{name} must be callable, got {type(fn).__name__}")
    for name, fn in (("d_penalty", d_penalty), ("g_penalty", g_penalty), ("g_objective", g_objective)):
        if fn is not None and not callable(fn):
            raise TypeError(f"{name} must be callable or None, got {type(fn).__name__}")
    check_positive_int("n_critic", n_critic)
    real_label = check_real("real_label", real_label)
    if not 0.0 < real_label <= 1.0:
        raise ValueError(f"real_label must lie in (0, 1], got {real_label}")


def _sample_latent(latent_sampler: LatentSampler, n: int) -> torch.Tensor:
    z = latent_sampler(n)
    check_tensor("latent_sampler(n)", z, floating=True)
    if z.ndim < 1 or z.shape[0] != n:
        raise ValueError(f"latent_sampler(n) must return a batch of n = {n} latents, "
                         f"got shape {tuple(z.shape)}")
    return z


def _scores(discriminator: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """D's output, (n, 1) flattened to (n,); half precision (under autocast) raised to float32."""
    out = discriminator(x)
    if out.ndim == 2 and out.shape[1] == 1:
        out = out[:, 0]
    return out.float() if out.dtype in (torch.float16, torch.bfloat16) else out


def _scalar_loss(name: str, loss) -> torch.Tensor:
    if not isinstance(loss, torch.Tensor) or loss.ndim != 0:
        shape = tuple(loss.shape) if isinstance(loss, torch.Tensor) else type(loss).__name__
        raise ValueError(f"{name} must return a scalar (0-d) tensor, got {shape}")
    return loss


def adversarial_step(*args, **kwargs) -> dict[str, float]:
    """n_critic discriminator updates, then one generator update (see the module docstring).

    Takes the arguments of ``adversarial_step_tensors`` and returns its numbers as floats
    (one transfer from the device for all of them).
    """
    values = adversarial_step_tensors(*args, **kwargs)
    return dict(zip(values, torch.stack(list(values.values())).tolist()))


def adversarial_step_tensors(
    generator: nn.Module,
    discriminator: nn.Module,
    g_opt: torch.optim.Optimizer,
    d_opt: torch.optim.Optimizer,
    real_batch: torch.Tensor,
    latent_sampler: LatentSampler,
    n_critic: int = 1,
    d_loss_fn: Callable = discriminator_loss,
    g_loss_fn: Callable = generator_loss_nonsaturating,
    real_label: float = 1.0,
    *,
    d_penalty: Callable[[], torch.Tensor] | None = None,
    g_penalty: Callable[[], torch.Tensor] | None = None,
    g_objective: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    clip: float | None = None,
    gp_weight: float = 0.0,
    scores: str = "logits",
    autocast_dtype: torch.dtype | None = None,
    ema: nn.Module | None = None,
    reuse_fake: bool = False,
    uniform_sampler: LatentSampler | None = None,
) -> dict[str, torch.Tensor]:
    """n_critic discriminator updates, then one generator update (see the module docstring).

    ``real_batch``: (N, ...) floating, N >= n_critic. Returns 0-d tensors on the device, detached,
    so that a training loop reads them (a host sync) only when it logs: ``d_loss`` (mean over the n_critic
    D steps), ``g_loss`` (the G step), ``d_real`` = mean D(x) and ``d_fake`` = mean D(G(z))
    (probabilities for ``scores="logits"``, raw scores for ``"raw"``) and ``w_estimate`` =
    mean raw score of real minus fake (the critic's estimate of W1 for a WGAN) -- means
    over the n_critic D steps, from the same forward passes as ``d_loss``, i.e. before each D update.
    """
    _check_setup(generator, discriminator, g_opt, d_opt, latent_sampler, n_critic, d_loss_fn, g_loss_fn,
                 real_label, d_penalty, g_penalty, g_objective)
    _check_extras(clip, gp_weight, scores, autocast_dtype, ema, uniform_sampler)
    if not isinstance(reuse_fake, bool):
        raise TypeError(f"reuse_fake must be a bool, got {type(reuse_fake).__name__}")
    if reuse_fake and (n_critic != 1 or g_objective is not None):
        raise ValueError("reuse_fake=True needs n_critic = 1 and no g_objective (the G step reuses the one D step's fakes)")
    check_tensor("real_batch", real_batch, floating=True)
    if real_batch.ndim == 0 or real_batch.shape[0] < n_critic:
        raise ValueError(f"real_batch must hold at least n_critic = {n_critic} examples (one chunk per "
                         f"discriminator step), got shape {tuple(real_batch.shape)}")
    d_kwargs = {} if real_label == 1.0 else {"real_label": real_label}

    device_type = real_batch.device.type
    # One context object, entered around each forward pass below in turn (never nested).
    autocast = (contextlib.nullcontext() if autocast_dtype is None
                else torch.autocast(device_type, dtype=autocast_dtype))
    to_stat = torch.sigmoid if scores == "logits" else (lambda t: t)

    d_losses, d_reals, d_fakes, w_estimates = [], [], [], []
    fake_with_graph = None
    for real in torch.tensor_split(real_batch, n_critic):
        if reuse_fake:
            with autocast:
                fake_with_graph = generator(_sample_latent(latent_sampler, real.shape[0]))
            fake = fake_with_graph.detach()
        else:
            with torch.no_grad(), autocast:
                fake = generator(_sample_latent(latent_sampler, real.shape[0]))
        with autocast:
            real_logits = _scores(discriminator, real)
            fake_logits = _scores(discriminator, fake)
        d_loss = _scalar_loss("d_loss_fn", d_loss_fn(real_logits, fake_logits, **d_kwargs))
        if gp_weight:
            # Outside autocast, in float32: the penalty's double backward loses too much in bfloat16.
            alpha = None if uniform_sampler is None else uniform_sampler(real.shape[0])
            d_loss = d_loss + gp_weight * gradient_penalty(discriminator, real.float(), fake.float(), alpha=alpha)
        if d_penalty is not None:
            d_loss = d_loss + _scalar_loss("d_penalty", d_penalty())
        d_opt.zero_grad(set_to_none=True)
        d_loss.backward()
        d_opt.step()
        if clip is not None:
            clip_weights_(discriminator, clip)
        real_logits, fake_logits = real_logits.detach(), fake_logits.detach()
        d_losses.append(d_loss.detach())
        d_reals.append(to_stat(real_logits).mean())
        d_fakes.append(to_stat(fake_logits).mean())
        w_estimates.append(real_logits.mean() - fake_logits.mean())

    n_latent = -(-real_batch.shape[0] // n_critic)  # ceil(N / n_critic): the size of the first (largest) chunk
    frozen_d = discriminator.module if isinstance(discriminator, DistributedDataParallel) else discriminator
    d_params = list(discriminator.parameters())
    saved_flags = [p.requires_grad for p in d_params]
    try:
        for p in d_params:
            p.requires_grad_(False)
        with autocast:
            fake = fake_with_graph if reuse_fake else generator(_sample_latent(latent_sampler, n_latent))
            if g_objective is None:
                fake_scores = _scores(frozen_d, fake)
        if g_objective is None:
            g_loss = _scalar_loss("g_loss_fn", g_loss_fn(fake_scores))
        else:
            g_loss = _scalar_loss("g_objective", g_objective(real_batch, fake))
        if g_penalty is not None:
            g_loss = g_loss + _scalar_loss("g_penalty", g_penalty())
        g_opt.zero_grad(set_to_none=True)
        g_loss.backward()
        g_opt.step()
    finally:
        for p, flag in zip(d_params, saved_flags):
            p.requires_grad_(flag)
    if ema is not None:
        ema.update_parameters(generator)

    values = [torch.stack(d_losses).mean(), g_loss.detach().to(d_losses[0].dtype),
              torch.stack(d_reals).mean(), torch.stack(d_fakes).mean(), torch.stack(w_estimates).mean()]
    return dict(zip(("d_loss", "g_loss", "d_real", "d_fake", "w_estimate"), values))


adversarial_step.__signature__ = inspect.signature(adversarial_step_tensors).replace(
    return_annotation="dict[str, float]")


def _check_extras(clip, gp_weight, scores, autocast_dtype, ema, uniform_sampler=None) -> None:
    if uniform_sampler is not None and not callable(uniform_sampler):
        raise TypeError(f"uniform_sampler must be callable or None, got {type(uniform_sampler).__name__}")
    if clip is not None:
        check_real("clip", clip, positive=True)
    gp_weight = check_real("gp_weight", gp_weight)
    if gp_weight < 0:
        raise ValueError(f"gp_weight must be >= 0, got {gp_weight}")
    if scores not in ("logits", "raw"):
        raise ValueError(f"scores must be 'logits' or 'raw', got {scores!r}")
    if autocast_dtype is not None and autocast_dtype not in (torch.bfloat16, torch.float16):
        raise ValueError(f"autocast_dtype must be torch.bfloat16, torch.float16 or None, got {autocast_dtype}")
    if ema is not None and not hasattr(ema, "update_parameters"):
        raise TypeError("ema must be a torch.optim.swa_utils.AveragedModel (or None), "
                        f"got {type(ema).__name__}")


def make_adversarial_step_fn(
    generator: nn.Module,
    discriminator: nn.Module,
    g_opt: torch.optim.Optimizer,
    d_opt: torch.optim.Optimizer,
    latent_sampler: LatentSampler,
    n_critic: int = 1,
    d_loss_fn: Callable = discriminator_loss,
    g_loss_fn: Callable = generator_loss_nonsaturating,
    real_label: float = 1.0,
    *,
    d_penalty: Callable[[], torch.Tensor] | None = None,
    g_penalty: Callable[[], torch.Tensor] | None = None,
    g_objective: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    clip: float | None = None,
    gp_weight: float = 0.0,
    scores: str = "logits",
    autocast_dtype: torch.dtype | None = None,
    ema: nn.Module | None = None,
    reuse_fake: bool = False,
    uniform_sampler: LatentSampler | None = None,
    channels_last: bool = False,
    as_floats: bool = True,
) -> Callable[[object], dict]:
    """A ``step_fn(batch) -> dict`` for ``course_lib.training.train`` running ``adversarial_step``.

    The one step of every GAN of the course: notebook 02's tricks (label smoothing, penalties,
    feature matching) and ``course_lib.gan_training.train_gan``'s options (clipping, gradient
    penalty, raw scores, autocast, EMA, reused fakes, channels-last) are its arguments, all
    those of ``adversarial_step``. ``batch`` is what an ``InMemoryLoader`` yields, a tuple
    ``(x,)`` or ``(x, y)``; only ``x = batch[0]`` is used (labels are ignored). ``x`` is moved
    to the device of the discriminator's parameters (channels-last for 4-D batches with
    ``channels_last``). The arguments are checked here, once. With ``as_floats=False`` the
    numbers stay 0-d tensors on the device (``train`` reads them only when it logs).
    """
    _check_setup(generator, discriminator, g_opt, d_opt, latent_sampler, n_critic, d_loss_fn, g_loss_fn,
                 real_label, d_penalty, g_penalty, g_objective)
    _check_extras(clip, gp_weight, scores, autocast_dtype, ema, uniform_sampler)
    for name, flag in (("reuse_fake", reuse_fake), ("channels_last", channels_last), ("as_floats", as_floats)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be a bool, got {type(flag).__name__}")
    first = next(discriminator.parameters(), None)
    device = first.device if first is not None else None
    step = adversarial_step if as_floats else adversarial_step_tensors

    def step_fn(batch) -> dict:
        if not isinstance(batch, (tuple, list)) or len(batch) == 0:
            raise TypeError(f"batch must be a non-empty tuple (x,) or (x, y) as an InMemoryLoader "
                            f"yields, got {type(batch).__name__}")
        x = check_tensor("batch[0]", batch[0], floating=True)
        if device is not None:
            x = x.to(device, non_blocking=True)
        if channels_last and x.ndim == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        return step(generator, discriminator, g_opt, d_opt, x, latent_sampler, n_critic=n_critic,
                    d_loss_fn=d_loss_fn, g_loss_fn=g_loss_fn, real_label=real_label,
                    d_penalty=d_penalty, g_penalty=g_penalty, g_objective=g_objective,
                    clip=clip, gp_weight=gp_weight, scores=scores, autocast_dtype=autocast_dtype,
                    ema=ema, reuse_fake=reuse_fake, uniform_sampler=uniform_sampler)

    return step_fn
