"""Plausible mistakes for notebook 03 (the optimal discriminator and the JSD), for ``assert_close(..., mistakes=...)``.

Each function maps a description of a mistake to the value that mistake gives on the same
inputs. The values come from the course's references (``course_lib.divergences``) called with
changed arguments (swapped, a distribution in place of another), scaled, negated or shifted:
the catalogue names a wrong answer without writing out the right one.
"""
from __future__ import annotations

import math
from typing import Callable, Mapping

import torch

from course_lib import divergences as _reference

__all__ = ["kl_divergence", "optimal_discriminator", "value_function", "js_divergence", "parallel_lines"]

LOG2 = math.log(2.0)


def kl_divergence(p: torch.Tensor, q: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mistakes of ``kl_divergence(p, q)`` (discrete, along the last dimension)."""
    right = _reference.kl_discrete(p, q)
    return {
        "log base 2 (bits): use the natural log, torch.log, so that the KL is in nats": right / LOG2,
        "the arguments are swapped: KL(p || q) averages log(p / q) under p, the first argument":
            _reference.kl_discrete(q, p),
        "sum over the K outcomes (the last dimension), do not average them": right / p.shape[-1],
        "the sign is flipped (a KL divergence is never negative)": -right,
    }


def optimal_discriminator(p_data: torch.Tensor, p_g: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mistakes of ``optimal_discriminator(p_data, p_g)``."""
    right = _reference.optimal_discriminator(p_data, p_g)
    fake = _reference.optimal_discriminator(p_g, p_data)   # the probability that x is fake
    return {
        "D* is inverted: that is the probability that x is fake, but D gives the probability that x is real":
            fake,
        "D* is a probability in [0, 1], not the density ratio p_data / p_G": right / fake,
    }


def value_function(p_data: torch.Tensor, p_g: torch.Tensor, d: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mistakes of ``value_function(p_data, p_g, d)`` (discrete, along the last dimension)."""
    right = _reference.value_discrete(p_data, p_g, d)
    return {
        "log base 2: use the natural log (nats)": right / LOG2,
        "the sign is flipped: V is what D maximises (-V is D's loss)": -right,
        "the roles are swapped: log D is weighted by p_data (D should say 'real' on data), log(1 - D) by p_G":
            _reference.value_discrete(p_g, p_data, d),
        "the second term, the expectation of log(1 - D) under P_G, is missing": torch.xlogy(p_data, d).sum(-1),
        "sum over the K outcomes (expectations are sums here), do not average them": right / d.shape[-1],
    }


def js_divergence(p: torch.Tensor, q: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mistakes of ``js_divergence(p, q)`` (discrete, along the last dimension)."""
    right = _reference.jsd_discrete(p, q)
    m = 0.5 * (p + q)
    return {
        "the 1/2 factors are missing: without them the value doubles "
        "(the convention of some slides, not this course's)": 2 * right,
        "log base 2 (bits): use the natural log, so that JSD is in nats and at most log 2": right / LOG2,
        "the arguments of the KL terms are swapped: JSD uses KL(p || m) and KL(q || m), with the mixture second":
            0.5 * (_reference.kl_discrete(m, p) + _reference.kl_discrete(m, q)),
        # KL(p || p + q) = KL(p || m) - log 2, and the same for q.
        "the mixture is m = (p + q) / 2, a distribution; p + q is not": right - LOG2,
        "JSD compares p and q with their mixture m = (p + q) / 2, not with each other "
        "(this is the symmetrised KL)": 0.5 * (_reference.kl_discrete(p, q) + _reference.kl_discrete(q, p)),
        "sum over the K outcomes, do not average them": right / p.shape[-1],
    }


def parallel_lines(theta: float, shift: float,
                   right: Callable[[float, float], Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """Mistakes of ``parallel_lines(theta, shift)``, per key ("jsd", "w1").

    ``right(theta, shift)`` gives the right values (a discretisation, or the exact values):
    the mistakes are those values scaled, or taken at other arguments.
    """
    here = right(theta, shift)
    jsd = {
        "the 1/2 factors are missing: with them the JSD is at most log 2 (this course's convention)":
            2 * here["jsd"],
        "log base 2 (bits): use the natural log, so that the JSD is in nats (at most log 2 = 0.693...)":
            here["jsd"] / LOG2,
    }
    if theta != 0:
        jsd["the segments lie on different lines (theta != 0), so their supports are disjoint whatever the shift "
            "along the line: the overlap only counts when theta = 0"] = right(0.0, shift)["jsd"]
    jsd["the JSD depends on how much the segments overlap: when they share part of a line (theta = 0, "
        "|shift| < 1), P_0 and P are not disjoint and the JSD is below log 2"] = LOG2
    w1 = {
        "W1 measures each move by its Euclidean length ||u - v||, not by |dx| + |dy|": abs(theta) + abs(shift),
        "the mass moves along the line too: W1 is not the horizontal gap |theta| alone": right(theta, 0.0)["w1"],
        "W1 is the average distance the mass moves, not its square": here["w1"] ** 2,
        "W1 is the average distance the mass moves, not the JSD": here["jsd"],
    }
    return {"jsd": jsd, "w1": w1}
