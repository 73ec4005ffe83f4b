"""Notebook 06's library: conditional models, AC-GAN and InfoGAN losses, the MI bound, optimal matching,
the conditional training step and the command-line recipes."""
import itertools
import json
import math

import pytest
import torch
import torch.nn.functional as F

from course_lib.__main__ import main
from course_lib.conditional_recipes import (build_conditional_models, default_conditional_config,
                                            load_conditional_pretrained)
from course_lib.conditional_training import (grid_inputs, make_conditional_step_fn, sample_inputs,
                                             train_conditional_gan)
from course_lib.data import InMemoryLoader
from course_lib.losses import gan, info
from course_lib.models import build_model, model_spec
from course_lib.models.conditional import (AuxiliaryDiscriminator, ConditionalDiscriminator, ConditionalGenerator,
                                           InfoGANGenerator, discriminator_input, generator_input)


def test_conditioning_inputs_are_one_hot_and_reject_bad_labels():
    z, y = torch.randn(3, 4), torch.tensor([2, 0, 1])
    out = generator_input(z, y, 5)
    assert out.shape == (3, 9) and torch.equal(out[:, :4], z) and torch.equal(out[:, 4:], F.one_hot(y, 5).float())
    x = torch.randn(3, 1, 4, 4)
    d_in = discriminator_input(x, y, 5)
    assert d_in.shape == (3, 6, 4, 4) and torch.equal(d_in[:, 0], x[:, 0])
    assert torch.equal(d_in[:, 1:].mean((2, 3)), F.one_hot(y, 5).float())
    with pytest.raises(ValueError, match="y must lie in 0 ... 4"):
        generator_input(z, torch.tensor([0, 5, 1]), 5)
    with pytest.raises(TypeError, match="y must have an integer dtype"):
        discriminator_input(x, y.float(), 5)
    with pytest.raises(ValueError, match="one label per sample"):
        generator_input(z, y[:2], 5)


def test_models_shapes_label_dependence_and_rebuild():
    torch.manual_seed(0)
    g, d = ConditionalGenerator(8, 10, width=4), ConditionalDiscriminator(10, width=4)
    z, y = torch.randn(5, 8), torch.arange(5)
    x = g(z, y)
    assert x.shape == (5, 1, 28, 28) and x.abs().max() <= 1
    d.eval()
    assert d(x, y).shape == (5,)
    assert not torch.allclose(d(x, y), d(x, (y + 1) % 10)), "D's output must depend on the label"
    aux = AuxiliaryDiscriminator(10, 2, width=4)
    adv, cat, mean, logvar = aux.heads(x)
    assert adv.shape == (5,) and cat.shape == (5, 10) and mean.shape == logvar.shape == (5, 2)
    assert logvar.abs().max() <= AuxiliaryDiscriminator.LOGVAR_BOUND
    info_g = InfoGANGenerator(6, 10, 2, width=4)
    assert info_g(torch.randn(2, 6), torch.tensor([1, 9]), torch.zeros(2, 2)).shape == (2, 1, 28, 28)
    for model in (g, d, aux, info_g):
        rebuilt = build_model(model_spec(model))
        assert type(rebuilt) is type(model) and rebuilt.model_args == model.model_args
    with pytest.raises(ValueError, match="z must have shape"):
        g(torch.randn(5, 7), y)
    with pytest.raises(ValueError, match="c_cont must have shape"):
        info_g(torch.randn(2, 6), torch.tensor([1, 9]), torch.zeros(2, 3))


def test_acgan_losses_are_the_sum_of_their_terms():
    g = torch.Generator().manual_seed(1)
    ra, fa, rc, fc = torch.randn(6, generator=g), torch.randn(4, generator=g), torch.randn(6, 3, generator=g), torch.randn(4, 3, generator=g)
    ry, fy = torch.randint(3, (6,), generator=g), torch.randint(3, (4,), generator=g)
    expected = gan.discriminator_loss(ra, fa) + F.cross_entropy(rc, ry) + F.cross_entropy(fc, fy)
    assert torch.allclose(info.acgan_discriminator_loss(ra, fa, rc, fc, ry, fy), expected)
    zero = info.acgan_generator_loss(torch.zeros(4), torch.zeros(4, 10), torch.arange(4))
    assert abs(zero.item() - (math.log(2) + math.log(10))) < 1e-6
    with pytest.raises(ValueError, match="fake_labels must lie in 0 ... 2"):
        info.acgan_generator_loss(fa, fc, torch.tensor([0, 1, 2, 3]))


