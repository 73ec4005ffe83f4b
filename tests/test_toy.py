import math

import pytest
import torch
from scipy import integrate
from torch.distributions import Categorical, Independent, MixtureSameFamily, Normal

from course_lib.toy import (
    Gaussian1D,
    GaussianMixture1D,
    GaussianMixture2D,
    grid_of_gaussians,
    ring_of_gaussians,
)

F64 = torch.float64


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


# --------------------------------------------------------------------------- Gaussian1D


def test_gaussian1d_log_prob_matches_torch_normal_for_any_shape():
    x = torch.linspace(-5, 5, 24, dtype=F64).reshape(2, 3, 4)
    reference = Normal(torch.tensor(0.5, dtype=F64), torch.tensor(1.7, dtype=F64)).log_prob(x)
    dist = Gaussian1D(0.5, 1.7)
    torch.testing.assert_close(dist.log_prob(x), reference, rtol=0, atol=1e-14)
    torch.testing.assert_close(dist.pdf(x), reference.exp(), rtol=0, atol=1e-14)


def test_gaussian1d_keeps_the_dtype_of_x():
    dist = Gaussian1D(0.0, 1.0)
    assert dist.log_prob(torch.zeros(3)).dtype == torch.float32
    assert dist.log_prob(torch.zeros(3, dtype=F64)).dtype == F64
    assert dist.log_prob(torch.zeros(1, dtype=F64)).item() == pytest.approx(-0.5 * math.log(2 * math.pi), abs=1e-15)


def test_gaussian1d_pdf_integrates_to_one():
    dist = Gaussian1D(-1.0, 0.3)
    mass, _ = integrate.quad(lambda t: dist.pdf(torch.tensor([t], dtype=F64)).item(), -10, 10, points=[-1.0])
    assert mass == pytest.approx(1.0, abs=1e-10)


def test_gaussian1d_sample_shape_moments_and_reproducibility():
    dist = Gaussian1D(3.0, 0.5)
    x = dist.sample(20_000, generator=_gen(1))
    assert x.shape == (20_000,) and x.dtype == torch.float32
    assert torch.equal(x, dist.sample(20_000, generator=_gen(1)))
    assert not torch.equal(x, dist.sample(20_000, generator=_gen(2)))
    # 5 standard errors of the sample mean and variance
    assert abs(x.double().mean().item() - 3.0) < 5 * 0.5 / math.sqrt(20_000)
    assert abs(x.double().var().item() - 0.25) < 5 * 0.25 * math.sqrt(2 / 20_000)
    assert dist.sample(4, generator=_gen(), dtype=F64).dtype == F64


def test_gaussian1d_bad_arguments():
    with pytest.raises(ValueError, match="std"):
        Gaussian1D(0.0, 0.0)
    with pytest.raises(ValueError, match="std"):
        Gaussian1D(0.0, -1.0)
    with pytest.raises(ValueError, match="mean"):
        Gaussian1D(float("nan"), 1.0)
    with pytest.raises(TypeError, match="mean"):
        Gaussian1D("0", 1.0)
    with pytest.raises(TypeError, match="std"):
        Gaussian1D(0.0, torch.tensor(1.0))
    dist = Gaussian1D(0.0, 1.0)
    with pytest.raises(TypeError, match="x"):
        dist.log_prob(torch.zeros(3, dtype=torch.long))
    with pytest.raises(TypeError, match="x"):
        dist.pdf([0.0, 1.0])
    with pytest.raises(ValueError, match="n"):
        dist.sample(0)
    with pytest.raises(TypeError, match="n"):
        dist.sample(2.0)
    with pytest.raises(TypeError, match="generator"):
        dist.sample(3, generator=0)
    with pytest.raises(TypeError, match="dtype"):
        dist.sample(3, dtype=torch.int64)


# --------------------------------------------------------------------------- GaussianMixture1D


def _mixture():
    return GaussianMixture1D([-2.0, 0.5, 3.0], [0.5, 1.0, 0.3], [0.2, 0.5, 0.3])


