"""Command-line recipes for notebook 09 and their committed checkpoints.

=========  ===========================================  ==================================================
recipe     data (from course_lib.translation_data)      models and loss
=========  ===========================================  ==================================================
pix2pix    edges -> digit (paired)                       U-Net G, PatchGAN D on (x, y); GAN + 100 * L1
pix2pix-l1                                               the same with the L1 term alone (D unused)
pix2pix-gan                                              the same with the GAN term alone (the ablation)
cyclegan   plain <-> thickened digits (unpaired)         2 U-Net G (instance norm), 2 PatchGAN D; LSGAN,
                                                         cycle 10, identity 0.5 * 10, image pools of 50
srresnet   7x7 -> 28x28 (paired)                         SRResNet; mean squared error
srgan      7x7 -> 28x28 (paired)                         SRResNet G (starts from the committed SRResNet when
                                                         present), PatchGAN D; feature MSE in the MNIST
                                                         classifier + 1e-3 * GAN
=========  ===========================================  ==================================================

Optimisers: Adam(2e-4, betas=(0.5, 0.999)) for the GANs, Adam(1e-3) for SRResNet and Adam(1e-4,
betas=(0.9, 0.999)) for SRGAN's fine-tuning. ``python -m course_lib train <recipe> --export PATH.pt``
writes every network in float16 and a JSON record: SHA-256, the command, the configuration, and
the numbers of ``evaluate_translation`` on the offline test digits (PSNR and SSIM in [0, 1], data
range 1; the accuracy of the course's classifier on the outputs, with the digits' true labels).
``load_translation_pretrained`` loads a committed run back, checking the hash.
"""
from __future__ import annotations

import json
import platform
import shlex
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn

from course_lib._checks import check_choice, check_positive_int
from course_lib.budget import Budget, get_budget
from course_lib.data import InMemoryLoader, from_signed, to_signed
from course_lib.device import get_device, seed_everything
from course_lib.feature_networks import WEIGHTS_DIR, load_feature_network
from course_lib.files import file_sha256
from course_lib.image_pool import ImagePool
from course_lib.image_quality import psnr, ssim
from course_lib.losses.perceptual import perceptual_distance
from course_lib.models import build_model
from course_lib.models.patchgan import PatchGANDiscriminator
from course_lib.models.srresnet import SRResNet
from course_lib.models.unet import UNetGenerator
from course_lib.pretrained import pretrained_record, verified_weights
from course_lib.translation_data import bicubic_upsample, paired_data, unpaired_domains
from course_lib.translation_training import (ZippedLoader, make_cyclegan_step, make_pix2pix_step, make_sr_step,
                                             train_translation)

TRANSLATION_RECIPES = ("pix2pix", "pix2pix-l1", "pix2pix-gan", "cyclegan", "srresnet", "srgan")
TRANSLATION_PRETRAINED = ("pix2pix_mnist", "pix2pix_l1_mnist", "pix2pix_gan_mnist", "cyclegan_mnist", "srresnet_mnist",
                          "srgan_mnist")


@dataclass(frozen=True)
class TranslationConfig:
    """Everything that defines one run (saved in the checkpoint and in the exported record)."""

    recipe: str
    budget: str
    steps: int
    batch_size: int
    width: int
    seed: int
    l1_weight: float = 100.0
    gan_weight: float = 1.0
    lambda_cycle: float = 10.0
    identity_ratio: float = 0.5
    pool_size: int = 50
    pixel_weight: float = 1.0
    perceptual_weight: float = 0.0
    adversarial_weight: float = 0.0


def default_translation_config(recipe: str, budget: Budget | str | None = None, *, steps: int | None = None,
                               batch_size: int | None = None, width: int | None = None, seed: int = 0,
                               **weights) -> TranslationConfig:
    """The recipe's defaults for a budget, with any of them (and the loss weights) overridden."""
    check_choice("recipe", recipe, TRANSLATION_RECIPES)
    budget = budget if isinstance(budget, Budget) else get_budget(budget)
    defaults = {"srgan": {"pixel_weight": 0.0, "perceptual_weight": 1.0, "adversarial_weight": 1e-3},
                "pix2pix-l1": {"gan_weight": 0.0}, "pix2pix-gan": {"l1_weight": 0.0}}.get(recipe, {})
    unknown = set(weights) - {"l1_weight", "gan_weight", "lambda_cycle", "identity_ratio", "pool_size",
                              "pixel_weight", "perceptual_weight", "adversarial_weight"}
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}")
    config = TranslationConfig(
        recipe=recipe, budget=budget.name,
        steps=steps if steps is not None else budget.pick(fast=200, full=20_000),
        batch_size=batch_size if batch_size is not None else budget.pick(fast=32, full=64),
        width=width if width is not None else budget.pick(fast=16, full=32), seed=seed,
        **{**defaults, **{k: v for k, v in weights.items() if v is not None}})
    for name in ("steps", "batch_size", "width"):
        check_positive_int(name, getattr(config, name), minimum=0 if name == "steps" else 1)
    return config


