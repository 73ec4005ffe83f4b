"""Plausible mistakes for notebook 07 (ProGAN and StyleGAN), for ``assert_close(..., mistakes=...)``.

Each function maps a description of a mistake to the value that mistake gives on the same
inputs. The values are the course's references (``course_lib.style_ops``) called with changed
arguments (alpha and 1 - alpha swapped, a larger group, another kind of normalisation) or
the wrong formulas themselves (eps outside the root, a mean over the wrong dimension). The
catalogue names a wrong answer without writing out the right one.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from course_lib import style_ops as _ops

__all__ = ["fade_in", "fade_real_images", "pixel_norm", "minibatch_stddev", "instance_norm", "adain",
           "equalized_linear", "mapping_network", "truncated_styles"]

SWAPPED_ALPHA = "alpha is applied the wrong way round: alpha = 0 must give the old (upsampled) output, alpha = 1 the new"


# --------------------------------------------------------------------------------------------
# Exercise 1: fade-in
# --------------------------------------------------------------------------------------------
def fade_in(old: torch.Tensor, new: torch.Tensor, alpha: float) -> dict[str, torch.Tensor]:
    """Mistakes of ``fade_in(old, new, alpha)``: ``old`` at half the resolution of ``new``."""
    old, new = old.detach(), new.detach()
    bilinear = F.interpolate(old, scale_factor=2, mode="bilinear", align_corners=False)
    nearest = F.interpolate(old, scale_factor=2, mode="nearest")
    return {
        SWAPPED_ALPHA: _ops.fade_in(old, new, 1.0 - alpha),
        "the old output is upsampled bilinearly: ProGAN repeats each pixel (nearest-neighbour upsampling)":
            (1 - alpha) * bilinear + alpha * new,
        "the old output is not weighted by (1 - alpha): the two weights must sum to 1": nearest + alpha * new,
    }


def fade_real_images(x: torch.Tensor, alpha: float) -> dict[str, torch.Tensor]:
    """Mistakes of ``fade_real_images(x, alpha)`` (x at the new resolution)."""
    x = x.detach()
    strided = F.interpolate(x[..., ::2, ::2], scale_factor=2, mode="nearest")
    return {
        SWAPPED_ALPHA: _ops.fade_real(x, 1.0 - alpha),
        "the images are downsampled by keeping every other pixel: use 2x2 average pooling (F.avg_pool2d(x, 2))":
            (1 - alpha) * strided + alpha * x,
        "the real images are not faded: blend them like the generator's output, "
        "(1 - alpha) * up(down(x)) + alpha * x": x.clone(),
    }


# --------------------------------------------------------------------------------------------
# Exercise 2: pixel norm
# --------------------------------------------------------------------------------------------
def pixel_norm(x: torch.Tensor, eps: float) -> dict[str, torch.Tensor]:
    """Mistakes of ``pixel_norm(x, eps)``, x (N, C) or (N, C, H, W)."""
    x = x.detach()
    mean_sq = x.pow(2).mean(dim=1, keepdim=True)
    out = {
        "eps is outside the square root: divide by sqrt(mean(x^2) + eps)": x / (mean_sq.sqrt() + eps),
        "the channels are summed, not averaged: pixel norm divides by the root MEAN square over channels":
            x / torch.sqrt(x.pow(2).sum(dim=1, keepdim=True) + eps),
        "the square root is missing: divide by sqrt(mean(x^2) + eps)": x / (mean_sq + eps),
        "the mean is over the batch (dim 0): pixel norm normalises each sample's features over the channels (dim 1)":
            x / torch.sqrt(x.pow(2).mean(dim=0, keepdim=True) + eps),
    }
    if x.ndim == 4:
        out["the mean is over the pixels (H, W): pixel norm averages over the channels (dim 1) of each pixel"] = \
            x / torch.sqrt(x.pow(2).mean(dim=(2, 3), keepdim=True) + eps)
        out["the mean is over (C, H, W) together: pixel norm averages over the channels (dim 1) of each pixel"] = \
            x / torch.sqrt(x.pow(2).mean(dim=(1, 2, 3), keepdim=True) + eps)
        out["the mean is over the last dimension (width): pixel norm averages over the channels (dim 1)"] = \
            x / torch.sqrt(x.pow(2).mean(dim=-1, keepdim=True) + eps)
    return out


# --------------------------------------------------------------------------------------------
# Exercise 3: minibatch standard deviation
# --------------------------------------------------------------------------------------------
def _append(x: torch.Tensor, stat: torch.Tensor) -> torch.Tensor:
    n, _, h, w = x.shape
    return torch.cat([x, stat.reshape(n, 1, 1, 1).expand(n, 1, h, w).to(x.dtype)], dim=1)


def minibatch_stddev(x: torch.Tensor, group_size: int) -> dict[str, torch.Tensor]:
    """Mistakes of ``minibatch_stddev(x, group_size)`` (eps = 1e-8 inside the root)."""
    x = x.detach()
    n, c, h, w = x.shape
    g = min(group_size, n)
    groups = x.reshape(n // g, g, c, h, w)
    strided = x.reshape(g, n // g, c, h, w).transpose(0, 1)
    unbiased = (groups.var(dim=1, unbiased=True) + 1e-8).sqrt().mean(dim=(1, 2, 3)).repeat_interleave(g)
    eps_outside = (groups.var(dim=1, unbiased=False).sqrt() + 1e-8).mean(dim=(1, 2, 3)).repeat_interleave(g)
    grouped_strided = (strided.var(dim=1, unbiased=False) + 1e-8).sqrt().mean(dim=(1, 2, 3)).repeat(g)
    per_sample = (x.var(dim=1, unbiased=False) + 1e-8).sqrt().mean(dim=(1, 2))
    per_pixel = (groups.var(dim=1, unbiased=False) + 1e-8).sqrt().mean(dim=1, keepdim=True).repeat_interleave(g, 0)
    out = {
        "the variance is unbiased (divided by G - 1): use the biased variance (unbiased=False), as ProGAN":
            _append(x, unbiased),
        "eps is outside the square root: sqrt(var + 1e-8)": _append(x, eps_outside),
        "the standard deviation is taken over the channels of each sample: take it over the samples of a group "
        "(one value per feature), then average over channels and pixels": _append(x, per_sample),
        "the standard deviations are averaged over the channels only: average over the pixels too, so that the "
        "extra channel is constant": torch.cat([x, per_pixel.to(x.dtype)], dim=1),
    }
    if 1 < g < n:
        out["the groups are strided (samples m, m + M, ...): group k holds the consecutive samples kG ... kG + G - 1 "
            "(x.reshape(N // G, G, ...))"] = _append(x, grouped_strided)
        out["the groups are strided (x.reshape(G, N // G, ...)), and their values given to consecutive samples: group k "
            "holds the consecutive samples kG ... kG + G - 1 (x.reshape(N // G, G, ...))"] = \
            _append(x, (strided.var(dim=1, unbiased=False) + 1e-8).sqrt().mean(dim=(1, 2, 3)).repeat_interleave(g))
    if g < n:
        out["the whole batch is one group: use groups of G = min(group_size, N) samples"] = _ops.minibatch_stddev(x, n)
    return out


# --------------------------------------------------------------------------------------------
# Exercise 4: instance norm
# --------------------------------------------------------------------------------------------
def instance_norm(x: torch.Tensor, eps: float) -> dict[str, torch.Tensor]:
    """Mistakes of ``instance_norm(x, eps)``, x (N, C, H, W)."""
    x = x.detach()
    mean, var = x.mean((2, 3), keepdim=True), x.var((2, 3), unbiased=False, keepdim=True)
    return {
        "the variance is unbiased: normalisation layers divide by the number of values (unbiased=False)":
            (x - mean) / torch.sqrt(x.var((2, 3), unbiased=True, keepdim=True) + eps),
        "eps is outside the square root: divide by sqrt(var + eps)": (x - mean) / (var.sqrt() + eps),
        "the statistics are over the batch too (that is batch norm): instance norm uses each sample's "
        "and each channel's own pixels (dims 2, 3)": _ops.normalize(x, "batch", eps=eps),
        "the statistics are over the channels too (that is layer norm): instance norm normalises each channel "
        "of each sample on its own (dims 2, 3)": _ops.normalize(x, "layer", eps=eps),
        "the mean is not subtracted: (x - mean) / sqrt(var + eps)": x / torch.sqrt(var + eps),
    }


# --------------------------------------------------------------------------------------------
# Exercise 5: AdaIN
# --------------------------------------------------------------------------------------------
def adain(x: torch.Tensor, scale: torch.Tensor, bias: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mistakes of AdaIN given the style's (scale, bias), each (N, C)."""
    x, scale, bias = x.detach(), scale.detach(), bias.detach()
    normed = _ops.instance_norm(x)
    s, b = scale[:, :, None, None], bias[:, :, None, None]
    return {
        "this is the other scale convention, s * x_norm + b: this course (like the official code) uses "
        "x_norm * (1 + s) + b": normed * s + b,
        "the scale and the bias are swapped: the first C outputs of self.style are the scales s, the last C "
        "the biases b": _ops.adain(x, bias, scale),
        "x is not normalised: AdaIN first normalises each channel of each sample (instance norm)": x * (1 + s) + b,
        "the normalisation is over the batch (batch norm): AdaIN uses instance norm":
            _ops.normalize(x, "batch") * (1 + s) + b,
    }