def test_mixture1d_log_prob_matches_an_explicit_logsumexp():
    mix = _mixture()
    x = torch.linspace(-6, 6, 101, dtype=F64)
    components = Normal(mix.means, mix.stds).log_prob(x[:, None]) + mix.weights.log()
    torch.testing.assert_close(mix.log_prob(x), torch.logsumexp(components, dim=1), rtol=0, atol=1e-13)
    assert mix.log_prob(x.reshape(101, 1)).shape == (101, 1)


def test_mixture1d_pdf_integrates_to_one_and_moments_are_exact():
    mix = _mixture()
    mass, _ = integrate.quad(lambda t: mix.pdf(torch.tensor([t], dtype=F64)).item(), -15, 15,
                             points=[-2.0, 0.5, 3.0], limit=200)
    assert mass == pytest.approx(1.0, abs=1e-10)
    mean = float((mix.weights * mix.means).sum())
    second = float((mix.weights * (mix.stds ** 2 + mix.means ** 2)).sum())
    assert mix.mean == pytest.approx(mean, abs=1e-14)
    assert mix.variance == pytest.approx(second - mean ** 2, abs=1e-13)


def test_mixture1d_samples_are_reproducible_and_follow_the_weights():
    mix = _mixture()
    x = mix.sample(30_000, generator=_gen(3))
    assert x.shape == (30_000,)
    assert torch.equal(x, mix.sample(30_000, generator=_gen(3)))
    assert x.double().mean().item() == pytest.approx(mix.mean, abs=5 * math.sqrt(mix.variance / 30_000))
    # the share of samples in an interval estimates its exact probability (5 standard errors)
    cdf = mix.distribution().cdf(torch.tensor([2.1, 3.9], dtype=F64))
    prob = float(cdf[1] - cdf[0])
    share = ((x > 2.1) & (x < 3.9)).double().mean().item()
    assert share == pytest.approx(prob, abs=5 * math.sqrt(prob * (1 - prob) / 30_000))


def test_mixture1d_accepts_tensors_and_checks_its_parameters():
    mix = GaussianMixture1D(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 2.0]), torch.tensor([0.5, 0.5]))
    assert mix.n_components == 2 and mix.weights.dtype == F64
    with pytest.raises(ValueError, match="weights"):
        GaussianMixture1D([0.0, 1.0], [1.0, 1.0], [0.6, 0.6])  # not renormalised
    with pytest.raises(ValueError, match="weights"):
        GaussianMixture1D([0.0, 1.0], [1.0, 1.0], [1.5, -0.5])
    with pytest.raises(ValueError, match="stds"):
        GaussianMixture1D([0.0, 1.0], [1.0, 0.0], [0.5, 0.5])
    with pytest.raises(ValueError, match="stds"):
        GaussianMixture1D([0.0, 1.0], [1.0], [0.5, 0.5])
    with pytest.raises(ValueError, match="means"):
        GaussianMixture1D([], [], [])
    with pytest.raises(TypeError, match="means"):
        GaussianMixture1D("ab", [1.0, 1.0], [0.5, 0.5])
    with pytest.raises(ValueError, match="weights"):
        GaussianMixture1D([0.0, 1.0], [1.0, 1.0], [float("nan"), 0.5])
    with pytest.raises(TypeError, match="x"):
        mix.log_prob(0.0)


# --------------------------------------------------------------------------- 2-D mixtures


def test_ring_of_gaussians_centres():
    ring = ring_of_gaussians()
    assert isinstance(ring, GaussianMixture2D)
    assert ring.centres.shape == (8, 2) and ring.n_modes == 8 and ring.std == 0.02
    torch.testing.assert_close(ring.centres.norm(dim=1), torch.full((8,), 2.0, dtype=F64))
    angles = torch.atan2(ring.centres[:, 1], ring.centres[:, 0])
    expected = torch.tensor([0, 1, 2, 3, 4, -3, -2, -1], dtype=F64) * math.pi / 4
    torch.testing.assert_close(angles, expected, rtol=0, atol=1e-12)


def test_grid_of_gaussians_centres_are_centred_on_the_origin():
    grid = grid_of_gaussians()
    assert grid.centres.shape == (25, 2) and grid.std == 0.02
    values = torch.tensor([-4.0, -2.0, 0.0, 2.0, 4.0], dtype=F64)
    expected = torch.cartesian_prod(values, values)
    torch.testing.assert_close(grid.centres, expected, rtol=0, atol=0)
    torch.testing.assert_close(grid_of_gaussians(side=2, spacing=1.0).centres,
                               torch.tensor([[-0.5, -0.5], [-0.5, 0.5], [0.5, -0.5], [0.5, 0.5]], dtype=F64))