def build_translation_models(config: TranslationConfig, device: torch.device | str = "cpu") -> tuple[dict, dict]:
    """(modules, optimisers) of a recipe, as the table of the module docstring says."""
    w = config.width
    adam_gan = {"lr": 2e-4, "betas": (0.5, 0.999)}
    if config.recipe.startswith("pix2pix"):
        modules = {"generator": UNetGenerator(1, 1, w), "discriminator": PatchGANDiscriminator(2, w)}
    elif config.recipe == "cyclegan":
        modules = {"g_ab": UNetGenerator(1, 1, w, norm="instance"), "g_ba": UNetGenerator(1, 1, w, norm="instance"),
                   "d_a": PatchGANDiscriminator(1, w, norm="instance"), "d_b": PatchGANDiscriminator(1, w, norm="instance"),
                   "pool_a": ImagePool(config.pool_size), "pool_b": ImagePool(config.pool_size)}
    elif config.recipe == "srresnet":
        modules = {"generator": SRResNet(1, w)}
    else:
        modules = {"generator": SRResNet(1, w), "discriminator": PatchGANDiscriminator(1, w)}
    modules = {k: m.to(device) for k, m in modules.items()}
    if config.recipe == "cyclegan":
        optimizers = {"g_opt": torch.optim.Adam([*modules["g_ab"].parameters(), *modules["g_ba"].parameters()], **adam_gan),
                      "d_opt": torch.optim.Adam([*modules["d_a"].parameters(), *modules["d_b"].parameters()], **adam_gan)}
    elif config.recipe == "srresnet":
        optimizers = {"g_opt": torch.optim.Adam(modules["generator"].parameters(), lr=1e-3)}
    elif config.recipe == "srgan":
        optimizers = {"g_opt": torch.optim.Adam(modules["generator"].parameters(), lr=1e-4),
                      "d_opt": torch.optim.Adam(modules["discriminator"].parameters(), lr=1e-4)}
    else:
        optimizers = {"g_opt": torch.optim.Adam(modules["generator"].parameters(), **adam_gan),
                      "d_opt": torch.optim.Adam(modules["discriminator"].parameters(), **adam_gan)}
    return modules, optimizers


def make_translation_run(config: TranslationConfig, *, device: torch.device | str | None = None) -> dict:
    """Everything a run needs: {"modules", "optimizers", "step_fn", "loader", "data_source", "initialised_from"}."""
    device = get_device() if device is None else torch.device(device)
    seed_everything(config.seed, deterministic=device.type != "cuda")
    modules, optimizers = build_translation_models(config, device)
    initialised_from = None
    if config.recipe == "cyclegan":
        data = unpaired_domains("train", budget=config.budget)
        loader = ZippedLoader(InMemoryLoader(to_signed(data.domain_a), batch_size=config.batch_size, seed=config.seed,
                                             device=device),
                              InMemoryLoader(to_signed(data.domain_b), batch_size=config.batch_size,
                                             seed=config.seed + 1, device=device))
        step_fn = make_cyclegan_step(modules["g_ab"], modules["g_ba"], modules["d_a"], modules["d_b"],
                                     optimizers["g_opt"], optimizers["d_opt"], modules["pool_a"], modules["pool_b"],
                                     lambda_cycle=config.lambda_cycle, identity_ratio=config.identity_ratio)
    else:
        data = paired_data("edges" if config.recipe.startswith("pix2pix") else "super_resolution", "train",
                           budget=config.budget)
        loader = InMemoryLoader(to_signed(data.inputs), to_signed(data.targets), batch_size=config.batch_size,
                                seed=config.seed, device=device)
        if config.recipe.startswith("pix2pix"):
            step_fn = make_pix2pix_step(modules["generator"], modules["discriminator"], optimizers["g_opt"],
                                        optimizers["d_opt"], l1_weight=config.l1_weight, gan_weight=config.gan_weight)
        else:
            if config.recipe == "srgan":
                loaded = load_translation_pretrained("srresnet_mnist")
                if loaded is not None and loaded[1]["config"]["width"] == config.width:
                    modules["generator"].load_state_dict(loaded[0]["generator"].state_dict())
                    initialised_from = "srresnet_mnist"
            classifier = load_feature_network(device=device) if config.perceptual_weight > 0 else None
            step_fn = make_sr_step(modules["generator"], optimizers["g_opt"], discriminator=modules.get("discriminator"),
                                   d_opt=optimizers.get("d_opt"), classifier=classifier,
                                   pixel_weight=config.pixel_weight, perceptual_weight=config.perceptual_weight,
                                   adversarial_weight=config.adversarial_weight)
    return {"modules": modules, "optimizers": optimizers, "step_fn": step_fn, "loader": loader,
            "data_source": data.source, "initialised_from": initialised_from}


