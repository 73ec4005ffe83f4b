"""KL and Jensen-Shannon divergences, the optimal discriminator and the value at the optimum.

Conventions
-----------
* Natural logarithms: every divergence is in nats.
* KL(p || q) = sum_x p(x) log(p(x) / q(x)), with 0 log(0 / q) = 0 for every q (no NaN), and
  KL = +inf as soon as p(x) > 0 where q(x) = 0.
* JSD(p, q) = 1/2 KL(p || m) + 1/2 KL(q || m) with m = (p + q) / 2, *with* the 1/2 factors,
  so 0 <= JSD <= log 2 (some slides drop the 1/2 factors, which doubles it).
* D*(x) = p_data(x) / (p_data(x) + p_g(x)) maximises V(D, G) = E_data[log D] + E_g[log(1 - D)]
  pointwise, and max_D V(D, G) = -2 log 2 + 2 JSD(p_data, p_g).

Discrete distributions are probability vectors along the *last* dimension (leading
dimensions are a batch): non-negative, summing to 1 within 1e-6. Results have the batch
shape ``p.shape[:-1]`` and ``p``'s dtype; use float64 to check identities.

1-D densities are callables ``pdf(x) -> density`` taking a 1-D float64 torch tensor of
points and returning a float64-convertible tensor of the same shape (e.g. the ``.pdf``
method of ``course_lib.toy`` distributions). Integrals are computed on a uniform grid of
``points`` points over [lower, upper] with Simpson's rule (``scipy.integrate.simpson``);
for smooth densities the error is far below 1e-8 with the default 20,001 points on
[-12, 12]. The range must hold the mass of the distributions being integrated against:
each such density must integrate to 1 within ``MASS_TOL`` over it, or a ValueError says
so (this guards against a range that cuts off mass, not against quadrature error, so
that discontinuous densities such as uniforms still pass).
"""
from __future__ import annotations

import math
from typing import Callable

import torch
from scipy import integrate

from course_lib._checks import check_positive_int, check_real, check_same_device, check_same_shape, check_tensor

__all__ = [
    "kl_discrete",
    "jsd_discrete",
    "kl_1d",
    "jsd_1d",
    "optimal_discriminator",
    "value_discrete",
    "value_at_optimum_discrete",
    "value_at_optimum_1d",
    "parallel_lines_divergences",
    "PROB_TOL",
    "MASS_TOL",
]

PROB_TOL = 1e-6
MASS_TOL = 1e-3
LOG_2 = math.log(2.0)

Pdf = Callable[[torch.Tensor], torch.Tensor]


# --------------------------------------------------------------------------- discrete


def _check_probs(name: str, p) -> torch.Tensor:
    check_tensor(name, p, floating=True)
    if p.ndim == 0 or p.shape[-1] == 0:
        raise ValueError(f"{name} must be probability vectors along the last dimension, "
                         f"got shape {tuple(p.shape)}")
    if torch.isnan(p).any() or (p < 0).any():
        raise ValueError(f"{name} must be non-negative (and not NaN)")
    worst = float((p.sum(dim=-1) - 1.0).abs().max())
    if worst > PROB_TOL:
        raise ValueError(f"{name} must sum to 1 along the last dimension (tolerance {PROB_TOL}), "
                         f"off by up to {worst:.3g}")
    return p


def _check_prob_pair(name_p: str, p, name_q: str, q) -> None:
    _check_probs(name_p, p)
    _check_probs(name_q, q)
    check_same_shape(name_p, p, name_q, q)
    check_same_device(name_p, p, name_q, q)


