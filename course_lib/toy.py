"""Toy distributions with exact densities: 1-D Gaussians and mixtures, 2-D mixture benchmarks.

Conventions
-----------
* Densities are exact, built on ``torch.distributions`` (``Normal``, ``MixtureSameFamily``);
  ``log_prob`` is the natural log of the density, ``pdf = exp(log_prob)``.
* Parameters are stored in float64. ``log_prob``/``pdf`` compute in float64 (float32 on
  Apple MPS, which has no float64) on the device of ``x`` and return ``x``'s dtype, so pass
  float64 points where a numerical identity is checked.
* ``sample(n, generator=None, dtype=torch.float32)`` draws on the generator's device (CPU
  when no generator is given); the same seeded ``torch.Generator`` gives the same samples.
* 1-D: ``x`` may have any shape and ``log_prob(x)`` has the same shape; samples are (n,).
  2-D: ``x`` is (..., 2) and ``log_prob(x)`` is (...); samples are (n, 2).

The 2-D benchmarks are the "ring of 8" and "grid of 25" mixtures of the GAN literature
(Metz et al. 2017, Srivastava et al. 2017, Lin et al. 2018): equal weights, isotropic
components of standard deviation ``std``.
"""
from __future__ import annotations

import math
import numbers

import torch
from torch.distributions import Categorical, Independent, MixtureSameFamily, Normal

from course_lib._checks import check_positive_int, check_real, check_tensor

__all__ = [
    "Gaussian1D",
    "GaussianMixture1D",
    "GaussianMixture2D",
    "ring_of_gaussians",
    "grid_of_gaussians",
]

_WEIGHT_TOL = 1e-6


def _work_dtype(device: torch.device) -> torch.dtype:
    # Apple MPS has no float64; everywhere else the exact densities are computed in float64.
    return torch.float32 if device.type == "mps" else torch.float64


def _check_generator(generator) -> torch.device:
    if generator is None:
        return torch.device("cpu")
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
    return generator.device


def _check_dtype(dtype) -> torch.dtype:
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating torch.dtype, got {dtype!r}")
    return dtype


def _as_parameter_vector(name: str, value, *, length: int | None = None) -> torch.Tensor:
    """A 1-D float64 CPU tensor of finite numbers from a sequence or a 1-D tensor."""
    if isinstance(value, torch.Tensor):
        check_tensor(name, value, ndim=1)
        if value.is_complex() or value.dtype == torch.bool:
            raise TypeError(f"{name} must hold real numbers, got dtype {value.dtype}")
        vector = value.detach().to("cpu", torch.float64)
    elif isinstance(value, (list, tuple)):
        if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value):
            raise TypeError(f"{name} must be a sequence of real numbers, got {value!r}")
        vector = torch.tensor(value, dtype=torch.float64)
    else:
        raise TypeError(f"{name} must be a list, tuple or 1-D tensor, got {type(value).__name__}")
    if vector.numel() == 0:
        raise ValueError(f"{name} must not be empty")
    if length is not None and vector.numel() != length:
        raise ValueError(f"{name} must have {length} entries (one per component), got {vector.numel()}")
    if not torch.isfinite(vector).all():
        raise ValueError(f"{name} must be finite, got {vector.tolist()}")
    return vector


def _check_weights(name: str, weights: torch.Tensor) -> torch.Tensor:
    if (weights < 0).any():
        raise ValueError(f"{name} must be non-negative, got {weights.tolist()}")
    total = float(weights.sum())
    # Silently renormalising would hide a typo in a weight; ask for a distribution instead.
    if abs(total - 1.0) > _WEIGHT_TOL:
        raise ValueError(f"{name} must sum to 1 (tolerance {_WEIGHT_TOL}), got sum {total:.10g}")
    return weights


def _check_points(x, *, event_dim: int = 0) -> torch.Tensor:
    check_tensor("x", x, floating=True)
    if event_dim and (x.ndim == 0 or x.shape[-1] != event_dim):
        raise ValueError(f"x must have shape (..., {event_dim}), got {tuple(x.shape)}")
    return x


