"""Generators trained by the course's own command and committed small (float16) under ``course_lib/weights``.

``dcgan_mnist``: a DCGAN generator trained on MNIST digits. Its record
(``course_lib/weights/dcgan_mnist.json``) holds the exact command that made it, the data it
saw, its FID and the SHA-256 of the weights file, checked on every load.
"""
from __future__ import annotations

import json

import torch

from course_lib._checks import check_choice
from course_lib.feature_networks import WEIGHTS_DIR
from course_lib.files import file_sha256
from course_lib.models.dcgan import DCGANGenerator

PRETRAINED = ("dcgan_mnist",)


def pretrained_record(name: str) -> dict | None:
    """The JSON record of a pretrained generator, or None when its files are absent."""
    check_choice("name", name, PRETRAINED)
    record_path = WEIGHTS_DIR / f"{name}.json"
    if not record_path.is_file() or not (WEIGHTS_DIR / f"{name}.pt").is_file():
        return None
    return json.loads(record_path.read_text())


def load_pretrained_generator(name: str = "dcgan_mnist", device: torch.device | str = "cpu") -> DCGANGenerator | None:
    """The pretrained generator ``name`` in eval mode (float32 on ``device``), or None if not shipped.

    Raises ``ValueError`` if the weights file does not match the SHA-256 of its record.
    """
    record = pretrained_record(name)
    if record is None:
        return None
    path = WEIGHTS_DIR / f"{name}.pt"
    digest = file_sha256(path)
    if digest != record["sha256"]:
        raise ValueError(f"{path} has SHA-256 {digest}, its record says {record['sha256']}: "
                         "the file is corrupt or was replaced; re-create it with the command in its record")
    generator = DCGANGenerator(**record["kwargs"])
    state = torch.load(path, map_location="cpu", weights_only=True)
    generator.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    return generator.to(device).eval()
