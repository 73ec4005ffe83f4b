import pytest
import torch
from torch import nn

from course_lib.adversarial import adversarial_step, make_adversarial_step_fn
from course_lib.data import InMemoryLoader
from course_lib.losses.gan import discriminator_loss, generator_loss_saturating
from course_lib.training import TrainState, train

LATENT = 3


def _sampler(seed=1):
    g = torch.Generator().manual_seed(seed)
    return lambda n: torch.randn(n, LATENT, generator=g)


def _real(n=12, seed=2):
    return torch.randn(n, 2, generator=torch.Generator().manual_seed(seed)) + 3.0


def _snapshot(module):
    return [p.detach().clone() for p in module.parameters()]


def _grads(module):
    return [None if p.grad is None else p.grad.detach().clone() for p in module.parameters()]


def _same(a, b):
    return all((x is None and y is None) or (x is not None and y is not None and torch.equal(x, y))
               for x, y in zip(a, b))


class _Recorder:
    """Hooks on both optimisers: what each player and its opponent look like at every step."""

    def __init__(self, generator, discriminator, g_opt, d_opt):
        self.events = []
        self.g, self.d = generator, discriminator
        d_opt.register_step_pre_hook(lambda *_: self._pre("d"))
        d_opt.register_step_post_hook(lambda *_: self._post("d"))
        g_opt.register_step_pre_hook(lambda *_: self._pre("g"))

    def _pre(self, who):
        self.events.append({"who": who, "g_params": _snapshot(self.g), "g_grads": _grads(self.g),
                            "d_params": _snapshot(self.d), "d_grads": _grads(self.d)})

    def _post(self, who):
        self.events[-1]["d_params_after"] = _snapshot(self.d)

    @property
    def order(self):
        return "".join(e["who"] for e in self.events)


@pytest.mark.parametrize("k", [1, 3])
def test_k_discriminator_steps_then_one_generator_step_each_with_the_other_frozen(k, make_players):
    generator, discriminator, g_opt, d_opt = make_players(latent_dim=LATENT, hidden=8, depth=1, lr=0.1)
    rec = _Recorder(generator, discriminator, g_opt, d_opt)
    g0, d0 = _snapshot(generator), _snapshot(discriminator)

    metrics = adversarial_step(generator, discriminator, g_opt, d_opt, _real(), _sampler(), n_critic=k)

    assert rec.order == "d" * k + "g"
    d_events, g_event = rec.events[:k], rec.events[k]
    for event in d_events:
        # G is untouched and receives no gradient while D trains
        assert _same(event["g_params"], g0)
        assert all(grad is None for grad in event["g_grads"])
        assert all(grad is not None for grad in event["d_grads"])
    assert not _same(d_events[-1]["d_params_after"], d0)  # D did move
    # the G step sees D exactly as the last D step left it, gradients included ...
    assert _same(g_event["d_params"], d_events[-1]["d_params_after"])
    assert _same(g_event["d_grads"], d_events[-1]["d_grads"])
    assert all(grad is not None for grad in g_event["g_grads"])
    # ... and leaves it so: D's parameters and gradients are unchanged by the G step
    assert _same(_snapshot(discriminator), d_events[-1]["d_params_after"])
    assert _same(_grads(discriminator), d_events[-1]["d_grads"])
    assert not _same(_snapshot(generator), g0)  # G did move
    assert all(p.requires_grad for p in discriminator.parameters())
    assert set(metrics) == {"d_loss", "g_loss", "d_real", "d_fake", "w_estimate"}
    assert all(isinstance(v, float) for v in metrics.values())
    assert 0.0 < metrics["d_real"] < 1.0 and 0.0 < metrics["d_fake"] < 1.0


def test_stale_generator_gradients_are_not_touched_by_the_discriminator_steps(make_players):
    generator, discriminator, g_opt, d_opt = make_players(latent_dim=LATENT, hidden=8, depth=1, lr=0.1)
    sampler = _sampler()
    adversarial_step(generator, discriminator, g_opt, d_opt, _real(), sampler)
    after_first = _grads(generator)  # left over from the first G step
    rec = _Recorder(generator, discriminator, g_opt, d_opt)
    adversarial_step(generator, discriminator, g_opt, d_opt, _real(seed=5), sampler, n_critic=2)
    for event in rec.events[:2]:
        assert _same(event["g_grads"], after_first)


