"""course_lib.metrics: Parzen window, Inception Score, Fréchet distance, precision/recall, nearest neighbours.

References: torch.distributions (Parzen), closed forms (IS edge cases, commuting
covariances), pytorch-fid's ``calculate_frechet_distance`` and torchmetrics' FID and IS
(test-only dependencies), brute-force distance matrices (k-NN, precision/recall).
"""
import math
import warnings

import numpy as np
import pytest
import torch
from torch.distributions import Categorical, Independent, MixtureSameFamily, Normal

from course_lib import metrics as M
from course_lib.evaluation import find_generators


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def _random_features(n, d, seed, shift=0.0, scale=1.0):
    g = _gen(seed)
    mixing = torch.randn(d, d, generator=g, dtype=torch.float64) / math.sqrt(d)
    return shift + scale * torch.randn(n, d, generator=g, dtype=torch.float64) @ mixing


# --------------------------------------------------------------------------- Parzen window
def _parzen_reference(samples, test, sigma):
    """The same estimate through torch.distributions: an equal-weight mixture of isotropic Gaussians."""
    s = samples.reshape(samples.shape[0], -1).double()
    t = test.reshape(test.shape[0], -1).double()
    mixture = MixtureSameFamily(
        Categorical(logits=torch.zeros(s.shape[0], dtype=torch.float64)),
        Independent(Normal(s, torch.full_like(s, sigma)), 1),
    )
    return mixture.log_prob(t)


@pytest.mark.parametrize("sigma", [0.05, 0.3, 2.0])
def test_parzen_matches_a_mixture_of_gaussians_from_torch_distributions(sigma):
    g = _gen(1)
    samples, test = torch.randn(7, 3, generator=g), torch.randn(5, 3, generator=g)
    result = M.parzen_log_likelihood(samples, test, sigma)
    assert result.dtype == torch.float64 and result.shape == (5,)
    torch.testing.assert_close(result, _parzen_reference(samples, test, sigma), rtol=1e-12, atol=1e-9)


def test_parzen_by_hand_in_one_dimension():
    # one sample at 0, sigma = 1: the standard normal density
    x = torch.tensor([[0.0], [1.0], [-2.0]], dtype=torch.float64)
    expected = -0.5 * math.log(2 * math.pi) - 0.5 * x[:, 0] ** 2
    torch.testing.assert_close(M.parzen_log_likelihood(torch.zeros(1, 1), x, 1.0), expected)
    # two samples at -1 and 1: the -log N term and the sum of two kernels
    two = torch.tensor([[-1.0], [1.0]])
    at_zero = math.log(0.5 * 2 * math.exp(-0.5) / math.sqrt(2 * math.pi))
    assert M.parzen_log_likelihood(two, torch.zeros(1, 1), 1.0).item() == pytest.approx(at_zero, rel=1e-12)


def test_parzen_on_images_is_batched_and_flattens_each_image():
    g = _gen(2)
    samples = torch.rand(23, 1, 4, 4, generator=g)
    test = torch.rand(11, 1, 4, 4, generator=g)
    full = M.parzen_log_likelihood(samples, test, 0.2)
    for batch_size in (1, 3, 7, 50):
        torch.testing.assert_close(M.parzen_log_likelihood(samples, test, 0.2, batch_size=batch_size), full,
                                   rtol=1e-12, atol=1e-10)
    torch.testing.assert_close(full, _parzen_reference(samples, test, 0.2), rtol=1e-12, atol=1e-9)


def test_parzen_is_stable_far_from_every_sample():
    # Each kernel is exp(-1e6): a naive sum of exponentials underflows to log(0) = -inf.
    samples = torch.zeros(4, 2, dtype=torch.float64)
    test = torch.tensor([[100.0, 0.0]], dtype=torch.float64)
    sigma = 0.1
    expected = -(100.0**2) / (2 * sigma**2) - math.log(2 * math.pi * sigma**2)  # 4 equal kernels: -log 4 + log 4
    result = M.parzen_log_likelihood(samples, test, sigma)
    assert torch.isfinite(result).all()
    assert result.item() == pytest.approx(expected, rel=1e-12)