def test_information_loss_matches_torch_distributions_and_the_variance_convention():
    g = torch.Generator().manual_seed(2)
    logits, mean, logvar = torch.randn(8, 10, generator=g), torch.randn(8, 2, generator=g), torch.randn(8, 2, generator=g)
    c_cat, c_cont = torch.randint(10, (8,), generator=g), torch.rand(8, 2, generator=g) * 2 - 1
    by_hand = 0.5 * (math.log(2 * math.pi) + logvar + (c_cont - mean) ** 2 / logvar.exp())
    expected = F.cross_entropy(logits, c_cat) + by_hand.sum(1).mean()
    assert torch.allclose(info.information_loss(logits, mean, logvar, c_cat, c_cont), expected, atol=1e-6)
    gaussian = F.gaussian_nll_loss(mean, c_cont, logvar.exp(), full=True, reduction="sum") / 8
    assert torch.allclose(info.gaussian_nll(mean, logvar, c_cont), gaussian, atol=1e-5)
    weighted = info.information_loss(logits, mean, logvar, c_cat, c_cont, cat_weight=1.0, cont_weight=0.1)
    assert torch.allclose(weighted, F.cross_entropy(logits, c_cat) + 0.1 * by_hand.sum(1).mean(), atol=1e-6)
    with pytest.raises(ValueError, match="cat_weight and cont_weight must be >= 0"):
        info.information_loss(logits, mean, logvar, c_cat, c_cont, cont_weight=-1.0)
    with pytest.raises(ValueError, match="same shape"):
        info.gaussian_nll(mean, logvar[:, :1], c_cont)


def test_mi_bound_is_exact_at_the_posterior_and_below_ln_k():
    p_joint = torch.tensor([[0.2, 0.05], [0.1, 0.15], [0.05, 0.2], [0.1, 0.15]], dtype=torch.float64)
    p_joint = p_joint / p_joint.sum()
    p_x = p_joint.sum(0)
    weights = (p_joint * 400).round().long()        # every pair as often as 400 p(c, x)
    c = torch.repeat_interleave(torch.arange(4).repeat_interleave(2), weights.flatten())
    x = torch.repeat_interleave(torch.arange(2).repeat(4), weights.flatten())
    posterior_logits = torch.log(p_joint / p_x).T[x]
    prior = p_joint.sum(1)
    mi = (p_joint * torch.log(p_joint / (prior[:, None] * p_x))).sum()
    assert abs(info.mi_lower_bound(posterior_logits, c, prior).item() - mi.item()) < 1e-10
    assert info.mi_lower_bound(torch.zeros_like(posterior_logits), c, prior).item() < mi.item()
    assert info.mi_lower_bound(torch.randn(50, 10), torch.randint(10, (50,))).item() <= math.log(10)
    with pytest.raises(ValueError, match="prior must be a probability vector"):
        info.mi_lower_bound(posterior_logits, c, torch.full((4,), 0.3, dtype=torch.float64))


def test_optimal_matching_beats_every_permutation_and_is_one_to_one():
    g = torch.Generator().manual_seed(3)
    codes, labels = torch.randint(5, (300,), generator=g), torch.randint(5, (300,), generator=g)
    codes[:150] = (labels[:150] + 2) % 5
    accuracy, mapping = info.code_to_class_accuracy(codes, labels, 5, 5)
    best = max((torch.tensor(p)[codes] == labels).double().mean().item() for p in itertools.permutations(range(5)))
    assert abs(accuracy - best) < 1e-12 and sorted(mapping.tolist()) == list(range(5))
    # Greedy argmax collides here; the matching does not.
    counts = torch.tensor([[5, 1], [4, 2]])
    assert info.match_codes_to_classes(counts).tolist() == [0, 1]
    more_codes, mapping = info.code_to_class_accuracy(torch.tensor([0, 1, 2]), torch.tensor([0, 1, 1]), 3, 2)
    assert sorted(mapping.tolist()) == [-1, 0, 1] and abs(more_codes - 2 / 3) < 1e-12
    with pytest.raises(ValueError, match="codes must lie in 0 ... 2"):
        info.confusion_matrix(torch.tensor([3]), torch.tensor([0]), 3, 2)


@pytest.mark.parametrize("kind", ["cgan", "infogan"])  # acgan: the command-line test below
def test_step_trains_one_player_at_a_time_and_resume_is_exact(kind, tmp_path):
    config = default_conditional_config(kind, "fast", steps=4, batch_size=8, width=4, noise_dim=6)
    images, labels = torch.rand(32, 1, 28, 28) * 2 - 1, torch.randint(10, (32,))

    def run(steps, path):
        torch.manual_seed(0)
        g, d, g_opt, d_opt = build_conditional_models(config)
        loader = InMemoryLoader(images, labels, batch_size=8, seed=0)
        return train_conditional_gan(kind, g, d, g_opt, d_opt, loader, steps, sample_every=2, checkpoint_path=path,
                                     log_every=1, progress=False)

    whole = run(4, tmp_path / "whole.pt")
    run(2, tmp_path / "part.pt")
    resumed = run(4, tmp_path / "part.pt")
    for a, b in zip(whole.generator.state_dict().values(), resumed.generator.state_dict().values()):
        assert torch.equal(a, b)
    assert whole.history["d_loss"] == resumed.history["d_loss"]
    assert sorted(whole.samples) == [0, 2, 4] and whole.samples[4].shape == (100, 1, 28, 28)
    if kind == "infogan":
        assert max(whole.history["mi_bound"]) <= math.log(10)
    # Another lambda refuses to resume the same checkpoint, naming the difference.
    if kind == "infogan":
        torch.manual_seed(0)
        g, d, g_opt, d_opt = build_conditional_models(config)
        with pytest.raises(ValueError, match="lambda_cat"):
            train_conditional_gan(kind, g, d, g_opt, d_opt, InMemoryLoader(images, labels, batch_size=8), 6,
                                  lambda_cat=0.5, checkpoint_path=tmp_path / "whole.pt", progress=False)


