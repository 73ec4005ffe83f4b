"""Ready-made GAN training runs for the command line and for producing the course's checkpoints.

A *recipe* names a model family and its published hyper-parameters:

========  ==========================  ===================================  ========  =====================
recipe    critic                      optimisers                           n_critic  loss
========  ==========================  ===================================  ========  =====================
dcgan     DCGAN D (batch norm)        Adam(2e-4, betas=(0.5, 0.999))       1         non-saturating GAN
wgan      DCGAN D (batch norm)        RMSprop(5e-5), clipping c = 0.01      5         WGAN
wgan-gp   critic, layer norm, no BN   Adam(1e-4, betas=(0.0, 0.9))         5         WGAN-GP, lambda = 10
stylegan  ProGAN D (equalised, mbstd) Adam(1e-3, betas=(0.0, 0.99))        1         non-saturating GAN
========  ==========================  ===================================  ========  =====================

``stylegan`` trains ``course_lib.models.stylegan.StyleGenerator`` (28x28 only; w_dim = latent_dim)
against ``course_lib.models.progan.ProDiscriminator`` at full resolution.

``run_recipe`` loads the data (``course_lib.data.load_data``: offline digits in FAST, the
torchvision data set in full, with the offline fallback), builds G and the critic
(``course_lib.models.dcgan``), and calls ``course_lib.gan_training.train_gan`` with sample
grids, FID (for 1-channel 28x28 data, in the MNIST feature network's space) and an EMA of G.
``export_generator`` writes the EMA generator small (float16) with a JSON record of its
SHA-256, the command that made it and its FID; ``course_lib.pretrained`` loads it back.
"""
from __future__ import annotations

import json
import platform
import shlex
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from course_lib._checks import check_choice, check_positive_int
from course_lib.budget import Budget, get_budget
from course_lib.data import DATASETS, InMemoryLoader, load_data, to_signed
from course_lib.device import get_device, seed_everything
from course_lib.files import file_sha256
from course_lib.gan_training import GANRun, make_fid_fn, train_gan
from course_lib.models.dcgan import DCGANDiscriminator, DCGANGenerator, wgan_critic

RECIPES = ("dcgan", "wgan", "wgan-gp", "stylegan")


@dataclass(frozen=True)
class RecipeConfig:
    """Everything that defines one run (saved next to the exported weights)."""

    recipe: str
    data: str
    budget: str
    steps: int
    batch_size: int
    latent_dim: int
    width: int
    image_size: int
    seed: int
    ema_decay: float


def default_config(recipe: str, data: str = "mnist", budget: Budget | str | None = None, *,
                   steps: int | None = None, batch_size: int | None = None, latent_dim: int = 64,
                   width: int | None = None, image_size: int | None = None, seed: int = 0,
                   ema_decay: float = 0.999) -> RecipeConfig:
    """The recipe's defaults for a budget, with any of them overridden."""
    check_choice("recipe", recipe, RECIPES)
    check_choice("data", data, DATASETS)
    budget = budget if isinstance(budget, Budget) else get_budget(budget)
    n_critic = 1 if recipe in ("dcgan", "stylegan") else 5
    config = RecipeConfig(
        recipe=recipe, data=data, budget=budget.name,
        steps=steps if steps is not None else budget.pick(fast=200, full=20_000),
        batch_size=batch_size if batch_size is not None else n_critic * budget.pick(fast=64, full=128),
        latent_dim=latent_dim,
        width=width if width is not None else budget.pick(fast=32, full=64),
        image_size=image_size if image_size is not None else (64 if data == "cifar10" else 28),
        seed=seed, ema_decay=ema_decay,
    )
    for name in ("steps", "batch_size", "latent_dim", "width"):
        check_positive_int(name, getattr(config, name))
    check_choice("image_size", config.image_size, (28, 64))
    if recipe == "stylegan" and config.image_size != 28:
        raise ValueError(f"image_size must be 28 for stylegan, got {config.image_size}")
    if config.batch_size % n_critic:
        raise ValueError(f"batch_size must be a multiple of n_critic = {n_critic} for {recipe}, got {config.batch_size}")
    return config


def build_models(config: RecipeConfig, channels: int, device: torch.device):
    """G, the critic and their optimisers, as the recipe prescribes."""
    if config.recipe == "stylegan":
        return _style_models(config, channels, device)
    g = DCGANGenerator(config.latent_dim, channels, config.width, config.image_size).to(device)
    if config.recipe == "wgan-gp":
        d = wgan_critic(channels, config.width, config.image_size, norm="layer").to(device)
        g_opt = torch.optim.Adam(g.parameters(), 1e-4, betas=(0.0, 0.9))
        d_opt = torch.optim.Adam(d.parameters(), 1e-4, betas=(0.0, 0.9))
    elif config.recipe == "wgan":
        d = DCGANDiscriminator(channels, config.width, config.image_size, norm="batch").to(device)
        g_opt = torch.optim.RMSprop(g.parameters(), 5e-5)
        d_opt = torch.optim.RMSprop(d.parameters(), 5e-5)
    else:
        d = DCGANDiscriminator(channels, config.width, config.image_size, norm="batch").to(device)
        g_opt = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
        d_opt = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
    return g, d, g_opt, d_opt


