"""pix2pix's U-Net generator for 28x28 images, built from nested skip blocks.

Each ``UNetSkipBlock`` downsamples (4x4 convolution, stride 2), hands the result to the block
inside it, upsamples back (4x4 transposed convolution, stride 2) and **concatenates** its own
input to the result along the channels, ``torch.cat([x, up(inner(down(x)))], dim=1)``: the
decoder sees the encoder's features at the same resolution, so details that the bottleneck
cannot carry (where each stroke is) travel straight across. The outermost block has no skip
(its output is the image).

The 28x28 input is padded to 32x32 (replicating the border) so that three halvings stay whole
(32 -> 16 -> 8 -> 4), and the output is cropped back. Images in [-1, 1]; the output goes through tanh.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from course_lib._checks import check_choice, check_positive_int, check_tensor

NORMS = ("batch", "instance")


def _norm(kind: str, channels: int) -> nn.Module:
    # Instance norm without affine parameters, as CycleGAN; batch norm, as pix2pix.
    return nn.BatchNorm2d(channels) if kind == "batch" else nn.InstanceNorm2d(channels)


class UNetSkipBlock(nn.Module):
    """x (B, outer, H, W) -> (B, 2 * outer, H, W): [x, up(inner(down(x)))]; the outermost block returns up(...)
    alone, (B, out_channels, H, W).

    ``down``: (B, outer, H, W) -> (B, inner, H/2, W/2); ``submodule``: (B, inner, H/2, W/2) ->
    (B, 2 * inner, H/2, W/2) (or None in the innermost block); ``up``: -> (B, outer or out_channels, H, W).
    """

    def __init__(self, outer: int, inner: int, submodule: "UNetSkipBlock | None" = None, *,
                 in_channels: int | None = None, out_channels: int | None = None, outermost: bool = False,
                 norm: str = "batch") -> None:
        super().__init__()
        check_positive_int("outer", outer)
        check_positive_int("inner", inner)
        check_choice("norm", norm, NORMS)
        if submodule is not None and not isinstance(submodule, UNetSkipBlock):
            raise TypeError(f"submodule must be a UNetSkipBlock or None, got {type(submodule).__name__}")
        innermost = submodule is None
        in_channels = outer if in_channels is None else in_channels
        self.outermost = outermost
        down = [nn.Conv2d(in_channels, inner, 4, 2, 1)]                 # (B, inner, H/2, W/2)
        if not outermost:
            down = [nn.LeakyReLU(0.2)] + down + ([] if innermost else [_norm(norm, inner)])
        up_in = inner if innermost else 2 * inner                         # the inner block concatenated its input
        if outermost:
            up = [nn.ReLU(), nn.ConvTranspose2d(up_in, out_channels or outer, 4, 2, 1), nn.Tanh()]
        else:
            up = [nn.ReLU(), nn.ConvTranspose2d(up_in, outer, 4, 2, 1), _norm(norm, outer)]  # (B, outer, H, W)
        self.down, self.up = nn.Sequential(*down), nn.Sequential(*up)
        self.submodule = submodule

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.down(x)
        if self.submodule is not None:
            h = self.submodule(h)
        h = self.up(h)
        return h if self.outermost else torch.cat([x, h], dim=1)


class UNetGenerator(nn.Module):
    """x (B, in_channels, 28, 28) in [-1, 1] -> (B, out_channels, 28, 28) in [-1, 1].

    Three nested blocks at 32 -> 16 -> 8 -> 4 (widths w, 2w, 4w); about 150k parameters at w = 32.
    """

    def __init__(self, in_channels: int = 1, out_channels: int = 1, width: int = 32, norm: str = "batch") -> None:
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels), ("width", width)):
            check_positive_int(name, value)
        check_choice("norm", norm, NORMS)
        self.model_args = {"in_channels": in_channels, "out_channels": out_channels, "width": width, "norm": norm}
        w = width
        inner = UNetSkipBlock(2 * w, 4 * w, norm=norm)                     # 8x8 <-> 4x4
        middle = UNetSkipBlock(w, 2 * w, inner, norm=norm)                 # 16x16 <-> 8x8
        self.model = UNetSkipBlock(w, w, middle, in_channels=in_channels, out_channels=out_channels,
                                   outermost=True, norm=norm)             # 32x32 <-> 16x16

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor("x", x, ndim=4, floating=True)
        if tuple(x.shape[1:]) != (self.model_args["in_channels"], 28, 28):
            raise ValueError(f"x must have shape (B, {self.model_args['in_channels']}, 28, 28), got {tuple(x.shape)}")
        padded = F.pad(x, (2, 2, 2, 2), mode="replicate")                  # (B, C, 32, 32)
        return self.model(padded)[..., 2:-2, 2:-2]                         # (B, out, 28, 28)
