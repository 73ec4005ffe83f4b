"""Sample-based metrics for generative models of images (notebook 08).

Every function takes samples as tensors (``(N, D)`` features or ``(N, C, H, W)`` images,
flattened from dimension 1) and computes in float64. Large sets are processed in blocks of
``batch_size`` x ``batch_size`` pairs, so 10,000 x 10,000 comparisons never hold a full
distance matrix in memory.

Conventions
-----------
* **Parzen window** (Goodfellow et al. 2014, following Breuleux et al. 2011): the density of
  a model is estimated by a mixture of isotropic Gaussians of width ``sigma`` centred on its
  N samples ``s_i``; the log-likelihood of a test point ``x`` in D dimensions, in nats, is

      log p(x) = logsumexp_i( -||x - s_i||^2 / (2 sigma^2) ) - log N - (D / 2) log(2 pi sigma^2),

  the Gaussian normaliser included. ``sigma`` is chosen by maximising the mean
  log-likelihood of a validation set over a grid (``select_parzen_sigma``).
* **Inception Score** (Salimans et al. 2016): from class probabilities ``p(y|x)`` (rows of
  ``probs``), IS = exp( E_x KL(p(y|x) || p(y)) ) with ``p(y)`` the mean of the rows, natural
  log. The N rows are cut into ``splits`` consecutive parts (part i holds rows
  ``i*N//splits`` to ``(i+1)*N//splits``, as in the original code); the result is the mean
  and the standard deviation (ddof = 0, as ``np.std`` there) of the per-part scores.
* **Fréchet distance** (Dowson & Landau 1982; FID of Heusel et al. 2017) between
  N(mu1, S1) and N(mu2, S2)::

      d^2 = ||mu1 - mu2||^2 + tr(S1) + tr(S2) - 2 tr( (S1 S2)^(1/2) ).

  ``method="sqrtm"`` computes the square root of the product with ``scipy.linalg.sqrtm``
  and the guards of pytorch-fid; ``method="eigen"`` takes the trace from the eigenvalues of
  the symmetric matrix S1^(1/2) S2 S1^(1/2) (similar to S1 S2, so with the same eigenvalues),
  clipped at 0. The covariance of ``feature_statistics`` divides by **N - 1** (the unbiased
  estimate), like ``numpy.cov``, ``torch.cov``, pytorch-fid and torchmetrics.
* **Precision and recall** (Kynkäänniemi et al. 2019): the *radius* of a point is the
  Euclidean distance to its k-th nearest neighbour within its own set, **the point itself
  excluded** (a duplicate of it counts as a neighbour at distance 0). A set's manifold is the
  union of the closed balls around its points. Precision is the share of fake samples inside
  the real manifold; recall the share of real samples inside the fake manifold.
* **Nearest neighbours** (memorisation check): Euclidean distances, ascending.

This module is the metric mathematics. The feature networks (the course's MNIST classifier,
Inception-v3) are in ``course_lib.feature_networks`` (reachable from here too, as notebooks
04 and 08 use them: ``metrics.extract_features``) and the registry of trained generators
behind notebook 08's table in ``course_lib.evaluation``.
"""
from __future__ import annotations

import math
import warnings
from typing import NamedTuple, Sequence

import numpy as np
import torch

from course_lib._checks import check_choice, check_positive_int, check_real, check_tensor
from course_lib.feature_networks import (  # noqa: F401 (re-exported: notebooks 04 and 08 reach them here)
    FEATURE_NETWORK_RECORD, FEATURE_NETWORK_WEIGHTS, INCEPTION_WEIGHTS_ENV, WEIGHTS_DIR, NetworkOutputs,
    extract_features, inception_features, load_feature_network, load_inception_network)
from course_lib.files import file_sha256  # noqa: F401 (re-exported)

