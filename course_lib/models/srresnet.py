"""A small SRResNet (Ledig et al., 2017) for 7x7 -> 28x28 digits (4x super-resolution).

conv 3x3 + PReLU -> ``n_blocks`` residual blocks (conv-BN-PReLU-conv-BN, plus the input) ->
conv-BN plus the features before the blocks (a long skip) -> two sub-pixel upsamplers
(conv to 4C channels, PixelShuffle(2), PReLU; each doubles H and W) -> conv 3x3 -> tanh.
Images in [-1, 1]. The same generator is SRGAN's; only the loss differs.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from course_lib._checks import check_positive_int, check_tensor


class ResidualBlock(nn.Module):
    """(B, C, H, W) -> (B, C, H, W): x + BN(conv(PReLU(BN(conv(x)))))."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, channels, 3, 1, 1), nn.BatchNorm2d(channels), nn.PReLU(),
            nn.Conv2d(channels, channels, 3, 1, 1), nn.BatchNorm2d(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class SRResNet(nn.Module):
    """low (B, C, S, S) in [-1, 1] -> high (B, C, scale * S, scale * S) in [-1, 1]; scale a power of 2."""

    def __init__(self, channels: int = 1, width: int = 32, n_blocks: int = 4, scale: int = 4) -> None:
        super().__init__()
        for name, value in (("channels", channels), ("width", width), ("n_blocks", n_blocks), ("scale", scale)):
            check_positive_int(name, value)
        if scale & (scale - 1):
            raise ValueError(f"scale must be a power of 2, got {scale}")
        self.model_args = {"channels": channels, "width": width, "n_blocks": n_blocks, "scale": scale}
        self.head = nn.Sequential(nn.Conv2d(channels, width, 3, 1, 1), nn.PReLU())          # (B, w, S, S)
        self.blocks = nn.Sequential(*[ResidualBlock(width) for _ in range(n_blocks)])         # (B, w, S, S)
        self.fuse = nn.Sequential(nn.Conv2d(width, width, 3, 1, 1), nn.BatchNorm2d(width))
        up = []
        for _ in range(int(math.log2(scale))):                                                # each: H, W doubled
            up += [nn.Conv2d(width, 4 * width, 3, 1, 1), nn.PixelShuffle(2), nn.PReLU()]
        self.upsample = nn.Sequential(*up)                                                    # (B, w, sS, sS)
        self.tail = nn.Sequential(nn.Conv2d(width, channels, 3, 1, 1), nn.Tanh())              # (B, C, sS, sS)

    def forward(self, low: torch.Tensor) -> torch.Tensor:
        check_tensor("low", low, ndim=4, floating=True)
        if low.shape[1] != self.model_args["channels"]:
            raise ValueError(f"low must have {self.model_args['channels']} channels, got shape {tuple(low.shape)}")
        features = self.head(low)
        features = features + self.fuse(self.blocks(features))      # the long skip: blocks learn a correction
        return self.tail(self.upsample(features))
