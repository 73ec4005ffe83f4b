"""ProGAN and StyleGAN parts (course_lib.style_ops, models.progan, models.stylegan) and the stylegan recipe."""
from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from course_lib import style_ops
from course_lib.data import InMemoryLoader
from course_lib.gan_tricks import minibatch_stddev as tricks_minibatch_stddev
from course_lib.gan_training import train_gan
from course_lib.models import build_model, model_spec
from course_lib.models.progan import (EqualizedConv2d, EqualizedLinear, ProDiscriminator, ProGenerator,
                                      ProgressiveLoader, ProgressiveSchedule)
from course_lib.models.stylegan import (AdaIN, MappingNetwork, StyleGenerator, load_pretrained_stylegan,
                                        pretrained_stylegan_record)
from course_lib.recipes import default_config


# ------------------------------------------------------------------------------------------- style_ops
def test_pixel_norm_gives_unit_rms_over_channels_only():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(4, 16, 5, 5, generator=g) * (torch.rand(4, 1, 5, 5, generator=g) + 0.1) * 50
    out = style_ops.pixel_norm(x)
    assert torch.allclose(out.pow(2).mean(1), torch.ones(4, 5, 5), atol=1e-5)
    assert torch.allclose(style_ops.pixel_norm(x[:, :, 0, 0]), out[:, :, 0, 0])
    with pytest.raises(ValueError, match="x must have 2 or 4 dimensions"):
        style_ops.pixel_norm(torch.randn(3, 4, 5))
    with pytest.raises(ValueError, match="eps must be >= 0"):
        style_ops.pixel_norm(x, eps=-1.0)


def test_pixel_norm_puts_eps_inside_the_root():
    x = torch.tensor([[3.0, 4.0]])
    assert torch.allclose(style_ops.pixel_norm(x, eps=0.5), x / math.sqrt(13.0))


def test_minibatch_stddev_matches_gan_tricks_and_groups_of_min_4_n():
    x = torch.randn(8, 3, 4, 4, dtype=torch.float64)
    assert torch.allclose(style_ops.minibatch_stddev(x, 4), tricks_minibatch_stddev(x, 4))
    small = torch.randn(3, 2, 2, 2, dtype=torch.float64)
    assert torch.allclose(style_ops.minibatch_stddev(small, 4), tricks_minibatch_stddev(small, 3))
    # By hand: values 1 and 3 -> biased std 1.
    out = style_ops.minibatch_stddev(torch.tensor([1.0, 3.0]).view(2, 1, 1, 1))
    assert torch.allclose(out[:, 1].flatten(), torch.full((2,), math.sqrt(1 + 1e-8)))
    collapsed = style_ops.minibatch_stddev(torch.ones(4, 2, 3, 3))
    assert torch.allclose(collapsed[:, -1], torch.full((4, 3, 3), 1e-4))
    with pytest.raises(ValueError, match="divisible by the group size"):
        style_ops.minibatch_stddev(torch.randn(6, 2, 3, 3), 4)


def test_fade_in_is_the_old_output_at_0_and_the_new_at_1():
    old, new = torch.randn(2, 3, 7, 7), torch.randn(2, 3, 14, 14)
    assert torch.equal(style_ops.fade_in(old, new, 0.0), F.interpolate(old, scale_factor=2, mode="nearest"))
    assert torch.equal(style_ops.fade_in(old, new, 1.0), new)
    mid = style_ops.fade_in(old, new, 0.3)
    assert torch.allclose(mid, 0.7 * F.interpolate(old, scale_factor=2) + 0.3 * new, atol=1e-6)
    x = torch.rand(2, 1, 28, 28)
    assert torch.allclose(style_ops.fade_real(x, 0.25),
                          0.75 * F.interpolate(F.avg_pool2d(x, 2), scale_factor=2) + 0.25 * x, atol=1e-6)
    with pytest.raises(ValueError, match="alpha must lie in"):
        style_ops.fade_in(old, new, 1.5)
    with pytest.raises(ValueError, match="resolution of new or half"):
        style_ops.fade_in(torch.randn(2, 3, 5, 5), new, 0.5)
    with pytest.raises(ValueError, match="even height and width"):
        style_ops.downsample(torch.randn(1, 1, 7, 7))


@pytest.mark.parametrize("kind", style_ops.NORMS)
def test_normalize_agrees_with_torch(kind):
    x = torch.randn(6, 8, 5, 4, dtype=torch.float64) * 3 + 1
    expected = {"batch": lambda: F.batch_norm(x, None, None, training=True), "layer": lambda: F.layer_norm(x, x.shape[1:]),
                "instance": lambda: F.instance_norm(x), "group": lambda: F.group_norm(x, 4)}[kind]()
    assert torch.allclose(style_ops.normalize(x, kind, groups=4), expected, atol=1e-10)


def test_normalize_rejects_bad_groups_and_kinds():
    x = torch.randn(2, 6, 3, 3)
    with pytest.raises(ValueError, match="groups is needed"):
        style_ops.normalize(x, "group")
    with pytest.raises(ValueError, match="divisible by groups"):
        style_ops.normalize(x, "group", groups=4)
    with pytest.raises(ValueError, match="kind must be one of"):
        style_ops.normalize(x, "weight")