__all__ = [
    "DEFAULT_BATCH_SIZE", "FEATURE_NETWORK_WEIGHTS", "FEATURE_NETWORK_RECORD",
    "parzen_log_likelihood", "select_parzen_sigma",
    "inception_score",
    "feature_statistics", "frechet_distance", "frechet_distance_from_features",
    "sqrtm_product", "trace_sqrt_product",
    "knn_radii", "precision_recall", "PrecisionRecall",
    "nearest_neighbours",
    "load_feature_network", "extract_features", "NetworkOutputs", "file_sha256",
    "INCEPTION_WEIGHTS_ENV", "load_inception_network", "inception_features",
]

DEFAULT_BATCH_SIZE = 1000
# Largest imaginary part tolerated on the diagonal of sqrtm(S1 S2) (the value pytorch-fid uses).
IMAGINARY_ATOL = 1e-3


# --------------------------------------------------------------------------- input checks
def _points(name: str, value, *, min_count: int = 1) -> torch.Tensor:
    """A floating tensor of N >= min_count points, flattened to (N, D), finite, in float64."""
    check_tensor(name, value, floating=True)
    if value.ndim < 2:
        raise ValueError(f"{name} must have shape (N, D) or (N, C, H, W), got shape {tuple(value.shape)}")
    if value.shape[0] < min_count:
        raise ValueError(f"{name} must hold at least {min_count} point(s), got shape {tuple(value.shape)}")
    flat = value.detach().reshape(value.shape[0], -1)
    if flat.shape[1] == 0:
        raise ValueError(f"{name} has no dimensions per point, got shape {tuple(value.shape)}")
    if flat.device.type == "mps":  # no float64 on Apple GPUs
        flat = flat.cpu()
    flat = flat.to(torch.float64)
    if not bool(torch.isfinite(flat).all()):
        raise ValueError(f"{name} must be finite (a diverged generator gives NaN/inf samples)")
    return flat


def _two_sets(name_a: str, a, name_b: str, b, *, min_a: int = 1, min_b: int = 1):
    x = _points(name_a, a, min_count=min_a)
    y = _points(name_b, b, min_count=min_b)
    if tuple(a.shape[1:]) != tuple(b.shape[1:]):
        raise ValueError(f"{name_a} and {name_b} must have the same shape per point, "
                         f"got {tuple(a.shape)} and {tuple(b.shape)}")
    if x.device != y.device:
        raise ValueError(f"{name_a} and {name_b} must be on the same device, got {x.device} and {y.device}")
    return x, y


# --------------------------------------------------------------------------- distances
def _squared_distances(a: torch.Tensor, a_sq: torch.Tensor, b: torch.Tensor, b_sq: torch.Tensor) -> torch.Tensor:
    """||a_i - b_j||^2 for a block, (n, m), in float64 through one matrix product, clamped at 0."""
    return (a_sq[:, None] + b_sq[None, :] - 2.0 * (a @ b.T)).clamp_min_(0.0)


