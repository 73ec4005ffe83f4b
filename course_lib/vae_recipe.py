"""Notebook 01's VAE by the command line: ``python -m course_lib train vae``.

The recipe is notebook 01's: the reference ``VAE`` (Gaussian encoder, N(0, I) prior, Bernoulli
decoder on logits) trained on digits binarised at 0.5 with the negative ELBO (a mean over the
batch of nats per image) and Adam. ``export_vae`` writes its weights (float16) and a record
(command, configuration, data, test negative ELBO, FID with the course's feature network);
``load_pretrained_vae`` loads the committed ``vae_mnist`` after checking its SHA-256, so that
notebook 08 compares the VAE that notebook 01 teaches with the GANs of 04 to 07.
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
from course_lib.data import DATASETS, load_data
from course_lib.device import seed_everything
from course_lib.files import file_sha256
from course_lib.losses.vae import negative_elbo
from course_lib.models.vae import VAE
from course_lib.training import TrainState, train

PRETRAINED_VAES = ("vae_mnist",)
THRESHOLD = 0.5   # notebook 01 binarises every digit at 0.5 (deterministic, not stochastic binarisation)


@dataclass(frozen=True)
class VAERecipeConfig:
    """Everything a VAE run depends on; stored in its checkpoint (resume is checked against it) and record."""

    data: str = "mnist"
    budget: str = "fast"
    steps: int = 1200
    batch_size: int = 128
    latent_dim: int = 16
    hidden_dim: int = 256
    lr: float = 1e-3
    seed: int = 3

    def __post_init__(self) -> None:
        check_choice("data", self.data, DATASETS)
        check_choice("budget", self.budget, ("fast", "full"))
        for name in ("steps", "batch_size", "latent_dim", "hidden_dim"):
            check_positive_int(name, getattr(self, name))


def default_vae_config(data: str = "mnist", budget: Budget | str | None = None, *, steps: int | None = None,
                       batch_size: int | None = None, latent_dim: int | None = None, hidden_dim: int | None = None,
                       seed: int = 3) -> VAERecipeConfig:
    """Notebook 01's settings for a budget (FAST: 1,200 steps, 256 hidden units; full: 20,000 and 512)."""
    budget = budget if isinstance(budget, Budget) else get_budget(budget)
    return VAERecipeConfig(data=data, budget=budget.name, steps=steps or budget.pick(fast=1200, full=20_000),
                           batch_size=batch_size or 128, latent_dim=latent_dim or 16,
                           hidden_dim=hidden_dim or budget.pick(fast=256, full=512), seed=seed)


def binarise(images: torch.Tensor) -> torch.Tensor:
    """Grey levels in [0, 1] -> {0., 1.} at ``THRESHOLD`` (same shape)."""
    return (images > THRESHOLD).float()


def run_vae_recipe(config: VAERecipeConfig, *, device: torch.device | str = "cpu",
                   checkpoint_path: str | Path | None = None, progress: bool = True) -> tuple[VAE, dict]:
    """Train (or resume, if ``checkpoint_path`` holds a run of the same config) and evaluate.

    Returns ``(model, summary)``: the trained VAE in eval mode and ``{"data_source", "history",
    "test_negative_elbo"}``, the last the mean negative ELBO in nats per image on the binarised test
    digits (one posterior sample each, seed 0).
    """
    device = torch.device(device)
    train_data = load_data(config.data, "train", budget=config.budget)
    test_data = load_data(config.data, "test", budget=config.budget)
    seed_everything(config.seed)
    model = VAE(config.latent_dim, config.hidden_dim).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)

    def step(batch):
        x = binarise(batch[0])
        out = model(x)
        loss, rec, kl = negative_elbo(out.logits, x, out.mu, out.logvar)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return {"negative ELBO": loss.detach(), "reconstruction": rec.detach(), "KL": kl.detach()}

    # steps says how far to train, not what is trained: a longer run of the same config resumes.
    run_config = {k: v for k, v in asdict(config).items() if k != "steps"}
    state = TrainState({"model": model}, {"optimizer": optimizer}, config=run_config)
    train(step, train_data.loader(config.batch_size, device=device, seed=config.seed), config.steps, state,
          checkpoint_path=checkpoint_path, checkpoint_every=1000, log_every=50, desc="VAE", progress=progress)
    model.eval()
    with torch.no_grad():
        seed_everything(0)
        x = binarise(test_data.images.to(device))
        out = model(x)
        test_loss = negative_elbo(out.logits, x, out.mu, out.logvar)[0].item()
    return model, {"data_source": train_data.source, "history": state.history, "test_negative_elbo": test_loss}


def export_vae(model: VAE, config: VAERecipeConfig, summary: dict, path: str | Path,
               command: str | None = None, fid_samples: int = 2000) -> Path:
    """Write the VAE's weights (float16) to ``path`` and its record to ``path.json``: command, config,
    data, test negative ELBO and the FID of ``fid_samples`` prior samples (Bernoulli means) against as
    many test digits, with the course's MNIST feature network."""
    from course_lib.feature_networks import extract_features, load_feature_network
    from course_lib.metrics import frechet_distance_from_features

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to("cpu", torch.float16) for k, v in model.state_dict().items()}
    torch.save(state, path)
    network = load_feature_network()
    samples = model.sample(fid_samples, generator=torch.Generator().manual_seed(0)).cpu()
    real = load_data(config.data, "test", budget=config.budget).images[:fid_samples]
    fid = frechet_distance_from_features(extract_features(network, samples).features,
                                         extract_features(network, real).features)
    history = summary["history"]
    record = {
        "model": type(model).__name__,
        "kwargs": dict(model.model_args),
        "sha256": file_sha256(path),
        "command": command if command is not None else "python -m course_lib " + shlex.join(sys.argv[1:]),
        "config": asdict(config),
        "data_source": summary["data_source"],
        "binarised_at": THRESHOLD,
        "test_negative_elbo_nats": round(summary["test_negative_elbo"], 2),
        "train_negative_elbo_last": round(float(history["negative ELBO"][-1]), 2),
        "fid_mnist_features": round(float(fid), 2),
        "fid_samples": fid_samples,
        "torch": torch.__version__,
        "machine": platform.machine(),
    }
    path.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")
    return path


def load_pretrained_vae(name: str = "vae_mnist", device: torch.device | str = "cpu") -> tuple[VAE, dict] | None:
    """``(vae, record)``: the committed VAE in eval mode (float32 on ``device``), or None if not shipped.

    Raises ``ValueError`` if the weights file does not match the SHA-256 of its record.
    """
    from course_lib.models import build_model
    from course_lib.pretrained import verified_weights

    loaded = verified_weights(name, PRETRAINED_VAES)
    if loaded is None:
        return None
    record, state = loaded
    model = build_model({"class": record["model"], "model_args": record["kwargs"]})
    model.load_state_dict(state)
    return model.to(device).eval(), record
