"""One adversarial training loop for every GAN of the course.

``train_gan`` runs ``course_lib.adversarial.adversarial_step`` (n_critic critic updates,
then one generator update) inside ``course_lib.training.train`` (progress bar with the
D/G losses, history, atomic checkpoints, exact resume) and adds what GAN training needs:

* a loss by name (``LOSSES``): the minimax GAN, the non-saturating GAN, LSGAN, hinge, WGAN
  (with weight clipping) and WGAN-GP (with the gradient penalty), or your own loss pair;
* sample grids of a fixed latent batch every ``sample_every`` steps (``run.samples``);
* FID every ``fid_every`` steps through a ``fid_fn(generator) -> float`` (``make_fid_fn``
  builds one from real MNIST images and the course's feature network);
* an exponential moving average of the generator's weights (``ema_decay``), kept by
  ``torch.optim.swa_utils.AveragedModel`` and used for samples and FID when present. It
  starts at the step-1 weights and warms up: the decay at update n is
  min(ema_decay, (1 + n) / (10 + n)), so a short run is not an average dominated by its first
  steps. Its batch-norm statistics are not averages of the live generator's: they are
  measured afresh on the EMA generator's own samples (``recompute_bn_stats``) before every
  grid, FID and at the end;
* on CUDA: bfloat16 autocast (``amp``), channels-last tensors and the data set kept on
  the device (pass an ``InMemoryLoader`` built with ``device=``; batches elsewhere are
  moved over as they come). The same call runs on the CPU, where these default to off.

Conventions: images in [-1, 1] (``course_lib.data.to_signed``) go into D; samples and grids
come back in [0, 1] on the CPU. One *step* is one generator update. By default
(``critic_batches="split"``) the loader's batch is split into ``n_critic`` chunks, one per
critic update (so WGAN with m = 64 and n_critic = 5 uses loader batches of 320);
``critic_batches="fresh"`` gives every critic update a loader batch of its own (batches of
m = 64, n_critic of them per step), as the reference WGAN code does. Sample grids and FID
use the generator in eval mode (batch norm with running statistics) and a latent batch of
their own, so they never disturb the random stream of training: a resumed run gives the
same numbers as an uninterrupted one on CPU.

A checkpoint records the run's configuration (the models' and optimisers' settings and the
loss, n_critic, clipping, penalty weight, EMA, AMP, ...): a resume with another one refuses
and names the difference (``course_lib.training.check_resumable``).

Launched by ``torchrun`` on several processes, ``train_gan`` trains with
``DistributedDataParallel`` (see ``course_lib.distributed``): the loader's batch is the global
batch, each process takes its shard, batch norms are synchronised (G and the critic are
converted in place), and rank 0 alone draws grids, measures FID, shows progress and writes
checkpoints. The EMA generator is made before the conversion and keeps plain batch norm.
"""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from typing import Callable, Mapping

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.optim.swa_utils import AveragedModel

from course_lib import distributed

from course_lib._checks import check_choice, check_positive_int, check_real, check_tensor
from course_lib.adversarial import make_adversarial_step_fn
from course_lib.feature_networks import extract_features, load_feature_network
from course_lib.metrics import feature_statistics, frechet_distance
from course_lib.data import from_signed
from course_lib.losses import gan as gan_losses
from course_lib.losses import wgan as wgan_losses
from course_lib.training import History, TrainState, train

__all__ = ["LOSSES", "LossPair", "GANState", "GANRun", "train_gan", "make_fid_fn", "generate", "make_ema",
           "recompute_bn_stats"]


@dataclass(frozen=True)
class LossPair:
    """``d_loss(real_scores, fake_scores)`` and ``g_loss(fake_scores)``, both minimised.

    ``scores`` says what D returns: ``"logits"`` (D(x) = sigmoid) or ``"raw"`` scores.
    """

    d_loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    g_loss: Callable[[torch.Tensor], torch.Tensor]
    scores: str