def test_the_real_batch_is_split_into_k_chunks_and_latents_match(make_players):
    generator, discriminator, g_opt, d_opt = make_players(latent_dim=LATENT, hidden=8, depth=1, lr=0.1)
    seen_real, latent_sizes = [], []
    base = _sampler()

    def sampler(n):
        latent_sizes.append(n)
        return base(n)

    def d_loss_fn(real_logits, fake_logits):
        seen_real.append(real_logits.shape[0])
        assert fake_logits.shape[0] == real_logits.shape[0]
        return discriminator_loss(real_logits, fake_logits)

    adversarial_step(generator, discriminator, g_opt, d_opt, _real(10), sampler, n_critic=3, d_loss_fn=d_loss_fn)
    assert seen_real == [4, 3, 3]  # torch.tensor_split: sizes differ by at most one, all 10 used
    assert latent_sizes == [4, 3, 3, 4]  # the G step draws ceil(10 / 3) latents


def test_returned_metrics_are_the_losses_of_the_forward_passes(make_players):
    # with lr = 0 nothing moves, so every number can be recomputed from the same latents
    generator, discriminator, g_opt, d_opt = make_players(latent_dim=LATENT, hidden=8, depth=1, lr=0.0)
    latents = torch.randn(2, 6, LATENT, generator=torch.Generator().manual_seed(9))
    calls = iter(latents)
    real = _real(6)
    metrics = adversarial_step(generator, discriminator, g_opt, d_opt, real, lambda n: next(calls),
                               g_loss_fn=generator_loss_saturating)
    with torch.no_grad():
        real_logits = discriminator(real)
        fake_logits = discriminator(generator(latents[0]))
        g_logits = discriminator(generator(latents[1]))
    assert metrics["d_loss"] == pytest.approx(discriminator_loss(real_logits, fake_logits).item(), rel=1e-6)
    assert metrics["g_loss"] == pytest.approx(generator_loss_saturating(g_logits).item(), rel=1e-6)
    assert metrics["d_real"] == pytest.approx(torch.sigmoid(real_logits).mean().item(), rel=1e-6)
    assert metrics["d_fake"] == pytest.approx(torch.sigmoid(fake_logits).mean().item(), rel=1e-6)


def test_real_label_is_passed_to_the_discriminator_loss_only_when_smoothing(make_players):
    generator, discriminator, g_opt, d_opt = make_players(latent_dim=LATENT, hidden=8, depth=1, lr=0.1)
    received = []

    def d_loss_fn(real_logits, fake_logits, **kwargs):
        received.append(kwargs)
        return discriminator_loss(real_logits, fake_logits, **kwargs)

    adversarial_step(generator, discriminator, g_opt, d_opt, _real(), _sampler(), d_loss_fn=d_loss_fn)
    adversarial_step(generator, discriminator, g_opt, d_opt, _real(), _sampler(), d_loss_fn=d_loss_fn,
                     real_label=0.9)
    assert received == [{}, {"real_label": 0.9}]


def test_requires_grad_flags_are_restored_even_when_the_generator_loss_fails(make_players):
    generator, discriminator, g_opt, d_opt = make_players(latent_dim=LATENT, hidden=8, depth=1, lr=0.1)
    frozen = discriminator.body[0].bias
    frozen.requires_grad_(False)  # a user-frozen parameter must stay frozen

    def broken(fake_logits):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        adversarial_step(generator, discriminator, g_opt, d_opt, _real(), _sampler(), g_loss_fn=broken)
    assert [p.requires_grad for p in discriminator.parameters()] == [True, False, True, True]
    adversarial_step(generator, discriminator, g_opt, d_opt, _real(), _sampler())
    assert [p.requires_grad for p in discriminator.parameters()] == [True, False, True, True]