# --------------------------------------------------------------------------------------------
# Exercise 6: equalised learning rate and the mapping network
# --------------------------------------------------------------------------------------------
def equalized_linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, gain: float,
                     lr_mul: float) -> dict[str, torch.Tensor]:
    """Mistakes of ``EqualizedLinear`` whose stored parameters are ``weight`` (out, in) and ``bias``."""
    x, weight, bias = x.detach(), weight.detach(), bias.detach()
    fan_in, fan_out = weight.shape[1], weight.shape[0]
    c = gain / math.sqrt(fan_in)
    return {
        "the weights are scaled once at initialisation: an equalised layer stores N(0, 1) weights and multiplies "
        "them by gain / sqrt(fan_in) at EVERY forward": F.linear(x, weight, bias),
        "the learning-rate multiplier is missing from the weights' scale: multiply by gain / sqrt(fan_in) * lr_mul":
            F.linear(x, weight * c, bias * lr_mul),
        "the bias is not multiplied by lr_mul": F.linear(x, weight * c * lr_mul, bias),
        "the gain is missing: the scale is gain / sqrt(fan_in)": F.linear(x, weight * lr_mul / math.sqrt(fan_in),
                                                                          bias * lr_mul),
        "the scale uses fan_out: fan_in is the number of inputs of each unit (weight.shape[1])":
            F.linear(x, weight * gain / math.sqrt(fan_out) * lr_mul, bias * lr_mul),
    }


