"""Plausible mistakes for notebook 08 (evaluating generative models), for ``assert_close(..., mistakes=...)``.

Each function maps a description of a mistake to the value that mistake gives on the same
inputs. The values come from the course's references (``course_lib.metrics``,
``course_lib.divergences.kl_discrete``) called with changed arguments (another width, another
``k``, swapped sets, one part at a time) and combined afterwards (shifted by a normaliser,
squared, exponentiated): the catalogue names a wrong answer without writing out the right one.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from course_lib import metrics as _metrics
from course_lib.divergences import kl_discrete as _kl

__all__ = ["parzen", "inception_score", "gaussian_statistics", "frechet_distance", "knn_radii", "precision_recall"]


# --------------------------------------------------------------------------- Parzen window
def _log_gauss(d: int, sigma: float) -> float:
    """-(d/2) log(2 pi sigma^2): the reference's log-likelihood of a point at its only sample."""
    origin = torch.zeros(1, d, dtype=torch.float64)
    return float(_metrics.parzen_log_likelihood(origin, origin, sigma)[0])


def parzen(samples: torch.Tensor, test: torch.Tensor, sigma: float) -> dict[str, torch.Tensor]:
    """Mistakes of ``parzen_log_likelihood(samples, test, sigma)``: (N, D), (M, D) -> (M,)."""
    samples, test = samples.detach().double().cpu(), test.detach().double().cpu()
    n, d = samples.shape
    right = _metrics.parzen_log_likelihood(samples, test, sigma)
    log_n, log_gauss = math.log(n), _log_gauss(d, sigma)
    distances = _metrics.nearest_neighbours(test, samples, k=n)[0]        # (M, N), every test-sample pair
    log_kernels = -distances**2 / (2 * sigma**2)
    root = math.sqrt(sigma)   # a kernel exp(-||x - s||^2 / (2 sigma)) is the reference's at width sqrt(sigma)
    return {
        "log of a sum of exponentials computed naively underflows (every exp(a_i) rounds to 0): "
        "use torch.logsumexp (the log-sum-exp trick)":
            torch.log(torch.exp(log_kernels).sum(1)) - log_n + log_gauss,
        "the -log N term is missing: the window averages the N kernels": right + log_n,
        "the Gaussian normaliser -(D/2) log(2 pi sigma^2) is missing": right - log_gauss,
        "the normaliser of a D-dimensional isotropic Gaussian is -(D/2) log(2 pi sigma^2); you counted it once":
            right - log_gauss + _log_gauss(1, sigma),
        "the sign of the normaliser: log N(x; s, sigma^2 I) = -(D/2) log(2 pi sigma^2) - ||x - s||^2 / (2 sigma^2)":
            right - 2 * log_gauss,
        "the kernel is exp(-||x - s||^2 / (2 sigma^2)): you divided by 2 sigma instead of 2 sigma^2":
            _metrics.parzen_log_likelihood(samples, test, root) - _log_gauss(d, root) + log_gauss,
        "use the squared distance ||x - s||^2 in the kernel, not the distance":
            torch.logsumexp(-distances / (2 * sigma**2), 1) - log_n + log_gauss,
        "you averaged the log-kernels (Jensen's lower bound); the estimate is the log of the average kernel":
            log_kernels.mean(1) + log_gauss,
    }


