import pytest
import torch
from torch import nn

from course_lib.adversarial import adversarial_step
from course_lib.data import InMemoryLoader, load_data
from course_lib.gan_training import LOSSES, GANRun, generate, make_fid_fn, train_gan
from course_lib.losses.wgan import gradient_penalty, wgan_critic_loss, wgan_generator_loss
from course_lib.models.dcgan import DCGANDiscriminator, DCGANGenerator, wgan_critic
from conftest import TanhMLPGenerator


def _toy(make_players, seed=0, loss="ns", lr=1e-3):
    players = make_players(seed=seed, latent_dim=3, lr=lr, optimizer="adam", tanh=True)
    data = torch.rand(64, 2, generator=torch.Generator().manual_seed(1)) * 0.5
    return (*players, InMemoryLoader(data, batch_size=8, seed=0))


def _params(module):
    return [p.detach().clone() for p in module.parameters()]


@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_every_named_loss_trains_and_logs_the_same_metrics(loss, make_players):
    generator, critic, g_opt, d_opt, loader = _toy(make_players, loss=loss)
    before = _params(generator)
    run = train_gan(generator, critic, g_opt, d_opt, loader, 4, loss=loss, log_every=1, progress=False,
                    clip=0.01 if loss == "wgan" else None)
    assert isinstance(run, GANRun)
    assert run.history.steps == [1, 2, 3, 4]
    assert set(run.history.keys()) == {"d_loss", "g_loss", "d_real", "d_fake", "w_estimate"}
    assert all(torch.isfinite(torch.tensor(run.history[k])).all() for k in run.history.keys())
    assert any(not torch.equal(a, b) for a, b in zip(before, generator.parameters()))
    if LOSSES[loss].scores == "logits":
        assert all(0.0 < p < 1.0 for p in run.history["d_real"])


def test_wgan_clipping_clamps_the_critic_and_never_the_generator(make_players):
    generator, critic, g_opt, d_opt, loader = _toy(make_players, loss="wgan", lr=0.5)
    train_gan(generator, critic, g_opt, d_opt, loader, 3, loss="wgan", clip=0.01, n_critic=2, progress=False)
    assert max(p.abs().max().item() for p in critic.parameters()) <= 0.01 + 1e-12
    assert max(p.abs().max().item() for p in generator.parameters()) > 0.05


def test_wgan_gp_adds_ten_times_the_gradient_penalty_by_default(make_players):
    generator, critic, g_opt, d_opt, _ = _toy(make_players)
    real = torch.rand(8, 2) * 0.5
    z = torch.randn(8, 3)
    sampler = lambda n: z[:n]  # noqa: E731
    torch.manual_seed(5)
    with torch.no_grad():
        fake = generator(z)
    expected = (wgan_critic_loss(critic(real), critic(fake)) + 10.0 * gradient_penalty(critic, real, fake)).item()
    torch.manual_seed(5)  # the same interpolation weights alpha inside adversarial_step
    metrics = adversarial_step(generator, critic, g_opt, d_opt, real, sampler, d_loss_fn=wgan_critic_loss,
                               g_loss_fn=wgan_generator_loss, gp_weight=10.0, scores="raw")
    assert metrics["d_loss"] == pytest.approx(expected, rel=1e-6)

    seen = []

    def d_loss_fn(real_scores, fake_scores):
        seen.append(1)
        return wgan_critic_loss(real_scores, fake_scores)

    generator, critic, g_opt, d_opt, loader = _toy(make_players)
    run_gp = train_gan(generator, critic, g_opt, d_opt, loader, 1, loss="wgan-gp", d_loss_fn=d_loss_fn,
                       log_every=1, progress=False)
    generator, critic, g_opt, d_opt, loader = _toy(make_players)
    run_no = train_gan(generator, critic, g_opt, d_opt, loader, 1, loss="wgan-gp", gp_weight=0.0,
                       log_every=1, progress=False)
    assert seen, "a custom d_loss_fn replaces the named loss"
    assert run_gp.history["d_loss"][0] > run_no.history["d_loss"][0]


def test_n_critic_splits_the_batch_into_one_chunk_per_critic_update(make_players):
    generator, critic, g_opt, d_opt, loader = _toy(make_players)
    sizes = []
    d_opt.register_step_pre_hook(lambda *_: sizes.append("d"))
    g_opt.register_step_pre_hook(lambda *_: sizes.append("g"))
    train_gan(generator, critic, g_opt, d_opt, loader, 2, n_critic=4, progress=False)
    assert "".join(sizes) == "ddddgddddg"


