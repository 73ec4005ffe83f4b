"""The operations of ProGAN and StyleGAN as pure functions (Karras et al. 2018, 2019).

Conventions
-----------
* Feature maps are (N, C, H, W); latent and style vectors are (N, D).
* Variances are *biased* (divided by the number of values, as every normalisation layer and
  ProGAN's minibatch standard deviation compute them), and ``eps`` goes *inside* the square
  root: ``x / sqrt(var + eps)``.
* Fade-in (ProGAN): the low-resolution branch is upsampled by nearest-neighbour repetition
  (``F.interpolate(..., scale_factor=2, mode="nearest")``) and images are downsampled by 2x2
  average pooling; the blend is ``(1 - alpha) * old + alpha * new``, so alpha = 0 is the old
  network alone and alpha = 1 the new block alone.
* Minibatch standard deviation: groups of G = min(group_size, N) consecutive samples, N
  divisible by G (ProGAN's code strides instead: which samples share a group does not matter
  when batches are shuffled; consecutive groups are those of ``course_lib.gan_tricks``).
* AdaIN uses the official StyleGAN convention ``instance_norm(x) * (1 + s) + b``: a style
  of zeros leaves the normalised features unchanged.
* Truncation happens in W, around the mean style w_avg: ``w_avg + psi * (w - w_avg)``.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from course_lib._checks import check_choice, check_positive_int, check_real, check_tensor

__all__ = ["equalized_scale", "pixel_norm", "minibatch_stddev", "downsample", "fade_in", "fade_real",
           "normalize", "instance_norm", "adain", "truncate", "mix_styles", "NORMS"]

NORMS = ("batch", "layer", "instance", "group")


def equalized_scale(fan_in: int, gain: float = math.sqrt(2.0), lr_mul: float = 1.0) -> float:
    """The run-time weight multiplier of an equalised layer, gain / sqrt(fan_in) * lr_mul (He's constant)."""
    check_positive_int("fan_in", fan_in)
    gain = check_real("gain", gain, positive=True)
    lr_mul = check_real("lr_mul", lr_mul, positive=True)
    return gain / math.sqrt(fan_in) * lr_mul


def pixel_norm(x: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """x / sqrt(mean over channels of x^2 + eps): every pixel's feature vector gets unit RMS.

    (N, C) or (N, C, H, W) -> the same shape; the mean is over dim 1 (channels) only.
    """
    check_tensor("x", x, ndim=(2, 4), floating=True)
    eps = check_real("eps", eps)
    if eps < 0:
        raise ValueError(f"eps must be >= 0, got {eps}")
    return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + eps)


def minibatch_stddev(x: torch.Tensor, group_size: int = 4, eps: float = 1e-8) -> torch.Tensor:
    """Append ProGAN's minibatch-standard-deviation channel: (N, C, H, W) -> (N, C + 1, H, W).

    The batch is split into groups of G = min(group_size, N) consecutive samples (N must be
    divisible by G; the same grouping as ``course_lib.gan_tricks.minibatch_stddev``). For each
    group, the biased standard deviation of every feature (channel and pixel) over the group's
    G samples, sqrt(var + eps), is averaged over channels and pixels into one number, which
    fills the extra channel of every sample of the group.
    """
    check_tensor("x", x, ndim=4, floating=True)
    check_positive_int("group_size", group_size)
    n, c, h, w = x.shape
    g = min(group_size, n)
    if n % g:
        raise ValueError(f"the batch size ({n}) must be divisible by the group size min(group_size, N) = {g}")
    y = x.reshape(n // g, g, c, h, w)                      # (N/G, G, C, H, W): group k = samples kG ... kG+G-1
    std = (y.var(dim=1, unbiased=False) + eps).sqrt()     # (N/G, C, H, W)
    stat = std.mean(dim=(1, 2, 3)).repeat_interleave(g)    # (N,): each sample gets its group's value
    return torch.cat([x, stat[:, None, None, None].expand(n, 1, h, w).to(x.dtype)], dim=1)


def downsample(x: torch.Tensor) -> torch.Tensor:
    """2x2 average pooling: (N, C, H, W) -> (N, C, H/2, W/2); H and W must be even."""
    check_tensor("x", x, ndim=4, floating=True)
    if x.shape[-1] % 2 or x.shape[-2] % 2:
        raise ValueError(f"x must have an even height and width, got shape {tuple(x.shape)}")
    return F.avg_pool2d(x, 2)


def fade_in(old: torch.Tensor, new: torch.Tensor, alpha: float) -> torch.Tensor:
    """(1 - alpha) * old + alpha * new, ``old`` first upsampled (nearest) when it has half the resolution.

    ``old`` (N, C, H/2, W/2) or (N, C, H, W), ``new`` (N, C, H, W); alpha in [0, 1].
    """
    check_tensor("old", old, ndim=4, floating=True)
    check_tensor("new", new, ndim=4, floating=True)
    alpha = check_real("alpha", alpha)
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must lie in [0, 1], got {alpha}")
    if old.shape[:2] != new.shape[:2]:
        raise ValueError(f"old and new must share (N, C), got {tuple(old.shape)} and {tuple(new.shape)}")
    if tuple(old.shape[2:]) == (new.shape[2] // 2, new.shape[3] // 2) and new.shape[2] % 2 == 0:
        old = F.interpolate(old, scale_factor=2, mode="nearest")
    elif old.shape != new.shape:
        raise ValueError(f"old must have the resolution of new or half of it, got {tuple(old.shape)} "
                         f"and {tuple(new.shape)}")
    return torch.lerp(old, new, alpha)  # exactly old at alpha = 0 and exactly new at alpha = 1


def fade_real(x: torch.Tensor, alpha: float) -> torch.Tensor:
    """Real images faded like the generator's output: (1 - alpha) * up(down(x)) + alpha * x."""
    return fade_in(downsample(x), x, alpha)


def normalize(x: torch.Tensor, kind: str, *, groups: int | None = None, eps: float = 1e-5) -> torch.Tensor:
    """Batch, layer, instance or group normalisation of (N, C, H, W), without learned parameters.

    The statistics (mean and biased variance) are taken over (N, H, W) for "batch", (C, H, W)
    for "layer", (H, W) for "instance" and (C/groups, H, W) for "group"; eps inside the root.
    """
    check_tensor("x", x, ndim=4, floating=True)
    check_choice("kind", kind, NORMS)
    eps = check_real("eps", eps)
    n, c, h, w = x.shape
    if kind == "group":
        if groups is None:
            raise ValueError("groups is needed for kind='group'")
        check_positive_int("groups", groups)
        if c % groups:
            raise ValueError(f"the number of channels ({c}) must be divisible by groups ({groups})")
        y = x.reshape(n, groups, -1)
        mean, var = y.mean(-1, keepdim=True), y.var(-1, unbiased=False, keepdim=True)
        return ((y - mean) / torch.sqrt(var + eps)).reshape(n, c, h, w)
    dims = {"batch": (0, 2, 3), "layer": (1, 2, 3), "instance": (2, 3)}[kind]
    mean, var = x.mean(dims, keepdim=True), x.var(dims, unbiased=False, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps)


def instance_norm(x: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """Each (sample, channel) map of (N, C, H, W) to mean 0 and variance 1 (as ``F.instance_norm``)."""
    return normalize(x, "instance", eps=eps)


def adain(x: torch.Tensor, scale: torch.Tensor, bias: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """Adaptive instance normalisation, official StyleGAN convention: instance_norm(x) * (1 + scale) + bias.

    x (N, C, H, W); scale and bias (N, C). Each output map has mean bias and standard deviation
    |1 + scale| (up to eps).
    """
    check_tensor("x", x, ndim=4, floating=True)
    check_tensor("scale", scale, shape=x.shape[:2], floating=True)
    check_tensor("bias", bias, shape=x.shape[:2], floating=True)
    return instance_norm(x, eps) * (1 + scale[:, :, None, None]) + bias[:, :, None, None]


def truncate(w: torch.Tensor, w_avg: torch.Tensor, psi: float) -> torch.Tensor:
    """The truncation trick in W: w_avg + psi * (w - w_avg). psi = 1 is the identity, psi = 0 gives w_avg.

    w (N, D) or (N, L, D) (one style per layer); w_avg (D,).
    """
    check_tensor("w", w, ndim=(2, 3), floating=True)
    check_tensor("w_avg", w_avg, ndim=1, floating=True)
    if w_avg.shape[0] != w.shape[-1]:
        raise ValueError(f"w_avg must have shape ({w.shape[-1]},), got {tuple(w_avg.shape)}")
    psi = check_real("psi", psi)
    return torch.lerp(w_avg.to(w.dtype).expand_as(w), w, psi)


def mix_styles(w1: torch.Tensor, w2: torch.Tensor, crossover: int) -> torch.Tensor:
    """Style mixing: the layers before ``crossover`` take their style from w1, the others from w2.

    w1, w2 (N, L, D) -> (N, L, D); 0 <= crossover <= L.
    """
    check_tensor("w1", w1, ndim=3, floating=True)
    check_tensor("w2", w2, shape=w1.shape, floating=True)
    check_positive_int("crossover", crossover, minimum=0)
    if crossover > w1.shape[1]:
        raise ValueError(f"crossover must be at most the number of layers ({w1.shape[1]}), got {crossover}")
    layers = torch.arange(w1.shape[1], device=w1.device)[None, :, None]
    return torch.where(layers < crossover, w1, w2)