LOSSES: dict[str, LossPair] = {
    "gan": LossPair(gan_losses.discriminator_loss, gan_losses.generator_loss_saturating, "logits"),
    "ns": LossPair(gan_losses.discriminator_loss, gan_losses.generator_loss_nonsaturating, "logits"),
    "lsgan": LossPair(wgan_losses.lsgan_discriminator_loss, wgan_losses.lsgan_generator_loss, "raw"),
    "hinge": LossPair(wgan_losses.hinge_discriminator_loss, wgan_losses.hinge_generator_loss, "raw"),
    "wgan": LossPair(wgan_losses.wgan_critic_loss, wgan_losses.wgan_generator_loss, "raw"),
    "wgan-gp": LossPair(wgan_losses.wgan_critic_loss, wgan_losses.wgan_generator_loss, "raw"),
}
DEFAULT_GP_WEIGHT = 10.0
DEFAULT_GRID_SIZE = 64


@dataclass
class GANState(TrainState):
    """A ``TrainState`` that also checkpoints the FID history, the sample grids and the fixed noise."""

    fid: History = field(default_factory=History)
    samples: dict[int, torch.Tensor] = field(default_factory=dict)
    fixed_noise: torch.Tensor | None = None

    def state_dict(self) -> dict:
        state = super().state_dict()
        state["fid"] = self.fid.state_dict()
        state["samples"] = {int(k): v for k, v in self.samples.items()}
        state["fixed_noise"] = None if self.fixed_noise is None else self.fixed_noise.cpu()
        return state

    def load_state_dict(self, state: Mapping) -> None:
        super().load_state_dict(state)
        self.fid.load_state_dict(state["fid"])
        self.samples = dict(state["samples"])
        if state.get("fixed_noise") is not None and self.fixed_noise is not None:
            self.fixed_noise = state["fixed_noise"].to(self.fixed_noise.device)


@torch.no_grad()
def generate(generator: nn.Module, z: torch.Tensor, *, batch_size: int = 500) -> torch.Tensor:
    """G(z) in eval mode, mapped from [-1, 1] to [0, 1], float32 on the CPU; G's mode is restored."""
    if not isinstance(generator, nn.Module):
        raise TypeError(f"generator must be an nn.Module, got {type(generator).__name__}")
    check_tensor("z", z, floating=True)
    device = _device_of(generator)
    was_training = generator.training
    generator.eval()
    try:
        out = [from_signed(generator(chunk.to(device)).float()).cpu() for chunk in z.split(batch_size)]
    finally:
        generator.train(was_training)
    return torch.cat(out).contiguous()


class _EMA(AveragedModel):
    """``AveragedModel`` whose update reads nothing on the host after its first.

    torch's update tests ``n_averaged`` (a device tensor) twice per call, which waits for the
    GPU at every step; here whether the average has started is read once per run (after a
    resume, at the first update). Buffers follow the live model, as with ``use_buffers=False``;
    ``recompute_bn_stats`` replaces them before the EMA generator is used.
    """

    def update_parameters(self, model: nn.Module) -> None:
        if getattr(self, "_started", None) is None:
            self._started = bool(self.n_averaged > 0)  # the one host read
        averaged = [p.detach() for p in self.module.parameters()]
        live = [p.detach().to(a.device) for a, p in zip(averaged, model.parameters())]
        if self._started:
            self.multi_avg_fn(averaged, live, self.n_averaged)
        else:
            for a, p in zip(averaged, live):
                a.copy_(p)
            self._started = True
        for b_averaged, b_live in zip(self.module.buffers(), model.buffers()):
            b_averaged.detach().copy_(b_live.detach().to(b_averaged.device))
        self.n_averaged += 1

    def load_state_dict(self, *args, **kwargs):
        self._started = None  # read n_averaged again at the next update
        return super().load_state_dict(*args, **kwargs)


def make_ema(generator: nn.Module, decay: float, warmup: bool = True) -> AveragedModel:
    """An ``AveragedModel`` of ``generator`` whose update n (from 0) is
    ema <- d * ema + (1 - d) * weights with d = min(decay, (1 + n) / (10 + n)) (d = decay
    without ``warmup``). The first update copies the weights (the step-1 generator). Buffers
    (batch-norm statistics) are not averaged: see ``recompute_bn_stats``.
    """
    decay = check_real("decay", decay)
    if not 0.0 < decay < 1.0:
        raise ValueError(f"decay must lie in (0, 1), got {decay}")

    @torch.no_grad()
    def average(ema_params, params, num_averaged):
        # A tensor decay: reading num_averaged on the host would wait for the GPU at every step.
        n = num_averaged.to(ema_params[0].dtype)
        d = torch.clamp((1 + n) / (10 + n), max=decay) if warmup else torch.full_like(n, decay)
        for ema_param, param in zip(ema_params, params):
            ema_param.lerp_(param, (1 - d).to(ema_param.device))

    return _EMA(generator, multi_avg_fn=average, use_buffers=False)


