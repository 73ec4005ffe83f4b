
import pytest
import torch
from torch import nn

from course_lib.gan_tricks import HistoricalAverage, MinibatchStdDev, feature_matching_loss, minibatch_stddev
from course_lib.training import TrainState, load_checkpoint, save_checkpoint


def test_minibatch_stddev_appends_the_mean_feature_std_over_the_batch():
    x = torch.randn(16, 5, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    out = minibatch_stddev(x)
    expected = torch.sqrt(x.var(0, unbiased=False) + 1e-8).mean()
    assert out.shape == (16, 6)
    assert torch.equal(out[:, :5], x)
    assert torch.allclose(out[:, 5], expected.expand(16))


def test_minibatch_stddev_of_identical_examples_is_sqrt_eps_and_of_a_wide_batch_sigma():
    assert minibatch_stddev(torch.ones(8, 3))[0, -1].item() == pytest.approx(1e-4, rel=1e-3)
    wide = 3.0 * torch.randn(50_000, 4, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    assert minibatch_stddev(wide)[0, -1].item() == pytest.approx(3.0, rel=0.02)


def test_minibatch_stddev_groups_and_images():
    x = torch.randn(8, 3, 4, 4, generator=torch.Generator().manual_seed(2))
    out = minibatch_stddev(x, group_size=4)
    assert out.shape == (8, 4, 4, 4)
    for g in range(2):
        group = x[4 * g:4 * (g + 1)]
        value = torch.sqrt(group.var(0, unbiased=False) + 1e-8).mean()
        assert torch.allclose(out[4 * g:4 * (g + 1), 3], value.expand(4, 4, 4))
    assert torch.equal(out[:, :3], x)


def test_minibatch_stddev_gradient_reaches_the_inputs_and_layer_wraps_function():
    x = torch.randn(6, 2, requires_grad=True)
    MinibatchStdDev()(x)[:, -1].sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    assert torch.equal(MinibatchStdDev(group_size=3)(x.detach()), minibatch_stddev(x.detach(), 3))


def test_minibatch_stddev_bad_inputs():
    with pytest.raises(ValueError, match="multiple of group_size"):
        minibatch_stddev(torch.randn(6, 2), group_size=4)
    with pytest.raises(ValueError, match="at least 2"):
        minibatch_stddev(torch.randn(1, 2))
    with pytest.raises(ValueError, match="x must have 2 or 4"):
        minibatch_stddev(torch.randn(4))
    with pytest.raises(TypeError, match="floating"):
        minibatch_stddev(torch.ones(4, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="group_size"):
        MinibatchStdDev(group_size=1)


def test_feature_matching_loss_is_the_squared_distance_of_batch_means():
    g = torch.Generator().manual_seed(3)
    real, fake = torch.randn(10, 4, generator=g), torch.randn(7, 4, generator=g)
    expected = (real.mean(0) - fake.mean(0)).pow(2).sum()
    assert torch.allclose(feature_matching_loss(real, fake), expected)
    assert feature_matching_loss(real, real).item() == 0.0
    fake.requires_grad_(True)
    real.requires_grad_(True)
    feature_matching_loss(real, fake).backward()
    assert real.grad is None  # the real features are a target
    assert torch.allclose(fake.grad, (-2 * (real.mean(0) - fake.mean(0)) / 7).detach().expand(7, 4))


def test_feature_matching_loss_bad_inputs():
    with pytest.raises(ValueError, match="trailing"):
        feature_matching_loss(torch.randn(4, 3), torch.randn(4, 2))
    with pytest.raises(ValueError, match="trailing"):
        feature_matching_loss(torch.randn(4), torch.randn(4))
    with pytest.raises(TypeError, match="fake_features"):
        feature_matching_loss(torch.randn(4, 3), [1.0])


def test_historical_average_penalty_update_and_gradient():
    layer = nn.Linear(2, 3)
    start = [p.detach().clone() for p in layer.parameters()]
    history = HistoricalAverage(layer, weight=0.25)
    assert history.penalty().item() == 0.0
    with torch.no_grad():
        for p in layer.parameters():
            p.add_(2.0)
    # the average still holds theta_0 only: penalty = w * sum (2)^2
    n = sum(p.numel() for p in layer.parameters())
    assert history.penalty().item() == pytest.approx(0.25 * 4.0 * n)
    history.update()  # average = theta_0 + 1
    for avg, p0 in zip(history.average, start):
        assert torch.allclose(avg, p0 + 1.0)
    grads = torch.autograd.grad(history.penalty(), list(layer.parameters()))
    for g in grads:
        assert torch.allclose(g, torch.full_like(g, 2 * 0.25 * 1.0))


def test_historical_average_follows_the_optimizer_and_is_checkpointed(tmp_path):
    torch.manual_seed(0)
    layer = nn.Linear(2, 1)
    opt = torch.optim.SGD(layer.parameters(), lr=0.1)
    history = HistoricalAverage(layer, weight=1.0).attach(opt)
    seen = [torch.cat([p.detach().flatten() for p in layer.parameters()])]
    for _ in range(3):
        loss = layer(torch.randn(4, 2)).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        seen.append(torch.cat([p.detach().flatten() for p in layer.parameters()]))
    assert int(history.count) == 4
    mean = torch.stack(seen).mean(0)
    assert torch.allclose(torch.cat([a.flatten() for a in history.average]), mean, atol=1e-6)
    # buffers go into checkpoints, and load back
    state = TrainState({"layer": layer, "average": history}, {"opt": opt})
    save_checkpoint(tmp_path / "c.pt", state)
    fresh_layer = nn.Linear(2, 1)
    fresh = HistoricalAverage(fresh_layer, weight=1.0)
    load_checkpoint(tmp_path / "c.pt", TrainState({"layer": fresh_layer, "average": fresh}))
    assert int(fresh.count) == 4
    assert torch.allclose(torch.cat([a.flatten() for a in fresh.average]), mean, atol=1e-6)
    assert "weight" not in dict(history.named_parameters())  # the tracked parameters are not registered


def test_historical_average_bad_arguments():
    with pytest.raises(TypeError, match="module"):
        HistoricalAverage(lambda x: x, 1.0)
    with pytest.raises(ValueError, match="weight"):
        HistoricalAverage(nn.Linear(1, 1), -1.0)
    with pytest.raises(ValueError, match="no parameters"):
        HistoricalAverage(nn.ReLU(), 1.0)
    with pytest.raises(TypeError, match="optimizer"):
        HistoricalAverage(nn.Linear(1, 1), 1.0).attach("sgd")
    # weight 0 is allowed and switches the penalty off, even far from the average
    layer = nn.Linear(1, 1)
    off = HistoricalAverage(layer, 0.0)
    with torch.no_grad():
        layer.weight.add_(100.0)
    assert off.penalty().item() == 0.0
    assert HistoricalAverage(layer, 1.0).penalty().item() == 0.0  # a fresh average starts at the weights