def _style_models(config: RecipeConfig, channels: int, device: torch.device):
    """StyleGAN's generator against ProGAN's discriminator, Adam(1e-3, betas=(0, 0.99)) for both (equalised layers)."""
    from course_lib.models.progan import ProDiscriminator
    from course_lib.models.stylegan import StyleGenerator

    g = StyleGenerator(config.latent_dim, channels, config.width, w_dim=config.latent_dim).to(device)
    d = ProDiscriminator(channels, config.width).to(device)
    g_opt = torch.optim.Adam(g.parameters(), 1e-3, betas=(0.0, 0.99))
    d_opt = torch.optim.Adam(d.parameters(), 1e-3, betas=(0.0, 0.99))
    return g, d, g_opt, d_opt


def _images(data: str, split: str, budget: str, image_size: int):
    dataset = load_data(data, split, budget=budget)
    images = dataset.images
    if images.shape[-1] != image_size:
        images = F.interpolate(images, size=(image_size, image_size), mode="bilinear", align_corners=False,
                               antialias=True).clamp_(0.0, 1.0)
    return images, dataset.source


def run_recipe(config: RecipeConfig, *, device: torch.device | str | None = None,
               checkpoint_path: str | Path | None = None, fid_every: int | None = None,
               sample_every: int | None = None, progress: bool = True) -> tuple[GANRun, dict]:
    """Train one recipe; return the run and a summary (data source, final FID or None)."""
    device = get_device() if device is None else torch.device(device)
    seed_everything(config.seed, deterministic=device.type != "cuda")
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True  # fixed shapes: let cuDNN pick the fastest kernels
    train_images, source = _images(config.data, "train", config.budget, config.image_size)
    channels = train_images.shape[1]
    # The whole (small) data set is moved to the device once; batches are then indexed there.
    loader = InMemoryLoader(to_signed(train_images), batch_size=config.batch_size, seed=config.seed,
                            device=device)
    g, d, g_opt, d_opt = build_models(config, channels, device)
    fid_fn = None
    if tuple(train_images.shape[1:]) == (1, 28, 28):
        test_images, _ = _images(config.data, "test", config.budget, config.image_size)
        fid_fn = make_fid_fn(test_images[:2000], n_samples=2000)
    every = max(1, config.steps // 10)
    loss = {"dcgan": "ns", "wgan": "wgan", "wgan-gp": "wgan-gp", "stylegan": "ns"}[config.recipe]
    run = train_gan(
        g, d, g_opt, d_opt, loader, config.steps, loss=loss,
        n_critic=1 if config.recipe in ("dcgan", "stylegan") else 5, clip=0.01 if config.recipe == "wgan" else None,
        ema_decay=config.ema_decay, sample_every=sample_every or every,
        fid_fn=fid_fn, fid_every=(fid_every or every) if fid_fn is not None else None,
        checkpoint_path=checkpoint_path, checkpoint_every=every if checkpoint_path is not None else None,
        log_every=max(1, min(50, every)), desc=f"{config.recipe} on {config.data}", progress=progress,
    )
    summary = {"data_source": source, "fid": run.fid["fid"][-1] if "fid" in run.fid else None}
    return run, summary


def _thinned(history, key: str, points: int = 100) -> dict | None:
    """At most ``points`` evenly spaced entries of a logged quantity, for a record."""
    if key not in history or not history.steps:
        return None
    keep = sorted({round(i * (len(history.steps) - 1) / (points - 1)) for i in range(points)})
    return {"steps": [history.steps[i] for i in keep], key: [round(history[key][i], 4) for i in keep]}


def export_generator(run: GANRun, config: RecipeConfig, summary: dict, path: str | Path,
                     command: str | None = None) -> Path:
    """Write the (EMA) generator's weights in float16 to ``path`` and a record to ``path.json``
    (hash, command, configuration, data, final FID and its sample size, FID over training and
    the critic's estimate ``w_estimate`` over training, thinned to 100 points)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    generator = run.sampler
    state = {k: (v.detach().to("cpu", torch.float16) if v.is_floating_point() else v.detach().cpu())
             for k, v in generator.state_dict().items()}
    torch.save(state, path)
    digest = file_sha256(path)
    record = {
        "model": type(generator).__name__,
        "kwargs": dict(generator.model_args),
        "sha256": digest,
        "command": command if command is not None else "python -m course_lib " + shlex.join(sys.argv[1:]),
        "config": asdict(config),
        "data_source": summary["data_source"],
        "fid_mnist_features": None if summary["fid"] is None else round(float(summary["fid"]), 2),
        "fid_samples": 2000,
        "fid_over_training": {"steps": list(run.fid.steps), "fid": [round(v, 2) for v in run.fid["fid"]]}
        if "fid" in run.fid else None,
        "w_estimate_over_training": _thinned(run.history, "w_estimate"),
        "torch": torch.__version__,
        "machine": platform.machine(),
    }
    path.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")
    return path
