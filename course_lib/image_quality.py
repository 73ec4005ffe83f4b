"""PSNR and SSIM of images, per image, from kornia.

PSNR = 10 log10(R^2 / MSE), with MSE the mean squared error over one image's pixels and
channels and R the **data range** (max - min of the pixel scale): 1 for images in [0, 1], 2 for
images in [-1, 1]. A constant error e gives MSE = e^2 and PSNR = 20 log10(R / |e|).

SSIM (Wang et al., 2004) compares local means, variances and covariances in an 11x11 Gaussian
window (sigma 1.5), with C1 = (0.01 R)^2 and C2 = (0.03 R)^2, averaged over every pixel (the
window extended past the border as torchmetrics does by default). ``kornia.metrics.ssim``
computes the map; the tests check it against torchmetrics' independent implementation.
"""
from __future__ import annotations

import kornia
import torch

from course_lib._checks import check_real, check_same_shape, check_tensor


def _pair(images: torch.Tensor, targets: torch.Tensor) -> None:
    check_tensor("images", images, ndim=4, floating=True)
    check_tensor("targets", targets, ndim=4, floating=True)
    check_same_shape("images", images, "targets", targets)


def psnr(images: torch.Tensor, targets: torch.Tensor, data_range: float) -> torch.Tensor:
    """Per image (N,): 10 log10(data_range^2 / MSE over (C, H, W)), in dB (+inf for identical images)."""
    _pair(images, targets)
    data_range = check_real("data_range", data_range, positive=True)
    return torch.stack([kornia.metrics.psnr(x, y, data_range) for x, y in zip(images, targets)])


def ssim(images: torch.Tensor, targets: torch.Tensor, data_range: float) -> torch.Tensor:
    """Per image (N,): mean SSIM over the pixels (11x11 Gaussian window, sigma 1.5) and channels."""
    _pair(images, targets)
    data_range = check_real("data_range", data_range, positive=True)
    if min(images.shape[-2:]) < 11:
        raise ValueError(f"images must be at least 11x11 for an 11x11 window, got {tuple(images.shape[-2:])}")
    ssim_map = kornia.metrics.ssim(images, targets, 11, max_val=data_range, padding="same")
    return ssim_map.mean(dim=(1, 2, 3))
