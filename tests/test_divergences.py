import math

import pytest
import torch
from scipy import integrate
from torch.distributions import Categorical, Normal, kl_divergence

from course_lib.divergences import (
    jsd_1d,
    jsd_discrete,
    kl_1d,
    kl_discrete,
    optimal_discriminator,
    parallel_lines_divergences,
    value_at_optimum_1d,
    value_at_optimum_discrete,
    value_discrete,
)
from course_lib.toy import Gaussian1D, GaussianMixture1D

F64 = torch.float64
LOG2 = math.log(2.0)


def _probs(*shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.softmax(2 * torch.randn(*shape, generator=g, dtype=F64), dim=-1)


def _normal(mean, std):
    return Normal(torch.tensor(mean, dtype=F64), torch.tensor(std, dtype=F64))


# --------------------------------------------------------------------------- discrete


def test_kl_discrete_matches_torch_categorical_over_a_batch():
    p, q = _probs(4, 6, seed=1), _probs(4, 6, seed=2)
    expected = kl_divergence(Categorical(probs=p), Categorical(probs=q))
    out = kl_discrete(p, q)
    assert out.shape == (4,)
    torch.testing.assert_close(out, expected, rtol=1e-12, atol=1e-14)
    assert bool((out > 0).all())
    assert kl_discrete(p, p).abs().max().item() == 0.0


def test_kl_discrete_zero_log_zero_and_infinite_kl():
    p = torch.tensor([0.5, 0.5, 0.0], dtype=F64)
    q = torch.tensor([0.25, 0.25, 0.5], dtype=F64)
    assert kl_discrete(p, q).item() == pytest.approx(LOG2, abs=1e-15)  # 0 log 0 contributes 0
    assert not torch.isnan(kl_discrete(p, q))
    assert kl_discrete(q, p).item() == math.inf  # q puts mass where p has none
    # KL is not symmetric
    r = torch.tensor([0.1, 0.6, 0.3], dtype=F64)
    assert abs(kl_discrete(q, r).item() - kl_discrete(r, q).item()) > 1e-3


def test_jsd_discrete_definition_symmetry_and_bounds():
    p, q = _probs(5, 7, seed=3), _probs(5, 7, seed=4)
    m = 0.5 * (p + q)
    expected = 0.5 * kl_divergence(Categorical(probs=p), Categorical(probs=m)) \
        + 0.5 * kl_divergence(Categorical(probs=q), Categorical(probs=m))
    jsd = jsd_discrete(p, q)
    torch.testing.assert_close(jsd, expected, rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(jsd, jsd_discrete(q, p), rtol=0, atol=1e-15)
    assert bool((jsd > 0).all()) and bool((jsd < LOG2).all())
    assert torch.equal(jsd_discrete(p, p), torch.zeros(5, dtype=F64))


def test_jsd_discrete_disjoint_supports_is_log_two_without_nan():
    p = torch.tensor([0.3, 0.7, 0.0, 0.0], dtype=F64)
    q = torch.tensor([0.0, 0.0, 0.4, 0.6], dtype=F64)
    assert jsd_discrete(p, q).item() == pytest.approx(LOG2, abs=1e-15)


def test_optimal_discriminator_values_and_zero_over_zero():
    p = torch.tensor([0.2, 0.0, 0.5, 0.0], dtype=F64)
    q = torch.tensor([0.6, 0.4, 0.5, 0.0], dtype=F64)
    torch.testing.assert_close(optimal_discriminator(p, q), torch.tensor([0.25, 0.0, 0.5, 0.5], dtype=F64))
    # the 0/0 point does not poison gradients either
    p_leaf = p.clone().requires_grad_(True)
    optimal_discriminator(p_leaf, q).sum().backward()
    assert torch.isfinite(p_leaf.grad).all()
    # any shape, e.g. densities on a 2-D grid
    assert optimal_discriminator(torch.ones(2, 3), torch.ones(2, 3)).shape == (2, 3)


def test_optimal_discriminator_maximises_the_value_pointwise():
    # f(D) = a log D + b log(1 - D) peaks at D = a / (a + b): compare with a dense grid search
    p, q = _probs(6, seed=5), _probs(6, seed=6)
    d_star = optimal_discriminator(p, q)
    grid = torch.linspace(1e-6, 1 - 1e-6, 100_001, dtype=F64)[:, None]
    f = p * torch.log(grid) + q * torch.log1p(-grid)  # (G, K)
    torch.testing.assert_close(grid[f.argmax(dim=0), 0], d_star, rtol=0, atol=2e-5)
    # and no other discriminator does better on the whole distribution
    best = value_at_optimum_discrete(p, q)
    for seed in range(5):
        other = torch.rand(6, generator=torch.Generator().manual_seed(seed), dtype=F64)
        assert value_discrete(p, q, other) < best
    torch.testing.assert_close(value_discrete(p, q, d_star), best, rtol=1e-13, atol=1e-13)


def test_value_at_optimum_equals_minus_two_log_two_plus_two_jsd_discrete():
    p, q = _probs(8, 10, seed=7), _probs(8, 10, seed=8)
    q[0] = torch.tensor([0.0] * 5 + [0.2] * 5, dtype=F64)  # with zeros
    p[0] = torch.tensor([0.2] * 5 + [0.0] * 5, dtype=F64)  # and disjoint supports in row 0
    v = value_at_optimum_discrete(p, q)
    torch.testing.assert_close(v, -2 * LOG2 + 2 * jsd_discrete(p, q), rtol=0, atol=1e-9)
    assert v[0].item() == pytest.approx(0.0, abs=1e-15)  # disjoint: D* is perfect, V = 0
    assert value_at_optimum_discrete(p, p).tolist() == pytest.approx([-2 * LOG2] * 8, abs=1e-15)
    assert bool((v >= -2 * LOG2 - 1e-12).all()) and bool((v <= 1e-12).all())


def test_value_discrete_infinite_when_d_is_certain_and_wrong():
    p = torch.tensor([0.5, 0.5], dtype=F64)
    q = torch.tensor([0.5, 0.5], dtype=F64)
    assert value_discrete(p, q, torch.tensor([0.0, 0.5], dtype=F64)).item() == -math.inf
    assert value_discrete(p, q, torch.tensor([0.5, 0.5], dtype=F64)).item() == pytest.approx(-2 * LOG2)


# --------------------------------------------------------------------------- 1-D densities


@pytest.mark.parametrize("mp, sp, mq, sq", [(0.0, 1.0, 1.0, 1.5), (-2.0, 0.5, 1.0, 2.0), (0.3, 1.0, 0.3, 1.0)])
def test_kl_1d_matches_the_gaussian_closed_form(mp, sp, mq, sq):
    expected = kl_divergence(_normal(mp, sp), _normal(mq, sq)).item()
    got = kl_1d(Gaussian1D(mp, sp).pdf, Gaussian1D(mq, sq).pdf, -12.0, 12.0)
    assert got == pytest.approx(expected, abs=1e-8)


def test_kl_1d_is_infinite_when_q_misses_the_mass_of_p():
    p = Gaussian1D(0.0, 1.0).pdf

    def uniform(x):
        return ((x >= -1) & (x <= 1)).to(x.dtype) / 2

    assert kl_1d(p, uniform, -10.0, 10.0) == math.inf
    # the other way round is finite: log(1/2) - E_U[log N(x; 0, 1)] = -log 2 + log sqrt(2 pi) + 1/6
    expected = -LOG2 + 0.5 * math.log(2 * math.pi) + 1 / 6
    assert kl_1d(uniform, p, -2.0, 2.0, points=40_001) == pytest.approx(expected, abs=1e-4)


def test_jsd_1d_matches_an_independent_quadrature_and_its_bounds():
    p, q = Gaussian1D(0.0, 1.0), GaussianMixture1D([-1.0, 2.0], [0.5, 0.7], [0.4, 0.6])

    def integrand(t):
        x = torch.tensor([t], dtype=F64)
        a, b = p.pdf(x).item(), q.pdf(x).item()
        m = 0.5 * (a + b)
        return 0.5 * (a * math.log(a / m) + b * math.log(b / m))

    reference, _ = integrate.quad(integrand, -12, 12, points=[-1.0, 0.0, 2.0], limit=200, epsabs=1e-13)
    got = jsd_1d(p.pdf, q.pdf, -12.0, 12.0)
    assert got == pytest.approx(reference, abs=1e-8)
    assert 0.0 < got < LOG2
    assert got == pytest.approx(jsd_1d(q.pdf, p.pdf, -12.0, 12.0), abs=1e-14)
    assert jsd_1d(p.pdf, p.pdf, -12.0, 12.0) == 0.0


def test_jsd_1d_far_apart_gaussians_approach_log_two():
    far = jsd_1d(Gaussian1D(-10.0, 1.0).pdf, Gaussian1D(10.0, 1.0).pdf, -25.0, 25.0)
    assert far == pytest.approx(LOG2, abs=1e-12)


def test_jsd_stays_finite_where_densities_are_subnormal():
    # Narrow Gaussians: deep in their tails p + q is the smallest subnormal number, and halving
    # it for the mixture underflows to 0; the JSD must not become +inf there.
    narrow = jsd_1d(Gaussian1D(0.0, 0.1).pdf, Gaussian1D(1.0, 0.1).pdf, -12.0, 12.0)
    assert math.isfinite(narrow) and narrow == pytest.approx(LOG2, abs=1e-5)
    tiny = 5e-324  # the smallest positive float64
    p = torch.tensor([tiny, 1.0 - tiny], dtype=F64)
    q = torch.tensor([0.0, 1.0], dtype=F64)
    assert jsd_discrete(p, q).item() == pytest.approx(0.0, abs=1e-300)
    assert jsd_discrete(q, p).item() == pytest.approx(0.0, abs=1e-300)
    assert value_at_optimum_discrete(p, q).item() == pytest.approx(-2 * LOG2, abs=1e-12)


@pytest.mark.parametrize("mq, sq", [(1.0, 2.0), (0.0, 1.0), (4.0, 0.5)])
def test_value_at_optimum_equals_minus_two_log_two_plus_two_jsd_1d(mq, sq):
    p, q = Gaussian1D(0.0, 1.0).pdf, Gaussian1D(mq, sq).pdf
    v = value_at_optimum_1d(p, q, -12.0, 12.0)
    assert v == pytest.approx(-2 * LOG2 + 2 * jsd_1d(p, q, -12.0, 12.0), abs=1e-6)

    # and against D* evaluated pointwise, integrated independently with quad
    def integrand(t):
        x = torch.tensor([t], dtype=F64)
        a, b = p(x), q(x)
        # 1 - D* as D* with the roles swapped: 1 - D* rounds to 0 where D* ~ 1
        return (torch.xlogy(a, optimal_discriminator(a, b)) + torch.xlogy(b, optimal_discriminator(b, a))).item()

    reference, _ = integrate.quad(integrand, -12, 12, points=[0.0, mq], limit=200, epsabs=1e-12)
    assert v == pytest.approx(reference, abs=1e-8)


def test_parallel_lines_divergences():
    assert parallel_lines_divergences(0.0) == {"kl": 0.0, "jsd": 0.0, "w1": 0.0}
    for theta in (1e-3, 0.5, -2.0):
        out = parallel_lines_divergences(theta)
        assert out["kl"] == math.inf
        assert out["jsd"] == pytest.approx(LOG2, abs=0)
        assert out["w1"] == abs(theta)
    # JSD on the disjoint supports agrees with the discrete computation: two point masses
    two_points = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=F64)
    assert parallel_lines_divergences(0.1)["jsd"] == pytest.approx(jsd_discrete(two_points[0], two_points[1]).item())
    assert parallel_lines_divergences(0.1)["kl"] == kl_discrete(two_points[0], two_points[1]).item()


# --------------------------------------------------------------------------- bad input


def test_discrete_bad_arguments():
    p = torch.tensor([0.5, 0.5], dtype=F64)
    with pytest.raises(TypeError, match="p"):
        kl_discrete([0.5, 0.5], p)
    with pytest.raises(ValueError, match="q must sum to 1"):
        kl_discrete(p, torch.tensor([0.5, 0.6], dtype=F64))
    with pytest.raises(ValueError, match="p must be non-negative"):
        jsd_discrete(torch.tensor([1.5, -0.5], dtype=F64), p)
    with pytest.raises(ValueError, match="p and q"):
        jsd_discrete(p, torch.full((4,), 0.25, dtype=F64))
    with pytest.raises(ValueError, match="q"):
        jsd_discrete(p, torch.tensor(1.0, dtype=F64))
    with pytest.raises(TypeError, match="q"):
        kl_discrete(p, torch.tensor([1, 0]))
    with pytest.raises(ValueError, match="p_data"):
        optimal_discriminator(torch.tensor([-0.1]), torch.tensor([0.1]))
    with pytest.raises(ValueError, match="p_data and p_g"):
        optimal_discriminator(torch.ones(3), torch.ones(2))
    with pytest.raises(TypeError, match="p_g"):
        optimal_discriminator(torch.ones(3), 1.0)
    with pytest.raises(ValueError, match="p_g"):
        value_at_optimum_discrete(p, torch.tensor([0.2, 0.2], dtype=F64))
    with pytest.raises(ValueError, match="d must"):
        value_discrete(p, p, torch.tensor([0.5, 1.5], dtype=F64))
    with pytest.raises(ValueError, match="d and p_data"):
        value_discrete(p, p, torch.tensor([0.5], dtype=F64))
    with pytest.raises(TypeError, match="theta"):
        parallel_lines_divergences("1")
    with pytest.raises(ValueError, match="theta"):
        parallel_lines_divergences(float("inf"))


def test_1d_bad_arguments():
    p = Gaussian1D(0.0, 1.0).pdf
    with pytest.raises(TypeError, match="q_pdf"):
        kl_1d(p, 3.0, -5.0, 5.0)
    with pytest.raises(ValueError, match="lower"):
        kl_1d(p, p, 5.0, -5.0)
    with pytest.raises(ValueError, match="upper"):
        jsd_1d(p, p, -5.0, float("inf"))
    with pytest.raises(ValueError, match="points"):
        jsd_1d(p, p, -5.0, 5.0, points=2)
    with pytest.raises(ValueError, match="p_pdf integrates"):
        kl_1d(p, p, 0.0, 5.0)  # the range cuts off half of p
    with pytest.raises(ValueError, match="q_pdf integrates"):
        jsd_1d(p, Gaussian1D(8.0, 1.0).pdf, -6.0, 6.0)
    with pytest.raises(TypeError, match="p_pdf must return a torch.Tensor"):
        kl_1d(lambda x: x.numpy(), p, -5.0, 5.0)
    with pytest.raises(ValueError, match="q_pdf must return one density per point"):
        kl_1d(p, lambda x: x[:-1], -5.0, 5.0)
    with pytest.raises(ValueError, match="p_data_pdf must return finite, non-negative"):
        value_at_optimum_1d(lambda x: -p(x), p, -8.0, 8.0)
    with pytest.raises(ValueError, match="p_g_pdf integrates"):
        value_at_optimum_1d(p, lambda x: 2 * p(x), -8.0, 8.0)