def test_parzen_memorised_test_point_scores_the_kernel_peak():
    samples = torch.eye(3, dtype=torch.float64) * 10
    result = M.parzen_log_likelihood(samples, samples[:1], 0.01)
    # the sample's own kernel dominates: log(1/N) + log N(0; 0, sigma^2 I_3)
    assert result.item() == pytest.approx(-math.log(3) - 1.5 * math.log(2 * math.pi * 1e-4), rel=1e-12)


def test_select_parzen_sigma_returns_the_best_mean_validation_score():
    g = _gen(3)
    samples = torch.randn(200, 2, generator=g, dtype=torch.float64)
    validation = torch.randn(100, 2, generator=g, dtype=torch.float64)
    sigmas = [0.01, 0.05, 0.2, 0.5, 2.0, 10.0]
    best, scores = M.select_parzen_sigma(samples, validation, sigmas, batch_size=64)
    expected = torch.stack([M.parzen_log_likelihood(samples, validation, s).mean() for s in sigmas])
    torch.testing.assert_close(scores, expected, rtol=1e-12, atol=1e-10)
    assert best == sigmas[int(expected.argmax())]
    assert best in (0.2, 0.5)  # too narrow over-fits the samples, too wide blurs the unit Gaussian
    best_t, _ = M.select_parzen_sigma(samples, validation, torch.tensor(sigmas))
    assert best_t == pytest.approx(best)


def test_parzen_rejects_bad_input_naming_the_argument():
    x = torch.rand(5, 3)
    with pytest.raises(ValueError, match="sigma"):
        M.parzen_log_likelihood(x, x, 0.0)
    with pytest.raises(TypeError, match="sigma"):
        M.parzen_log_likelihood(x, x, torch.tensor(0.1))
    with pytest.raises(TypeError, match="samples"):
        M.parzen_log_likelihood(x.numpy(), x, 0.1)
    with pytest.raises(TypeError, match="test"):
        M.parzen_log_likelihood(x, torch.ones(5, 3, dtype=torch.int64), 0.1)
    with pytest.raises(ValueError, match="samples and test"):
        M.parzen_log_likelihood(x, torch.rand(5, 4), 0.1)
    with pytest.raises(ValueError, match="samples"):
        M.parzen_log_likelihood(torch.rand(5), x, 0.1)
    with pytest.raises(ValueError, match="test"):
        M.parzen_log_likelihood(x, torch.full((2, 3), float("nan")), 0.1)
    with pytest.raises(ValueError, match="batch_size"):
        M.parzen_log_likelihood(x, x, 0.1, batch_size=0)
    with pytest.raises(ValueError, match="sigmas"):
        M.select_parzen_sigma(x, x, [])
    with pytest.raises(ValueError, match=r"sigmas\[1\]"):
        M.select_parzen_sigma(x, x, [0.1, -1.0])
    with pytest.raises(TypeError, match="sigmas"):
        M.select_parzen_sigma(x, x, 0.1)


# --------------------------------------------------------------------------- Inception Score
def one_hot(labels, classes):
    return torch.nn.functional.one_hot(labels, classes).double()


def test_inception_score_of_uniform_predictions_is_one():
    mean, std = M.inception_score(torch.full((100, 10), 0.1))
    assert mean == pytest.approx(1.0, abs=1e-12) and std == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("classes", [2, 10, 37])
def test_confident_balanced_predictions_score_the_number_of_classes(classes):
    probs = one_hot(torch.arange(classes * 20) % classes, classes)
    mean, std = M.inception_score(probs, splits=10 if classes * 20 % 10 == 0 else 1)
    assert mean == pytest.approx(classes, rel=1e-12) and std == pytest.approx(0.0, abs=1e-9)


def test_confident_predictions_of_a_single_class_score_one():
    probs = one_hot(torch.full((50,), 3), 10)
    assert M.inception_score(probs, splits=5)[0] == pytest.approx(1.0)