def test_the_d_step_leaves_g_alone_and_the_g_step_leaves_d_alone():
    torch.manual_seed(0)
    config = default_conditional_config("infogan", "fast", width=4, noise_dim=6)
    g, d, g_opt, d_opt = build_conditional_models(config)
    g_before = [p.detach().clone() for p in g.parameters()]
    d_opt_frozen = torch.optim.SGD(d.parameters(), lr=0.0)
    step = make_conditional_step_fn("infogan", g, d, g_opt, d_opt_frozen)
    d_before = [p.detach().clone() for p in d.parameters()]
    out = step((torch.rand(8, 1, 28, 28) * 2 - 1, torch.randint(10, (8,))))
    assert set(out) >= {"d_loss", "g_loss", "info_loss", "mi_bound"}
    assert all(torch.equal(a, b) for a, b in zip(d_before, d.parameters())), "D changed with lr 0"
    assert any(not torch.equal(a, b) for a, b in zip(g_before, g.parameters())), "G did not move"
    with pytest.raises(ValueError, match="kind must be one of"):
        make_conditional_step_fn("gan", g, d, g_opt, d_opt)
    with pytest.raises(TypeError, match="heads"):
        make_conditional_step_fn("acgan", g, ConditionalDiscriminator(10, width=4), g_opt, d_opt)


def test_sampling_and_grids():
    g = InfoGANGenerator(6, 10, 2, width=4)
    z, c_cat, c_cont = sample_inputs("infogan", g, 50, rng=torch.Generator().manual_seed(0))
    assert z.shape == (50, 6) and c_cat.max() < 10 and c_cont.abs().max() <= 1
    z, rows, cont = grid_inputs("infogan", g)
    assert torch.equal(rows, torch.arange(10).repeat_interleave(10)) and torch.equal(z[:10], z[10:20])
    with pytest.raises(ValueError, match="n must be >= 1"):
        sample_inputs("cgan", ConditionalGenerator(6, width=4), 0)


def test_the_command_trains_and_exports_a_loadable_pair(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COURSE_CHECKPOINT_DIR", str(tmp_path / "checkpoints"))
    args = ["train", "acgan", "--budget", "fast", "--steps", "2", "--width", "4", "--latent-dim", "8",
            "--batch-size", "16", "--no-progress", "--export", "weights/tiny.pt"]
    assert main(args) == 0
    record = json.loads((tmp_path / "weights" / "tiny.json").read_text())
    assert record["command"] == "python -m course_lib " + " ".join(args)
    assert record["generator"]["class"] == "ConditionalGenerator" and len(record["label_accuracy_per_class"]) == 10
    assert "label accuracy" in capsys.readouterr().out
    monkeypatch.setattr("course_lib.pretrained.WEIGHTS_DIR", tmp_path / "weights")
    monkeypatch.setattr("course_lib.conditional_recipes.CONDITIONAL_PRETRAINED", ("tiny",))
    g, d, loaded = load_conditional_pretrained("tiny")
    assert isinstance(g, ConditionalGenerator) and isinstance(d, AuxiliaryDiscriminator) and not g.training
    (tmp_path / "weights" / "tiny.pt").write_bytes(b"corrupt")
    with pytest.raises(ValueError, match="SHA-256"):
        load_conditional_pretrained("tiny")
    with pytest.raises(SystemExit):
        main(["train", "cgan", "--data", "cifar10", "--steps", "1", "--no-progress"])


def test_committed_checkpoints_load_with_their_records():
    for name in ("cgan_mnist", "acgan_mnist", "infogan_mnist"):
        loaded = load_conditional_pretrained(name)
        assert loaded is not None, f"course_lib/weights/{name}.pt is missing"
        g, d, record = loaded
        assert record["command"].startswith(f"python -m course_lib train {name.split('_')[0]} ")
        assert record["sha256"] and record["data_source"] and record["fid_mnist_features"] > 0
