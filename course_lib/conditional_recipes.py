"""Command-line recipes for the conditional GANs of notebook 06, and their committed checkpoints.

=========  ======================================  ==========================================  ==============
recipe     G / D                                   optimisers                                  extra
=========  ======================================  ==========================================  ==============
cgan       [z, one_hot(y)] / label as channels     Adam(2e-4, betas=(0.5, 0.999)) for both     --
acgan      [z, one_hot(y)] / class head            Adam(2e-4, betas=(0.5, 0.999)) for both     --
infogan    [z(62), c_cat(10), c_cont(2)] / Q head  G Adam(1e-3), D and Q Adam(2e-4), beta1 0.5  lambda 1 / 0.1
=========  ======================================  ==========================================  ==============

``python -m course_lib train cgan|acgan|infogan ...`` runs ``run_conditional_recipe`` through
``course_lib.conditional_training.train_conditional_gan`` (the course's loop, checked resume),
and ``--export PATH.pt`` writes G and D in float16 with a JSON record: SHA-256, the command,
the data, FID of 2,000 label-balanced samples in the MNIST feature network's space, the
classifier's accuracy on samples of each requested label (cGAN, AC-GAN), and the code-to-class
accuracy of InfoGAN's categorical code on the test digits after optimal matching.
``load_conditional_pretrained`` loads a committed pair back, checking the hash.
"""
from __future__ import annotations

import json
import platform
import shlex
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from course_lib._checks import check_choice, check_positive_int
from course_lib.budget import Budget, get_budget
from course_lib.conditional_training import (KINDS, conditional_samples, label_accuracy, q_code_accuracy,
                                             sample_inputs, train_conditional_gan)
from course_lib.data import InMemoryLoader, load_data, to_signed
from course_lib.device import get_device, seed_everything
from course_lib.feature_networks import extract_features, load_feature_network
from course_lib.files import file_sha256
from course_lib.gan_training import GANRun
from course_lib.metrics import feature_statistics, frechet_distance
from course_lib.pretrained import pretrained_record, verified_weights
from course_lib.models.conditional import (AuxiliaryDiscriminator, ConditionalDiscriminator, ConditionalGenerator,
                                           InfoGANGenerator)

CONDITIONAL_RECIPES = KINDS
CONDITIONAL_PRETRAINED = ("cgan_mnist", "acgan_mnist", "infogan_mnist")


@dataclass(frozen=True)
class ConditionalConfig:
    """Everything that defines one run (saved in the exported record)."""

    recipe: str
    budget: str
    steps: int
    batch_size: int
    noise_dim: int
    width: int
    seed: int
    lambda_cat: float = 1.0
    lambda_cont: float = 0.1


def default_conditional_config(recipe: str, budget: Budget | str | None = None, *, steps: int | None = None,
                               batch_size: int | None = None, noise_dim: int | None = None,
                               width: int | None = None, seed: int = 0) -> ConditionalConfig:
    """The recipe's defaults for a budget (MNIST only), with any of them overridden."""
    check_choice("recipe", recipe, CONDITIONAL_RECIPES)
    budget = budget if isinstance(budget, Budget) else get_budget(budget)
    config = ConditionalConfig(
        recipe=recipe, budget=budget.name,
        steps=steps if steps is not None else budget.pick(fast=200, full=20_000),
        batch_size=batch_size if batch_size is not None else budget.pick(fast=64, full=128),
        noise_dim=noise_dim if noise_dim is not None else (62 if recipe == "infogan" else 64),
        width=width if width is not None else budget.pick(fast=32, full=64), seed=seed)
    for name in ("steps", "batch_size", "noise_dim", "width"):
        check_positive_int(name, getattr(config, name), minimum=0 if name == "steps" else 1)
    return config