def test_splits_are_consecutive_parts_and_std_is_the_population_std():
    # part 1: one class only (IS 1); part 2: 4 classes, balanced, confident (IS 4)
    probs = torch.cat([one_hot(torch.zeros(8, dtype=torch.int64), 4), one_hot(torch.arange(8) % 4, 4)])
    mean, std = M.inception_score(probs, splits=2)
    assert mean == pytest.approx(2.5) and std == pytest.approx(1.5)


def test_inception_score_matches_the_formula_and_torchmetrics():
    g = _gen(4)
    logits = 3 * torch.randn(300, 10, generator=g, dtype=torch.float64)
    probs = logits.softmax(1)
    marginal = probs.mean(0)
    expected = math.exp(float((probs * (probs.log() - marginal.log())).sum(1).mean()))
    assert M.inception_score(probs, splits=1)[0] == pytest.approx(expected, rel=1e-12)

    from torchmetrics.image.inception import InceptionScore

    class Logits(torch.nn.Module):  # the "network" returns its input: the images are the logits
        def forward(self, x):
            return x

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torchmetrics warns that it keeps every feature in memory
        metric = InceptionScore(feature=Logits(), splits=1)
        metric.update(logits)
        reference = float(metric.compute()[0])
    assert M.inception_score(probs, splits=1)[0] == pytest.approx(reference, rel=1e-9)


def test_inception_score_lies_between_one_and_the_number_of_classes():
    torch.manual_seed(5)
    probs = torch.distributions.Dirichlet(torch.full((7,), 0.3, dtype=torch.float64)).sample((400,))
    mean, _ = M.inception_score(probs, splits=4)
    assert 1.0 <= mean <= 7.0


def test_inception_score_rejects_bad_input_naming_the_argument():
    with pytest.raises(ValueError, match="probs"):
        M.inception_score(torch.randn(20, 10))            # logits, not probabilities
    with pytest.raises(ValueError, match="probs"):
        M.inception_score(torch.full((20, 10), 0.2))      # rows sum to 2
    with pytest.raises(ValueError, match="probs"):
        M.inception_score(torch.full((20,), 0.1))
    with pytest.raises(TypeError, match="probs"):
        M.inception_score(np.full((20, 10), 0.1))
    with pytest.raises(ValueError, match="splits"):
        M.inception_score(torch.full((5, 10), 0.1), splits=10)
    with pytest.raises(TypeError, match="splits"):
        M.inception_score(torch.full((20, 10), 0.1), splits=2.0)


# --------------------------------------------------------------------------- Fréchet distance
def _pytorch_fid(mu1, s1, mu2, s2):
    from pytorch_fid.fid_score import calculate_frechet_distance

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy deprecates sqrtm's disp argument, which pytorch-fid passes
        return float(calculate_frechet_distance(np.asarray(mu1), np.asarray(s1), np.asarray(mu2), np.asarray(s2)))