@torch.no_grad()
def recompute_bn_stats(generator: nn.Module, latent_dim: int, *, n_batches: int = 8, batch_size: int = 128,
                       seed: int = 0) -> nn.Module:
    """Measure the batch-norm running statistics of ``generator`` on its own samples, in place.

    An EMA generator's weights are an average, and so are not the weights whose batch
    statistics the live generator's running averages describe: its statistics must be its own.
    ``n_batches`` latent batches (drawn with ``seed``, leaving the global random stream alone)
    pass through it in train mode with cumulative averaging (momentum None). Returns it.
    """
    if not isinstance(generator, nn.Module):
        raise TypeError(f"generator must be an nn.Module, got {type(generator).__name__}")
    check_positive_int("latent_dim", latent_dim)
    check_positive_int("n_batches", n_batches)
    check_positive_int("batch_size", batch_size)
    norms = [m for m in generator.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return generator
    device, latents = _device_of(generator), torch.Generator().manual_seed(seed)
    momenta, was_training = [m.momentum for m in norms], generator.training
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    generator.train()
    try:
        for _ in range(n_batches):
            generator(torch.randn(batch_size, latent_dim, generator=latents).to(device))
    finally:
        for m, momentum in zip(norms, momenta):
            m.momentum = momentum
        generator.train(was_training)
    return generator


class _CriticBatches:
    """A loader whose batch for step s joins the ``n_critic`` batches s*n_critic ... of ``loader``."""

    def __init__(self, loader, n_critic: int) -> None:
        self.loader, self.n_critic = loader, n_critic

    def batches(self, start_step: int = 0):
        inner = self.loader.batches(start_step * self.n_critic)
        while True:
            group = [next(inner) for _ in range(self.n_critic)]
            group = [b if isinstance(b, (tuple, list)) else (b,) for b in group]
            yield tuple(torch.cat(parts) for parts in zip(*group))


def _device_of(module: nn.Module) -> torch.device:
    first = next(module.parameters(), None)
    return first.device if first is not None else torch.device("cpu")


def _latent_dim(generator: nn.Module, fixed_noise) -> int:
    if fixed_noise is not None:
        return fixed_noise.shape[1]
    latent_dim = getattr(generator, "latent_dim", None)
    if not isinstance(latent_dim, int):
        raise ValueError("generator has no integer attribute latent_dim: pass fixed_noise of shape (n, latent_dim)")
    return latent_dim


@dataclass
class GANRun:
    """The result of ``train_gan``: the players, the EMA generator and what was recorded."""

    generator: nn.Module
    critic: nn.Module
    generator_ema: AveragedModel | None
    state: GANState
    loss: str

    @property
    def history(self) -> History:
        """``d_loss``, ``g_loss``, ``d_real``, ``d_fake``, ``w_estimate`` every ``log_every`` steps."""
        return self.state.history

    @property
    def fid(self) -> History:
        """``fid`` every ``fid_every`` steps (and at step 0)."""
        return self.state.fid

    @property
    def samples(self) -> dict[int, torch.Tensor]:
        """``{step: G(fixed_noise)}``, (n, C, H, W) in [0, 1] on the CPU."""
        return self.state.samples

    @property
    def sampler(self) -> nn.Module:
        """The generator used for samples: the EMA copy when there is one."""
        return self.generator_ema.module if self.generator_ema is not None else self.generator

    def sample(self, n: int, seed: int = 0, ema: bool = True) -> torch.Tensor:
        """n samples (n, C, H, W) in [0, 1] on the CPU, from latents drawn with ``seed``."""
        check_positive_int("n", n)
        g = self.sampler if ema else self.generator
        z = torch.randn(n, _latent_dim(g, self.state.fixed_noise), generator=torch.Generator().manual_seed(seed))
        return generate(g, z)


def _resolve_amp(amp: bool | None, device: torch.device) -> torch.dtype | None:
    if amp is None:
        amp = device.type == "cuda"
    if not isinstance(amp, bool):
        raise TypeError(f"amp must be True, False or None, got {type(amp).__name__}")
    if not amp:
        return None
    if device.type == "cuda" and not torch.cuda.is_bf16_supported():
        warnings.warn("this GPU has no bfloat16 support: training in float32 (amp off)", stacklevel=3)
        return None
    return torch.bfloat16


def train_gan(
    generator: nn.Module,
    critic: nn.Module,
    g_opt: torch.optim.Optimizer,
    d_opt: torch.optim.Optimizer,
    loader,
    steps: int,
    *,
    loss: str = "ns",
    n_critic: int = 1,
    clip: float | None = None,
    gp_weight: float | None = None,
    d_loss_fn: Callable | None = None,
    g_loss_fn: Callable | None = None,
    ema_decay: float | None = None,
    fixed_noise: torch.Tensor | None = None,
    sample_every: int | None = None,
    fid_fn: Callable[[nn.Module], float] | None = None,
    fid_every: int | None = None,
    checkpoint_path: str | os.PathLike | None = None,
    checkpoint_every: int | None = None,
    log_every: int = 10,
    desc: str = "GAN",
    progress: bool = True,
    amp: bool | None = None,
    channels_last: bool | None = None,
    reuse_fake: bool = False,
    critic_batches: str = "split",
    callback: Callable[[GANRun], None] | None = None,
) -> GANRun:
    """Train ``generator`` against ``critic`` for ``steps`` generator updates; return a ``GANRun``.

    generator : z (B, latent_dim) -> x in [-1, 1]; needs ``latent_dim`` or ``fixed_noise``.
    critic    : x -> scores (B,) or (B, 1): logits for "gan"/"ns", raw scores otherwise.
    loader    : ``course_lib.data.InMemoryLoader`` of ``(x,)`` or ``(x, y)``, x like G's output.
    critic_batches : "split" (default): each loader batch is split into ``n_critic`` chunks,
                one per critic update; "fresh": each critic update gets a loader batch.
    loss      : a key of ``LOSSES``. ``clip`` clamps the critic's weights after each critic
                update (WGAN, c = 0.01); ``gp_weight`` (default 10 for "wgan-gp", else 0)
                adds the gradient penalty. ``d_loss_fn``/``g_loss_fn`` replace the named pair.
    ema_decay : e.g. 0.999 keeps ``run.generator_ema`` (``make_ema``: warm-up, BN statistics
                of its own); samples and FID then use it.
    fixed_noise, sample_every : a grid of G(fixed_noise) at step 0, every ``sample_every``
                steps and at the end (default noise: 64 latents drawn with seed 0).
    fid_fn, fid_every : ``fid_fn(generator) -> float`` at step 0, every ``fid_every`` steps and
                at the end, logged in ``run.fid``.
    checkpoint_path, checkpoint_every, log_every, desc, progress : as ``course_lib.training.train``;
                training resumes from ``checkpoint_path`` if it exists and was made
                with the same configuration (otherwise ``ValueError`` names the difference).
    amp, channels_last : None -> on for CUDA, off elsewhere. ``amp`` is bfloat16 autocast.
    reuse_fake : with n_critic = 1, the G step reuses the D step's fakes (one G forward per
                step, as pytorch/examples' DCGAN does) instead of fresh latents.
    callback  : ``callback(run)`` after every step (after the grids and FID of that step), e.g.
                to measure something of ``run.generator`` every N steps (``run.state.step``).
                On several processes, rank 0 alone calls it.
    """
    for name, module in (("generator", generator), ("critic", critic)):
        if not isinstance(module, nn.Module):
            raise TypeError(f"{name} must be an nn.Module, got {type(module).__name__}")
    check_choice("loss", loss, tuple(LOSSES))
    check_positive_int("steps", steps, minimum=0)
    check_positive_int("n_critic", n_critic)
    if clip is not None:
        clip = check_real("clip", clip, positive=True)
    if gp_weight is None:
        gp_weight = DEFAULT_GP_WEIGHT if loss == "wgan-gp" else 0.0
    gp_weight = check_real("gp_weight", gp_weight)
    if gp_weight < 0:
        raise ValueError(f"gp_weight must be >= 0, got {gp_weight}")
    if ema_decay is not None:
        ema_decay = check_real("ema_decay", ema_decay)
        if not 0.0 < ema_decay < 1.0:
            raise ValueError(f"ema_decay must lie in (0, 1), got {ema_decay}")
    for name, every in (("sample_every", sample_every), ("fid_every", fid_every)):
        if every is not None:
            check_positive_int(name, every)
    if not isinstance(reuse_fake, bool):
        raise TypeError(f"reuse_fake must be a bool, got {type(reuse_fake).__name__}")
    if reuse_fake and n_critic != 1:
        raise ValueError(f"reuse_fake=True needs n_critic = 1, got n_critic = {n_critic}")
    check_choice("critic_batches", critic_batches, ("split", "fresh"))
    if gp_weight > 0 and any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in critic.modules()):
        warnings.warn("the critic has batch norm and a gradient penalty is on: batch norm mixes the samples "
                      "that the penalty treats one by one (use layer norm or none, e.g. wgan_critic)",
                      stacklevel=2)
    if (fid_fn is None) != (fid_every is None):
        raise ValueError("fid_fn and fid_every go together: give both or neither")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None, got {type(callback).__name__}")
    if fid_fn is not None and not callable(fid_fn):
        raise TypeError(f"fid_fn must be callable, got {type(fid_fn).__name__}")
    pair = LOSSES[loss]
    d_loss_fn = pair.d_loss if d_loss_fn is None else d_loss_fn
    g_loss_fn = pair.g_loss if g_loss_fn is None else g_loss_fn

    device = _device_of(generator)
    if _device_of(critic) != device:
        raise ValueError(f"generator and critic must be on the same device, got {device} and {_device_of(critic)}")
    autocast_dtype = _resolve_amp(amp, device)
    if channels_last is None:
        channels_last = device.type == "cuda"
    if channels_last:
        generator.to(memory_format=torch.channels_last)
        critic.to(memory_format=torch.channels_last)

    latent_dim = _latent_dim(generator, fixed_noise)
    if fixed_noise is None:
        fixed_noise = torch.randn(DEFAULT_GRID_SIZE, latent_dim, generator=torch.Generator().manual_seed(0))
    check_tensor("fixed_noise", fixed_noise, ndim=2, floating=True)
    fixed_noise = fixed_noise.to(device)

    ema = None
    modules: dict[str, nn.Module] = {"generator": generator, "critic": critic}
    if ema_decay is not None:
        ema = make_ema(generator, ema_decay)
        modules["generator_ema"] = ema
    config = {"loss": loss, "n_critic": n_critic, "critic_batches": critic_batches, "clip": clip,
              "gp_weight": gp_weight, "d_loss_fn": d_loss_fn, "g_loss_fn": g_loss_fn, "ema_decay": ema_decay,
              "amp": str(autocast_dtype), "reuse_fake": reuse_fake, "latent_dim": latent_dim}
    state = GANState(modules=modules, optimizers={"g_opt": g_opt, "d_opt": d_opt}, config=config,
                     fixed_noise=fixed_noise)
    run = GANRun(generator, critic, ema, state, loss)
    if critic_batches == "fresh" and n_critic > 1:
        loader = _CriticBatches(loader, n_critic)

    def latent_sampler(n: int) -> torch.Tensor:
        return torch.randn(n, latent_dim, device=device)

    # Several processes (torchrun): synchronised batch norm, DDP, a shard of every batch and draw
    # of codes per process, and rank 0 alone logs and writes (course_lib.distributed).
    context = distributed.current()
    players, uniform_sampler = (generator, critic), None
    if context.distributed:
        device_ids = [device.index if device.index is not None else torch.cuda.current_device()] \
            if device.type == "cuda" else None
        players = tuple(DistributedDataParallel(distributed.sync_batch_norm(m), device_ids=device_ids,
                                                forward_sync_buffers=False) for m in players)
        latent_sampler = distributed.shard_latents(latent_sampler, context)
        if gp_weight:  # the penalty's interpolation weights: one global draw, shared out like the codes
            uniform_sampler = distributed.shard_latents(lambda n: torch.rand(n, device=device), context)
    step_fn = make_adversarial_step_fn(*players, g_opt, d_opt, latent_sampler, n_critic,
                                       d_loss_fn, g_loss_fn, clip=clip, gp_weight=gp_weight, scores=pair.scores,
                                       autocast_dtype=autocast_dtype, ema=ema, reuse_fake=reuse_fake,
                                       uniform_sampler=uniform_sampler, channels_last=channels_last,
                                       as_floats=False)
    if context.distributed:
        whole_batch_step = step_fn

        def step_fn(batch) -> dict:
            metrics = whole_batch_step((distributed.shard_batch(batch[0], n_critic, context), *batch[1:]))
            return distributed.mean_over_processes(metrics)  # the global batch's numbers, as on one process

    def record(step: int, sample: bool, fid: bool) -> None:
        if not context.is_main:
            return
        if ema is not None and ((sample and step not in state.samples) or (fid and step not in state.fid.steps)):
            recompute_bn_stats(ema.module, latent_dim)
        if sample and step not in state.samples:
            state.samples[step] = generate(run.sampler, fixed_noise)
        if fid and step not in state.fid.steps:
            state.fid.append(step, {"fid": float(fid_fn(run.sampler))})

    def after_step(s: TrainState) -> None:
        last = s.step == steps
        record(s.step, sample_every is not None and (s.step % sample_every == 0 or last),
               fid_fn is not None and (s.step % fid_every == 0 or last))
        if callback is not None and context.is_main:
            callback(run)

    resuming = checkpoint_path is not None and os.path.isfile(checkpoint_path)
    if not resuming:  # a resumed run has its step-0 records in the checkpoint
        record(0, sample_every is not None, fid_fn is not None)
    train(step_fn, loader, steps, state, checkpoint_path=checkpoint_path,
          checkpoint_every=checkpoint_every, log_every=log_every, desc=desc,
          progress=progress and context.is_main, callback=after_step, save=context.is_main)
    if ema is not None:
        recompute_bn_stats(ema.module, latent_dim)  # what run.sampler gives from now on
    return run


