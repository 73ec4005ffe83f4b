"""Plausible mistakes for notebook 04 (DCGAN), and the layer-layout checks that name them.

* :func:`transposed_conv_output_size` maps a description of a mistake to the sizes it gives on a
  list of settings: the reference's sizes (``course_lib.models.dcgan``) shifted by what the
  mistake adds or drops.
* :func:`layers_of`, :func:`check_conv_settings` and :func:`copy_weights` read a model's layers
  and name what differs from the table of the notebook (kernel, stride, padding, channels, a
  batch norm without its learned scale and shift, ...) before the reference's weights are loaded.
* :func:`expected_slerp` is spherical interpolation computed with
  ``scipy.spatial.geometric_slerp`` (on unit vectors) and :func:`slerp` the catalogue of slerp
  mistakes, built from the same weights (swapped, not divided, from another angle).

The hidden tests call these functions outside the guarded calls of the student's answers: they
are test helpers, not something an answer may call.
"""
from __future__ import annotations

import numpy as np
import torch
from scipy.spatial import geometric_slerp
from torch import nn

from course_lib.models import dcgan as _reference

__all__ = ["transposed_conv_output_size", "layers_of", "pooling_layers", "check_conv_settings", "copy_weights",
           "expected_slerp", "slerp"]


# --------------------------------------------------------------------------------------------
# Exercise 1: the output size of a transposed convolution
# --------------------------------------------------------------------------------------------
def transposed_conv_output_size(settings) -> dict[str, torch.Tensor]:
    """What common mistakes would return on each (size, kernel, stride, padding, output_padding, dilation)
    of ``settings`` (valid settings only), as float tensors aligned with the settings."""
    right = torch.tensor([float(_reference.transposed_conv_output_size(*c)) for c in settings])
    n, k, s, p, o, d = (torch.tensor([float(c[i]) for c in settings]) for i in range(6))
    # The forward convolution's size (the formula of the notebook's conv_output_size, not this exercise's).
    forward = torch.div(n + 2 * p - d * (k - 1) - 1, s, rounding_mode="floor") + 1
    return {
        "the +1 is missing: a kernel of extent d(k-1) + 1 placed at (n-1)s + 1 positions covers (n-1)s + d(k-1) + 1":
            right - 1,
        "padding is cropped from both ends: subtract 2 * padding, not padding": right + p,
        "padding crops the output of a transposed convolution: subtract 2 * padding, do not add it": right + 4 * p,
        "the first term is (size - 1) * stride (n inputs, n - 1 strides between them), not size * stride": right + s,
        "dilation is ignored: the kernel's extent is dilation * (kernel - 1) + 1": right - (d - 1) * (k - 1),
        "the kernel's extent is dilation * (kernel - 1) + 1, not dilation * kernel": right + d,
        "output_padding is ignored: it adds output_padding positions at one end": right - o,
        "output_padding is added once (at one end only), not twice": right + o,
        "this is the output size of an ordinary (forward) convolution, not of the transposed one": forward,
    }


# --------------------------------------------------------------------------------------------
# Exercises 2 and 3: the layers of the generator and the discriminator
# --------------------------------------------------------------------------------------------
def layers_of(model: nn.Module) -> list[nn.Module]:
    """The leaf modules of a model in registration order, without the shape-only ones."""
    shape_only = (nn.Flatten, nn.Unflatten, nn.Identity)
    return [m for m in model.modules() if not list(m.children()) and not isinstance(m, shape_only)]


def pooling_layers(layers) -> list[nn.Module]:
    """The pooling and resizing layers among ``layers`` (DCGAN has none)."""
    pooling = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d, nn.Upsample)
    return [m for m in layers if isinstance(m, pooling)]


def check_conv_settings(convs, expected, kind: str, sizes: str) -> None:
    """expected: (in_channels, out_channels, kernel, stride, padding) per convolution of ``convs``."""
    for i, (conv, (c_in, c_out, k, s, p)) in enumerate(zip(convs, expected), start=1):
        got = (conv.kernel_size[0], conv.stride[0], conv.padding[0])
        if got != (k, s, p):
            raise AssertionError(f"{kind} {i} has kernel {got[0]}, stride {got[1]}, padding {got[2]}; the table asks "
                                 f"for kernel {k}, stride {s}, padding {p} (sizes {sizes})")
        if (conv.in_channels, conv.out_channels) != (c_in, c_out):
            raise AssertionError(f"{kind} {i} maps {conv.in_channels} to {conv.out_channels} channels; the table asks "
                                 f"for {c_in} -> {c_out}")


def _layout(module: nn.Module) -> dict[str, tuple[int, ...]]:
    return {name: tuple(t.shape) for name, t in module.state_dict().items()}


def _layout_mistake(mine: nn.Module, theirs: nn.Module, label: str) -> str:
    """Why ``mine`` cannot take the parameters and buffers of the reference layer ``theirs``."""
    got, want = _layout(mine), _layout(theirs)
    if isinstance(theirs, nn.BatchNorm2d):
        if "weight" in want and "weight" not in got:
            return (f"{label} has no learned scale and shift (gamma, beta): keep nn.BatchNorm2d's default "
                    "affine=True. DCGAN learns them (beta plays the part of the convolution's bias, and dcgan_init "
                    "draws gamma from N(1, 0.02^2))")
        if "running_mean" in want and "running_mean" not in got:
            return (f"{label} keeps no running statistics: keep nn.BatchNorm2d's default track_running_stats=True, "
                    "so that eval mode (sampling) normalises with them")
        channels = getattr(mine, "num_features", None)
        if channels != theirs.num_features:
            return (f"{label} normalises {channels} channels, but the convolution before it has "
                    f"{theirs.num_features}: nn.BatchNorm2d({theirs.num_features})")
    shown = lambda layout: ", ".join(f"{name} {shape}" for name, shape in layout.items()) or "none"  # noqa: E731
    return (f"{label} has the parameters and buffers [{shown(got)}], but the table's layer has [{shown(want)}]: keep "
            "the defaults of the layer apart from what the table lists")