def test_feature_statistics_use_the_unbiased_covariance_like_numpy_cov():
    f = _random_features(50, 6, seed=6, shift=2.0)
    mu, sigma = M.feature_statistics(f)
    assert mu.dtype == sigma.dtype == torch.float64 and mu.shape == (6,) and sigma.shape == (6, 6)
    np.testing.assert_allclose(mu.numpy(), f.numpy().mean(0), rtol=1e-13)
    np.testing.assert_allclose(sigma.numpy(), np.cov(f.numpy(), rowvar=False), rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(sigma, torch.cov(f.T))
    mu_np, sigma_np = M.feature_statistics(f.numpy().astype(np.float32))
    torch.testing.assert_close(sigma_np, sigma, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("d", [2, 8, 64])  # pytorch-fid fails on D = 1 with scipy 1.17 (sqrtm returns no tuple)
def test_frechet_distance_equals_pytorch_fid_and_torchmetrics(d):
    from torchmetrics.image.fid import FrechetInceptionDistance, _compute_fid

    f1 = _random_features(400, d, seed=7)
    f2 = _random_features(300, d, seed=8, shift=0.3, scale=1.4)
    mu1, s1 = M.feature_statistics(f1)
    mu2, s2 = M.feature_statistics(f2)
    ours = M.frechet_distance(mu1, s1, mu2, s2)
    eigen = M.frechet_distance(mu1, s1, mu2, s2, method="eigen")
    reference = _pytorch_fid(mu1.numpy(), s1.numpy(), mu2.numpy(), s2.numpy())
    assert ours == pytest.approx(reference, rel=1e-6)
    assert eigen == pytest.approx(reference, rel=1e-6)
    assert float(_compute_fid(mu1, s1, mu2, s2)) == pytest.approx(ours, rel=1e-6)

    class Features(torch.nn.Module):  # torchmetrics' custom feature extractor: the inputs are the features
        num_features = d

        def forward(self, x):
            return x

    metric = FrechetInceptionDistance(feature=Features())
    metric.update(f2, real=True)
    metric.update(f1, real=False)
    assert float(metric.compute()) == pytest.approx(ours, rel=1e-6)
    assert M.frechet_distance_from_features(f1, f2) == pytest.approx(ours, rel=1e-12)


def test_frechet_distance_of_a_set_to_itself_is_zero_and_it_is_symmetric():
    f1 = _random_features(500, 32, seed=9)
    f2 = _random_features(500, 32, seed=10, shift=0.5)
    scale = float(M.feature_statistics(f1)[1].trace())
    for method in ("sqrtm", "eigen"):
        assert abs(M.frechet_distance_from_features(f1, f1, method=method)) < 1e-9 * scale
        ab = M.frechet_distance_from_features(f1, f2, method=method)
        ba = M.frechet_distance_from_features(f2, f1, method=method)
        assert ab > 0 and ab == pytest.approx(ba, rel=1e-9)


def test_closed_form_for_commuting_covariances():
    # diagonal covariances commute: tr sqrt(S1 S2) = sum sqrt(a_i b_i), so
    # d^2 = ||mu1 - mu2||^2 + sum (sqrt(a_i) - sqrt(b_i))^2
    g = _gen(11)
    a, b = torch.rand(10, generator=g, dtype=torch.float64) + 0.1, torch.rand(10, generator=g, dtype=torch.float64) * 3
    mu1, mu2 = torch.randn(10, generator=g, dtype=torch.float64), torch.randn(10, generator=g, dtype=torch.float64)
    expected = float(((mu1 - mu2) ** 2).sum() + ((a.sqrt() - b.sqrt()) ** 2).sum())
    for method in ("sqrtm", "eigen"):
        assert M.frechet_distance(mu1, torch.diag(a), mu2, torch.diag(b), method=method) == pytest.approx(expected, rel=1e-10)
    # and in one dimension: (m1 - m2)^2 + (s1 - s2)^2
    value = M.frechet_distance(np.array([1.0]), np.array([[4.0]]), np.array([-2.0]), np.array([[9.0]]))
    assert value == pytest.approx(9.0 + 1.0)
    # a shared rotation keeps them commuting and changes nothing
    q, _ = torch.linalg.qr(torch.randn(10, 10, generator=g, dtype=torch.float64))
    rotated = M.frechet_distance(q @ mu1, q @ torch.diag(a) @ q.T, q @ mu2, q @ torch.diag(b) @ q.T)
    assert rotated == pytest.approx(expected, rel=1e-8)


def test_singular_covariances_from_fewer_samples_than_dimensions():
    f1 = _random_features(20, 40, seed=12)   # rank 19 < 40
    f2 = _random_features(25, 40, seed=13, shift=0.2)
    sqrtm = M.frechet_distance_from_features(f1, f2)
    eigen = M.frechet_distance_from_features(f1, f2, method="eigen")
    assert math.isfinite(sqrtm) and sqrtm == pytest.approx(eigen, rel=1e-6)
    assert sqrtm == pytest.approx(_pytorch_fid(*M.feature_statistics(f1), *M.feature_statistics(f2)), rel=1e-6)


def test_a_non_finite_square_root_is_retried_with_eps_on_the_diagonal(monkeypatch):
    calls = []
    real_sqrtm = M._sqrtm

    def flaky(a):
        calls.append(a.copy())
        return np.full_like(a, np.inf) if len(calls) == 1 else real_sqrtm(a)

    monkeypatch.setattr(M, "_sqrtm", flaky)
    s1, s2 = np.diag([1.0, 2.0]), np.diag([3.0, 0.5])
    with pytest.warns(RuntimeWarning, match="singular"):
        value = M.frechet_distance(np.zeros(2), s1, np.zeros(2), s2, eps=0.01)
    np.testing.assert_allclose(calls[1], (s1 + 0.01 * np.eye(2)) @ (s2 + 0.01 * np.eye(2)))
    expected = 3 + 3.5 - 2 * (math.sqrt(1.01 * 3.01) + math.sqrt(2.01 * 0.51))
    assert value == pytest.approx(expected, rel=1e-12)


def test_imaginary_part_is_dropped_when_negligible_and_refused_when_not(monkeypatch):
    s = np.diag([1.0, 4.0])
    real_sqrtm = M._sqrtm
    monkeypatch.setattr(M, "_sqrtm", lambda a: real_sqrtm(a) + 1e-5j)
    assert M.frechet_distance(np.zeros(2), s, np.zeros(2), s) == pytest.approx(0.0, abs=1e-12)
    monkeypatch.setattr(M, "_sqrtm", real_sqrtm)
    # a "covariance" with a negative eigenvalue: sqrt(S1 S2) has an imaginary diagonal entry of 1
    with pytest.raises(ValueError, match="imaginary"):
        M.frechet_distance(np.zeros(2), np.diag([-1.0, 1.0]), np.zeros(2), np.eye(2))


def test_frechet_distance_rejects_bad_input_naming_the_argument():
    mu, s = np.zeros(3), np.eye(3)
    with pytest.raises(TypeError, match="mu1"):
        M.frechet_distance([0.0, 0.0, 0.0], s, mu, s)
    with pytest.raises(ValueError, match="sigma2"):
        M.frechet_distance(mu, s, mu, np.eye(4))
    with pytest.raises(ValueError, match="mu2"):
        M.frechet_distance(mu, s, np.zeros(2), s)
    with pytest.raises(ValueError, match="sigma1"):
        M.frechet_distance(mu, np.zeros(3), mu, s)
    with pytest.raises(ValueError, match="sigma1"):
        M.frechet_distance(mu, np.triu(np.ones((3, 3))), mu, s)
    with pytest.raises(ValueError, match="method"):
        M.frechet_distance(mu, s, mu, s, method="svd")
    with pytest.raises(ValueError, match="eps"):
        M.frechet_distance(mu, s, mu, s, eps=-1.0)
    with pytest.raises(ValueError, match="mu1"):
        M.frechet_distance(np.array([np.nan, 0, 0]), s, mu, s)
    with pytest.raises(ValueError, match="features"):
        M.feature_statistics(torch.zeros(1, 3))
    with pytest.raises(ValueError, match="features1 and features2"):
        M.frechet_distance_from_features(torch.rand(5, 3), torch.rand(5, 4))


# --------------------------------------------------------------------------- precision and recall
def _brute_force_precision_recall(real, fake, k):
    real, fake = real.double().flatten(1), fake.double().flatten(1)
    d_rr, d_ff, d_fr = torch.cdist(real, real), torch.cdist(fake, fake), torch.cdist(fake, real)
    r_real = d_rr.fill_diagonal_(math.inf).sort(1).values[:, k - 1]
    r_fake = d_ff.fill_diagonal_(math.inf).sort(1).values[:, k - 1]
    precision = (d_fr <= r_real[None, :] + 1e-12).any(1).double().mean()
    recall = (d_fr.T <= r_fake[None, :] + 1e-12).any(1).double().mean()
    return float(precision), float(recall)


def test_knn_radius_excludes_the_point_itself():
    x = torch.tensor([[0.0], [1.0], [3.0], [7.0]])
    torch.testing.assert_close(M.knn_radii(x, k=1), torch.tensor([1.0, 1.0, 2.0, 4.0], dtype=torch.float64))
    torch.testing.assert_close(M.knn_radii(x, k=2), torch.tensor([3.0, 2.0, 3.0, 6.0], dtype=torch.float64))
    for batch_size in (1, 3):
        torch.testing.assert_close(M.knn_radii(x, k=2, batch_size=batch_size), M.knn_radii(x, k=2))
    # a duplicate is a neighbour at distance 0 (only the point itself is excluded)
    torch.testing.assert_close(M.knn_radii(torch.tensor([[0.0], [0.0], [5.0]]), k=1),
                               torch.tensor([0.0, 0.0, 5.0], dtype=torch.float64))


def test_precision_recall_by_hand():
    real = torch.tensor([[0.0], [1.0]])            # k = 1: both radii are 1
    fake = torch.tensor([[0.5], [2.0], [2.5]])     # radii 1.5, 0.5, 0.5
    # 0.5 and 2.0 (on the boundary of the closed ball around 1) are inside the real manifold, 2.5 is not;
    # real 0 is within 1.5 of fake 0.5, real 1 within 1.5 of fake 0.5 as well
    precision, recall = M.precision_recall(real, fake, k=1)
    assert precision == pytest.approx(2 / 3) and recall == pytest.approx(1.0)


def test_identical_sets_give_full_precision_and_recall():
    x = _random_features(300, 16, seed=14)
    assert M.precision_recall(x, x.clone(), k=3) == (1.0, 1.0)


def test_far_apart_sets_give_zero_precision_and_recall():
    x = _random_features(200, 8, seed=15)
    assert M.precision_recall(x, x + 100.0, k=3) == (0.0, 0.0)


def test_mode_dropping_keeps_precision_and_loses_recall():
    g = _gen(16)
    centres = 10 * torch.randn(10, 5, generator=g, dtype=torch.float64)
    labels = torch.arange(1000) % 10
    real = centres[labels] + torch.randn(1000, 5, generator=g, dtype=torch.float64)
    keep = torch.randint(0, 2, (1000,), generator=g)   # two modes out of ten
    dropped = centres[keep] + torch.randn(1000, 5, generator=g, dtype=torch.float64)
    precision, recall = M.precision_recall(real, dropped, k=3)
    assert precision > 0.8 and recall < 0.3
    # a spread-out model (every mode, but wide): recall stays, precision drops
    blurry = centres[labels] + 3 * torch.randn(1000, 5, generator=g, dtype=torch.float64)
    precision_b, recall_b = M.precision_recall(real, blurry, k=3)
    assert recall_b > 0.9 and precision_b < 0.5


def test_precision_recall_batched_matches_brute_force():
    real = _random_features(130, 6, seed=17)
    fake = _random_features(90, 6, seed=18, shift=0.4, scale=1.3)
    expected = _brute_force_precision_recall(real, fake, k=5)
    for batch_size in (7, 64, 1000):
        result = M.precision_recall(real, fake, k=5, batch_size=batch_size)
        assert isinstance(result, M.PrecisionRecall)
        assert result == pytest.approx(expected)
    assert 0 < expected[0] < 1 and 0 < expected[1] < 1


def test_precision_recall_rejects_bad_input_naming_the_argument():
    x = torch.rand(10, 3)
    with pytest.raises(ValueError, match="k must be smaller"):
        M.precision_recall(x, x[:3], k=3)
    with pytest.raises(ValueError, match="real_features and fake_features"):
        M.precision_recall(x, torch.rand(10, 4))
    with pytest.raises(TypeError, match="k"):
        M.precision_recall(x, x, k=2.5)
    with pytest.raises(TypeError, match="fake_features"):
        M.precision_recall(x, [[0.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="features"):
        M.knn_radii(torch.rand(1, 3), k=1)


# --------------------------------------------------------------------------- nearest neighbours
def test_nearest_neighbours_match_brute_force_and_find_copies():
    g = _gen(19)
    refs = torch.rand(57, 1, 6, 6, generator=g)
    queries = torch.cat([torch.rand(9, 1, 6, 6, generator=g), refs[[4, 40]]])
    d_full = torch.cdist(queries.flatten(1).double(), refs.flatten(1).double())
    expected_d, expected_i = d_full.topk(3, dim=1, largest=False)
    for batch_size in (4, 1000):
        distances, indices = M.nearest_neighbours(queries, refs, k=3, batch_size=batch_size)
        assert distances.dtype == torch.float64 and indices.dtype == torch.int64 and distances.shape == (11, 3)
        torch.testing.assert_close(distances, expected_d, rtol=1e-9, atol=1e-9)
        assert torch.equal(indices, expected_i)
    distances, indices = M.nearest_neighbours(queries[-2:], refs)
    assert indices[:, 0].tolist() == [4, 40] and distances[:, 0].tolist() == [0.0, 0.0]  # copies: exactly 0


def test_nearest_neighbours_reject_bad_input():
    with pytest.raises(ValueError, match="k must be at most"):
        M.nearest_neighbours(torch.rand(3, 2), torch.rand(2, 2), k=3)
    with pytest.raises(ValueError, match="queries and references"):
        M.nearest_neighbours(torch.rand(3, 2), torch.rand(2, 3))
    with pytest.raises(TypeError, match="references"):
        M.nearest_neighbours(torch.rand(3, 2), torch.ones(2, 2, dtype=torch.int64))


# --------------------------------------------------------------------------- models to compare
def test_find_generators_rebuilds_samplers_from_checkpoints(tmp_path):
    from course_lib.models.vae import VAE
    from course_lib.training import TrainState, save_checkpoint

    torch.manual_seed(0)
    vae = VAE(latent_dim=4, hidden_dim=32)
    save_checkpoint(tmp_path / "01_vae4_fast.pt", TrainState({"model": vae}))
    save_checkpoint(tmp_path / "01_vae4_full.pt", TrainState({"model": vae}))
    (tmp_path / "01_vae16_fast.pt").write_bytes(b"not a checkpoint")
    (tmp_path / "99_other_fast.pt").write_bytes(b"ignored: no spec matches")
    with pytest.warns(UserWarning, match="skipping"):
        found = find_generators("fast", [tmp_path])
    assert [f.path.name for f in found] == ["01_vae4_fast.pt"]
    assert found[0].label.startswith("VAE (notebook 01)")
    images = found[0].sample(5, torch.Generator().manual_seed(1))
    torch.testing.assert_close(images, vae.sample(5, generator=torch.Generator().manual_seed(1)))
    assert [f.path.name for f in find_generators("full", [tmp_path])] == ["01_vae4_full.pt"]
    # the same file name in a second folder is listed once
    other = tmp_path / "other"
    other.mkdir()
    save_checkpoint(other / "01_vae4_full.pt", TrainState({"model": vae}))
    assert len(find_generators("full", [tmp_path, other])) == 1
    with pytest.raises(ValueError, match="budget"):
        find_generators("medium", [tmp_path])


def test_zero_variance_features_do_not_break_the_eigenvalue_route():
    # Dead units (a feature that is always 0) make both covariances singular; without removing
    # rounding-level eigenvalues, their square roots (1e-7 each) add up to a visible error.
    # A rotation spreads the 60 empty directions over every coordinate, with rounding noise.
    q, _ = torch.linalg.qr(torch.randn(90, 90, generator=_gen(32), dtype=torch.float64))
    f1 = torch.cat([_random_features(300, 30, seed=30), torch.zeros(300, 60, dtype=torch.float64)], dim=1)
    f2 = torch.cat([_random_features(300, 30, seed=31, shift=0.05), torch.zeros(300, 60, dtype=torch.float64)], dim=1)
    reduced = M.frechet_distance_from_features(f1[:, :30], f2[:, :30])   # the same distance without the empty directions
    sqrtm = M.frechet_distance_from_features(f1 @ q, f2 @ q)
    eigen = M.frechet_distance_from_features(f1 @ q, f2 @ q, method="eigen")
    assert eigen == pytest.approx(reduced, rel=1e-10)   # clipping at 0 alone leaves an error of 6e-8
    assert sqrtm == pytest.approx(reduced, rel=1e-6)