def test_samples_fid_and_ema_are_recorded_at_step_zero_every_n_steps_and_at_the_end(make_players):
    generator, critic, g_opt, d_opt, loader = _toy(make_players)
    calls = []

    def fid_fn(g):
        calls.append(g)
        return float(len(calls))

    run = train_gan(generator, critic, g_opt, d_opt, loader, 5, ema_decay=0.9, sample_every=2,
                    fid_fn=fid_fn, fid_every=3, progress=False)
    assert sorted(run.samples) == [0, 2, 4, 5]
    assert run.fid.steps == [0, 3, 5] and run.fid["fid"] == [1.0, 2.0, 3.0]
    assert all(g is run.generator_ema.module for g in calls), "FID is measured on the EMA generator"
    grid = run.samples[5]
    assert grid.shape == (64, 2) and grid.device.type == "cpu"
    assert 0.0 <= grid.min() and grid.max() <= 1.0
    assert not torch.equal(run.samples[0], grid)
    ema_params = list(run.generator_ema.module.parameters())
    assert any(not torch.equal(a, b) for a, b in zip(ema_params, generator.parameters()))
    assert torch.equal(run.sample(3, seed=1), run.sample(3, seed=1))
    assert run.sample(3, ema=False).shape == (3, 2)


def test_resume_from_a_checkpoint_reproduces_the_uninterrupted_run(tmp_path, make_players):
    def go(steps, path):
        generator, critic, g_opt, d_opt, loader = _toy(make_players)
        run = train_gan(generator, critic, g_opt, d_opt, loader, steps, loss="wgan-gp", n_critic=2,
                        ema_decay=0.9, sample_every=2, fid_fn=lambda g: float(g.net[0].weight.detach().sum()),
                        fid_every=2, checkpoint_path=path, checkpoint_every=2, log_every=1, progress=False)
        return run

    straight = go(6, tmp_path / "straight.pt")
    go(4, tmp_path / "resumed.pt")  # stops at a multiple of every N, then goes on to 6
    resumed = go(6, tmp_path / "resumed.pt")
    for a, b in zip(straight.generator.parameters(), resumed.generator.parameters()):
        assert torch.equal(a, b)
    for a, b in zip(straight.generator_ema.parameters(), resumed.generator_ema.parameters()):
        assert torch.equal(a, b)
    assert straight.history.metrics == resumed.history.metrics
    assert straight.fid.metrics == resumed.fid.metrics and straight.fid.steps == resumed.fid.steps
    assert sorted(straight.samples) == sorted(resumed.samples)
    assert all(torch.equal(straight.samples[k], resumed.samples[k]) for k in straight.samples)


def test_dcgan_with_bfloat16_autocast_and_channels_last_runs_on_cpu():
    torch.manual_seed(0)
    generator = DCGANGenerator(latent_dim=8, width=4)
    critic = wgan_critic(width=4)
    g_opt = torch.optim.Adam(generator.parameters(), 1e-4, betas=(0.0, 0.9))
    d_opt = torch.optim.Adam(critic.parameters(), 1e-4, betas=(0.0, 0.9))
    images = torch.rand(16, 1, 28, 28) * 2 - 1
    run = train_gan(generator, critic, g_opt, d_opt, InMemoryLoader(images, batch_size=8), 2, loss="wgan-gp",
                    n_critic=2, amp=True, channels_last=True, sample_every=1, log_every=1, progress=False)
    assert all(torch.isfinite(torch.tensor(run.history[k])).all() for k in run.history.keys())
    assert run.samples[2].dtype == torch.float32 and run.samples[2].shape == (64, 1, 28, 28)
    assert generator.net[0].weight.is_contiguous(memory_format=torch.channels_last)


def test_bad_arguments_are_named(make_players):
    generator, critic, g_opt, d_opt, loader = _toy(make_players)
    with pytest.raises(ValueError, match="loss"):
        train_gan(generator, critic, g_opt, d_opt, loader, 1, loss="wasserstein")
    with pytest.raises(ValueError, match="fid_fn and fid_every"):
        train_gan(generator, critic, g_opt, d_opt, loader, 1, fid_fn=lambda g: 0.0)
    with pytest.raises(ValueError, match="ema_decay"):
        train_gan(generator, critic, g_opt, d_opt, loader, 1, ema_decay=1.0)
    with pytest.raises(ValueError, match="n_critic"):
        train_gan(generator, critic, g_opt, d_opt, loader, 1, n_critic=0)
    with pytest.raises(TypeError, match="critic"):
        train_gan(generator, "critic", g_opt, d_opt, loader, 1)
    with pytest.raises(ValueError, match="latent_dim"):
        train_gan(nn.Linear(3, 2), critic, g_opt, d_opt, loader, 1)
    with pytest.raises(ValueError, match="gp_weight"):
        adversarial_step(generator, critic, g_opt, d_opt, torch.rand(4, 2), lambda n: torch.randn(n, 3),
                         gp_weight=-1.0)
    with pytest.raises(ValueError, match="scores"):
        adversarial_step(generator, critic, g_opt, d_opt, torch.rand(4, 2), lambda n: torch.randn(n, 3),
                         scores="probabilities")


