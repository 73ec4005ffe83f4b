"""The registry of trained generators behind notebook 08's comparison table.

Each entry of ``GENERATORS`` names a checkpoint pattern of notebooks 01-07 and how to rebuild
a sampler from it (from the constructor arguments the checkpoint stores, see
``course_lib.models.build_model``); ``find_generators`` scans the checkpoint folders for them.
A notebook that trains a new generator adds one entry, and the table gains a row without any
edit to notebook 08.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import torch
from torch import nn

from course_lib._checks import check_choice
from course_lib.gan_training import generate
from course_lib.models import build_model
from course_lib.training import checkpoint_path

__all__ = ["GeneratorSpec", "FoundGenerator", "GENERATORS", "find_generators", "default_checkpoint_folders"]

Sampler = Callable[[int, torch.Generator], torch.Tensor]


@dataclass(frozen=True)
class GeneratorSpec:
    """How to rebuild a sampler from a training checkpoint (a ``course_lib.training`` TrainState file).

    ``pattern``: a regular expression matched against the checkpoint's file name without
    ``.pt``; its named group ``budget`` must capture ``fast`` or ``full``. ``build(payload)``
    receives the loaded checkpoint and returns ``sample(n, generator)`` -> (n, 1, 28, 28)
    images in [0, 1] on the CPU.
    """

    pattern: str
    label: str
    build: Callable[[dict], Sampler]


@dataclass(frozen=True)
class FoundGenerator:
    """A checkpoint found by ``find_generators``: a row of notebook 08's comparison table."""

    label: str
    path: Path
    sample: Sampler


def _stored_model(payload: dict, key: str) -> nn.Module:
    """The module ``key`` of a checkpoint, rebuilt from the constructor arguments it stored."""
    model = build_model(payload["run_config"]["modules"][key])
    model.load_state_dict(payload["modules"][key])
    return model.eval()


def _vae_sampler(payload: dict) -> Sampler:
    model = _stored_model(payload, "model")
    return lambda n, generator: model.sample(n, generator=generator).cpu()


def _dcgan_sampler(payload: dict) -> Sampler:
    """A ``course_lib.gan_training`` checkpoint of a ``DCGANGenerator`` (its EMA copy when there is one)."""
    model = _stored_model(payload, "generator")
    if "generator_ema" in payload["modules"]:
        ema = payload["modules"]["generator_ema"]
        model.load_state_dict({k[len("module."):]: v for k, v in ema.items() if k.startswith("module.")})
    return lambda n, generator: generate(model.eval(), torch.randn(n, model.latent_dim, generator=generator))


# One entry per trained generator of notebooks 01-07. A notebook that trains a new generator adds
# its entry here (a pattern for its checkpoint name and a builder); notebook 08 then lists it.
GENERATORS: list[GeneratorSpec] = [
    GeneratorSpec(r"01_vae(?P<latent>\d+)_(?P<budget>fast|full)", "VAE (notebook 01)", _vae_sampler),
    GeneratorSpec(r"04_dcgan_(?P<budget>fast|full)", "DCGAN (notebook 04)", _dcgan_sampler),
    GeneratorSpec(r"05_wgan_(?P<kind>gp|clip)_(?P<budget>fast|full)", "WGAN (notebook 05)", _dcgan_sampler),
]


def default_checkpoint_folders() -> list[Path]:
    """Where notebook checkpoints live: ``$COURSE_CHECKPOINT_DIR`` or ``./checkpoints``, and ``../*/checkpoints``."""
    folders = [checkpoint_path("probe").parent]
    folders += sorted(p for p in Path("..").glob("*/checkpoints") if p.is_dir())
    unique, seen = [], set()
    for folder in folders:
        key = folder.resolve()
        if key not in seen and folder.is_dir():
            seen.add(key)
            unique.append(folder)
    return unique


def find_generators(budget: str, folders: Sequence[str | Path] | None = None,
                    specs: Sequence[GeneratorSpec] | None = None) -> list[FoundGenerator]:
    """Every checkpoint in ``folders`` (default ``default_checkpoint_folders()``) that a spec of
    ``GENERATORS`` recognises, for the given budget (``"fast"`` or ``"full"``), as ready-to-use samplers.

    A file whose name matches but that cannot be loaded (an interrupted or older checkpoint) is
    skipped with a warning. The same file name found in two folders is listed once (the first).
    """
    check_choice("budget", budget, ("fast", "full"))
    folders = default_checkpoint_folders() if folders is None else [Path(f) for f in folders]
    specs = GENERATORS if specs is None else list(specs)
    found, names = [], set()
    for folder in folders:
        for path in sorted(Path(folder).glob("*.pt")):
            for spec in specs:
                match = re.fullmatch(spec.pattern, path.stem)
                if not match or match.group("budget") != budget or path.name in names:
                    continue
                try:
                    sampler = spec.build(torch.load(path, map_location="cpu", weights_only=True))
                except Exception as error:  # a stale or partial checkpoint must not stop the evaluation
                    warnings.warn(f"skipping {path}: {type(error).__name__}: {error}", stacklevel=2)
                    continue
                names.add(path.name)
                found.append(FoundGenerator(f"{spec.label}: {path.stem}", path, sampler))
    return found
