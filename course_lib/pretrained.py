"""Generators trained by the course's own command and committed small (float16) under ``course_lib/weights``.

``dcgan_mnist``, ``wgan_gp_mnist`` and ``wgan_mnist``: the DCGAN generator trained on MNIST
digits by the recipes ``dcgan``, ``wgan-gp`` and ``wgan`` (weight clipping); ``stylegan_mnist``:
notebook 07's style-based generator, by the recipe ``stylegan``. Each record
(``course_lib/weights/<name>.json``) holds the exact command that made it, the data it saw,
its FID (and FID and the critic's estimate over training) and the SHA-256 of the weights
file, checked on every load.
"""
from __future__ import annotations

import json

import torch
from torch import nn

from course_lib._checks import check_choice
from course_lib.feature_networks import WEIGHTS_DIR
from course_lib.files import file_sha256
from course_lib.models import build_model

# The generators committed alone in a file (notebook 06's conditional GANs are committed with their
# discriminators: course_lib.conditional_recipes).
PRETRAINED = ("dcgan_mnist", "wgan_gp_mnist", "wgan_mnist", "stylegan_mnist")


def pretrained_record(name: str, names: tuple[str, ...] | None = None) -> dict | None:
    """The JSON record of committed weights ``name`` (one of ``names``, default ``PRETRAINED``), or
    None when its files are absent."""
    check_choice("name", name, PRETRAINED if names is None else names)
    record_path = WEIGHTS_DIR / f"{name}.json"
    if not record_path.is_file() or not (WEIGHTS_DIR / f"{name}.pt").is_file():
        return None
    return json.loads(record_path.read_text())


def verified_weights(name: str, names: tuple[str, ...] | None = None) -> tuple[dict, dict] | None:
    """``(record, state)`` of committed weights: the record and the file's contents (float16 tensors
    raised to float32), after checking the file's SHA-256 against the record; None when absent.

    Raises ``ValueError`` if the weights file does not match the SHA-256 of its record.
    """
    record = pretrained_record(name, names)
    if record is None:
        return None
    path = WEIGHTS_DIR / f"{name}.pt"
    digest = file_sha256(path)
    if digest != record["sha256"]:
        raise ValueError(f"{path} has SHA-256 {digest}, its record says {record['sha256']}: "
                         "the file is corrupt or was replaced; re-create it with the command in its record")
    state = torch.load(path, map_location="cpu", weights_only=True)
    return record, _to_float32(state)


def _to_float32(state):
    if isinstance(state, torch.Tensor):
        return state.float() if state.is_floating_point() else state
    return {k: _to_float32(v) for k, v in state.items()}


def load_pretrained_generator(name: str = "dcgan_mnist", device: torch.device | str = "cpu") -> nn.Module | None:
    """The pretrained generator ``name`` in eval mode (float32 on ``device``), or None if not shipped.

    It is rebuilt from the class and constructor arguments its record holds (``course_lib.models.build_model``).
    Raises ``ValueError`` if the weights file does not match the SHA-256 of its record.
    """
    loaded = verified_weights(name)
    if loaded is None:
        return None
    record, state = loaded
    generator = build_model({"class": record["model"], "model_args": record["kwargs"]})
    generator.load_state_dict(state)
    return generator.to(device).eval()