def test_instance_norm_forgets_contrast_and_brightness():
    x = torch.rand(3, 2, 8, 8, dtype=torch.float64)
    assert torch.allclose(style_ops.instance_norm(3 * x - 0.7, eps=0.0), style_ops.instance_norm(x, eps=0.0))


def test_adain_sets_channel_mean_and_spread():
    x = torch.randn(4, 5, 9, 9, dtype=torch.float64) * 4 + 2
    scale, bias = torch.randn(4, 5, dtype=torch.float64), torch.randn(4, 5, dtype=torch.float64)
    out = style_ops.adain(x, scale, bias, eps=0.0)
    assert torch.allclose(out.mean((2, 3)), bias)
    assert torch.allclose(out.std((2, 3), unbiased=False), (1 + scale).abs())
    with pytest.raises(ValueError, match="scale must have shape"):
        style_ops.adain(x, scale[:, :3], bias)


def test_truncate_identity_and_mean():
    w, w_avg = torch.randn(6, 3, 8), torch.randn(8)
    assert torch.allclose(style_ops.truncate(w, w_avg, 1.0), w)
    assert torch.allclose(style_ops.truncate(w, w_avg, 0.0), w_avg.expand_as(w))
    assert torch.allclose(style_ops.truncate(w, w_avg, 0.5), w_avg + 0.5 * (w - w_avg), atol=1e-6)
    with pytest.raises(ValueError, match="w_avg must have shape"):
        style_ops.truncate(w, torch.randn(5), 0.5)


def test_mix_styles_takes_the_first_layers_from_w1():
    w1, w2 = torch.zeros(2, 6, 4), torch.ones(2, 6, 4)
    mixed = style_ops.mix_styles(w1, w2, 2)
    assert torch.equal(mixed[:, :2], w1[:, :2]) and torch.equal(mixed[:, 2:], w2[:, 2:])
    with pytest.raises(ValueError, match="crossover must be at most"):
        style_ops.mix_styles(w1, w2, 7)


# ------------------------------------------------------------------------------------------- equalised layers
def test_equalized_linear_scales_at_every_forward():
    layer = EqualizedLinear(64, 32, gain=1.0, lr_mul=0.01)
    assert abs(layer.weight.std().item() * 0.01 - 1.0) < 0.1        # stored N(0, 1) / lr_mul
    x = torch.randn(5, 64)
    expected = F.linear(x, layer.weight * (1.0 / 8.0) * 0.01, layer.bias * 0.01)
    assert torch.allclose(layer(x), expected)
    with torch.no_grad():
        layer.weight.mul_(2.0)                                         # doubling the stored weights doubles the map
    assert torch.allclose(layer(x), 2 * expected - layer.bias * 0.01)
    layer.zero_grad()
    layer(x).sum().backward()
    assert torch.allclose(layer.weight.grad, (0.01 / 8.0) * torch.ones(32, 5) @ x)


def test_equalized_layers_keep_unit_variance_for_any_fan_in():
    for fan_in in (16, 1024):
        out = EqualizedLinear(fan_in, 256, gain=1.0)(torch.randn(2048, fan_in))
        assert abs(out.var().item() - 1.0) < 0.1
    conv = EqualizedConv2d(32, 16, 3, gain=1.0)
    assert abs(conv(torch.randn(64, 32, 9, 9))[:, :, 1:-1, 1:-1].var().item() - 1.0) < 0.1
    with pytest.raises(ValueError, match="kernel_size must be odd"):
        EqualizedConv2d(3, 3, 4)


# ------------------------------------------------------------------------------------------- ProGAN
def test_growing_pair_at_alpha_0_and_1():
    torch.manual_seed(0)
    g, d = ProGenerator(latent_dim=8, width=8), ProDiscriminator(width=8)
    z, x = torch.randn(4, 8), torch.rand(4, 1, 28, 28)
    with torch.no_grad():
        g.set_growth(1)
        old = g(z)
        g.set_growth(2, 0.0)
        assert torch.equal(g(z), F.interpolate(old, scale_factor=2))
        g.set_growth(2, 1.0)
        assert torch.equal(g(z), g.branches(z)[1])
        d.set_growth(2, 0.0)
        grown = d(x)
        d.set_growth(1, 1.0)
        assert torch.equal(grown, d(F.avg_pool2d(x, 2)))
        g.set_growth(0)
        assert g(z).shape == (4, 1, 7, 7)
    with pytest.raises(ValueError, match="stage must be below 3"):
        g.set_growth(3)
    with pytest.raises(ValueError, match="alpha must lie in"):
        d.set_growth(1, -0.1)
    with pytest.raises(ValueError, match="x must have shape"):
        d.set_growth(2)
        d(torch.rand(4, 1, 14, 14))


