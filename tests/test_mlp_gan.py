import pytest
import torch
from torch import nn

from course_lib.adversarial import adversarial_step, make_adversarial_step_fn
from course_lib.data import InMemoryLoader
from course_lib.gan_tricks import HistoricalAverage, MinibatchStdDev, feature_matching_loss
from course_lib.models.mlp_gan import MLPDiscriminator, MLPGenerator
from course_lib.training import TrainState, train


def test_shapes_and_layers():
    g = MLPGenerator(latent_dim=3, out_dim=2, hidden=16, depth=2)
    d = MLPDiscriminator(in_dim=2, hidden=16, depth=2)
    x = g(torch.randn(5, 3))
    assert x.shape == (5, 2)
    assert d(x).shape == (5,)
    assert d.features(x).shape == (5, 16)
    n_g = (3 * 16 + 16) + (16 * 16 + 16) + (16 * 2 + 2)
    assert sum(p.numel() for p in g.parameters()) == n_g
    assert sum(isinstance(m, nn.ReLU) for m in g.modules()) == 2
    assert sum(isinstance(m, nn.LeakyReLU) for m in d.modules()) == 2


def test_minibatch_std_discriminator_sees_the_batch_spread():
    torch.manual_seed(0)
    d = MLPDiscriminator(in_dim=2, hidden=8, depth=2, minibatch_std=True)
    assert any(isinstance(m, MinibatchStdDev) for m in d.modules())
    assert d.body[3].in_features == 9  # the last hidden layer gets the extra feature
    x = torch.randn(6, 2)
    same_first = torch.cat([x[:1], 10 * torch.randn(5, 2)])
    assert not torch.allclose(d(x)[0], d(same_first)[0])  # example 0's logit depends on the rest of the batch
    shallow = MLPDiscriminator(in_dim=2, hidden=8, depth=1, minibatch_std=True)
    assert shallow.body[1].in_features == 3


def test_bad_arguments():
    with pytest.raises(ValueError, match="latent_dim"):
        MLPGenerator(0, 2)
    with pytest.raises(TypeError, match="minibatch_std"):
        MLPDiscriminator(2, minibatch_std=1)
    with pytest.raises(ValueError, match="z must have shape"):
        MLPGenerator(3, 2)(torch.randn(4, 2))
    with pytest.raises(ValueError, match="x must have shape"):
        MLPDiscriminator(2)(torch.randn(4, 3))


def test_penalties_are_added_to_the_losses_and_reported(make_players):
    g, d, g_opt, d_opt = make_players()
    real = torch.randn(8, 2)
    z = torch.randn(2, 8, 2)
    calls = iter(z)
    metrics = adversarial_step(g, d, g_opt, d_opt, real, lambda n: next(calls),
                               d_penalty=lambda: torch.tensor(3.0), g_penalty=lambda: torch.tensor(5.0))
    g2, d2, g_opt2, d_opt2 = make_players()
    calls = iter(z)
    plain = adversarial_step(g2, d2, g_opt2, d_opt2, real, lambda n: next(calls))
    # constant penalties change the reported totals but not the gradients
    assert metrics["d_loss"] == pytest.approx(plain["d_loss"] + 3.0, rel=1e-6)
    assert metrics["g_loss"] == pytest.approx(plain["g_loss"] + 5.0, rel=1e-6)
    for a, b in zip(list(g.parameters()) + list(d.parameters()), list(g2.parameters()) + list(d2.parameters())):
        assert torch.allclose(a, b)


def test_g_objective_replaces_the_generator_loss_with_d_frozen(make_players):
    g, d, g_opt, d_opt = make_players()
    seen = {}

    def objective(real, fake):
        seen["real"], seen["frozen"] = real.shape, not any(p.requires_grad for p in d.parameters())
        seen["value"] = feature_matching_loss(d.features(real), d.features(fake))
        return seen["value"]

    d_before_g = []
    g_opt.register_step_pre_hook(lambda *_: d_before_g.append([p.grad.clone() for p in d.parameters()]))
    d_after = []
    d_opt.register_step_post_hook(lambda *_: d_after.append([p.grad.clone() for p in d.parameters()]))
    metrics = adversarial_step(g, d, g_opt, d_opt, torch.randn(8, 2), lambda n: torch.randn(n, 2), g_objective=objective)
    assert (seen["real"], seen["frozen"]) == ((8, 2), True)
    assert all(torch.equal(a, b) for a, b in zip(d_before_g[0], d_after[-1]))  # D got no gradient from G's step
    assert all(p.requires_grad for p in d.parameters())
    assert metrics["g_loss"] == pytest.approx(seen["value"].item(), rel=1e-6)  # the objective is G's reported loss


def test_bad_extras(make_players):
    g, d, g_opt, d_opt = make_players()
    with pytest.raises(TypeError, match="d_penalty"):
        adversarial_step(g, d, g_opt, d_opt, torch.randn(4, 2), lambda n: torch.randn(n, 2), d_penalty=1.0)
    with pytest.raises(ValueError, match="g_objective"):
        adversarial_step(g, d, g_opt, d_opt, torch.randn(4, 2), lambda n: torch.randn(n, 2),
                         g_objective=lambda real, fake: fake.sum(1))
    with pytest.raises(TypeError, match="g_penalty"):
        make_adversarial_step_fn(g, d, g_opt, d_opt, lambda n: torch.randn(n, 2), g_penalty="no")


def test_all_tricks_train_and_resume_exactly(tmp_path, make_players):
    """A short run with every trick, interrupted and resumed, equals the uninterrupted run (CPU)."""
    data = torch.randn(512, 2, generator=torch.Generator().manual_seed(4)) + 2.0

    def run(path, stops):
        g, d, g_opt, d_opt = make_players(seed=1, minibatch_std=True)
        hd = HistoricalAverage(d, 0.01).attach(d_opt)
        hg = HistoricalAverage(g, 0.01).attach(g_opt)
        step = make_adversarial_step_fn(
            g, d, g_opt, d_opt, lambda n: torch.randn(n, 2), real_label=0.9, d_penalty=hd.penalty,
            g_penalty=hg.penalty,
            g_objective=lambda real, fake: feature_matching_loss(d.features(real), d.features(fake)))
        state = TrainState({"G": g, "D": d, "hd": hd, "hg": hg}, {"G": g_opt, "D": d_opt})
        loader = InMemoryLoader(data, batch_size=64, seed=0)
        torch.manual_seed(7)
        for stop in stops:
            train(step, loader, stop, state, checkpoint_path=path, checkpoint_every=5, progress=False)
        return torch.cat([p.detach().flatten() for p in list(g.parameters()) + list(d.parameters())]), hd

    whole, hd_whole = run(tmp_path / "a.pt", [20])
    resumed, hd_resumed = run(tmp_path / "b.pt", [10])
    resumed, hd_resumed = run(tmp_path / "b.pt", [20])
    assert torch.equal(whole, resumed)
    assert int(hd_whole.count) == int(hd_resumed.count) == 21