def _kl_terms(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    # xlogy(0, .) = 0 gives 0 log 0 = 0; xlogy(p > 0, 0) = -inf gives KL = +inf there.
    return torch.xlogy(p, p) - torch.xlogy(p, q)


def _jsd_terms(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    total = p + q
    m = 0.5 * total
    # m > 0 wherever p > 0 or q > 0, except where p + q is the smallest subnormal number
    # (densities deep in a Gaussian's tail): halving it underflows to 0 and p log(p / 0) = inf.
    # Such a term is ~1e-324 whatever the divisor, so p + q stands in for m there.
    m = torch.where(m > 0, m, total)
    return 0.5 * _kl_terms(p, m) + 0.5 * _kl_terms(q, m)


def kl_discrete(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """KL(p || q) along the last dim: (..., K), (..., K) -> (...); +inf where supp p is not in supp q."""
    _check_prob_pair("p", p, "q", q)
    return _kl_terms(p, q).sum(dim=-1)


def jsd_discrete(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """JSD(p, q) with the 1/2 factors along the last dim: (..., K), (..., K) -> (...), in [0, log 2]."""
    _check_prob_pair("p", p, "q", q)
    return _jsd_terms(p, q).sum(dim=-1)


# --------------------------------------------------------------------------- optimal D


def _check_densities(name: str, p) -> torch.Tensor:
    check_tensor(name, p, floating=True)
    if torch.isnan(p).any() or (p < 0).any():
        raise ValueError(f"{name} must hold non-negative densities or probabilities (and not NaN)")
    return p


def _optimal_d(p_data: torch.Tensor, p_g: torch.Tensor) -> torch.Tensor:
    total = p_data + p_g
    positive = total > 0
    # The inner where keeps 0/0 out of the graph, so no NaN reaches a backward pass either.
    safe_total = torch.where(positive, total, torch.ones_like(total))
    return torch.where(positive, p_data / safe_total, torch.full_like(total, 0.5))


def optimal_discriminator(p_data: torch.Tensor, p_g: torch.Tensor) -> torch.Tensor:
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)), elementwise; any shape, same shape out.

    ``p_data``, ``p_g``: non-negative densities or probabilities at the same points.
    Where both are 0 the point lies outside both supports, V does not depend on D there,
    and we return 0.5 ("cannot tell"), the value D* takes everywhere when p_g = p_data.
    """
    _check_densities("p_data", p_data)
    _check_densities("p_g", p_g)
    check_same_shape("p_data", p_data, "p_g", p_g)
    check_same_device("p_data", p_data, "p_g", p_g)
    return _optimal_d(p_data, p_g)


def value_discrete(p_data: torch.Tensor, p_g: torch.Tensor, d: torch.Tensor) -> torch.Tensor:
    """V(D, G) = sum p_data log D + sum p_g log(1 - D) for a discriminator D given as values d in [0, 1].

    (..., K) each -> (...). Terms with zero probability count 0 (0 log 0 = 0); a point
    with p_data > 0 and d = 0 (or p_g > 0 and d = 1) gives -inf.
    """
    _check_prob_pair("p_data", p_data, "p_g", p_g)
    check_tensor("d", d, floating=True)
    check_same_shape("d", d, "p_data", p_data)
    check_same_device("d", d, "p_data", p_data)
    if torch.isnan(d).any() or (d < 0).any() or (d > 1).any():
        raise ValueError("d must hold discriminator outputs in [0, 1]")
    return (torch.xlogy(p_data, d) + torch.xlogy(p_g, 1.0 - d)).sum(dim=-1)


def _value_at_optimum_terms(p_data: torch.Tensor, p_g: torch.Tensor) -> torch.Tensor:
    # 1 - D* is computed as D* with the roles swapped, not as 1 - D*, so that it keeps its
    # relative precision where D* ~ 1.
    return torch.xlogy(p_data, _optimal_d(p_data, p_g)) + torch.xlogy(p_g, _optimal_d(p_g, p_data))


def value_at_optimum_discrete(p_data: torch.Tensor, p_g: torch.Tensor) -> torch.Tensor:
    """max_D V(D, G) = sum p_data log D* + sum p_g log(1 - D*): (..., K) each -> (...).

    Equals -2 log 2 + 2 JSD(p_data, p_g); in [-2 log 2, 0].
    """
    _check_prob_pair("p_data", p_data, "p_g", p_g)
    return _value_at_optimum_terms(p_data, p_g).sum(dim=-1)


# --------------------------------------------------------------------------- 1-D densities


def _grid(lower, upper, points) -> torch.Tensor:
    lower = check_real("lower", lower)
    upper = check_real("upper", upper)
    if not lower < upper:
        raise ValueError(f"lower must be < upper, got lower={lower}, upper={upper}")
    check_positive_int("points", points, minimum=3)
    return torch.linspace(lower, upper, points, dtype=torch.float64)


def _evaluate(name: str, pdf, x: torch.Tensor) -> torch.Tensor:
    if not callable(pdf):
        raise TypeError(f"{name} must be callable: {name}(x: float64 tensor) -> densities")
    values = pdf(x)
    if not isinstance(values, torch.Tensor):
        raise TypeError(f"{name} must return a torch.Tensor, got {type(values).__name__}")
    if values.shape != x.shape:
        raise ValueError(f"{name} must return one density per point, shape {tuple(x.shape)}, "
                         f"got {tuple(values.shape)}")
    values = values.detach().to("cpu", torch.float64)
    if not torch.isfinite(values).all() or (values < 0).any():
        raise ValueError(f"{name} must return finite, non-negative densities")
    return values


def _integrate(values: torch.Tensor, x: torch.Tensor) -> float:
    return float(integrate.simpson(values.numpy(), x=x.numpy()))


def _check_mass(name: str, values: torch.Tensor, x: torch.Tensor) -> None:
    mass = _integrate(values, x)
    if abs(mass - 1.0) > MASS_TOL:
        raise ValueError(f"{name} integrates to {mass:.6g} over [{float(x[0])}, {float(x[-1])}], "
                         f"not 1 (tolerance {MASS_TOL}): widen the range or check the density")


def kl_1d(p_pdf: Pdf, q_pdf: Pdf, lower: float, upper: float, points: int = 20_001) -> float:
    """KL(p || q) = integral of p log(p / q) over [lower, upper], in nats (+inf if q = 0 where p > 0).

    Only p's mass must lie in the range: q is only evaluated where p lives.
    """
    x = _grid(lower, upper, points)
    p = _evaluate("p_pdf", p_pdf, x)
    q = _evaluate("q_pdf", q_pdf, x)
    _check_mass("p_pdf", p, x)
    if ((p > 0) & (q == 0)).any():
        return math.inf
    return _integrate(_kl_terms(p, q), x)


def jsd_1d(p_pdf: Pdf, q_pdf: Pdf, lower: float, upper: float, points: int = 20_001) -> float:
    """JSD(p, q) with the 1/2 factors, by integration over [lower, upper]; in [0, log 2]."""
    x = _grid(lower, upper, points)
    p = _evaluate("p_pdf", p_pdf, x)
    q = _evaluate("q_pdf", q_pdf, x)
    _check_mass("p_pdf", p, x)
    _check_mass("q_pdf", q, x)
    return _integrate(_jsd_terms(p, q), x)


def value_at_optimum_1d(p_data_pdf: Pdf, p_g_pdf: Pdf, lower: float, upper: float,
                        points: int = 20_001) -> float:
    """max_D V(D, G) = integral of p_data log D* + p_g log(1 - D*); equals -2 log 2 + 2 JSD."""
    x = _grid(lower, upper, points)
    p = _evaluate("p_data_pdf", p_data_pdf, x)
    q = _evaluate("p_g_pdf", p_g_pdf, x)
    _check_mass("p_data_pdf", p, x)
    _check_mass("p_g_pdf", q, x)
    return _integrate(_value_at_optimum_terms(p, q), x)


# --------------------------------------------------------------------------- parallel lines


def parallel_lines_divergences(theta: float) -> dict[str, float]:
    """Divergences between P_0 = U({0} x [0, 1]) and P_theta = U({theta} x [0, 1]) (WGAN paper, Ex. 1).

    Returns ``{"kl": ..., "jsd": ..., "w1": ...}``: KL (either direction; +inf unless
    theta = 0, since the supports are disjoint), JSD (log 2 unless theta = 0, whatever the
    distance between the lines) and W1 = |theta| (each point moves horizontally by |theta|),
    the only one of the three that is continuous in theta.
    """
    theta = check_real("theta", theta)
    if theta == 0.0:
        return {"kl": 0.0, "jsd": 0.0, "w1": 0.0}
    return {"kl": math.inf, "jsd": LOG_2, "w1": abs(theta)}