def make_fid_fn(real_images: torch.Tensor, *, n_samples: int = 1000, seed: int = 0,
                network: nn.Module | None = None, batch_size: int = 500) -> Callable[[nn.Module], float]:
    """A ``fid_fn(generator) -> float`` for ``train_gan``: FID between ``real_images`` and
    ``n_samples`` samples of the generator, in the feature space of the course's MNIST
    classifier (``course_lib.metrics.load_feature_network``) unless ``network`` is given.

    ``real_images``: (N, 1, 28, 28) in [0, 1]; their statistics are computed once, here.
    The generator's latents are the same at every call (drawn with ``seed``), so FID curves
    compare checkpoints, not latent draws. The generator runs in eval mode.
    """
    check_tensor("real_images", real_images, ndim=4, floating=True)
    if real_images.shape[0] < 2:
        raise ValueError(f"real_images must hold at least 2 images, got shape {tuple(real_images.shape)}")
    if float(real_images.min()) < 0.0 or float(real_images.max()) > 1.0:
        raise ValueError("real_images must lie in [0, 1] (use course_lib.data.from_signed on [-1, 1] images)")
    check_positive_int("n_samples", n_samples, minimum=2)
    network = load_feature_network() if network is None else network
    mu_real, sigma_real = feature_statistics(extract_features(network, real_images, batch_size=batch_size).features)

    def fid_fn(generator: nn.Module) -> float:
        z = torch.randn(n_samples, _latent_dim(generator, None), generator=torch.Generator().manual_seed(seed))
        fake = generate(generator, z, batch_size=batch_size)
        if tuple(fake.shape[1:]) != tuple(real_images.shape[1:]):
            raise ValueError(f"generator samples have shape {tuple(fake.shape[1:])}, the real images "
                             f"{tuple(real_images.shape[1:])}")
        mu_fake, sigma_fake = feature_statistics(extract_features(network, fake, batch_size=batch_size).features)
        return frechet_distance(mu_real, sigma_real, mu_fake, sigma_fake)

    return fid_fn
