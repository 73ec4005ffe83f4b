"""A small style-based generator (Karras et al. 2019) for 1-channel 28x28 images.

Parts
-----
* ``MappingNetwork``: z (N, latent_dim) -> pixel norm -> ``n_layers`` x (EqualizedLinear with
  lr_mul = 0.01, LeakyReLU(0.2)) -> w (N, w_dim).
* ``AdaIN``: a learned affine map A (an ``EqualizedLinear``) turns w into a per-channel
  (scale s, bias b); output = instance_norm(x) * (1 + s) + b (the official code's convention).
* ``NoiseInjection``: x + weight[c] * noise, one single-channel noise map per sample, the
  per-channel weights starting at zero.
* ``StyleGenerator``: a learned constant (width, 7, 7) instead of a latent input, then three
  resolutions (7, 14, 28; ``width`` channels, half of them at 28x28), each with two
  (conv ->) noise -> LeakyReLU -> AdaIN layers: six
  styles, coarse (7x7: 0, 1), middle (14x14: 2, 3) and fine (28x28: 4, 5). Upsampling is
  bilinear; a 1x1 conv and tanh make the image in [-1, 1].

``StyleGenerator.forward(z)`` draws its own noise while training and, with probability
``mixing_prob``, mixes the styles of two latents at a random crossover (style-mixing
regularisation); it keeps a running mean of w (``w_avg``) for the truncation trick. In eval
mode the noise maps are the constant buffers ``noise_const`` (so sampling uses no random
numbers) unless ``noise`` is given.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from course_lib._checks import check_choice, check_positive_int, check_real, check_tensor
from course_lib.models.progan import EqualizedConv2d, EqualizedLinear, stage_widths
from course_lib.style_ops import adain, mix_styles, pixel_norm, truncate

__all__ = ["MappingNetwork", "AdaIN", "NoiseInjection", "StyleGenerator", "load_pretrained_stylegan",
           "pretrained_stylegan_record",
           "STYLE_RESOLUTIONS"]

STYLE_RESOLUTIONS = (7, 14, 28)


class MappingNetwork(nn.Module):
    """z (N, latent_dim) -> w (N, w_dim): pixel norm, then ``n_layers`` equalised dense layers
    (learning-rate multiplier ``lr_mul``) each followed by LeakyReLU(0.2)."""

    def __init__(self, latent_dim: int = 32, w_dim: int = 32, n_layers: int = 4, lr_mul: float = 0.01) -> None:
        super().__init__()
        for name, value in (("latent_dim", latent_dim), ("w_dim", w_dim), ("n_layers", n_layers)):
            check_positive_int(name, value)
        self.latent_dim, self.w_dim = latent_dim, w_dim
        self.model_args = {"latent_dim": latent_dim, "w_dim": w_dim, "n_layers": n_layers, "lr_mul": lr_mul}
        dims = [latent_dim] + [w_dim] * n_layers
        self.layers = nn.ModuleList([EqualizedLinear(a, b, lr_mul=lr_mul) for a, b in zip(dims, dims[1:])])

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        check_tensor("z", z, shape=(None, self.latent_dim), floating=True)
        h = pixel_norm(z)
        for layer in self.layers:
            h = F.leaky_relu(layer(h), 0.2)
        return h


class AdaIN(nn.Module):
    """x (N, C, H, W), w (N, w_dim) -> instance_norm(x) * (1 + s) + b with (s, b) = A(w), A affine.

    ``self.style`` maps w to 2C numbers: the first C are the scales s, the last C the biases b.
    """

    def __init__(self, channels: int, w_dim: int) -> None:
        super().__init__()
        check_positive_int("channels", channels)
        check_positive_int("w_dim", w_dim)
        self.channels = channels
        self.style = EqualizedLinear(w_dim, 2 * channels, gain=1.0)   # (N, 2C): s, then b

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        scale, bias = self.style(w).chunk(2, dim=1)
        return adain(x, scale, bias)


class NoiseInjection(nn.Module):
    """x (N, C, H, W) + weight (C,) * noise (N, 1, H, W); the weights start at zero."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(check_positive_int("channels", channels)))

    def forward(self, x: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        return x + self.weight[None, :, None, None] * noise


class _StyleLayer(nn.Module):
    """[conv 3x3 ->] noise -> LeakyReLU(0.2) -> AdaIN: one style per layer."""

    def __init__(self, in_channels: int, out_channels: int, w_dim: int, conv: bool) -> None:
        super().__init__()
        self.conv = EqualizedConv2d(in_channels, out_channels, 3) if conv else nn.Identity()
        self.noise = NoiseInjection(out_channels)
        self.adain = AdaIN(out_channels, w_dim)

    def forward(self, x: torch.Tensor, w: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        return self.adain(F.leaky_relu(self.noise(self.conv(x), noise), 0.2), w)


class StyleGenerator(nn.Module):
    """z (N, latent_dim) -> image (N, channels, 28, 28) in [-1, 1] through w and six styles."""

    n_styles = 2 * len(STYLE_RESOLUTIONS)

    def __init__(self, latent_dim: int = 32, channels: int = 1, width: int = 32, w_dim: int = 32,
                 mapping_layers: int = 4, mixing_prob: float = 0.9, w_avg_beta: float = 0.995) -> None:
        super().__init__()
        for name, value in (("latent_dim", latent_dim), ("channels", channels), ("width", width),
                            ("w_dim", w_dim), ("mapping_layers", mapping_layers)):
            check_positive_int(name, value)
        mixing_prob, w_avg_beta = check_real("mixing_prob", mixing_prob), check_real("w_avg_beta", w_avg_beta)
        if not 0.0 <= mixing_prob <= 1.0:
            raise ValueError(f"mixing_prob must lie in [0, 1], got {mixing_prob}")
        if not 0.0 <= w_avg_beta < 1.0:
            raise ValueError(f"w_avg_beta must lie in [0, 1), got {w_avg_beta}")
        self.latent_dim, self.width, self.w_dim = latent_dim, width, w_dim
        self.mixing_prob, self.w_avg_beta = mixing_prob, w_avg_beta
        self.model_args = {"latent_dim": latent_dim, "channels": channels, "width": width, "w_dim": w_dim,
                           "mapping_layers": mapping_layers, "mixing_prob": mixing_prob, "w_avg_beta": w_avg_beta}
        self.mapping = MappingNetwork(latent_dim, w_dim, mapping_layers)
        self.const = nn.Parameter(torch.ones(1, width, 7, 7))               # the learned constant input
        widths = [c for c in stage_widths(width) for _ in range(2)]           # channels of each style layer
        self.layers = nn.ModuleList([_StyleLayer(widths[max(i - 1, 0)], widths[i], w_dim, conv=i > 0)
                                     for i in range(self.n_styles)])
        self.to_rgb = EqualizedConv2d(widths[-1], channels, 1, gain=1.0)
        self.register_buffer("w_avg", torch.zeros(w_dim))
        g = torch.Generator().manual_seed(123)
        for i, size in enumerate(self.resolutions()):
            self.register_buffer(f"noise_const_{i}", torch.randn(1, 1, size, size, generator=g))

    @classmethod
    def resolutions(cls) -> list[int]:
        """The resolution each of the six style layers works at."""
        return [size for size in STYLE_RESOLUTIONS for _ in range(2)]

    def styles(self, z: torch.Tensor, psi: float = 1.0) -> torch.Tensor:
        """w for every layer, (N, n_styles, w_dim), truncated towards ``w_avg`` when psi != 1."""
        w = self.mapping(z)
        if psi != 1.0:
            w = truncate(w, self.w_avg, psi)
        return w[:, None].expand(-1, self.n_styles, -1)

    def random_noise(self, n: int, generator: torch.Generator | None = None) -> list[torch.Tensor]:
        """Fresh noise maps, one (n, 1, R, R) per layer."""
        device = self.const.device
        return [torch.randn(n, 1, size, size, generator=generator).to(device) for size in self.resolutions()]

    def synthesis(self, ws: torch.Tensor, noise: list[torch.Tensor] | None = None) -> torch.Tensor:
        """ws (N, n_styles, w_dim) -> images (N, channels, 28, 28). ``noise``: one map per layer
        ((N or 1, 1, R, R)); default: fresh noise in train mode, ``noise_const_i`` in eval mode."""
        check_tensor("ws", ws, shape=(None, self.n_styles, self.w_dim), floating=True)
        if noise is None:
            noise = self.random_noise(ws.shape[0]) if self.training else \
                [getattr(self, f"noise_const_{i}") for i in range(self.n_styles)]
        if len(noise) != self.n_styles:
            raise ValueError(f"noise must hold {self.n_styles} maps, one per layer, got {len(noise)}")
        x = self.const.expand(ws.shape[0], -1, -1, -1)                        # (N, width, 7, 7)
        for i, layer in enumerate(self.layers):
            if i in (2, 4):
                x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)  # 14, then 28
            x = layer(x, ws[:, i], noise[i])
        return torch.tanh(self.to_rgb(x))                                      # (N, channels, 28, 28)

    def forward(self, z: torch.Tensor, psi: float = 1.0, noise: list[torch.Tensor] | None = None) -> torch.Tensor:
        check_tensor("z", z, shape=(None, self.latent_dim), floating=True)
        ws = self.styles(z, psi)
        if self.training:
            with torch.no_grad():
                self.w_avg.lerp_(ws[:, 0].mean(0).detach().to(self.w_avg.dtype), 1.0 - self.w_avg_beta)
            if self.mixing_prob > 0 and float(torch.rand(())) < self.mixing_prob:
                crossover = int(torch.randint(1, self.n_styles, ()))
                ws = mix_styles(ws, self.styles(torch.randn_like(z), psi), crossover)
        return self.synthesis(ws, noise)


def pretrained_stylegan_record(name: str = "stylegan_mnist") -> dict | None:
    """The JSON record of a committed style-based generator (command, data, FID, SHA-256), or None if absent."""
    from course_lib.pretrained import pretrained_record

    check_choice("name", name, ("stylegan_mnist",))
    return pretrained_record(name)


def load_pretrained_stylegan(name: str = "stylegan_mnist", device: torch.device | str = "cpu") -> StyleGenerator | None:
    """The style-based generator committed under ``course_lib/weights`` (eval mode, float32), or None
    if its files are absent (``course_lib.pretrained``). Raises ``ValueError`` if the weights do not
    match the record's SHA-256."""
    from course_lib.pretrained import load_pretrained_generator

    check_choice("name", name, ("stylegan_mnist",))
    return load_pretrained_generator(name, device)
