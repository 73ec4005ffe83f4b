"""Image-to-image data made offline from the course's digits (``course_lib.data``).

Paired tasks (an input and the one right output for it):

* ``"edges"``: a Sobel edge map -> the digit. The edge magnitude comes from
  ``kornia.filters.spatial_gradient`` (Sobel) and is rescaled so that each image's strongest edge is 1.
* ``"super_resolution"``: the digit shrunk 4x (7x7, by 4x4 area averaging, which
  anti-aliases) -> the 28x28 digit.

Unpaired domains (CycleGAN): domain A holds plain digits, domain B *thickened* digits (a 3x3
grey-level dilation, ``kornia.morphology.dilation``). A and B are made from **disjoint** halves of
the split, so no digit appears in both: the pairing the model could exploit does not exist.

Every image is float32 (N, 1, 28, 28) in [0, 1] (the course's convention); models see
``to_signed`` copies in [-1, 1].
"""
from __future__ import annotations

from typing import NamedTuple

import kornia
import torch
import torch.nn.functional as F

from course_lib._checks import check_choice, check_positive_int, check_tensor
from course_lib.budget import Budget
from course_lib.data import load_data

TASKS = ("edges", "super_resolution")
SR_FACTOR = 4


def _check_images(name: str, images) -> torch.Tensor:
    check_tensor(name, images, ndim=4, floating=True)
    if images.shape[1] != 1:
        raise ValueError(f"{name} must be grey-level images (N, 1, H, W), got shape {tuple(images.shape)}")
    return images


def sobel_edges(images: torch.Tensor) -> torch.Tensor:
    """Edge magnitude of (N, 1, H, W) images in [0, 1], scaled so that each image's maximum is 1 (blank stays 0)."""
    _check_images("images", images)
    gradient = kornia.filters.spatial_gradient(images, mode="sobel")       # (N, 1, 2, H, W): d/dx, d/dy
    magnitude = gradient.norm(dim=2)                                        # (N, 1, H, W), >= 0 (0 where flat)
    peak = magnitude.amax(dim=(1, 2, 3), keepdim=True)
    return torch.where(peak > 0, magnitude / peak.clamp_min(1e-12), torch.zeros_like(magnitude))


def downsample(images: torch.Tensor, factor: int = SR_FACTOR) -> torch.Tensor:
    """(N, C, H, W) -> (N, C, H / factor, W / factor) by averaging factor x factor blocks (anti-aliased)."""
    check_tensor("images", images, ndim=4, floating=True)
    check_positive_int("factor", factor)
    if images.shape[-1] % factor or images.shape[-2] % factor:
        raise ValueError(f"the image size {tuple(images.shape[-2:])} must be divisible by factor = {factor}")
    return F.avg_pool2d(images, factor)


def bicubic_upsample(images: torch.Tensor, factor: int = SR_FACTOR) -> torch.Tensor:
    """Bicubic interpolation by ``factor`` (the baseline of super-resolution), clamped to [0, 1]: (N, C, h, w) in
    [0, 1] -> (N, C, factor * h, factor * w)."""
    check_tensor("images", images, ndim=4, floating=True)
    check_positive_int("factor", factor)
    return F.interpolate(images, scale_factor=factor, mode="bicubic", align_corners=False).clamp(0.0, 1.0)


def thicken(images: torch.Tensor) -> torch.Tensor:
    """Domain B of the unpaired task: a 3x3 grey-level dilation, (N, 1, H, W) -> (N, 1, H, W) in [0, 1]."""
    _check_images("images", images)
    return kornia.morphology.dilation(images, torch.ones(3, 3, dtype=images.dtype, device=images.device))


class PairedData(NamedTuple):
    inputs: torch.Tensor    # (N, 1, h, w) in [0, 1]: edges (28x28) or low resolution (7x7)
    targets: torch.Tensor   # (N, 1, 28, 28) in [0, 1]
    labels: torch.Tensor    # (N,) int64, the digits' classes
    source: str


def paired_data(task: str, split: str = "train", *, budget: Budget | str | None = None) -> PairedData:
    """(inputs, targets, labels, source) of a paired task made from the digits of ``split``."""
    check_choice("task", task, TASKS)
    data = load_data("mnist", split, budget=budget)
    inputs = sobel_edges(data.images) if task == "edges" else downsample(data.images)
    return PairedData(inputs, data.images, data.labels, data.source)


class UnpairedData(NamedTuple):
    domain_a: torch.Tensor  # (N_a, 1, 28, 28) plain digits
    domain_b: torch.Tensor  # (N_b, 1, 28, 28) thickened digits, of other images
    labels_a: torch.Tensor
    labels_b: torch.Tensor
    source: str


def unpaired_domains(split: str = "train", *, budget: Budget | str | None = None) -> UnpairedData:
    """Plain digits (A) and thickened digits (B) from disjoint halves of ``split`` (even and odd positions)."""
    data = load_data("mnist", split, budget=budget)
    a, b = slice(0, None, 2), slice(1, None, 2)
    return UnpairedData(data.images[a], thicken(data.images[b]), data.labels[a], data.labels[b], data.source)