def test_step_fn_trains_a_1d_gan_with_the_training_loop():
    torch.manual_seed(0)
    generator = nn.Linear(1, 1)  # G(z) = a z + b can match N(3, 0.5^2) exactly
    discriminator = nn.Sequential(nn.Linear(1, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
    g_opt = torch.optim.Adam(generator.parameters(), lr=2e-2, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(discriminator.parameters(), lr=2e-2, betas=(0.5, 0.999))
    data = 3.0 + 0.5 * torch.randn(4_096, 1, generator=torch.Generator().manual_seed(1))
    loader = InMemoryLoader(data, torch.zeros(4_096), batch_size=128, seed=0)  # (x, y) batches
    step_fn = make_adversarial_step_fn(generator, discriminator, g_opt, d_opt,
                                       lambda n: torch.randn(n, 1), n_critic=1, real_label=0.9)
    state = TrainState(modules={"G": generator, "D": discriminator}, optimizers={"G": g_opt, "D": d_opt})
    with torch.no_grad():
        start_mean = generator(torch.randn(20_000, 1)).mean().item()
    history = train(step_fn, loader, 300, state, progress=False)
    assert len(history) == 300 and set(history.keys()) == {"d_loss", "g_loss", "d_real", "d_fake", "w_estimate"}
    with torch.no_grad():
        fake = generator(torch.randn(20_000, 1))
    assert abs(start_mean - 3.0) > 2.0
    assert abs(fake.mean().item() - 3.0) < 0.25
    # the spread oscillates around 0.5 under GAN dynamics rather than settling: a loose band
    assert 0.2 < fake.std().item() < 1.0


def test_step_fn_rejects_bad_batches(make_players):
    generator, discriminator, g_opt, d_opt = make_players(latent_dim=LATENT, hidden=8, depth=1, lr=0.1)
    step_fn = make_adversarial_step_fn(generator, discriminator, g_opt, d_opt, _sampler())
    assert set(step_fn((_real(),))) == {"d_loss", "g_loss", "d_real", "d_fake", "w_estimate"}
    with pytest.raises(TypeError, match="batch"):
        step_fn(_real())  # a bare tensor, not a tuple
    with pytest.raises(TypeError, match="batch"):
        step_fn(())
    with pytest.raises(TypeError, match=r"batch\[0\]"):
        step_fn((torch.zeros(4, 2, dtype=torch.long),))


def test_bad_arguments(make_players):
    generator, discriminator, g_opt, d_opt = make_players(latent_dim=LATENT, hidden=8, depth=1, lr=0.1)
    real, sampler = _real(), _sampler()

    def step(**overrides):
        kwargs = dict(generator=generator, discriminator=discriminator, g_opt=g_opt, d_opt=d_opt,
                      real_batch=real, latent_sampler=sampler)
        kwargs.update(overrides)
        return adversarial_step(**kwargs)

    with pytest.raises(TypeError, match="generator"):
        step(generator=lambda z: z)
    with pytest.raises(TypeError, match="discriminator"):
        step(discriminator=None)
    with pytest.raises(TypeError, match="g_opt"):
        step(g_opt="sgd")
    with pytest.raises(TypeError, match="d_opt"):
        step(d_opt=None)
    with pytest.raises(ValueError, match="g_opt and d_opt"):
        step(d_opt=g_opt)
    with pytest.raises(TypeError, match="latent_sampler"):
        step(latent_sampler=torch.randn(4, LATENT))
    with pytest.raises(TypeError, match="real_batch"):
        step(real_batch=real.numpy())
    with pytest.raises(ValueError, match="real_batch"):
        step(real_batch=real[:2], n_critic=3)
    with pytest.raises(ValueError, match="n_critic"):
        step(n_critic=0)
    with pytest.raises(TypeError, match="n_critic"):
        step(n_critic=1.0)
    with pytest.raises(TypeError, match="d_loss_fn"):
        step(d_loss_fn="bce")
    with pytest.raises(TypeError, match="g_loss_fn"):
        step(g_loss_fn=None)
    with pytest.raises(ValueError, match="real_label"):
        step(real_label=1.5)
    with pytest.raises(ValueError, match=r"latent_sampler\(n\)"):
        step(latent_sampler=lambda n: torch.randn(n + 1, LATENT))
    with pytest.raises(TypeError, match=r"latent_sampler\(n\)"):
        step(latent_sampler=lambda n: [0.0] * n)
    with pytest.raises(ValueError, match="d_loss_fn"):
        step(d_loss_fn=lambda r, f: torch.zeros(2, requires_grad=True))
    with pytest.raises(ValueError, match="g_loss_fn"):
        step(g_loss_fn=lambda f: f)
    with pytest.raises(TypeError, match="discriminator"):
        make_adversarial_step_fn(generator, "D", g_opt, d_opt, sampler)
    with pytest.raises(ValueError, match="n_critic"):
        make_adversarial_step_fn(generator, discriminator, g_opt, d_opt, sampler, n_critic=-1)
    with pytest.raises(ValueError, match="real_label"):
        make_adversarial_step_fn(generator, discriminator, g_opt, d_opt, sampler, real_label=0.0)
