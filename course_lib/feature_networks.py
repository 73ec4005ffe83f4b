"""The feature networks of the metrics: the course's MNIST classifier and, when its weights are
at hand, Inception-v3.

The MNIST classifier (``course_lib.models.mnist_classifier``) ships in ``course_lib/weights/``
with the SHA-256 of its weights; ``load_feature_network`` checks it, and ``extract_features``
gives the features and class probabilities of a batch of images. The metric mathematics is in
``course_lib.metrics``, the registry of trained generators in ``course_lib.evaluation``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import torch
import torch.nn.functional as F

from course_lib._checks import check_positive_int, check_tensor
from course_lib.files import file_sha256

__all__ = ["WEIGHTS_DIR", "FEATURE_NETWORK_WEIGHTS", "FEATURE_NETWORK_RECORD", "load_feature_network",
           "extract_features", "NetworkOutputs", "INCEPTION_WEIGHTS_ENV", "load_inception_network",
           "inception_features"]

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
FEATURE_NETWORK_WEIGHTS = WEIGHTS_DIR / "mnist_classifier.pt"
FEATURE_NETWORK_RECORD = WEIGHTS_DIR / "mnist_classifier.json"


def load_feature_network(weights: str | Path | None = None, record: str | Path | None = None, *,
                         device: torch.device | str | None = None):
    """The course's MNIST classifier (``MnistClassifier``) in eval mode, weights checked against their SHA-256.

    ``weights`` defaults to ``course_lib/weights/mnist_classifier.pt`` and ``record`` to the
    JSON file beside it (written by ``scripts/train_feature_network.py``: hash, accuracy,
    command). Raises ``ValueError`` when the file's hash differs from the record's.
    """
    from course_lib.models.mnist_classifier import MnistClassifier

    weights = Path(FEATURE_NETWORK_WEIGHTS if weights is None else weights)
    record = Path(weights.with_suffix(".json") if record is None else record)
    for name, path in (("weights", weights), ("record", record)):
        if not path.is_file():
            raise FileNotFoundError(f"{name}: no file at {path}; build the feature network with "
                                    "`python scripts/train_feature_network.py`")
    info = json.loads(record.read_text())
    expected, actual = info.get("sha256"), file_sha256(weights)
    if actual != expected:
        raise ValueError(f"the feature network's weights {weights} have SHA-256 {actual}, but {record} "
                         f"records {expected}: the file was changed or corrupted. Restore both files "
                         "(e.g. from git) or rebuild them with `python scripts/train_feature_network.py`.")
    network = MnistClassifier(**info.get("architecture", {}))
    network.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    network.eval()
    for parameter in network.parameters():
        parameter.requires_grad_(False)
    return network.to(device) if device is not None else network


INCEPTION_WEIGHTS_ENV = "COURSE_INCEPTION_WEIGHTS"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def load_inception_network(weights: str | Path | None = None, *, device=None):
    """Inception-v3 with its classifier removed: 2048-D pool features, when its weights are available.

    Never required: the course's metrics use the MNIST feature network by default. ``weights``
    (default: the file named by ``$COURSE_INCEPTION_WEIGHTS``) is a state dict of torchvision's
    ``inception_v3`` (e.g. the ImageNet weights torchvision downloads, saved once while online).
    Raises ``FileNotFoundError`` saying so when no weights file is found: nothing is downloaded.

    Those weights (IMAGENET1K_V1) were ported from TensorFlow and expect inputs in [-1, 1]: the
    network is built with ``transform_input=True``, as torchvision builds it for them, which
    maps the ImageNet-normalised inputs of ``inception_features`` to that range. They are not
    pytorch-fid's weights (the TensorFlow FID Inception), so FIDs in these features rank models
    but are not comparable with published FIDs.
    """
    import os

    from torch import nn
    from torchvision.models import inception_v3

    path = weights if weights is not None else os.environ.get(INCEPTION_WEIGHTS_ENV)
    if not path or not Path(path).is_file():
        raise FileNotFoundError(
            f"no Inception-v3 weights file (weights={weights!r}, ${INCEPTION_WEIGHTS_ENV}="
            f"{os.environ.get(INCEPTION_WEIGHTS_ENV)!r}); the course's MNIST feature network "
            "(load_feature_network) needs none")
    network = inception_v3(weights=None, aux_logits=True, init_weights=False, transform_input=True)
    network.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    network.fc = nn.Identity()  # (B, 2048) pooled features instead of ImageNet logits
    return network.eval().to(device if device is not None else "cpu")


@torch.no_grad()
def inception_features(network, images: torch.Tensor, *, batch_size: int = 64) -> torch.Tensor:
    """Features (N, 2048) of images (N, 1 or 3, H, W) in [0, 1]: grey repeated to 3 channels,
    resized to 299x299 (bilinear) and normalised with the ImageNet mean and std."""
    check_tensor("images", images, ndim=4, floating=True)
    if images.shape[1] not in (1, 3):
        raise ValueError(f"images must have 1 or 3 channels, got shape {tuple(images.shape)}")
    check_positive_int("batch_size", batch_size)
    device = next(network.parameters()).device
    mean = torch.tensor(IMAGENET_MEAN, device=device).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD, device=device).view(1, 3, 1, 1)
    chunks = []
    for chunk in images.split(batch_size):
        x = chunk.to(device).expand(-1, 3, -1, -1) if chunk.shape[1] == 1 else chunk.to(device)
        x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
        chunks.append(network((x - mean) / std).double().cpu())
    return torch.cat(chunks)


class NetworkOutputs(NamedTuple):
    """``features`` (N, F) and ``probs`` (N, C): float64 tensors on the CPU."""

    features: torch.Tensor
    probs: torch.Tensor


@torch.no_grad()
def extract_features(network, images: torch.Tensor, *, batch_size: int = 500) -> NetworkOutputs:
    """Penultimate features and class probabilities of ``images`` (N, 1, 28, 28) under ``network``.

    ``network`` must have ``features_and_logits`` (as ``MnistClassifier``) or both
    ``features`` and ``forward``. It runs in eval mode on its own device (its previous mode
    is restored); the images are moved there batch by batch.
    """
    if not isinstance(network, torch.nn.Module):
        raise TypeError(f"network must be a torch.nn.Module, got {type(network).__name__}")
    check_tensor("images", images, ndim=4, floating=True)
    check_positive_int("batch_size", batch_size)
    if images.shape[0] == 0:
        raise ValueError("images must hold at least one image")
    device = next(network.parameters()).device
    was_training = network.training
    network.eval()
    features, probs = [], []
    try:
        for chunk in images.split(batch_size):
            chunk = chunk.to(device)
            if hasattr(network, "features_and_logits"):
                h, logits = network.features_and_logits(chunk)
            else:
                h, logits = network.features(chunk), network(chunk)
            features.append(h.cpu().to(torch.float64))
            probs.append(F.softmax(logits.cpu().to(torch.float64), dim=1))
    finally:
        network.train(was_training)
    return NetworkOutputs(torch.cat(features), torch.cat(probs))