class _Replay(nn.Module):
    """A 'generator' that returns stored images in [-1, 1], whatever the latent."""

    latent_dim = 4

    def __init__(self, images01):
        super().__init__()
        self.register_buffer("images", images01 * 2 - 1)
        self.anchor = nn.Parameter(torch.zeros(()))

    def forward(self, z):
        return self.images[: z.shape[0]]


def test_make_fid_fn_scores_real_digits_far_below_noise_and_repeats_exactly():
    train = load_data("mnist", "train", budget="fast").images[:600]
    test = load_data("mnist", "test", budget="fast").images[:600]
    fid = make_fid_fn(test, n_samples=500)
    real_like = fid(_Replay(train))
    noise = fid(_Replay(torch.rand(500, 1, 28, 28)))
    assert real_like < 0.1 * noise
    assert fid(_Replay(train)) == real_like
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        make_fid_fn(test * 2 - 1)
    with pytest.raises(ValueError, match="shape"):
        fid(TanhMLPGenerator(4, 2))


def test_generate_restores_the_mode_and_maps_to_unit_range():
    generator = DCGANGenerator(latent_dim=8, width=4)
    generator.train()
    images = generate(generator, torch.randn(5, 8), batch_size=2)
    assert generator.training
    assert images.shape == (5, 1, 28, 28) and 0.0 <= images.min() and images.max() <= 1.0
    with pytest.raises(TypeError, match="generator"):
        generate(lambda z: z, torch.randn(2, 8))
    critic = DCGANDiscriminator(width=4)
    assert critic(images * 2 - 1).shape == (5,)


@pytest.mark.parametrize("ema_decay", [None, 0.9])
def test_notebook_08_finds_dcgan_checkpoints_written_by_train_gan(tmp_path, ema_decay):
    from course_lib.evaluation import find_generators

    torch.manual_seed(0)
    generator, critic = DCGANGenerator(latent_dim=8, width=4), DCGANDiscriminator(width=4)
    g_opt = torch.optim.Adam(generator.parameters(), 2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(critic.parameters(), 2e-4, betas=(0.5, 0.999))
    images = torch.rand(16, 1, 28, 28) * 2 - 1
    train_gan(generator, critic, g_opt, d_opt, InMemoryLoader(images, batch_size=8), 2, ema_decay=ema_decay,
              checkpoint_path=tmp_path / "04_dcgan_fast.pt", checkpoint_every=1, progress=False)
    (found,) = find_generators("fast", [tmp_path])
    assert found.label.startswith("DCGAN (notebook 04)")
    samples = found.sample(5, torch.Generator().manual_seed(0))
    assert samples.shape == (5, 1, 28, 28) and 0.0 <= samples.min() and samples.max() <= 1.0


def test_reuse_fake_is_the_pytorch_examples_step_with_one_generator_forward(make_players):
    import torch.nn.functional as F

    generator, critic, g_opt, d_opt, _ = _toy(make_players)
    ref_g, ref_d, ref_g_opt, ref_d_opt, _ = _toy(make_players)
    real, z = torch.rand(8, 2), torch.randn(8, 3)
    calls = []

    def sampler(n):
        calls.append(n)
        return z

    adversarial_step(generator, critic, g_opt, d_opt, real, sampler, reuse_fake=True)
    assert calls == [8], "one latent batch, one generator forward per step"

    # pytorch/examples dcgan/main.py: D on real, one G forward, D on fake.detach(), then G through D(fake)
    ref_d_opt.zero_grad()
    fake = ref_g(z)
    d_loss = (F.binary_cross_entropy_with_logits(ref_d(real), torch.ones(8))
              + F.binary_cross_entropy_with_logits(ref_d(fake.detach()), torch.zeros(8)))
    d_loss.backward()
    ref_d_opt.step()
    ref_g_opt.zero_grad()
    F.binary_cross_entropy_with_logits(ref_d(fake), torch.ones(8)).backward()
    ref_g_opt.step()
    for mine, ref in ((generator, ref_g), (critic, ref_d)):
        for a, b in zip(mine.parameters(), ref.parameters()):
            torch.testing.assert_close(a, b)

    with pytest.raises(ValueError, match="reuse_fake"):
        adversarial_step(generator, critic, g_opt, d_opt, real, sampler, n_critic=2, reuse_fake=True)
    generator, critic, g_opt, d_opt, loader = _toy(make_players)
    with pytest.raises(ValueError, match="reuse_fake"):
        train_gan(generator, critic, g_opt, d_opt, loader, 1, n_critic=5, reuse_fake=True)


def test_callback_sees_the_run_after_every_step(make_players):
    generator, critic, g_opt, d_opt, loader = _toy(make_players)
    seen = []
    run = train_gan(generator, critic, g_opt, d_opt, loader, 4, progress=False,
                    callback=lambda r: seen.append((r.state.step, r.generator is generator)))
    assert seen == [(1, True), (2, True), (3, True), (4, True)] and run.state.step == 4
    with pytest.raises(TypeError, match="callback must be callable"):
        train_gan(generator, critic, g_opt, d_opt, loader, 1, progress=False, callback="every step")