def test_mixture2d_log_prob_matches_torch_distributions():
    ring = ring_of_gaussians(n_modes=5, radius=1.5, std=0.4)
    x = torch.randn(4, 7, 2, generator=_gen(), dtype=F64) * 2
    comp = Independent(Normal(ring.centres, torch.full((5, 2), 0.4, dtype=F64)), 1)
    reference = MixtureSameFamily(Categorical(probs=torch.full((5,), 0.2, dtype=F64)), comp).log_prob(x)
    assert ring.log_prob(x).shape == (4, 7)
    torch.testing.assert_close(ring.log_prob(x), reference, rtol=0, atol=1e-13)
    # explicit formula for one point: log (1/M) sum_m N(x; c_m, s^2 I)
    point = torch.tensor([0.3, -0.2], dtype=F64)
    sq = ((point - ring.centres) ** 2).sum(dim=1)
    explicit = torch.logsumexp(-sq / (2 * 0.16) - math.log(2 * math.pi * 0.16) - math.log(5), dim=0)
    assert ring.log_prob(point).item() == pytest.approx(explicit.item(), abs=1e-13)


def test_mixture2d_pdf_integrates_to_one():
    ring = ring_of_gaussians(n_modes=8, radius=2.0, std=0.3)
    t = torch.linspace(-4, 4, 401, dtype=F64)
    xs, ys = torch.meshgrid(t, t, indexing="ij")
    density = ring.pdf(torch.stack([xs, ys], dim=-1)).numpy()
    mass = integrate.simpson(integrate.simpson(density, x=t.numpy(), axis=1), x=t.numpy())
    assert mass == pytest.approx(1.0, abs=1e-8)


def test_mixture2d_samples_land_on_the_modes_and_are_reproducible():
    grid = grid_of_gaussians()
    x = grid.sample(5_000, generator=_gen(7))
    assert x.shape == (5_000, 2) and x.dtype == torch.float32
    assert torch.equal(x, grid.sample(5_000, generator=_gen(7)))
    nearest = torch.cdist(x.double(), grid.centres).min(dim=1)
    # P(radius > 6 std) = exp(-18) per sample for an isotropic 2-D Gaussian
    assert bool((nearest.values < 6 * 0.02).all())
    counts = torch.bincount(nearest.indices, minlength=25)
    # equal weights: every mode gets 200 +- a few sqrt(200)
    assert int(counts.min()) > 140 and int(counts.max()) < 260


def test_mixture2d_bad_arguments():
    with pytest.raises(ValueError, match="centres"):
        GaussianMixture2D(torch.zeros(3, 3), 0.1)
    with pytest.raises(TypeError, match="centres"):
        GaussianMixture2D([[0.0, 0.0]], 0.1)
    with pytest.raises(ValueError, match="centres"):
        GaussianMixture2D(torch.zeros(0, 2), 0.1)
    with pytest.raises(ValueError, match="std"):
        GaussianMixture2D(torch.zeros(2, 2), -0.1)
    with pytest.raises(ValueError, match="weights"):
        GaussianMixture2D(torch.zeros(2, 2), 0.1, weights=[0.3, 0.3])
    with pytest.raises(ValueError, match="n_modes"):
        ring_of_gaussians(n_modes=0)
    with pytest.raises(ValueError, match="radius"):
        ring_of_gaussians(radius=0.0)
    with pytest.raises(TypeError, match="side"):
        grid_of_gaussians(side=2.5)
    with pytest.raises(ValueError, match="spacing"):
        grid_of_gaussians(spacing=-1.0)
    with pytest.raises(ValueError, match="std"):
        grid_of_gaussians(std=0.0)
    ring = ring_of_gaussians()
    with pytest.raises(ValueError, match="x"):
        ring.log_prob(torch.zeros(5, 3))
    with pytest.raises(ValueError, match="x"):
        ring.pdf(torch.tensor(0.0))
    with pytest.raises(ValueError, match="n"):
        ring.sample(-1)
