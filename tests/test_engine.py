"""The training engine's guarantees: checked resume, the EMA generator, the gradient penalty
in float32, a batch per critic step, configs that rebuild models, host syncs only when logging."""
import math
import os

import pytest
import torch
from torch import nn

from course_lib import seed_everything
from course_lib.adversarial import adversarial_step, adversarial_step_tensors
from course_lib.data import InMemoryLoader
from course_lib.gan_training import make_ema, recompute_bn_stats, train_gan
from course_lib.evaluation import GENERATORS, find_generators
from course_lib.models import MODEL_CLASSES, build_model, model_spec
from course_lib.models.dcgan import DCGANDiscriminator, DCGANGenerator, wgan_critic
from course_lib.models.vae import VAE
from course_lib.training import TrainState, check_resumable, train


def _regression(width=8, lr=0.1, betas=(0.9, 0.999), seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, width), nn.ReLU(), nn.Linear(width, 1))
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=betas)
    x = torch.randn(64, 3)
    y = x.sum(1, keepdim=True)
    loader = InMemoryLoader(x, y, batch_size=16, seed=0)

    def step(batch):
        xb, yb = batch
        loss = nn.functional.mse_loss(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return {"loss": loss.detach()}

    return model, opt, loader, step


def _run(tmp_path, steps, **kwargs):
    model, opt, loader, step = _regression(**kwargs)
    state = TrainState({"model": model}, {"opt": opt}, config={"what": "regression"})
    train(step, loader, steps, state, checkpoint_path=tmp_path / "run.pt", progress=False)
    return state


# ------------------------------------------------------------------------------ checked resume
def test_a_checkpoint_path_alone_saves_and_the_resume_says_so(tmp_path, capsys):
    _run(tmp_path, 3)
    assert (tmp_path / "run.pt").is_file()
    assert torch.load(tmp_path / "run.pt", weights_only=True)["step"] == 3
    state = _run(tmp_path, 5)
    out = capsys.readouterr().out
    assert f"resumed at step 3 of 5 from {tmp_path / 'run.pt'}" in out
    assert state.step == 5 and state.history.steps == [1, 2, 3, 4, 5]
    _run(tmp_path, 5)
    assert "holds a finished run (step 5 of 5): nothing to train" in capsys.readouterr().out


def test_resumed_run_equals_the_uninterrupted_one(tmp_path):
    _run(tmp_path, 2)
    resumed = _run(tmp_path, 6)
    whole = _run(tmp_path / "whole", 6)
    assert resumed.history["loss"] == whole.history["loss"]


@pytest.mark.parametrize("change, named", [
    ({"lr": 0.01}, "optimizers.opt.param_groups"),
    ({"betas": (0.5, 0.999)}, "betas"),
    ({"width": 16}, "modules.model.shapes.0.weight"),
])
def test_a_resume_with_another_configuration_refuses_and_names_the_difference(tmp_path, change, named):
    _run(tmp_path, 2)
    with pytest.raises(ValueError, match="another configuration") as error:
        _run(tmp_path, 4, **change)
    assert named in str(error.value)
    assert "Delete it, or choose another checkpoint_path" in str(error.value)


def test_a_checkpoint_past_the_requested_steps_refuses(tmp_path):
    _run(tmp_path, 4)
    with pytest.raises(ValueError, match="at step 4, past num_steps = 2"):
        _run(tmp_path, 2)


def test_check_resumable_names_config_entries_and_rejects_checkpoints_without_one():
    stored = {"modules": {}, "optimizers": {}, "config": {"loss": "ns", "n_critic": 1}}
    current = {"modules": {}, "optimizers": {}, "config": {"loss": "wgan", "n_critic": 1}}
    with pytest.raises(ValueError, match=r"config\.loss: 'ns' in the checkpoint, 'wgan' now"):
        check_resumable(stored, current)
    check_resumable(stored, stored)
    with pytest.raises(ValueError, match="holds no run configuration"):
        check_resumable(None, current)


def _images():
    return torch.rand(96, 1, 28, 28, generator=torch.Generator().manual_seed(1)) * 2 - 1


def _gan(tmp_path, steps, *, loss="ns", n_critic=1, critic_batches="split", ema_decay=None, **extra):
    seed_everything(0)
    g = DCGANGenerator(latent_dim=8, width=4)
    d = DCGANDiscriminator(width=4)
    g_opt = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
    loader = InMemoryLoader(_images(), batch_size=8 * (n_critic if critic_batches == "split" else 1), seed=0)
    return train_gan(g, d, g_opt, d_opt, loader, steps, loss=loss, n_critic=n_critic,
                     critic_batches=critic_batches, ema_decay=ema_decay, progress=False, log_every=1,
                     checkpoint_path=None if tmp_path is None else tmp_path / "gan.pt", **extra)


def test_a_gan_resume_with_another_loss_or_n_critic_refuses(tmp_path):
    _gan(tmp_path, 1)
    with pytest.raises(ValueError, match=r"config\.loss: 'ns' in the checkpoint, 'lsgan' now"):
        _gan(tmp_path, 2, loss="lsgan")
    with pytest.raises(ValueError, match=r"config\.n_critic"):
        _gan(tmp_path, 2, n_critic=2)
    assert _gan(tmp_path, 2).state.step == 2


# ------------------------------------------------------------------------------ the EMA generator
def test_ema_starts_at_the_step_1_weights_and_warms_up():
    torch.manual_seed(0)
    model = nn.Linear(2, 2)
    ema = make_ema(model, 0.999)
    weights = []
    for n in range(4):
        with torch.no_grad():
            model.weight.add_(1.0)
        weights.append(model.weight.detach().clone())
        ema.update_parameters(model)
        if n == 0:
            torch.testing.assert_close(ema.module.weight, weights[0])  # a copy of the step-1 weights
    expected = weights[0]
    for n in range(1, 4):
        d = min(0.999, (1 + n) / (10 + n))
        expected = d * expected + (1 - d) * weights[n]
    torch.testing.assert_close(ema.module.weight, expected)
    no_warmup = make_ema(nn.Linear(2, 2), 0.9, warmup=False)
    assert no_warmup is not None
    with pytest.raises(ValueError, match="decay must lie in"):
        make_ema(model, 1.0)


def test_ema_updates_read_nothing_on_the_host_after_the_first(monkeypatch):
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    ema = make_ema(model, 0.999)
    ema.update_parameters(model)  # the first update may read n_averaged once

    def no_host_read(self):
        raise AssertionError("a tensor was read on the host during an EMA update")

    monkeypatch.setattr(torch.Tensor, "__bool__", no_host_read)
    monkeypatch.setattr(torch.Tensor, "item", no_host_read)
    monkeypatch.setattr(torch.Tensor, "tolist", no_host_read)
    for _ in range(3):
        ema.update_parameters(model)
    monkeypatch.undo()
    assert int(ema.n_averaged) == 4
    restored = make_ema(model, 0.999)
    restored.load_state_dict(ema.state_dict())
    with torch.no_grad():
        model[0].weight.add_(1.0)
    restored.update_parameters(model)  # resumed: averages (warm-up d = 14/15 at n = 4), no fresh copy
    assert not torch.allclose(restored.module[0].weight, model[0].weight)


def test_recompute_bn_stats_measures_the_generator_s_own_batch_statistics():
    torch.manual_seed(0)
    g = DCGANGenerator(latent_dim=8, width=4).eval()
    first_bn = g.net[1]
    first_bn.running_mean.fill_(123.0)
    recompute_bn_stats(g, 8, n_batches=3, batch_size=16, seed=5)
    latents = torch.Generator().manual_seed(5)
    z = torch.cat([torch.randn(16, 8, generator=latents) for _ in range(3)])
    with torch.no_grad():
        h = g.net[0](z.view(-1, 8, 1, 1))  # the layer before the first batch norm
    # Three equal batches: the cumulative average of their means is the mean over all of them.
    torch.testing.assert_close(first_bn.running_mean, h.mean(dim=(0, 2, 3)), rtol=1e-5, atol=1e-6)
    assert not g.training
    assert first_bn.momentum == 0.1


def test_the_ema_generator_of_a_run_has_statistics_of_its_own(tmp_path):
    run = _gan(None, 3, ema_decay=0.999, sample_every=3)
    live, ema = run.generator.net[1].running_mean, run.generator_ema.module.net[1].running_mean
    assert not torch.allclose(live, ema)
    expected = recompute_bn_stats(DCGANGenerator(latent_dim=8, width=4), 8)  # same procedure on a copy
    expected.load_state_dict(run.generator_ema.module.state_dict())
    recompute_bn_stats(expected, 8)
    torch.testing.assert_close(ema, expected.net[1].running_mean)


# ------------------------------------------------------------------------------ penalty, critic batches
def test_the_gradient_penalty_runs_in_float32_outside_autocast():
    torch.manual_seed(0)
    g, critic = DCGANGenerator(latent_dim=8, width=4), wgan_critic(width=4)
    seen = []
    critic.net[0].register_forward_pre_hook(
        lambda module, args: seen.append((torch.is_autocast_enabled("cpu"), args[0].dtype)))
    opt = lambda m: torch.optim.Adam(m.parameters(), 1e-4, betas=(0.0, 0.9))  # noqa: E731
    adversarial_step(g, critic, opt(g), opt(critic), torch.rand(8, 1, 28, 28) * 2 - 1,
                     lambda n: torch.randn(n, 8), gp_weight=10.0, scores="raw", autocast_dtype=torch.bfloat16)
    real_pass, fake_pass, penalty_pass = seen[:3]
    assert real_pass[0] and fake_pass[0], "the critic's own passes run under autocast"
    assert penalty_pass == (False, torch.float32)


def test_a_batch_norm_critic_with_a_gradient_penalty_warns():
    with pytest.warns(UserWarning, match="the critic has batch norm and a gradient penalty"):
        _gan(None, 1, loss="wgan-gp")


def test_fresh_critic_batches_give_every_critic_step_a_loader_batch(monkeypatch):
    import course_lib.adversarial as adversarial

    seen = []
    real_step = adversarial.adversarial_step_tensors
    monkeypatch.setattr(adversarial, "adversarial_step_tensors",
                        lambda *a, **k: seen.append(a[4].clone()) or real_step(*a, **k))
    _gan(None, 2, loss="wgan", n_critic=3, critic_batches="fresh", clip=0.01)
    stream = InMemoryLoader(_images(), batch_size=8, seed=0).batches(0)
    batches = [next(stream)[0] for _ in range(6)]
    assert [tuple(x.shape) for x in seen] == [(24, 1, 28, 28)] * 2
    torch.testing.assert_close(seen[1], torch.cat(batches[3:6]))
    with pytest.raises(ValueError, match="critic_batches"):
        _gan(None, 1, critic_batches="chunks")


# ------------------------------------------------------------------------------ models from configs
@pytest.mark.parametrize("model", [DCGANGenerator(16, 1, 8), DCGANDiscriminator(3, 8, 64, "layer"),
                                   VAE(4, 32)], ids=lambda m: type(m).__name__)
def test_models_are_rebuilt_from_their_stored_arguments(model):
    rebuilt = build_model(model_spec(model))
    assert type(rebuilt) is type(model)
    rebuilt.load_state_dict(model.state_dict())  # same architecture, weight for weight


def test_build_model_rejects_what_it_cannot_rebuild():
    with pytest.raises(ValueError, match="cannot be rebuilt"):
        model_spec(VAE(4, 32, encoder=nn.Identity()))
    with pytest.raises(ValueError, match="spec\\['class'\\] must be one of"):
        build_model({"class": "ResNet", "model_args": {}})
    assert "DCGANGenerator" in MODEL_CLASSES


def test_notebook_08_finds_a_gan_checkpoint_by_its_stored_arguments(tmp_path):
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    run = _gan(folder, 2, ema_decay=0.999)
    os.replace(folder / "gan.pt", folder / "04_dcgan_fast.pt")
    found = find_generators("fast", folders=[folder], specs=GENERATORS)
    assert [f.path.name for f in found] == ["04_dcgan_fast.pt"]
    samples = found[0].sample(5, torch.Generator().manual_seed(0))
    assert samples.shape == (5, 1, 28, 28)
    stored = torch.load(folder / "04_dcgan_fast.pt", weights_only=True)["run_config"]["modules"]["generator"]
    assert stored["model_args"] == run.generator.model_args


# ------------------------------------------------------------------------------ host syncs, seeding
def test_the_step_returns_device_tensors_and_the_public_step_floats(make_players):
    g, d, g_opt, d_opt = make_players()
    x = torch.randn(8, 2)
    values = adversarial_step_tensors(g, d, g_opt, d_opt, x, lambda n: torch.randn(n, 2))
    assert all(isinstance(v, torch.Tensor) and v.ndim == 0 and not v.requires_grad for v in values.values())
    floats = adversarial_step(g, d, g_opt, d_opt, x, lambda n: torch.randn(n, 2))
    assert all(isinstance(v, float) and math.isfinite(v) for v in floats.values())


def test_seed_everything_leaves_pythonhashseed_alone(monkeypatch):
    monkeypatch.delenv("PYTHONHASHSEED", raising=False)
    seed_everything(3)
    assert "PYTHONHASHSEED" not in os.environ


def test_the_metric_mathematics_does_not_import_the_training_loop():
    import subprocess
    import sys

    code = ("import sys, course_lib.metrics; print('course_lib.gan_training' in sys.modules); "
            "import course_lib.gan_training; print('course_lib.evaluation' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]
