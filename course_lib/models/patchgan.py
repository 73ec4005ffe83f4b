"""The PatchGAN discriminator and its receptive field.

A PatchGAN is fully convolutional: it returns a map of logits, one per overlapping patch of
the input, and the loss averages over them. Each logit sees only its **receptive field**, the
square of input pixels it depends on, so D judges local texture and sharpness and leaves the
large structure to the L1 (pix2pix) or cycle (CycleGAN) term.

The receptive field follows from the layers, walking from the output back to the input: one
output pixel (r = 1) of a layer with kernel k and stride s sees r_in = (r_out - 1) * s + k
pixels of its input (a dilated kernel counts as d * (k - 1) + 1). Padding shifts where the
field lies, not its size. ``receptive_field`` computes it; ``measured_receptive_field`` reads
it off the gradient of one output logit with respect to the input.
"""
from __future__ import annotations

import copy
from typing import Sequence

import torch
from torch import nn

from course_lib._checks import check_positive_int, check_tensor


def _norm(kind: str, channels: int) -> nn.Module:
    return nn.BatchNorm2d(channels) if kind == "batch" else nn.InstanceNorm2d(channels)


class PatchGANDiscriminator(nn.Module):
    """x (B, in_channels, H, W) in [-1, 1] -> logits (B, 1, H', W'), one per patch.

    With ``n_down`` = 1 on 28x28 inputs (the course's default): 28 -> 14 -> 13 -> 12, a 12x12 map of
    logits over 16x16 patches. pix2pix's D gets (input, output) concatenated: in_channels = 2.
    """

    def __init__(self, in_channels: int = 2, width: int = 32, n_down: int = 1, norm: str = "batch") -> None:
        super().__init__()
        check_positive_int("in_channels", in_channels)
        check_positive_int("width", width)
        check_positive_int("n_down", n_down, minimum=0)
        if norm not in ("batch", "instance"):
            raise ValueError(f"norm must be one of ['batch', 'instance'], got {norm!r}")
        self.model_args = {"in_channels": in_channels, "width": width, "n_down": n_down, "norm": norm}
        layers: list[nn.Module] = [nn.Conv2d(in_channels, width, 4, 2, 1), nn.LeakyReLU(0.2)]  # (B, w, H/2, W/2)
        channels = width
        for _ in range(n_down):                                            # each halves H and W again
            layers += [nn.Conv2d(channels, 2 * channels, 4, 2 if _ < n_down - 1 else 1, 1),
                       _norm(norm, 2 * channels), nn.LeakyReLU(0.2)]
            channels *= 2
        layers += [nn.Conv2d(channels, 1, 4, 1, 1)]                        # (B, 1, H', W'): one logit per patch
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor("x", x, ndim=4, floating=True)
        if x.shape[1] != self.model_args["in_channels"]:
            raise ValueError(f"x must have {self.model_args['in_channels']} channels, got shape {tuple(x.shape)}")
        return self.net(x)


def conv_layers(module: nn.Module) -> list[tuple[int, int, int]]:
    """(kernel, stride, padding) of every Conv2d and pooling layer of ``module``, input side first.

    A dilated kernel is given by its effective size d * (k - 1) + 1. Square kernels only.
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be an nn.Module, got {type(module).__name__}")
    found = []
    for layer in module.modules():
        if isinstance(layer, nn.Conv2d):
            k, s, p, d = layer.kernel_size, layer.stride, layer.padding, layer.dilation
            if len(set(k)) != 1 or len(set(s)) != 1 or isinstance(p, str) or len(set(p)) != 1:
                raise ValueError(f"conv_layers handles square kernels, strides and paddings, got {layer}")
            found.append((d[0] * (k[0] - 1) + 1, s[0], p[0]))
        elif isinstance(layer, (nn.MaxPool2d, nn.AvgPool2d)):
            k, s, p = (layer.kernel_size, layer.stride, layer.padding)
            as_int = [v if isinstance(v, int) else v[0] for v in (k, s, p)]
            found.append(tuple(as_int))
    return found


def receptive_field(layers: Sequence[tuple[int, int, int]]) -> int:
    """Side of the square of input pixels one output pixel of a stack of layers sees.

    ``layers``: (kernel, stride, padding) of each layer, input side first (``conv_layers``).
    Walking from the output (r = 1) to the input: r <- (r - 1) * stride + kernel.
    """
    if not isinstance(layers, (list, tuple)) or not layers:
        raise TypeError("layers must be a non-empty list of (kernel, stride, padding) tuples")
    r = 1
    for layer in reversed(list(layers)):
        if not (isinstance(layer, (list, tuple)) and len(layer) == 3 and all(isinstance(v, int) for v in layer)):
            raise ValueError(f"every layer must be a (kernel, stride, padding) tuple of ints, got {layer!r}")
        kernel, stride, _ = layer
        if kernel < 1 or stride < 1:
            raise ValueError(f"kernel and stride must be >= 1, got {layer!r}")
        r = (r - 1) * stride + kernel
    return r


def measured_receptive_field(model: nn.Module, in_channels: int, size: int = 64) -> int:
    """Receptive field measured from the gradient of one central output logit with respect to the input.

    The model runs in eval mode (batch norm uses its running statistics, so no other pixel of the
    batch enters) on a random (1, in_channels, size, size) input; the answer is the width of the
    band of input columns (and rows) with a non-zero gradient. ``size`` must exceed the field.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    check_positive_int("in_channels", in_channels)
    check_positive_int("size", size, minimum=4)
    probe = copy.deepcopy(model).double().eval()        # a copy: the model's dtype and mode stay as they are
    x = torch.randn(1, in_channels, size, size, generator=torch.Generator().manual_seed(0),
                    dtype=torch.float64, requires_grad=True)
    out = probe(x)
    i, j = out.shape[-2] // 2, out.shape[-1] // 2
    out[0, 0, i, j].backward()
    touched = x.grad[0].abs().sum(0) > 0                                   # (size, size)
    rows, cols = touched.any(1).nonzero(), touched.any(0).nonzero()
    if rows.numel() == 0:
        raise ValueError("the output logit does not depend on the input (all gradients are zero)")
    height, width = int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)
    if rows.min() == 0 or cols.min() == 0 or rows.max() == size - 1 or cols.max() == size - 1:
        raise ValueError(f"the field reaches the border of the {size}x{size} input: choose a larger size")
    return max(height, width)