def _k_smallest(queries: torch.Tensor, references: torch.Tensor, k: int, batch_size: int,
                exclude_self: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """The k smallest squared distances from each query to the references, ascending, and their indices.

    ``exclude_self``: queries and references are the same set and the pair (i, i) is skipped.
    Blocks of batch_size x batch_size pairs; a running top-k is merged block by block.
    """
    q_sq, r_sq = (queries * queries).sum(1), (references * references).sum(1)
    n_q, n_r = queries.shape[0], references.shape[0]
    values, indices = [], []
    for i0 in range(0, n_q, batch_size):
        q = queries[i0:i0 + batch_size]
        best_v = torch.empty(q.shape[0], 0, dtype=torch.float64, device=q.device)
        best_i = torch.empty(q.shape[0], 0, dtype=torch.int64, device=q.device)
        for j0 in range(0, n_r, batch_size):
            d2 = _squared_distances(q, q_sq[i0:i0 + batch_size], references[j0:j0 + batch_size],
                                    r_sq[j0:j0 + batch_size])
            cols = torch.arange(j0, j0 + d2.shape[1], device=q.device)
            if exclude_self:
                rows = torch.arange(i0, i0 + d2.shape[0], device=q.device)
                d2 = d2.masked_fill(rows[:, None] == cols[None, :], math.inf)
            cand_v = torch.cat([best_v, d2], dim=1)
            cand_i = torch.cat([best_i, cols.expand(d2.shape[0], -1)], dim=1)
            take = min(k, cand_v.shape[1])
            best_v, pos = torch.topk(cand_v, take, dim=1, largest=False, sorted=True)
            best_i = torch.gather(cand_i, 1, pos)
        # The matrix-product formula loses digits for close pairs (a copy is at 1e-13, not 0):
        # recompute the kept distances directly from the differences.
        rows = max(1, 20_000_000 // max(1, best_i.shape[1] * references.shape[1]))   # bound the (rows, k, D) temporary
        exact = torch.cat([(q[r0:r0 + rows, None, :] - references[best_i[r0:r0 + rows]]).pow(2).sum(dim=2)
                           for r0 in range(0, q.shape[0], rows)])                    # (block, k)
        best_v, order = torch.sort(exact, dim=1, stable=True)
        values.append(best_v)
        indices.append(torch.gather(best_i, 1, order))
    return torch.cat(values), torch.cat(indices)


def _inside_any_ball(queries: torch.Tensor, centres: torch.Tensor, radii_sq: torch.Tensor,
                     batch_size: int) -> torch.Tensor:
    """(M,) bool: is query m within distance radius_j of some centre j (closed balls)?"""
    q_sq, c_sq = (queries * queries).sum(1), (centres * centres).sum(1)
    inside = torch.zeros(queries.shape[0], dtype=torch.bool, device=queries.device)
    for i0 in range(0, queries.shape[0], batch_size):
        q = queries[i0:i0 + batch_size]
        hit = torch.zeros(q.shape[0], dtype=torch.bool, device=q.device)
        for j0 in range(0, centres.shape[0], batch_size):
            d2 = _squared_distances(q, q_sq[i0:i0 + batch_size], centres[j0:j0 + batch_size],
                                    c_sq[j0:j0 + batch_size])
            hit |= (d2 <= radii_sq[None, j0:j0 + batch_size]).any(dim=1)
        inside[i0:i0 + batch_size] = hit
    return inside


# --------------------------------------------------------------------------- Parzen window
def _sigma_list(sigmas) -> list[float]:
    if isinstance(sigmas, torch.Tensor):
        if sigmas.ndim != 1:
            raise ValueError(f"sigmas must be one-dimensional, got shape {tuple(sigmas.shape)}")
        sigmas = sigmas.tolist()
    if isinstance(sigmas, (str, bytes)) or not isinstance(sigmas, (Sequence, np.ndarray)):
        raise TypeError(f"sigmas must be a sequence of positive numbers, got {type(sigmas).__name__}")
    if len(sigmas) == 0:
        raise ValueError("sigmas must hold at least one value")
    return [check_real(f"sigmas[{i}]", s, positive=True)
            for i, s in enumerate(sigmas)]


def _parzen(samples: torch.Tensor, test: torch.Tensor, sigmas: list[float], batch_size: int) -> torch.Tensor:
    """(S, M) Parzen log-likelihoods of the M test points for each of the S widths."""
    n, d = samples.shape
    s_sq, t_sq = (samples * samples).sum(1), (test * test).sum(1)
    out = torch.empty(len(sigmas), test.shape[0], dtype=torch.float64, device=test.device)
    for i0 in range(0, test.shape[0], batch_size):
        t = test[i0:i0 + batch_size]
        running = torch.full((len(sigmas), t.shape[0]), -math.inf, dtype=torch.float64, device=t.device)
        for j0 in range(0, n, batch_size):
            d2 = _squared_distances(t, t_sq[i0:i0 + batch_size], samples[j0:j0 + batch_size],
                                    s_sq[j0:j0 + batch_size])
            for s, sigma in enumerate(sigmas):
                block = torch.logsumexp(d2 * (-0.5 / sigma**2), dim=1)       # (block of test,)
                running[s] = torch.logaddexp(running[s], block)
        out[:, i0:i0 + batch_size] = running
    normaliser = torch.tensor([-math.log(n) - 0.5 * d * math.log(2.0 * math.pi * s**2) for s in sigmas],
                              dtype=torch.float64, device=test.device)
    return out + normaliser[:, None]


def parzen_log_likelihood(samples: torch.Tensor, test: torch.Tensor, sigma: float, *,
                          batch_size: int = DEFAULT_BATCH_SIZE) -> torch.Tensor:
    """Log-likelihood of each test point under a Gaussian Parzen window on ``samples``, in nats.

    ``samples`` (N, ...) and ``test`` (M, ...) with the same shape per point (flattened to D
    values); ``sigma`` > 0, the kernel's standard deviation in every dimension. Returns (M,)
    float64: ``logsumexp_i(-||x - s_i||^2 / (2 sigma^2)) - log N - (D/2) log(2 pi sigma^2)``,
    computed stably (log-sum-exp) in blocks of ``batch_size`` x ``batch_size`` pairs.
    """
    s, t = _two_sets("samples", samples, "test", test)
    sigma = check_real("sigma", sigma, positive=True)
    check_positive_int("batch_size", batch_size)
    return _parzen(s, t, [sigma], batch_size)[0]


def select_parzen_sigma(samples: torch.Tensor, validation: torch.Tensor, sigmas, *,
                        batch_size: int = DEFAULT_BATCH_SIZE) -> tuple[float, torch.Tensor]:
    """Choose the Parzen width on validation data (Goodfellow et al. 2014's protocol).

    Returns ``(best_sigma, scores)``: ``scores`` (S,) float64 is the mean validation
    log-likelihood for each value of ``sigmas`` (a sequence or 1-D tensor of positive
    numbers), and ``best_sigma`` the value with the highest score (the first one on a tie).
    The distances are computed once for all widths.
    """
    s, v = _two_sets("samples", samples, "validation", validation)
    sigma_values = _sigma_list(sigmas)
    check_positive_int("batch_size", batch_size)
    scores = _parzen(s, v, sigma_values, batch_size).mean(dim=1)
    return sigma_values[int(torch.argmax(scores))], scores.cpu()


# --------------------------------------------------------------------------- Inception Score
def inception_score(probs: torch.Tensor, splits: int = 10) -> tuple[float, float]:
    """Inception Score of class probabilities ``probs`` (N, C): ``(mean, std)`` over ``splits`` parts.

    IS = exp(mean over x of KL(p(y|x) || p(y))), with p(y) the mean of the part's rows and
    0 log 0 = 0. Rows must be probability vectors (non-negative, summing to 1 within 1e-4).
    Uniform predictions give 1; confident predictions spread evenly over C classes give C.
    """
    check_tensor("probs", probs, ndim=2, floating=True)
    splits = check_positive_int("splits", splits)
    n, c = probs.shape
    if c < 1:
        raise ValueError(f"probs must have at least one class column, got shape {tuple(probs.shape)}")
    if n < splits:
        raise ValueError(f"probs has {n} rows, fewer than splits={splits}")
    p = probs.detach().cpu().to(torch.float64)
    if not bool(torch.isfinite(p).all()) or float(p.min()) < 0.0:
        raise ValueError("probs must be finite and non-negative (pass probabilities, e.g. softmax(logits), not logits)")
    worst = float((p.sum(1) - 1.0).abs().max())
    if worst > 1e-4:
        raise ValueError(f"each row of probs must sum to 1 (largest deviation {worst:.3g}): "
                         "pass probabilities, e.g. softmax(logits, dim=1)")
    scores = []
    for i in range(splits):
        part = p[i * n // splits:(i + 1) * n // splits]
        marginal = part.mean(dim=0, keepdim=True)                                   # p(y), (1, C)
        kl = (torch.xlogy(part, part) - torch.xlogy(part, marginal)).sum(dim=1)    # (rows,)
        scores.append(math.exp(float(kl.mean())))
    values = np.array(scores)
    return float(values.mean()), float(values.std())


# --------------------------------------------------------------------------- Fréchet distance
def _as_float64_array(name: str, value, ndim: int) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        if value.is_complex():
            raise TypeError(f"{name} must be real, got dtype {value.dtype}")
        array = value.detach().cpu().to(torch.float64).numpy()
    elif isinstance(value, np.ndarray):
        if not (np.issubdtype(value.dtype, np.floating) or np.issubdtype(value.dtype, np.integer)):
            raise TypeError(f"{name} must have a real dtype, got {value.dtype}")
        array = value.astype(np.float64)
    else:
        raise TypeError(f"{name} must be a torch.Tensor or a numpy.ndarray, got {type(value).__name__}")
    if array.ndim != ndim:
        shape = "(D,)" if ndim == 1 else "(D, D)"
        raise ValueError(f"{name} must have shape {shape}, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite")
    return array


def _checked_gaussians(mu1, sigma1, mu2, sigma2):
    mu1 = _as_float64_array("mu1", mu1, 1)
    mu2 = _as_float64_array("mu2", mu2, 1)
    sigma1 = _as_float64_array("sigma1", sigma1, 2)
    sigma2 = _as_float64_array("sigma2", sigma2, 2)
    d = mu1.shape[0]
    if d == 0:
        raise ValueError("mu1 must hold at least one dimension")
    if mu2.shape != (d,):
        raise ValueError(f"mu1 and mu2 must have the same shape, got {mu1.shape} and {mu2.shape}")
    for name, s in (("sigma1", sigma1), ("sigma2", sigma2)):
        if s.shape != (d, d):
            raise ValueError(f"{name} must have shape ({d}, {d}) to match mu1, got {s.shape}")
        scale = max(float(np.abs(s).max()), 1e-300)
        if float(np.abs(s - s.T).max()) > 1e-6 * scale:
            raise ValueError(f"{name} must be a symmetric covariance matrix")
    return mu1, sigma1, mu2, sigma2


def _sqrtm(a: np.ndarray) -> np.ndarray:
    import scipy.linalg

    with warnings.catch_warnings():  # singular products are handled below, by their non-finite result
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return scipy.linalg.sqrtm(a)


def sqrtm_product(sigma1: np.ndarray, sigma2: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """sqrt(sigma1 @ sigma2) with pytorch-fid's guards; a real (D, D) float64 array.

    If the square root is not finite (a singular product), retry with ``eps * I`` added to
    both covariances, with a warning. If the result is complex with an imaginary part above
    1e-3 on the diagonal, raise ``ValueError``; otherwise keep the real part (the imaginary
    part is round-off).
    """
    covmean = _sqrtm(sigma1 @ sigma2)
    if not np.isfinite(covmean).all():
        warnings.warn(f"the product of the covariances is singular; adding {eps} to their diagonals",
                      RuntimeWarning, stacklevel=3)
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = _sqrtm((sigma1 + offset) @ (sigma2 + offset))
        if not np.isfinite(covmean).all():
            raise ValueError(f"the square root of sigma1 @ sigma2 is not finite even with eps={eps} on the diagonal")
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0.0, atol=IMAGINARY_ATOL):
            raise ValueError(f"sqrt(sigma1 @ sigma2) has an imaginary component of {np.abs(covmean.imag).max():.3g}: "
                             "are both covariances symmetric positive semi-definite?")
        covmean = covmean.real
    return covmean


def _clip_rounding(w: np.ndarray) -> np.ndarray:
    """Eigenvalues of a symmetric PSD matrix with rounding noise removed: those below
    D * machine epsilon * the largest one (in absolute value) are set to 0. The square root
    would otherwise turn noise of 1e-14 into 1e-7 per direction."""
    tol = w.shape[0] * np.finfo(np.float64).eps * max(float(np.abs(w).max(initial=0.0)), np.finfo(np.float64).tiny)
    return np.where(w > tol, w, 0.0)


def _psd_sqrt(s: np.ndarray) -> np.ndarray:
    """The symmetric square root of a symmetric PSD matrix (negative and rounding-level eigenvalues set to 0)."""
    w, v = np.linalg.eigh((s + s.T) / 2.0)
    return (v * np.sqrt(_clip_rounding(w))) @ v.T


def trace_sqrt_product(sigma1: np.ndarray, sigma2: np.ndarray) -> float:
    """tr sqrt(sigma1 sigma2) from the eigenvalues of sqrt(sigma1) sigma2 sqrt(sigma1), clipped at 0."""
    root1 = _psd_sqrt(sigma1)
    m = root1 @ sigma2 @ root1
    eigenvalues = np.linalg.eigvalsh((m + m.T) / 2.0)
    return float(np.sqrt(_clip_rounding(eigenvalues)).sum())


def frechet_distance(mu1, sigma1, mu2, sigma2, eps: float = 1e-6, method: str = "sqrtm") -> float:
    """Squared Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2), in float64.

    ``mu1``, ``mu2``: (D,); ``sigma1``, ``sigma2``: (D, D) symmetric PSD; tensors or numpy
    arrays. ``method="sqrtm"``: ``scipy.linalg.sqrtm`` of sigma1 @ sigma2 with pytorch-fid's
    guards (``eps`` is the diagonal offset of the retry); ``method="eigen"``: eigenvalues of
    sqrt(sigma1) sigma2 sqrt(sigma1). Returns a Python float (not clamped: round-off can
    make FID(X, X) a tiny negative number, as in pytorch-fid).
    """
    mu1, sigma1, mu2, sigma2 = _checked_gaussians(mu1, sigma1, mu2, sigma2)
    eps = check_real("eps", eps)
    if eps < 0:
        raise ValueError(f"eps must be >= 0, got {eps}")
    check_choice("method", method, ("sqrtm", "eigen"))
    diff = mu1 - mu2
    if method == "sqrtm":
        tr_covmean = float(np.trace(sqrtm_product(sigma1, sigma2, eps)))
    else:
        tr_covmean = trace_sqrt_product(sigma1, sigma2)
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * tr_covmean)


def feature_statistics(features) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean (D,) and covariance (D, D) of features (N, D), float64 tensors on the CPU.

    The covariance divides by N - 1 (the unbiased estimate, as numpy.cov, torch.cov,
    pytorch-fid and torchmetrics do); N >= 2.
    """
    if isinstance(features, np.ndarray):
        if not (np.issubdtype(features.dtype, np.floating) or np.issubdtype(features.dtype, np.integer)):
            raise TypeError(f"features must have a real dtype, got {features.dtype}")
        features = torch.from_numpy(np.asarray(features, dtype=np.float64))
    check_tensor("features", features, ndim=2)
    if features.is_complex() or features.dtype == torch.bool:
        raise TypeError(f"features must be real numbers, got dtype {features.dtype}")
    if features.shape[0] < 2:
        raise ValueError(f"features must hold at least 2 rows for a covariance, got shape {tuple(features.shape)}")
    if features.shape[1] == 0:
        raise ValueError(f"features must have at least one column, got shape {tuple(features.shape)}")
    x = features.detach().cpu().to(torch.float64)
    if not bool(torch.isfinite(x).all()):
        raise ValueError("features must be finite")
    mu = x.mean(dim=0)
    centred = x - mu
    sigma = centred.T @ centred / (x.shape[0] - 1)
    return mu, (sigma + sigma.T) / 2.0


def frechet_distance_from_features(features1, features2, *, eps: float = 1e-6, method: str = "sqrtm") -> float:
    """``frechet_distance`` between the Gaussians fitted (``feature_statistics``) to two feature sets (N, D)."""
    mu1, sigma1 = feature_statistics(features1)
    mu2, sigma2 = feature_statistics(features2)
    if mu1.shape != mu2.shape:
        raise ValueError(f"features1 and features2 must have the same number of columns, "
                         f"got {tuple(features1.shape)} and {tuple(features2.shape)}")
    return frechet_distance(mu1, sigma1, mu2, sigma2, eps=eps, method=method)


# --------------------------------------------------------------------------- precision and recall
class PrecisionRecall(NamedTuple):
    """Result of ``precision_recall``: two shares in [0, 1]."""

    precision: float
    recall: float


def knn_radii(features: torch.Tensor, k: int = 3, *, batch_size: int = DEFAULT_BATCH_SIZE) -> torch.Tensor:
    """(N,) float64: distance from each point to its k-th nearest neighbour in the same set, itself excluded."""
    x = _points("features", features, min_count=2)
    check_positive_int("k", k)
    check_positive_int("batch_size", batch_size)
    if k >= x.shape[0]:
        raise ValueError(f"k must be smaller than the number of points ({x.shape[0]}), got {k}")
    d2, _ = _k_smallest(x, x, k, batch_size, exclude_self=True)
    return d2[:, k - 1].sqrt()


def precision_recall(real_features: torch.Tensor, fake_features: torch.Tensor, k: int = 3, *,
                     batch_size: int = DEFAULT_BATCH_SIZE) -> PrecisionRecall:
    """Improved precision and recall of Kynkäänniemi et al. (2019) with k-NN manifolds.

    ``real_features`` (N, ...) and ``fake_features`` (M, ...), more than ``k`` points each.
    Precision: share of fake points within the radius of some real point; recall: share of
    real points within the radius of some fake point (radii from ``knn_radii``, closed balls).
    """
    real, fake = _two_sets("real_features", real_features, "fake_features", fake_features, min_a=2, min_b=2)
    check_positive_int("k", k)
    check_positive_int("batch_size", batch_size)
    for name, x in (("real_features", real), ("fake_features", fake)):
        if k >= x.shape[0]:
            raise ValueError(f"k must be smaller than the number of points in {name} ({x.shape[0]}), got {k}")
    real_r2 = _k_smallest(real, real, k, batch_size, exclude_self=True)[0][:, k - 1]
    fake_r2 = _k_smallest(fake, fake, k, batch_size, exclude_self=True)[0][:, k - 1]
    precision = _inside_any_ball(fake, real, real_r2, batch_size).double().mean()
    recall = _inside_any_ball(real, fake, fake_r2, batch_size).double().mean()
    return PrecisionRecall(float(precision), float(recall))


# --------------------------------------------------------------------------- nearest neighbours
def nearest_neighbours(queries: torch.Tensor, references: torch.Tensor, k: int = 1, *,
                       batch_size: int = DEFAULT_BATCH_SIZE) -> tuple[torch.Tensor, torch.Tensor]:
    """The k nearest references of each query (memorisation check).

    ``queries`` (M, ...) and ``references`` (N, ...) with the same shape per point, k <= N.
    Returns ``(distances, indices)``: (M, k) float64 Euclidean distances, ascending, and
    (M, k) int64 indices into ``references``.
    """
    q, r = _two_sets("queries", queries, "references", references)
    check_positive_int("k", k)
    check_positive_int("batch_size", batch_size)
    if k > r.shape[0]:
        raise ValueError(f"k must be at most the number of references ({r.shape[0]}), got {k}")
    d2, idx = _k_smallest(q, r, k, batch_size, exclude_self=False)
    return d2.sqrt(), idx