def mapping_network(z: torch.Tensor, layers: list[tuple[torch.Tensor, torch.Tensor]], lr_mul: float) -> dict[str, torch.Tensor]:
    """Mistakes of ``MappingNetwork`` with the stored (weight, bias) of each layer."""
    z = z.detach()

    def run(h, normalise=True, last_act=True, scale_each=True, mul=lr_mul):
        h = _ops.pixel_norm(h) if normalise else h
        for i, (w, b) in enumerate(layers):
            c = math.sqrt(2.0) / math.sqrt(w.shape[1]) * mul if scale_each else 1.0
            h = F.linear(h, w.detach() * c, b.detach() * (mul if scale_each else 1.0))
            if last_act or i < len(layers) - 1:
                h = F.leaky_relu(h, 0.2)
        return h

    return {
        "z is not pixel-normalised first: the mapping network starts with pixel norm": run(z, normalise=False),
        "the last layer has no activation: every dense layer of the mapping is followed by LeakyReLU(0.2)":
            run(z, last_act=False),
        "the weights are scaled once at initialisation: an equalised layer multiplies its stored weights at every "
        "forward": run(z, scale_each=False),
        "the learning-rate multiplier is ignored: MappingNetwork's layers use lr_mul": run(z, mul=1.0),
    }


# --------------------------------------------------------------------------------------------
# Exercise 7: truncation
# --------------------------------------------------------------------------------------------
def truncated_styles(mapping, z: torch.Tensor, w_avg: torch.Tensor, psi: float) -> dict[str, torch.Tensor]:
    """Mistakes of ``truncated_styles(mapping, z, w_avg, psi)``; ``mapping`` is a course MappingNetwork."""
    with torch.no_grad():
        w = mapping(z)
        in_z = mapping(psi * z) if psi != 0 else mapping(torch.zeros_like(z))
        batch_mean = w.mean(0)
    return {
        "the truncation pulls towards 0: truncate towards the mean style, w_avg + psi * (w - w_avg)": psi * w,
        "the truncation is in Z (mapping(psi * z)): truncate in W, around w_avg": in_z,
        "psi is applied the wrong way round: psi = 1 must leave w unchanged, psi = 0 give w_avg":
            _ops.truncate(w, w_avg, 1.0 - psi),
        "w_avg is the mean of this batch's styles: use the given w_avg (the mean over many latents)":
            _ops.truncate(w, batch_mean, psi),
    }