def test_progressive_schedule_and_loader():
    schedule = ProgressiveSchedule(stable=3, fade=2)
    assert schedule.total_steps == 3 + 2 * 5
    assert [schedule.at(s) for s in range(13)] == [(0, 1.0)] * 3 + [(1, 0.5), (1, 1.0)] + [(1, 1.0)] * 3 + \
        [(2, 0.5), (2, 1.0)] + [(2, 1.0)] * 3
    g, d = ProGenerator(latent_dim=4, width=4), ProDiscriminator(width=4)
    loader = ProgressiveLoader(InMemoryLoader(torch.rand(40, 1, 28, 28) * 2 - 1, batch_size=4, seed=0), schedule, (g, d))
    batches = loader.batches(3)
    first = next(batches)[0]
    assert first.shape == (4, 1, 14, 14) and (g.stage, g.alpha, d.stage, d.alpha) == (1, 0.5, 1, 0.5)
    with pytest.raises(TypeError, match="schedule must be a ProgressiveSchedule"):
        ProgressiveLoader(loader, None, (g,))


@pytest.fixture
def one_thread():
    """Tiny networks: one thread (two threads on a busy 2-core machine made this test 40 times slower)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_train_gan_grows_the_pair(tmp_path, one_thread):
    torch.manual_seed(0)
    g, d = ProGenerator(latent_dim=4, width=4), ProDiscriminator(width=4)
    schedule = ProgressiveSchedule(stable=2, fade=2)
    loader = ProgressiveLoader(InMemoryLoader(torch.rand(32, 1, 28, 28) * 2 - 1, batch_size=8, seed=0), schedule, (g, d))
    opts = [torch.optim.Adam(m.parameters(), 1e-3, betas=(0.0, 0.99)) for m in (g, d)]
    run = train_gan(g, d, *opts, loader, schedule.total_steps, loss="wgan-gp", sample_every=2,
                    checkpoint_path=tmp_path / "grow.pt", progress=False, log_every=1)
    assert sorted({s.shape[-1] for s in run.samples.values()}) == [7, 14, 28]
    assert g.resolution == 28 and torch.isfinite(torch.tensor(run.history["d_loss"])).all()


# ------------------------------------------------------------------------------------------- StyleGAN
def test_mapping_network_and_adain_modules():
    torch.manual_seed(0)
    mapping = MappingNetwork(8, 6, 3)
    z = torch.randn(5, 8)
    h = style_ops.pixel_norm(z)
    for layer in mapping.layers:
        h = F.leaky_relu(layer(h), 0.2)
    assert torch.allclose(mapping(z), h)
    assert torch.allclose(mapping(3 * z), mapping(z), atol=1e-6)     # pixel norm first: scaling z does nothing
    layer = AdaIN(4, 6)
    x, w = torch.randn(2, 4, 5, 5), torch.randn(2, 6)
    scale, bias = layer.style(w).chunk(2, 1)
    assert torch.allclose(layer(x, w), style_ops.adain(x, scale, bias))


def test_style_generator_shapes_modes_and_rebuild():
    torch.manual_seed(0)
    g = StyleGenerator(latent_dim=8, width=8, w_dim=8)
    z = torch.randn(3, 8)
    g.eval()
    with torch.no_grad():
        out = g(z)
        assert out.shape == (3, 1, 28, 28) and out.abs().max() <= 1
        assert torch.equal(out, g(z))                                   # eval: constant noise, no mixing
        # The noise weights start at 0: other noise changes nothing yet.
        assert torch.allclose(g.synthesis(g.styles(z), g.random_noise(3)), out)
        assert torch.allclose(g(z, psi=0.0), g.synthesis(g.w_avg.expand(3, g.n_styles, -1)))
    g.train()
    before = g.w_avg.clone()
    g(z)
    assert not torch.equal(before, g.w_avg)
    rebuilt = build_model(model_spec(g))
    assert isinstance(rebuilt, StyleGenerator) and rebuilt.model_args == g.model_args
    with pytest.raises(ValueError, match="mixing_prob must lie in"):
        StyleGenerator(mixing_prob=2.0)
    with pytest.raises(ValueError, match="noise must hold 6 maps"):
        g.synthesis(g.styles(z), [torch.zeros(1, 1, 7, 7)])


def test_stylegan_recipe_defaults():
    config = default_config("stylegan", "mnist", "fast", width=16, latent_dim=32)
    assert config.batch_size == 64 and config.width == 16
    with pytest.raises(ValueError, match="image_size must be 28 for stylegan"):
        default_config("stylegan", "mnist", "fast", image_size=64)


def test_pretrained_stylegan_loads_and_checks_its_hash():
    record = pretrained_stylegan_record()
    assert record is not None, "course_lib/weights/stylegan_mnist.{pt,json} are missing"
    g = load_pretrained_stylegan()
    assert isinstance(g, StyleGenerator) and not g.training
    assert record["model"] == "StyleGenerator" and "python -m course_lib train stylegan" in record["command"]
    with torch.no_grad():
        images = g(torch.randn(4, g.latent_dim))
    assert images.shape == (4, 1, 28, 28) and torch.isfinite(images).all()