class Gaussian1D:
    """N(mean, std^2) on the real line.

    ``sample(n)`` -> (n,); ``log_prob(x)``/``pdf(x)`` for x of any shape, same shape out.
    """

    def __init__(self, mean: float, std: float) -> None:
        self.mean = check_real("mean", mean)
        self.std = check_real("std", std, positive=True)

    @property
    def variance(self) -> float:
        return self.std ** 2

    def distribution(self, device: torch.device | str = "cpu") -> Normal:
        """The ``torch.distributions.Normal`` with these parameters (float64 except on MPS)."""
        device = torch.device(device)
        dtype = _work_dtype(device)
        return Normal(torch.tensor(self.mean, dtype=dtype, device=device),
                      torch.tensor(self.std, dtype=dtype, device=device))

    def sample(self, n: int, generator: torch.Generator | None = None,
               dtype: torch.dtype = torch.float32) -> torch.Tensor:
        check_positive_int("n", n)
        device = _check_generator(generator)
        dtype = _check_dtype(dtype)
        eps = torch.randn(n, generator=generator, device=device, dtype=_work_dtype(device))
        return (self.mean + self.std * eps).to(dtype)

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        _check_points(x)
        dist = self.distribution(x.device)
        return dist.log_prob(x.to(dist.loc.dtype)).to(x.dtype)

    def pdf(self, x: torch.Tensor) -> torch.Tensor:
        return self.log_prob(x).exp()

    def __repr__(self) -> str:
        return f"Gaussian1D(mean={self.mean}, std={self.std})"


def _sample_mixture(weights: torch.Tensor, means: torch.Tensor, scales: torch.Tensor, n: int,
                    event_shape: tuple[int, ...], generator, dtype) -> torch.Tensor:
    """n draws of sum_k weights_k N(means_k, scales_k^2): (n, *event_shape).

    torch.distributions' ``sample`` takes no generator, so ancestral sampling is spelt out:
    pick a component, then draw from it.
    """
    check_positive_int("n", n)
    device = _check_generator(generator)
    dtype = _check_dtype(dtype)
    work = dict(device=device, dtype=_work_dtype(device))
    component = torch.multinomial(weights.to(**work), n, replacement=True, generator=generator)
    eps = torch.randn((n, *event_shape), generator=generator, **work)
    return (means.to(**work)[component] + scales.to(**work)[component] * eps).to(dtype)


class GaussianMixture1D:
    """sum_k w_k N(means_k, stds_k^2) on the real line.

    ``means``, ``stds``, ``weights``: K numbers each (lists or 1-D tensors); stds > 0,
    weights >= 0 summing to 1 within 1e-6 (they are not renormalised). Stored as float64
    (K,) tensors. ``sample(n)`` -> (n,); ``log_prob(x)``/``pdf(x)``: any shape, same shape out.
    """

    def __init__(self, means, stds, weights) -> None:
        self.means = _as_parameter_vector("means", means)
        k = self.means.numel()
        self.stds = _as_parameter_vector("stds", stds, length=k)
        if (self.stds <= 0).any():
            raise ValueError(f"stds must be > 0, got {self.stds.tolist()}")
        self.weights = _check_weights("weights", _as_parameter_vector("weights", weights, length=k))

    @property
    def n_components(self) -> int:
        return self.means.numel()

    @property
    def mean(self) -> float:
        return float(self.distribution().mean)

    @property
    def variance(self) -> float:
        return float(self.distribution().variance)

    def distribution(self, device: torch.device | str = "cpu") -> MixtureSameFamily:
        """The ``torch.distributions.MixtureSameFamily`` of this mixture."""
        device = torch.device(device)
        dtype = _work_dtype(device)
        to = dict(device=device, dtype=dtype)
        return MixtureSameFamily(Categorical(probs=self.weights.to(**to)),
                                 Normal(self.means.to(**to), self.stds.to(**to)))

    def sample(self, n: int, generator: torch.Generator | None = None,
               dtype: torch.dtype = torch.float32) -> torch.Tensor:
        return _sample_mixture(self.weights, self.means, self.stds, n, (), generator, dtype)

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        _check_points(x)
        dist = self.distribution(x.device)
        return dist.log_prob(x.to(dist.mixture_distribution.probs.dtype)).to(x.dtype)

    def pdf(self, x: torch.Tensor) -> torch.Tensor:
        return self.log_prob(x).exp()

    def __repr__(self) -> str:
        return (f"GaussianMixture1D(means={self.means.tolist()}, stds={self.stds.tolist()}, "
                f"weights={self.weights.tolist()})")


