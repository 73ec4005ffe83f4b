import math

import pytest
import torch

from course_lib.mode_metrics import ModeStats, default_min_count, mode_coverage, modes_covered
from course_lib.toy import grid_of_gaussians, ring_of_gaussians


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_default_threshold_reproduces_pacgan_and_scales_with_the_sample_size():
    assert default_min_count(2_500, 25) == 20  # PacGAN: a mode is lost with < 20 of 2,500 samples
    assert default_min_count(2_500, 8) == 63  # ceil(2500 / 40)
    assert default_min_count(25_000, 25) == 200
    assert default_min_count(3, 8) == 1


def test_hand_made_counts_and_high_quality_fraction():
    centres = torch.tensor([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    samples = torch.tensor([
        [0.1, 0.0], [0.0, -0.2], [0.29, 0.0],  # mode 0, all within 3 * 0.1
        [0.31, 0.0],  # nearest to mode 0 but 3.1 std away: low quality
        [10.0, 0.05],  # mode 1
        [5.0, 5.0],  # far from everything
    ])
    stats = mode_coverage(samples, centres, std=0.1, min_count=1)
    assert isinstance(stats, ModeStats)
    assert stats.counts.tolist() == [3, 1, 0]
    assert stats.modes_covered == 2 and stats.n_modes == 3 and stats.min_count == 1
    assert stats.high_quality_fraction == pytest.approx(4 / 6)
    assert mode_coverage(samples, centres, std=0.1, min_count=2).modes_covered == 1
    # widening the radius to 4 std makes the 3.1-std sample high quality
    assert mode_coverage(samples, centres, std=0.1, n_std=4.0, min_count=1).counts.tolist() == [4, 1, 0]


def test_threshold_is_inclusive_at_min_count():
    centres = grid_of_gaussians().centres
    # 2,500 samples: 20 exactly on mode 0, 19 on mode 1, the rest on mode 2
    samples = torch.cat([centres[0].expand(20, 2), centres[1].expand(19, 2), centres[2].expand(2_461, 2)])
    stats = mode_coverage(samples, centres, std=0.02)
    assert stats.min_count == 20
    assert stats.counts[:3].tolist() == [20, 19, 2_461]
    assert stats.modes_covered == 2


def test_true_samples_cover_every_mode_with_the_expected_quality():
    ring = ring_of_gaussians()
    samples = ring.sample(10_000, generator=_gen(1))
    stats = mode_coverage(samples, ring.centres, ring.std)
    assert stats.modes_covered == 8
    # for an isotropic 2-D Gaussian P(|x - c| < 3 std) = 1 - exp(-9 / 2)
    expected = 1 - math.exp(-4.5)
    assert stats.high_quality_fraction == pytest.approx(expected, abs=5 * math.sqrt(expected * (1 - expected) / 10_000))
    assert int(stats.counts.sum()) == round(stats.high_quality_fraction * 10_000)


def test_a_collapsed_generator_covers_one_mode():
    grid = grid_of_gaussians()
    collapsed = grid.centres[12].float() + 0.02 * torch.randn(2_500, 2, generator=_gen(2))
    assert modes_covered(collapsed, grid.centres, grid.std) == 1
    # a handful of stray samples on other modes does not count under the default threshold ...
    strays = grid.centres[:5].float().repeat_interleave(3, dim=0)
    mixed = torch.cat([collapsed[:-15], strays])
    assert modes_covered(mixed, grid.centres, grid.std) == 1
    # ... but does under the loosest rule, min_count=1
    assert modes_covered(mixed, grid.centres, grid.std, min_count=1) == 6


def test_samples_far_from_every_mode_cover_nothing():
    ring = ring_of_gaussians()
    stats = mode_coverage(torch.zeros(100, 2), ring.centres, ring.std)
    assert stats.modes_covered == 0 and stats.high_quality_fraction == 0.0
    assert stats.counts.tolist() == [0] * 8


def test_bad_arguments():
    centres = torch.zeros(3, 2)
    samples = torch.zeros(10, 2)
    with pytest.raises(TypeError, match="samples"):
        mode_coverage(samples.numpy(), centres, 0.1)
    with pytest.raises(ValueError, match="samples"):
        mode_coverage(torch.zeros(10), centres, 0.1)
    with pytest.raises(ValueError, match="samples"):
        mode_coverage(torch.zeros(0, 2), centres, 0.1)
    with pytest.raises(ValueError, match="samples"):
        mode_coverage(torch.full((4, 2), float("nan")), centres, 0.1)
    with pytest.raises(ValueError, match="samples and centres"):
        mode_coverage(torch.zeros(10, 3), centres, 0.1)
    with pytest.raises(TypeError, match="centres"):
        mode_coverage(samples, torch.zeros(3, 2, dtype=torch.long), 0.1)
    with pytest.raises(ValueError, match="centres"):
        mode_coverage(samples, torch.zeros(0, 2), 0.1)
    with pytest.raises(ValueError, match="std"):
        mode_coverage(samples, centres, 0.0)
    with pytest.raises(ValueError, match="n_std"):
        mode_coverage(samples, centres, 0.1, n_std=-3.0)
    with pytest.raises(ValueError, match="min_count"):
        mode_coverage(samples, centres, 0.1, min_count=0)
    with pytest.raises(TypeError, match="min_count"):
        modes_covered(samples, centres, 0.1, min_count=2.5)
    with pytest.raises(ValueError, match="n_modes"):
        default_min_count(100, 0)
