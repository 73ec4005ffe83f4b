"""DCGAN generator, discriminator and WGAN critic (Radford et al. 2016; Gulrajani et al. 2017).

Conventions
-----------
* Images live in [-1, 1] (the generator ends with tanh); see ``course_lib.data.to_signed``.
* The latent code is z ~ N(0, I) of shape (B, latent_dim).
* The discriminator returns one *logit* per image, shape (B,) (no sigmoid: the losses in
  ``course_lib.losses.gan`` take logits). The critic returns one unbounded score per image.
* Two resolutions: 28x28 (MNIST-like, ``image_size=28``) and 64x64 (CelebA / CIFAR-10 resized,
  ``image_size=64``), following pytorch/examples' DCGAN for 64x64.
* The DCGAN guidelines: strided (transposed) convolutions and no pooling, batch norm in G and
  in D except D's first layer, ReLU in G, LeakyReLU(0.2) in D, tanh output, N(0, 0.02)
  initialisation (``dcgan_init``). The WGAN-GP critic has no batch norm: the gradient penalty
  is per sample, and batch norm would mix the samples of a batch.
"""
from __future__ import annotations

import torch
from torch import nn

from course_lib._checks import check_choice, check_positive_int, check_tensor

SIZES = (28, 64)


def transposed_conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0,
                                output_padding: int = 0, dilation: int = 1) -> int:
    """Output length of ``nn.ConvTranspose2d`` along one axis.

    out = (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1
    """
    for name, value in (("size", size), ("kernel", kernel), ("stride", stride), ("dilation", dilation)):
        check_positive_int(name, value)
    check_positive_int("padding", padding, minimum=0)
    check_positive_int("output_padding", output_padding, minimum=0)
    if output_padding >= max(stride, dilation):
        raise ValueError(f"output_padding must be smaller than stride or dilation, got {output_padding}")
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def dcgan_init(module: nn.Module) -> None:
    """DCGAN initialisation, for ``model.apply(dcgan_init)``: conv weights ~ N(0, 0.02),
    batch-norm scales ~ N(1, 0.02), biases 0."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, (nn.BatchNorm2d, nn.GroupNorm, nn.LayerNorm)) and module.weight is not None:
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class DCGANGenerator(nn.Module):
    """z (B, latent_dim) -> image (B, channels, S, S) in [-1, 1], S = image_size."""

    def __init__(self, latent_dim: int = 64, channels: int = 1, width: int = 64, image_size: int = 28) -> None:
        super().__init__()
        for name, value in (("latent_dim", latent_dim), ("channels", channels), ("width", width)):
            check_positive_int(name, value)
        check_choice("image_size", image_size, SIZES)
        self.latent_dim, self.image_size = latent_dim, image_size
        # The constructor's arguments travel with checkpoints: course_lib.models.build_model rebuilds it.
        self.model_args = {"latent_dim": latent_dim, "channels": channels, "width": width, "image_size": image_size}
        w = width
        if image_size == 28:
            self.net = nn.Sequential(
                nn.ConvTranspose2d(latent_dim, 4 * w, 7, 1, 0, bias=False),  # (B, 4w, 7, 7)
                nn.BatchNorm2d(4 * w),
                nn.ReLU(True),
                nn.ConvTranspose2d(4 * w, 2 * w, 4, 2, 1, bias=False),       # (B, 2w, 14, 14)
                nn.BatchNorm2d(2 * w),
                nn.ReLU(True),
                nn.ConvTranspose2d(2 * w, channels, 4, 2, 1),                # (B, C, 28, 28)
                nn.Tanh(),
            )
        else:
            self.net = nn.Sequential(
                nn.ConvTranspose2d(latent_dim, 8 * w, 4, 1, 0, bias=False),  # (B, 8w, 4, 4)
                nn.BatchNorm2d(8 * w),
                nn.ReLU(True),
                nn.ConvTranspose2d(8 * w, 4 * w, 4, 2, 1, bias=False),       # (B, 4w, 8, 8)
                nn.BatchNorm2d(4 * w),
                nn.ReLU(True),
                nn.ConvTranspose2d(4 * w, 2 * w, 4, 2, 1, bias=False),       # (B, 2w, 16, 16)
                nn.BatchNorm2d(2 * w),
                nn.ReLU(True),
                nn.ConvTranspose2d(2 * w, w, 4, 2, 1, bias=False),           # (B, w, 32, 32)
                nn.BatchNorm2d(w),
                nn.ReLU(True),
                nn.ConvTranspose2d(w, channels, 4, 2, 1),                    # (B, C, 64, 64)
                nn.Tanh(),
            )
        self.apply(dcgan_init)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        check_tensor("z", z, ndim=2, floating=True)
        if z.shape[1] != self.latent_dim:
            raise ValueError(f"z must have shape (B, {self.latent_dim}), got {tuple(z.shape)}")
        return self.net(z[:, :, None, None])


def _norm(kind: str, channels: int) -> nn.Module:
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "layer":  # LayerNorm over (C, H, W) for each sample, as WGAN-GP recommends
        return nn.GroupNorm(1, channels)
    return nn.Identity()


class DCGANDiscriminator(nn.Module):
    """image (B, channels, S, S) -> one score per image (B,).

    ``norm="batch"`` is the DCGAN discriminator (returns logits); ``norm="layer"`` or
    ``"none"`` gives a WGAN-GP critic (no batch norm). The first layer never has a norm.
    """

    def __init__(self, channels: int = 1, width: int = 64, image_size: int = 28, norm: str = "batch") -> None:
        super().__init__()
        check_positive_int("channels", channels)
        check_positive_int("width", width)
        check_choice("image_size", image_size, SIZES)
        check_choice("norm", norm, ("batch", "layer", "none"))
        self.channels, self.image_size = channels, image_size
        self.model_args = {"channels": channels, "width": width, "image_size": image_size, "norm": norm}
        w = width
        act = lambda: nn.LeakyReLU(0.2, True)  # noqa: E731
        bias = norm == "none"
        if image_size == 28:
            self.net = nn.Sequential(
                nn.Conv2d(channels, w, 4, 2, 1),                 # (B, w, 14, 14), no norm on the first layer
                act(),
                nn.Conv2d(w, 2 * w, 4, 2, 1, bias=bias),         # (B, 2w, 7, 7)
                _norm(norm, 2 * w),
                act(),
                nn.Conv2d(2 * w, 1, 7, 1, 0),                    # (B, 1, 1, 1)
            )
        else:
            self.net = nn.Sequential(
                nn.Conv2d(channels, w, 4, 2, 1),                 # (B, w, 32, 32)
                act(),
                nn.Conv2d(w, 2 * w, 4, 2, 1, bias=bias),         # (B, 2w, 16, 16)
                _norm(norm, 2 * w),
                act(),
                nn.Conv2d(2 * w, 4 * w, 4, 2, 1, bias=bias),     # (B, 4w, 8, 8)
                _norm(norm, 4 * w),
                act(),
                nn.Conv2d(4 * w, 8 * w, 4, 2, 1, bias=bias),     # (B, 8w, 4, 4)
                _norm(norm, 8 * w),
                act(),
                nn.Conv2d(8 * w, 1, 4, 1, 0),                    # (B, 1, 1, 1)
            )
        self.apply(dcgan_init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor("x", x, ndim=4, floating=True)
        expected = (self.channels, self.image_size, self.image_size)
        if tuple(x.shape[1:]) != expected:
            raise ValueError(f"x must have shape (B, {expected[0]}, {expected[1]}, {expected[2]}), got {tuple(x.shape)}")
        return self.net(x).flatten()


def wgan_critic(channels: int = 1, width: int = 64, image_size: int = 28, norm: str = "layer") -> DCGANDiscriminator:
    """The WGAN-GP critic: the DCGAN discriminator without batch norm (scores, not logits)."""
    if norm == "batch":
        raise ValueError("norm must be 'layer' or 'none' for a WGAN-GP critic: batch norm mixes the samples "
                         "that the per-sample gradient penalty treats separately")
    return DCGANDiscriminator(channels, width, image_size, norm)