# --------------------------------------------------------------------------- Inception Score
def _parts(probs: torch.Tensor, splits: int) -> list[torch.Tensor]:
    """The course's parts: part i holds rows i*N//splits to (i+1)*N//splits (the original code's)."""
    n = probs.shape[0]
    return [probs[i * n // splits:(i + 1) * n // splits] for i in range(splits)]


def _summary(scores, correction: int = 0) -> torch.Tensor:
    scores = torch.as_tensor(scores, dtype=torch.float64)
    return torch.stack([scores.mean(), scores.std(correction=correction)])


def _score(part: torch.Tensor) -> float:
    return _metrics.inception_score(part, splits=1)[0]


def _kl_to(part: torch.Tensor, marginal: torch.Tensor, swapped: bool = False) -> torch.Tensor:
    """KL(p(y|x) || marginal) for every image of the part (the reference's discrete KL), or the swapped KL."""
    marginal = marginal.expand_as(part)
    return _kl(marginal, part) if swapped else _kl(part, marginal)


def inception_score(probs: torch.Tensor, splits: int) -> dict[str, torch.Tensor]:
    """Mistakes of ``inception_score(probs, splits)``, each as the pair (mean, std) of shape (2,)."""
    probs = probs.detach().double().cpu()
    parts = _parts(probs, splits)
    scores = [_score(part) for part in parts]
    uniform = torch.full((1, probs.shape[1]), 1.0 / probs.shape[1], dtype=torch.float64)
    mistakes = {
        "the KL arguments are swapped: the score uses KL(p(y|x) || p(y)), the prediction first":
            _summary([_kl_to(part, part.mean(0, keepdim=True), swapped=True).mean().exp() for part in parts]),
        "the exponential is missing: IS = exp(mean KL), you returned the mean KL":
            _summary([math.log(s) for s in scores]),
        "the exponential comes after the average over images: exp(mean KL), not mean(exp KL)":
            _summary([_kl_to(part, part.mean(0, keepdim=True)).exp().mean() for part in parts]),
        "the expectation over images is a mean, not a sum":
            _summary([s ** part.shape[0] for s, part in zip(scores, parts)]),
        "p(y) must be each part's own marginal (the mean of p(y|x) over that part's images), not that of all images":
            _summary([_kl_to(part, probs.mean(0, keepdim=True)).mean().exp() for part in parts]),
        "p(y) is the average of p(y|x) over images (dimension 0), not over classes":
            _summary([_kl_to(part, uniform).mean().exp() for part in parts]),
    }
    if splits > 1:
        mistakes["the standard deviation over parts is the population one (correction=0, as np.std in the original code)"] = \
            _summary(scores, correction=1)
        mistakes["the parts: part i holds rows i*N//splits to (i+1)*N//splits (the original code's, and course_lib's); "
                 "torch.tensor_split and torch.chunk cut elsewhere when splits does not divide N"] = \
            _summary([_score(part) for part in torch.tensor_split(probs, splits)])
        mistakes["the parts: part i holds rows i*N//splits to (i+1)*N//splits (the original code's, and course_lib's); "
                 "torch.chunk makes parts of ceil(N/splits) rows"] = \
            _summary([_score(part) for part in torch.chunk(probs, splits)])
    return mistakes


# --------------------------------------------------------------------------- Gaussian statistics
def gaussian_statistics(features: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mistakes of the covariance of ``gaussian_statistics(features)``: (N, D) -> (D, D)."""
    mu, sigma = _metrics.feature_statistics(features)
    n = features.shape[0]
    return {
        "divide by N - 1, not N (the unbiased covariance, as numpy.cov, torch.cov and the reference FID code)":
            sigma * (n - 1) / n,
        "subtract the mean before the outer products: the covariance is E[(f - mu)(f - mu)^T]":
            sigma + torch.outer(mu, mu) * n / (n - 1),
    }


# --------------------------------------------------------------------------- Fréchet distance
def frechet_distance(mu1, sigma1, mu2, sigma2) -> dict[str, torch.Tensor]:
    """Mistakes of ``frechet_distance(mu1, sigma1, mu2, sigma2)``, each a float64 scalar tensor."""
    a, b = np.asarray(sigma1, dtype=np.float64), np.asarray(sigma2, dtype=np.float64)
    right = _metrics.frechet_distance(mu1, sigma1, mu2, sigma2, method="eigen")
    root_trace = _metrics.trace_sqrt_product(a, b)
    zero = np.zeros_like(a)
    mean_term = _metrics.frechet_distance(mu1, zero, mu2, zero, method="eigen")     # ||mu1 - mu2||^2
    trace_product = float(np.trace(a @ b))
    separate = float(np.trace(_metrics._psd_sqrt(a) @ _metrics._psd_sqrt(b)))     # tr(sqrt(S1) sqrt(S2))
    entrywise = float(np.sqrt(np.clip(np.diagonal(a @ b), 0, None)).sum())
    as_tensor = lambda v: torch.tensor(float(v), dtype=torch.float64)
    return {
        "sqrt(S1 S2) is not sqrt(S1) sqrt(S2) unless the covariances commute: take the matrix square root of the product":
            as_tensor(right + 2 * root_trace - 2 * separate),
        "np.sqrt/torch.sqrt take the square root of each entry: use the matrix square root scipy.linalg.sqrtm":
            as_tensor(right + 2 * root_trace - 2 * entrywise),
        "the factor 2 in front of tr sqrt(S1 S2) is missing": as_tensor(right + root_trace),
        "the square root is missing: the trace term is tr sqrt(S1 S2), not tr(S1 S2)":
            as_tensor(right + 2 * root_trace - 2 * trace_product),
        "the trace and the square root are swapped: tr sqrt(S1 S2), not sqrt(tr(S1 S2))":
            as_tensor(right + 2 * root_trace - 2 * math.sqrt(max(trace_product, 0.0))),
        "the mean term is the squared distance ||mu1 - mu2||^2, not the distance":
            as_tensor(right - mean_term + math.sqrt(max(mean_term, 0.0))),
        "the mean term ||mu1 - mu2||^2 is missing": as_tensor(right - mean_term),
    }


# --------------------------------------------------------------------------- k-NN radii
def knn_radii(x: torch.Tensor, k: int) -> dict[str, torch.Tensor]:
    """Mistakes of ``knn_radii(x, k)``: (N, D) -> (N,)."""
    x = x.detach().double().cpu()
    n = x.shape[0]
    right = _metrics.knn_radii(x, k)
    radius = lambda j: _metrics.knn_radii(x, j) if j < n else torch.full((n,), math.inf, dtype=torch.float64)
    mistakes = {
        # With the point itself among the candidates, the k-th smallest distance is the (k-1)-th of the others.
        "the radius must exclude the point itself: its own distance 0 is not a neighbour "
        "(you took the k-th smallest distance including it)": radius(k - 1) if k > 1 else torch.zeros(n, dtype=torch.float64),
        "use the Euclidean distance, not its square": right**2,
    }
    if k + 1 < n:
        mistakes["off by one: with the point itself excluded, the radius is the k-th smallest of the other distances"] = radius(k + 1)
    copies = (x[:, None, :] == x[None, :, :]).all(dim=2).sum(dim=1) - 1          # other points equal to each point
    if bool((copies > 0).any()):
        # Every point at distance 0 masked: a point with c copies skips them, its radius is the reference's with k + c.
        masked = torch.stack([radius(k + int(c))[i] for i, c in enumerate(copies)])
        mistakes["only the point itself is excluded: a duplicate of a point is another point of the set, "
                 "a neighbour at distance 0 (you masked every zero distance)"] = masked
    return mistakes


# --------------------------------------------------------------------------- precision and recall
_PR_MESSAGES = {
    "strict": "the balls are closed: a point on the boundary (distance == radius) is inside, use <=",
    "query": "the radius belongs to the ball's centre: a sample is inside if it is within r_k(p) of some point p of the other set",
    "all": "the manifold is the union of the balls: inside ANY ball, not all of them",
}


def _shares_inside(queries: torch.Tensor, centres: torch.Tensor, k: int) -> dict[str, torch.Tensor]:
    """Share of the queries inside the centres' k-NN manifold, computed with each of the mistakes."""
    distances = (queries[:, None, :] - centres[None, :, :]).pow(2).sum(dim=2).sqrt()     # (Q, C), every pair
    radii = _metrics.knn_radii(centres, k)[None, :]
    return {"query": (distances.min(dim=1).values <= _metrics.knn_radii(queries, k)).double().mean(),
            "strict": (distances < radii).any(dim=1).double().mean(),
            "all": (distances <= radii).all(dim=1).double().mean()}


def precision_recall(real: torch.Tensor, fake: torch.Tensor, k: int) -> dict[str, torch.Tensor]:
    """Mistakes of ``precision_recall(real, fake, k)``, each the pair (precision, recall) of shape (2,)."""
    real, fake = real.detach().double().cpu(), fake.detach().double().cpu()
    right = torch.tensor(tuple(_metrics.precision_recall(real, fake, k)), dtype=torch.float64)
    mistakes = {"precision and recall are swapped: precision is the share of FAKE samples inside the REAL manifold":
                torch.tensor(tuple(_metrics.precision_recall(fake, real, k)), dtype=torch.float64)}
    precisions, recalls = _shares_inside(fake, real, k), _shares_inside(real, fake, k)
    for mistake, message in _PR_MESSAGES.items():
        precision, recall = precisions[mistake], recalls[mistake]
        mistakes[f"{message} (in precision)"] = torch.stack([precision, right[1]])
        mistakes[f"{message} (in recall)"] = torch.stack([right[0], recall])
        mistakes[f"{message} (in both)"] = torch.stack([precision, recall])
    return mistakes