def build_conditional_models(config: ConditionalConfig, device: torch.device | str = "cpu"):
    """G, D and their optimisers, as the recipe prescribes."""
    if config.recipe == "infogan":
        g = InfoGANGenerator(config.noise_dim, 10, 2, 1, config.width)
        d = AuxiliaryDiscriminator(10, 2, 1, config.width)
        g_lr = 1e-3
    else:
        g = ConditionalGenerator(config.noise_dim, 10, 1, config.width)
        d = ConditionalDiscriminator(10, 1, config.width) if config.recipe == "cgan" else \
            AuxiliaryDiscriminator(10, 0, 1, config.width)
        g_lr = 2e-4
    g, d = g.to(device), d.to(device)
    g_opt = torch.optim.Adam(g.parameters(), g_lr, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
    return g, d, g_opt, d_opt


def run_conditional_recipe(config: ConditionalConfig, *, device: torch.device | str | None = None,
                           checkpoint_path: str | Path | None = None, progress: bool = True) -> tuple[GANRun, dict]:
    """Train one recipe on MNIST; return the run and a summary (data source, FID, accuracies)."""
    device = get_device() if device is None else torch.device(device)
    seed_everything(config.seed, deterministic=device.type != "cuda")
    train_data = load_data("mnist", "train", budget=config.budget)
    loader = InMemoryLoader(to_signed(train_data.images), train_data.labels, batch_size=config.batch_size,
                            seed=config.seed, device=device)
    g, d, g_opt, d_opt = build_conditional_models(config, device)
    every = max(1, config.steps // 10)
    run = train_conditional_gan(config.recipe, g, d, g_opt, d_opt, loader, config.steps,
                                lambda_cat=config.lambda_cat, lambda_cont=config.lambda_cont, sample_every=every,
                                checkpoint_path=checkpoint_path,
                                checkpoint_every=every if checkpoint_path is not None else None,
                                log_every=max(1, min(50, every)), desc=f"{config.recipe} on mnist", progress=progress)
    summary = {"data_source": train_data.source, **evaluate_conditional(config.recipe, g, d, budget=config.budget)}
    return run, summary


def conditional_fid(kind: str, generator: torch.nn.Module, real_images: torch.Tensor, *, n_samples: int = 2000,
                    seed: int = 0, network: torch.nn.Module | None = None) -> float:
    """FID between ``real_images`` (N, 1, 28, 28) in [0, 1] and n_samples of G (labels or codes drawn with
    ``seed``), in the feature space of the course's MNIST classifier."""
    network = load_feature_network() if network is None else network
    inputs = sample_inputs(kind, generator, n_samples, rng=torch.Generator().manual_seed(seed), device="cpu")
    fake = conditional_samples(generator, inputs)
    mu_r, sigma_r = feature_statistics(extract_features(network, real_images).features)
    mu_f, sigma_f = feature_statistics(extract_features(network, fake).features)
    return frechet_distance(mu_r, sigma_r, mu_f, sigma_f)


def evaluate_conditional(kind: str, generator: torch.nn.Module, discriminator: torch.nn.Module, *,
                         budget: str = "fast") -> dict:
    """FID (2,000 samples against 1,000 or 2,000 test digits), the label accuracy per requested class
    (cGAN, AC-GAN) and the code-to-class accuracy of Q on the test digits (InfoGAN)."""
    check_choice("kind", kind, KINDS)
    test = load_data("mnist", "test", budget=budget)
    network = load_feature_network()
    out = {"fid": conditional_fid(kind, generator.cpu(), test.images[:2000], network=network)}
    if kind == "infogan":
        accuracy, mapping = q_code_accuracy(discriminator.cpu(), test.images, test.labels)
        out["code_to_class_accuracy"] = accuracy
        out["code_to_class_mapping"] = mapping.tolist()
    else:
        per_class = label_accuracy(generator.cpu(), network, n_per_class=200)
        out["label_accuracy"] = float(per_class.mean())
        out["label_accuracy_per_class"] = [round(float(a), 4) for a in per_class]
    return out


def export_conditional(run: GANRun, config: ConditionalConfig, summary: dict, path: str | Path,
                       command: str | None = None) -> Path:
    """Write G and D in float16 to ``path`` ({"generator": ..., "discriminator": ...}) and a record to ``path.json``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    def small(module):
        return {k: (v.detach().to("cpu", torch.float16) if v.is_floating_point() else v.detach().cpu())
                for k, v in module.state_dict().items()}

    torch.save({"generator": small(run.generator), "discriminator": small(run.critic)}, path)
    record = {
        "recipe": config.recipe,
        "generator": {"class": type(run.generator).__name__, "kwargs": dict(run.generator.model_args)},
        "discriminator": {"class": type(run.critic).__name__, "kwargs": dict(run.critic.model_args)},
        "sha256": file_sha256(path),
        "command": command if command is not None else "python -m course_lib " + shlex.join(sys.argv[1:]),
        "config": asdict(config),
        "data_source": summary["data_source"],
        "fid_mnist_features": round(float(summary["fid"]), 2),
        **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in summary.items()
           if k not in ("fid", "data_source")},
        "torch": torch.__version__,
        "machine": platform.machine(),
    }
    path.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")
    return path


def conditional_pretrained_record(name: str) -> dict | None:
    """The JSON record of a committed conditional GAN, or None when its files are absent."""
    return pretrained_record(name, CONDITIONAL_PRETRAINED)


def load_conditional_pretrained(name: str, device: torch.device | str = "cpu"):
    """(generator, discriminator, record) of a committed run in eval mode, float32, or None if not shipped.

    Raises ``ValueError`` if the weights file does not match the SHA-256 of its record (``course_lib.pretrained``).
    """
    from course_lib.models import build_model

    loaded = verified_weights(name, CONDITIONAL_PRETRAINED)
    if loaded is None:
        return None
    record, state = loaded
    models = []
    for part in ("generator", "discriminator"):
        model = build_model({"class": record[part]["class"], "model_args": record[part]["kwargs"]})
        model.load_state_dict(state[part])
        models.append(model.to(device).eval())
    return models[0], models[1], record
