"""Progressive GAN parts (Karras et al. 2018) for 1-channel 28x28 images: 7x7 -> 14x14 -> 28x28.

* ``EqualizedLinear`` / ``EqualizedConv2d``: weights stored as N(0, 1) / lr_mul and multiplied
  at *every* forward by gain / sqrt(fan_in) * lr_mul (the equalised learning rate); scaling once
  at initialisation would give the same first output but not the same training.
* ``PixelNorm`` and ``MinibatchStdDev`` wrap ``course_lib.style_ops``.
* ``ProGenerator`` and ``ProDiscriminator`` hold every resolution's block from the start;
  ``set_growth(stage, alpha)`` chooses the resolution 7 * 2**stage and the fade-in alpha of the
  newest block (alpha = 1: fully grown). ``ProgressiveSchedule`` says (stage, alpha) at each
  training step, and ``ProgressiveLoader`` sets it on the networks and hands out real images
  at that resolution, faded the same way, so that ``course_lib.gan_training.train_gan`` (the one
  loop) trains a growing pair.

Images live in [-1, 1]; the generator's output is linear (no tanh), as in the paper.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from course_lib._checks import check_positive_int, check_real, check_tensor
from course_lib.style_ops import downsample, equalized_scale, fade_in, fade_real, minibatch_stddev, pixel_norm

__all__ = ["EqualizedLinear", "EqualizedConv2d", "PixelNorm", "MinibatchStdDev", "ProGenerator", "ProDiscriminator",
           "ProgressiveSchedule", "ProgressiveLoader", "RESOLUTIONS", "stage_widths"]

RESOLUTIONS = (7, 14, 28)
SQRT2 = math.sqrt(2.0)


def stage_widths(width: int) -> tuple[int, int, int]:
    """Channels at 7x7, 14x14 and 28x28: ``width``, ``width`` and half of it (the largest maps are the costliest)."""
    return width, width, max(width // 2, 1)


class EqualizedLinear(nn.Module):
    """x (N, in) -> (N, out); y = x @ (c * W)^T + lr_mul * b with c = gain / sqrt(in) * lr_mul.

    W is drawn from N(0, 1 / lr_mul^2) and b starts at ``bias_init / lr_mul``, so the layer's
    effective weights start at N(0, (gain^2 / in)) whatever lr_mul is, while an optimiser's
    step on the stored values moves the effective ones lr_mul times as far (StyleGAN's mapping
    network uses lr_mul = 0.01).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, gain: float = SQRT2,
                 lr_mul: float = 1.0, bias_init: float = 0.0) -> None:
        super().__init__()
        check_positive_int("in_features", in_features)
        check_positive_int("out_features", out_features)
        self.lr_mul = check_real("lr_mul", lr_mul, positive=True)
        self.scale = equalized_scale(in_features, gain, lr_mul)
        self.weight = nn.Parameter(torch.randn(out_features, in_features) / lr_mul)  # (out, in)
        self.bias = nn.Parameter(torch.full((out_features,), float(bias_init) / lr_mul)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        bias = None if self.bias is None else self.bias * self.lr_mul
        return F.linear(x, self.weight * self.scale, bias)


class EqualizedConv2d(nn.Module):
    """x (N, in, H, W) -> (N, out, H, W) ("same" padding, odd kernel); weights scaled by gain / sqrt(in * k * k)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3, gain: float = SQRT2) -> None:
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels),
                            ("kernel_size", kernel_size)):
            check_positive_int(name, value)
        if kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd (same padding), got {kernel_size}")
        self.scale = equalized_scale(in_channels * kernel_size * kernel_size, gain)
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.padding = kernel_size // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.padding)


class PixelNorm(nn.Module):
    """``style_ops.pixel_norm`` as a layer: unit RMS over the channels of every pixel."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return pixel_norm(x)


class MinibatchStdDev(nn.Module):
    """``style_ops.minibatch_stddev`` as a layer: (N, C, H, W) -> (N, C + 1, H, W)."""

    def __init__(self, group_size: int = 4) -> None:
        super().__init__()
        self.group_size = check_positive_int("group_size", group_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return minibatch_stddev(x, self.group_size)


def _act() -> nn.Module:
    return nn.LeakyReLU(0.2)


class ProGenerator(nn.Module):
    """z (N, latent_dim) -> image (N, channels, R, R), R = 7 * 2**stage, linear output.

    Stage 0: z -> pixel norm -> dense to (width, 7, 7) -> 3x3 conv; each later stage
    upsamples (nearest) and applies two 3x3 convs; every conv is followed by LeakyReLU(0.2)
    and pixel norm; a 1x1 "toRGB" conv per stage. While a stage fades in,
    output = (1 - alpha) * up(toRGB_old(h_old)) + alpha * toRGB_new(block(h_old)).
    """

    def __init__(self, latent_dim: int = 32, channels: int = 1, width: int = 32) -> None:
        super().__init__()
        for name, value in (("latent_dim", latent_dim), ("channels", channels), ("width", width)):
            check_positive_int(name, value)
        self.latent_dim, self.width = latent_dim, width
        self.model_args = {"latent_dim": latent_dim, "channels": channels, "width": width}
        widths = stage_widths(width)
        self.dense = EqualizedLinear(latent_dim, width * 7 * 7, gain=SQRT2 / 4)   # (N, w*49), as ProGAN's 4x4 dense
        self.first = nn.Sequential(EqualizedConv2d(width, width, 3), _act(), PixelNorm())  # (N, w, 7, 7)
        self.blocks = nn.ModuleList([
            nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"),
                          EqualizedConv2d(c_in, c_out, 3), _act(), PixelNorm(),
                          EqualizedConv2d(c_out, c_out, 3), _act(), PixelNorm())          # (N, w_s, 2R, 2R)
            for c_in, c_out in zip(widths, widths[1:])])
        self.to_rgb = nn.ModuleList([EqualizedConv2d(c, channels, 1, gain=1.0) for c in widths])
        self.stage, self.alpha = len(RESOLUTIONS) - 1, 1.0

    def set_growth(self, stage: int, alpha: float = 1.0) -> None:
        """Output resolution 7 * 2**stage; the newest block fades in with weight alpha."""
        _check_growth(stage, alpha)
        self.stage, self.alpha = stage, float(alpha)

    @property
    def resolution(self) -> int:
        return RESOLUTIONS[self.stage]

    def _features(self, z: torch.Tensor, n_blocks: int) -> torch.Tensor:
        check_tensor("z", z, shape=(None, self.latent_dim), floating=True)
        h = pixel_norm(F.leaky_relu(self.dense(pixel_norm(z)), 0.2).view(-1, self.width, 7, 7))
        h = self.first(h)                                                  # (N, w, 7, 7)
        for block in self.blocks[:n_blocks]:
            h = block(h)                                                   # (N, w, 2R, 2R)
        return h

    def branches(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(old, new) of the current stage (>= 1): toRGB_old(h), (N, C, R/2, R/2), and
        toRGB_new(block(h)), (N, C, R, R); ``forward`` blends them with alpha."""
        if self.stage == 0:
            raise ValueError("stage 0 has no fade-in: it has no older branch")
        h = self._features(z, self.stage - 1)
        return self.to_rgb[self.stage - 1](h), self.to_rgb[self.stage](self.blocks[self.stage - 1](h))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if self.stage == 0:
            return self.to_rgb[0](self._features(z, 0))
        old, new = self.branches(z)
        return new if self.alpha == 1.0 else fade_in(old, new, self.alpha)


class ProDiscriminator(nn.Module):
    """image (N, channels, R, R) -> one score per image (N,), mirroring ``ProGenerator``.

    A 1x1 "fromRGB" conv per stage; each stage's block is two 3x3 convs and 2x2 average
    pooling; the final block (7x7) appends the minibatch standard deviation, applies a 3x3 conv
    and two dense layers. While a stage fades in,
    h = (1 - alpha) * fromRGB_old(down(x)) + alpha * block(fromRGB_new(x)).
    """

    def __init__(self, channels: int = 1, width: int = 32, group_size: int = 4) -> None:
        super().__init__()
        check_positive_int("channels", channels)
        check_positive_int("width", width)
        check_positive_int("group_size", group_size)
        self.channels = channels
        self.model_args = {"channels": channels, "width": width, "group_size": group_size}
        widths = stage_widths(width)
        self.from_rgb = nn.ModuleList([nn.Sequential(EqualizedConv2d(channels, c, 1), _act()) for c in widths])
        self.blocks = nn.ModuleList([
            nn.Sequential(EqualizedConv2d(c_in, c_in, 3), _act(),
                          EqualizedConv2d(c_in, c_out, 3), _act(), nn.AvgPool2d(2))      # (N, w_s, R/2, R/2)
            for c_in, c_out in zip(widths[1:], widths)])
        self.final = nn.Sequential(
            MinibatchStdDev(group_size),                                   # (N, w + 1, 7, 7)
            EqualizedConv2d(width + 1, width, 3), _act(),                  # (N, w, 7, 7)
            nn.Flatten(),
            EqualizedLinear(width * 7 * 7, width), _act(),                 # (N, w)
            EqualizedLinear(width, 1, gain=1.0),                           # (N, 1)
        )
        self.stage, self.alpha = len(RESOLUTIONS) - 1, 1.0

    def set_growth(self, stage: int, alpha: float = 1.0) -> None:
        _check_growth(stage, alpha)
        self.stage, self.alpha = stage, float(alpha)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        size = RESOLUTIONS[self.stage]
        check_tensor("x", x, shape=(None, self.channels, size, size), floating=True)
        h = self.from_rgb[self.stage](x)
        if self.stage > 0:
            h = self.blocks[self.stage - 1](h)
            if self.alpha < 1.0:
                h = fade_in(self.from_rgb[self.stage - 1](downsample(x)), h, self.alpha)
            for block in reversed(self.blocks[:self.stage - 1]):
                h = block(h)
        return self.final(h).flatten()


def _check_growth(stage: int, alpha: float) -> None:
    check_positive_int("stage", stage, minimum=0)
    if stage >= len(RESOLUTIONS):
        raise ValueError(f"stage must be below {len(RESOLUTIONS)} (resolutions {RESOLUTIONS}), got {stage}")
    alpha = check_real("alpha", alpha)
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must lie in [0, 1], got {alpha}")


class ProgressiveSchedule:
    """Stage 0 for ``stable`` steps; then for each later stage ``fade`` steps with alpha rising
    linearly from 1/fade to 1, and ``stable`` steps at alpha = 1."""

    def __init__(self, stable: int, fade: int, n_stages: int = len(RESOLUTIONS)) -> None:
        self.stable, self.fade = check_positive_int("stable", stable), check_positive_int("fade", fade)
        self.n_stages = check_positive_int("n_stages", n_stages)
        if n_stages > len(RESOLUTIONS):
            raise ValueError(f"n_stages must be at most {len(RESOLUTIONS)}, got {n_stages}")

    @property
    def total_steps(self) -> int:
        return self.stable + (self.n_stages - 1) * (self.fade + self.stable)

    def at(self, step: int) -> tuple[int, float]:
        """(stage, alpha) of training step ``step`` (from 0)."""
        check_positive_int("step", step, minimum=0)
        if step < self.stable:
            return 0, 1.0
        stage, into = divmod(step - self.stable, self.fade + self.stable)
        stage += 1
        if stage >= self.n_stages:
            return self.n_stages - 1, 1.0
        return stage, min(1.0, (into + 1) / self.fade)


class ProgressiveLoader:
    """A loader for ``train_gan``: before each step's batch it sets (stage, alpha) on ``networks``
    and gives the real images at that resolution, faded like the generator's output.

    ``loader`` yields full-resolution (28x28) batches ``(x,)`` in [-1, 1].
    """

    def __init__(self, loader, schedule: ProgressiveSchedule, networks) -> None:
        if not hasattr(loader, "batches"):
            raise TypeError("loader must have a batches(start_step) method, e.g. an InMemoryLoader")
        if not isinstance(schedule, ProgressiveSchedule):
            raise TypeError(f"schedule must be a ProgressiveSchedule, got {type(schedule).__name__}")
        self.loader, self.schedule, self.networks = loader, schedule, tuple(networks)

    def batches(self, start_step: int = 0):
        step = start_step
        for batch in self.loader.batches(start_step):
            x = batch[0] if isinstance(batch, (tuple, list)) else batch
            stage, alpha = self.schedule.at(step)
            for net in self.networks:
                net.set_growth(stage, alpha)
            for _ in range(len(RESOLUTIONS) - 1 - stage):
                x = downsample(x)
            yield (fade_real(x, alpha) if stage > 0 and alpha < 1.0 else x,)
            step += 1