class GaussianMixture2D:
    """Equal-weight (by default) mixture of isotropic 2-D Gaussians N(centres_m, std^2 I).

    ``centres``: (M, 2) float64 tensor; ``std``: float > 0; ``weights``: M numbers summing
    to 1, or ``None`` for 1/M each. ``sample(n)`` -> (n, 2); ``log_prob(x)``/``pdf(x)`` for
    x of shape (..., 2) -> (...).
    """

    def __init__(self, centres: torch.Tensor, std: float, weights=None) -> None:
        check_tensor("centres", centres, ndim=2, shape=(None, 2))
        if centres.shape[0] == 0:
            raise ValueError("centres must hold at least one centre, got shape (0, 2)")
        if centres.is_complex() or centres.dtype == torch.bool:
            raise TypeError(f"centres must hold real numbers, got dtype {centres.dtype}")
        self.centres = centres.detach().to("cpu", torch.float64)
        if not torch.isfinite(self.centres).all():
            raise ValueError("centres must be finite")
        self.std = check_real("std", std, positive=True)
        m = self.centres.shape[0]
        if weights is None:
            self.weights = torch.full((m,), 1.0 / m, dtype=torch.float64)
        else:
            self.weights = _check_weights("weights", _as_parameter_vector("weights", weights, length=m))

    @property
    def n_modes(self) -> int:
        return self.centres.shape[0]

    def distribution(self, device: torch.device | str = "cpu") -> MixtureSameFamily:
        """The ``torch.distributions.MixtureSameFamily`` of this mixture (event shape (2,))."""
        device = torch.device(device)
        to = dict(device=device, dtype=_work_dtype(device))
        centres = self.centres.to(**to)
        components = Independent(Normal(centres, torch.full_like(centres, self.std)), 1)
        return MixtureSameFamily(Categorical(probs=self.weights.to(**to)), components)

    def sample(self, n: int, generator: torch.Generator | None = None,
               dtype: torch.dtype = torch.float32) -> torch.Tensor:
        scales = torch.full((self.n_modes, 1), self.std, dtype=torch.float64)
        return _sample_mixture(self.weights, self.centres, scales, n, (2,), generator, dtype)

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        _check_points(x, event_dim=2)
        dist = self.distribution(x.device)
        return dist.log_prob(x.to(dist.mixture_distribution.probs.dtype)).to(x.dtype)

    def pdf(self, x: torch.Tensor) -> torch.Tensor:
        return self.log_prob(x).exp()

    def __repr__(self) -> str:
        return f"GaussianMixture2D(n_modes={self.n_modes}, std={self.std})"


def ring_of_gaussians(n_modes: int = 8, radius: float = 2.0, std: float = 0.02) -> GaussianMixture2D:
    """``n_modes`` equal-weight Gaussians with centres evenly spaced on a circle about the origin.

    Centre m sits at angle 2*pi*m / n_modes: (radius cos, radius sin), so centre 0 is (radius, 0).
    """
    check_positive_int("n_modes", n_modes)
    radius = check_real("radius", radius, positive=True)
    angles = 2.0 * math.pi * torch.arange(n_modes, dtype=torch.float64) / n_modes
    centres = radius * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)
    return GaussianMixture2D(centres, std)


def grid_of_gaussians(side: int = 5, spacing: float = 2.0, std: float = 0.02) -> GaussianMixture2D:
    """``side``^2 equal-weight Gaussians on a square grid centred on the origin.

    Coordinates are (i - (side - 1) / 2) * spacing for i = 0..side-1, e.g. {-4, -2, 0, 2, 4}
    for the defaults; centres are listed row-major (x varies slowest).
    """
    check_positive_int("side", side)
    spacing = check_real("spacing", spacing, positive=True)
    coords = (torch.arange(side, dtype=torch.float64) - (side - 1) / 2.0) * spacing
    xs, ys = torch.meshgrid(coords, coords, indexing="ij")
    centres = torch.stack([xs.reshape(-1), ys.reshape(-1)], dim=1)
    return GaussianMixture2D(centres, std)