def copy_weights(model: nn.Module, ref: nn.Module, what: str) -> None:
    """Give ``model`` the reference's parameters and buffers, layer by layer, after checking that each of its
    (transposed) convolutions and batch norms has the reference layer's parameters and buffers (names and
    shapes); an AssertionError names the difference."""
    kinds = (nn.Conv2d, nn.ConvTranspose2d, nn.BatchNorm2d)
    mine = [m for m in layers_of(model) if isinstance(m, kinds)]
    theirs = [m for m in layers_of(ref) if isinstance(m, kinds)]
    if [type(m) for m in mine] != [type(m) for m in theirs]:
        raise AssertionError(f"{what}'s layers with weights are {[type(m).__name__ for m in mine]}; the table's are "
                             f"{[type(m).__name__ for m in theirs]}")
    counts: dict[str, int] = {}
    for a, b in zip(mine, theirs):
        kind = {nn.BatchNorm2d: "batch norm", nn.ConvTranspose2d: "transposed convolution"}.get(type(b), "convolution")
        counts[kind] = counts.get(kind, 0) + 1
        if _layout(a) != _layout(b):
            raise AssertionError(f"{what}: " + _layout_mistake(a, b, f"{kind} {counts[kind]}"))
        a.load_state_dict(b.state_dict())


# --------------------------------------------------------------------------------------------
# Exercise 5: spherical interpolation
# --------------------------------------------------------------------------------------------
def _rows(z: torch.Tensor) -> torch.Tensor:
    return z.detach().to(torch.float64).reshape(-1, z.shape[-1]).cpu()


def _weights(cos: torch.Tensor, t: float, fallback: bool) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(a, b, sin) per row: slerp's weights of z0 and z1 for the angle whose cosine is ``cos`` (clamped to
    [-1, 1]), read off scipy's geometric slerp between the unit vectors (1, 0) and (cos, sin). Where sin is
    (nearly) 0: (1 - t, t) with ``fallback``, NaN without."""
    cos = cos.clamp(-1.0, 1.0)
    sin = torch.sqrt(1.0 - cos**2)
    a, b = torch.empty_like(cos), torch.empty_like(cos)
    for i, (c, s) in enumerate(zip(cos.tolist(), sin.tolist())):
        if s < 1e-6:
            a[i], b[i] = (1.0 - t, t) if fallback else (float("nan"), float("nan"))
            continue
        x, y = geometric_slerp(np.array([1.0, 0.0]), np.array([c, s]), float(t)).reshape(-1)
        b[i] = y / s                 # the point is a (1, 0) + b (cos, sin)
        a[i] = x - b[i] * c
    return a[:, None], b[:, None], sin[:, None]


def _cosines(z0: torch.Tensor, z1: torch.Tensor) -> torch.Tensor:
    return (z0 * z1).sum(-1) / (z0.norm(dim=-1) * z1.norm(dim=-1))


def expected_slerp(z0: torch.Tensor, z1: torch.Tensor, t: float) -> torch.Tensor:
    """Spherical interpolation of the rows of z0 and z1 (..., d) at t, from ``scipy.spatial.geometric_slerp``:
    slerp(z0, z1; t) = a z0 + b z1 where a u0 + b u1 is scipy's slerp of the unit vectors u0, u1 (a and b depend
    on the angle only); rows with sin(Omega) < 1e-6 give (1 - t) z0 + t z1. Float64, the shape of z0."""
    r0, r1 = _rows(z0), _rows(z1)
    a, b, _ = _weights(_cosines(r0, r1), t, fallback=True)
    return (a * r0 + b * r1).reshape(z0.shape)


def slerp(z0: torch.Tensor, z1: torch.Tensor, t: float) -> dict[str, torch.Tensor]:
    """What common slerp mistakes would return on these inputs (float64, the shape of z0)."""
    r0, r1 = _rows(z0), _rows(z1)
    a, b, sin = _weights(_cosines(r0, r1), t, fallback=True)
    whole = _cosines(r0.reshape(1, -1), r1.reshape(1, -1)).expand(r0.shape[0])
    a_all, b_all, _ = _weights(whole, t, fallback=False)
    a_raw, b_raw, _ = _weights((r0 * r1).sum(-1), t, fallback=False)
    shape = z0.shape
    return {
        "this is linear interpolation (1 - t) z0 + t z1; slerp weights z0 and z1 by sin((1 - t) Omega) / sin(Omega) "
        "and sin(t Omega) / sin(Omega)": ((1 - t) * r0 + t * r1).reshape(shape),
        "the weights are swapped: sin((1 - t) Omega) multiplies z0 (at t = 0 slerp returns z0)":
            (b * r0 + a * r1).reshape(shape),
        "divide both weights by sin(Omega)": (sin * (a * r0 + b * r1)).reshape(shape),
        "one angle per row: reduce over the last dimension only (dim=-1, keepdim=True), not over the whole tensor":
            (a_all * r0 + b_all * r1).reshape(shape),
        "cos(Omega) is the dot product divided by both norms, <z0, z1> / (|z0| |z1|)":
            (a_raw * r0 + b_raw * r1).reshape(shape),
    }
