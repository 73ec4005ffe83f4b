"""Mode metrics for GANs trained on Gaussian-mixture benchmarks (ring of 8, grid of 25).

Definitions (Srivastava et al. 2017, "VEEGAN"; Lin et al. 2018, "PacGAN")
--------------------------------------------------------------------------
* Each sample is assigned to its nearest centre (Euclidean distance).
* A sample is *high quality* if that distance is < ``n_std * std`` (3 standard deviations
  by default).
* ``counts[m]`` is the number of high-quality samples assigned to centre m.
* A mode is *covered* if ``counts[m] >= min_count``.

Default threshold
-----------------
With ``min_count=None`` the threshold is relative to the sample size::

    min_count = max(1, ceil(n_samples / (5 * n_modes)))

i.e. a mode counts as covered once it has a fifth of the high-quality samples it would get
under a perfect, uniform generator. For PacGAN's protocol (2,500 samples, 25 modes) this is
exactly their rule "a mode is lost if fewer than 20 samples fall within 3 std of it", and it
scales with the sample size, so drawing more samples cannot "cover" a mode through a
handful of stray points. Pass ``min_count=1`` for the loosest rule (a mode is captured as
soon as one high-quality sample lands on it).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import torch

from course_lib._checks import check_positive_int, check_real, check_same_device, check_tensor

__all__ = ["ModeStats", "mode_coverage", "modes_covered", "default_min_count", "MIN_FRACTION"]

# A fifth of the uniform share, kept exact so that 2,500 / 25 modes gives 20 and not 21.
MIN_FRACTION = Fraction(1, 5)


@dataclass(frozen=True)
class ModeStats:
    """Result of ``mode_coverage``.

    ``counts``: (M,) int64 tensor, high-quality samples per mode; ``min_count``: the
    threshold that was applied.
    """

    modes_covered: int
    n_modes: int
    high_quality_fraction: float
    counts: torch.Tensor
    min_count: int


def default_min_count(n_samples: int, n_modes: int) -> int:
    """max(1, ceil(n_samples / (5 * n_modes))): 20 for 2,500 samples on 25 modes, 63 on 8."""
    check_positive_int("n_samples", n_samples)
    check_positive_int("n_modes", n_modes)
    return max(1, math.ceil(MIN_FRACTION * n_samples / n_modes))


def mode_coverage(
    samples: torch.Tensor,
    centres: torch.Tensor,
    std: float,
    n_std: float = 3.0,
    min_count: int | None = None,
) -> ModeStats:
    """Modes covered and share of high-quality samples (see the module docstring).

    ``samples``: (N, D) floating, N >= 1; ``centres``: (M, D) floating, same device;
    ``std``: the components' standard deviation (> 0); ``n_std`` (> 0): the quality radius
    in units of ``std``; ``min_count``: high-quality samples a mode needs to be covered
    (``None``: ``default_min_count(N, M)``). Distances are computed in float64.
    """
    check_tensor("samples", samples, ndim=2, floating=True)
    check_tensor("centres", centres, ndim=2, floating=True)
    check_same_device("samples", samples, "centres", centres)
    if samples.shape[0] == 0:
        raise ValueError("samples must hold at least one sample, got shape "
                         f"{tuple(samples.shape)}")
    if centres.shape[0] == 0:
        raise ValueError(f"centres must hold at least one centre, got shape {tuple(centres.shape)}")
    if samples.shape[1] != centres.shape[1]:
        raise ValueError(f"samples and centres must have the same last dimension, got "
                         f"{tuple(samples.shape)} and {tuple(centres.shape)}")
    if not torch.isfinite(samples).all():
        raise ValueError("samples must be finite (a diverged generator gives NaN/inf samples)")
    std = check_real("std", std, positive=True)
    n_std = check_real("n_std", n_std, positive=True)
    n, m = samples.shape[0], centres.shape[0]
    if min_count is None:
        min_count = default_min_count(n, m)
    else:
        check_positive_int("min_count", min_count)

    # float64 so that a sample at exactly n_std * std is classified the same on every device.
    dtype = torch.float32 if samples.device.type == "mps" else torch.float64
    distances = torch.cdist(samples.detach().to(dtype), centres.detach().to(dtype))  # (N, M)
    nearest_distance, nearest = distances.min(dim=1)
    high_quality = nearest_distance < n_std * std
    counts = torch.bincount(nearest[high_quality], minlength=m).cpu()
    return ModeStats(
        modes_covered=int((counts >= min_count).sum()),
        n_modes=m,
        high_quality_fraction=int(high_quality.sum()) / n,
        counts=counts,
        min_count=min_count,
    )


def modes_covered(
    samples: torch.Tensor,
    centres: torch.Tensor,
    std: float,
    n_std: float = 3.0,
    min_count: int | None = None,
) -> int:
    """``mode_coverage(...).modes_covered``: the number of covered modes, an int in [0, M]."""
    return mode_coverage(samples, centres, std, n_std=n_std, min_count=min_count).modes_covered