def run_translation_recipe(config: TranslationConfig, *, device: torch.device | str | None = None,
                           checkpoint_path: str | Path | None = None, progress: bool = True) -> tuple[dict, dict]:
    """Train one recipe; return (the run of ``make_translation_run`` with its "history", a summary of
    ``evaluate_translation``)."""
    run = make_translation_run(config, device=device)
    every = max(1, config.steps // 10)
    config_dict = {**asdict(config), "initialised_from": run["initialised_from"]}
    run["history"] = train_translation(
        run["step_fn"], run["modules"], run["optimizers"], run["loader"], config.steps, config=config_dict,
        checkpoint_path=checkpoint_path, checkpoint_every=every if checkpoint_path is not None else None,
        log_every=max(1, min(50, every)), desc=f"{config.recipe} on mnist", progress=progress)
    summary = {"data_source": run["data_source"], "initialised_from": run["initialised_from"],
               **evaluate_translation(config.recipe, run["modules"], budget=config.budget)}
    return run, summary


@torch.no_grad()
def translate(model: nn.Module, images: torch.Tensor, *, batch_size: int = 500) -> torch.Tensor:
    """``model`` applied in eval mode to images in [0, 1] (mapped to [-1, 1] and back): float32 on the CPU."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    from course_lib._checks import check_tensor

    check_tensor("images", images, ndim=4, floating=True)
    check_positive_int("batch_size", batch_size)
    device, was_training = next(model.parameters()).device, model.training
    model.eval()
    try:
        return torch.cat([from_signed(model(to_signed(chunk).to(device))).float().cpu()
                          for chunk in images.split(batch_size)])
    finally:
        model.train(was_training)


@torch.no_grad()
def classifier_accuracy(classifier: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of images (N, 1, 28, 28) in [0, 1] that the classifier labels with ``labels``."""
    if labels.shape != images.shape[:1]:
        raise ValueError(f"labels must have shape ({images.shape[0]},), got {tuple(labels.shape)}")
    predicted = torch.cat([classifier(chunk).argmax(1) for chunk in images.split(500)])
    return float((predicted == labels).double().mean())


def quality(outputs: torch.Tensor, targets: torch.Tensor, classifier: nn.Module, labels: torch.Tensor) -> dict:
    """Mean PSNR (dB) and SSIM (data range 1), mean perceptual distance and the classifier's accuracy."""
    return {"psnr": float(psnr(outputs, targets, 1.0).mean()), "ssim": float(ssim(outputs, targets, 1.0).mean()),
            "perceptual_distance": float(perceptual_distance(classifier, outputs, targets).mean()),
            "accuracy": classifier_accuracy(classifier, outputs, labels)}


def evaluate_translation(recipe: str, modules: dict, *, budget: str = "fast") -> dict:
    """The numbers of a trained run on the offline test digits (1,000 in FAST; see the module docstring).

    CycleGAN: the thickening of a test digit is its hidden partner, so PSNR and SSIM of G_AB(a) against
    thicken(a) (and of G_BA(thicken(a)) against a) measure the translation itself, and the cycle's PSNR
    measures a -> B -> A."""
    check_choice("recipe", recipe, TRANSLATION_RECIPES)
    classifier = load_feature_network()
    modules = {k: m.cpu() for k, m in modules.items()}
    if recipe == "cyclegan":
        from course_lib.translation_data import thicken
        from course_lib.data import load_data

        test = load_data("mnist", "test", budget=budget)
        plain, thick = test.images, thicken(test.images)
        to_b, to_a = translate(modules["g_ab"], plain), translate(modules["g_ba"], thick)
        back = translate(modules["g_ba"], to_b)
        return {"a_to_b": quality(to_b, thick, classifier, test.labels),
                "b_to_a": quality(to_a, plain, classifier, test.labels),
                "cycle_a_psnr": float(psnr(back, plain, 1.0).mean()),
                "accuracy_real_thick": classifier_accuracy(classifier, thick, test.labels)}
    task = "edges" if recipe.startswith("pix2pix") else "super_resolution"
    test = paired_data(task, "test", budget=budget)
    out = {"model": quality(translate(modules["generator"], test.inputs), test.targets, classifier, test.labels),
           "accuracy_real": classifier_accuracy(classifier, test.targets, test.labels)}
    if task == "super_resolution":
        out["bicubic"] = quality(bicubic_upsample(test.inputs), test.targets, classifier, test.labels)
    return out


def _rounded(value):
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def export_translation(run: dict, config: TranslationConfig, summary: dict, path: str | Path,
                       command: str | None = None) -> Path:
    """Write the run's networks (not the image pools) in float16 to ``path`` and a record to ``path.json``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    networks = {k: m for k, m in run["modules"].items() if not isinstance(m, ImagePool)}
    torch.save({k: {n: (v.detach().to("cpu", torch.float16) if v.is_floating_point() else v.detach().cpu())
                    for n, v in m.state_dict().items()} for k, m in networks.items()}, path)
    record = {
        "recipe": config.recipe,
        "networks": {k: {"class": type(m).__name__, "kwargs": dict(m.model_args)} for k, m in networks.items()},
        "sha256": file_sha256(path),
        "command": command if command is not None else "python -m course_lib " + shlex.join(sys.argv[1:]),
        "config": asdict(config),
        **_rounded(summary),
        "torch": torch.__version__,
        "machine": platform.machine(),
    }
    path.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")
    return path


def translation_pretrained_record(name: str) -> dict | None:
    """The JSON record of a committed run, or None when its files are absent."""
    return pretrained_record(name, TRANSLATION_PRETRAINED)


def load_translation_pretrained(name: str, device: torch.device | str = "cpu") -> tuple[dict, dict] | None:
    """({network name: model in eval mode, float32}, record) of a committed run, or None if not shipped.

    Raises ``ValueError`` if the weights file does not match the SHA-256 of its record."""
    loaded = verified_weights(name, TRANSLATION_PRETRAINED)
    if loaded is None:
        return None
    record, state = loaded
    models = {}
    for key, spec in record["networks"].items():
        model = build_model({"class": spec["class"], "model_args": spec["kwargs"]})
        model.load_state_dict(state[key])
        models[key] = model.to(device).eval()
    return models, record


def train_from_command_line(args, argv: list[str], device: torch.device) -> int:
    """``python -m course_lib train pix2pix|cyclegan|srresnet|srgan ...`` (one process, MNIST digits)."""
    from course_lib.training import checkpoint_path

    if args.data != "mnist" or args.image_size not in (None, 28):
        raise SystemExit(f"{args.recipe} trains on 28x28 MNIST only (--data mnist)")
    config = default_translation_config(args.recipe, args.budget, steps=args.steps, batch_size=args.batch_size,
                                        width=args.width, seed=args.seed)
    path = args.checkpoint or checkpoint_path(f"cli_{config.recipe}_mnist_{config.budget}")
    print(f"{config.recipe} on mnist ({config.budget} budget, {config.steps} steps, batch {config.batch_size}) "
          f"on {device}; checkpoint: {path}")
    run, summary = run_translation_recipe(config, device=device, checkpoint_path=path, progress=not args.no_progress)
    print(json.dumps(_rounded(summary), indent=1))
    if args.export:
        out = export_translation(run, config, summary, args.export, command="python -m course_lib " + shlex.join(argv))
        print(f"networks: {out} and {out.with_suffix('.json')}")
    return 0
