"""Notebook 05's loss zoo and notebook 01's VAE recipe: the command line, exports, committed files."""
import json

import pytest
import torch

from course_lib import pretrained
from course_lib.__main__ import main
from course_lib.loss_zoo import (COMMITTED_ZOO, ZOO_LOSSES, ZooConfig, load_committed_zoo, modes_lost,
                                 train_zoo_member)
from course_lib.models.vae import VAE
from course_lib.vae_recipe import PRETRAINED_VAES, default_vae_config, load_pretrained_vae


def test_modes_lost_counts_only_drops():
    assert modes_lost([0, 2, 5, 5, 8]) == 0
    assert modes_lost([3, 1, 4, 2]) == 2 + 2
    assert modes_lost([7]) == 0


def test_zoo_config_rejects_bad_settings():
    with pytest.raises(ValueError, match="multiple of checks"):
        ZooConfig(steps=10, checks=6)
    with pytest.raises(ValueError, match="losses"):
        ZooConfig(losses=("GAN", "BEGAN"))
    with pytest.raises(ValueError, match="seeds"):
        ZooConfig(seeds=())
    with pytest.raises(ValueError, match="name"):
        train_zoo_member("DRAGAN", 0, ZooConfig(steps=6))


def test_a_zoo_member_is_deterministic_and_counts_at_every_check():
    config = ZooConfig(steps=12, checks=3, n_samples=200)
    first = train_zoo_member("WGAN", 1, config, progress=False)
    again = train_zoo_member("WGAN", 1, config, progress=False)
    assert len(first.coverage) == 3 and first.coverage[-1] == first.final.modes_covered
    for a, b in zip(first.generator.parameters(), again.generator.parameters()):
        assert torch.equal(a, b)
    # Weight clipping reached the critic only: the WGAN member's optimiser is RMSProp, not Adam.
    assert ZOO_LOSSES["WGAN"] == ("wgan", 5, 0.01)


def test_the_zoo_command_exports_and_the_export_reloads(tmp_path, monkeypatch, capsys):
    args = ["zoo", "--steps", "6", "--seeds", "0", "4", "--no-progress", "--export", str(tmp_path / "zoo.pt")]
    monkeypatch.setattr(torch, "set_num_threads", lambda n: None)   # the command's one thread, not the test process's
    assert main(args) == 0
    assert "WGAN-GP  seed 4" in capsys.readouterr().out
    record = json.loads((tmp_path / "zoo.json").read_text())
    assert record["command"] == "python -m course_lib " + " ".join(args)
    assert [(m["loss"], m["seed"]) for m in record["members"]] == [(n, s) for n in ZOO_LOSSES for s in (0, 4)]
    monkeypatch.setattr(pretrained, "WEIGHTS_DIR", tmp_path)
    monkeypatch.setattr("course_lib.loss_zoo.COMMITTED_ZOO", "zoo")
    config, members, _ = load_committed_zoo("zoo")
    assert config.seeds == (0, 4) and len(members) == 12
    # A record whose counts disagree with the weights is refused.
    record["members"][0]["modes_covered"] += 1
    (tmp_path / "zoo.json").write_text(json.dumps(record))
    with pytest.raises(ValueError, match="its record says"):
        load_committed_zoo("zoo")


def test_the_committed_zoo_matches_its_record():
    loaded = load_committed_zoo()
    assert loaded is not None, f"course_lib/weights/{COMMITTED_ZOO}.pt and .json must be committed"
    config, members, record = loaded
    assert record["command"].startswith("python -m course_lib zoo ")
    assert f"--export course_lib/weights/{COMMITTED_ZOO}.pt" in record["command"]
    assert len(config.seeds) >= 3 and set(name for name, _ in members) == set(ZOO_LOSSES)
    for member in members.values():
        assert len(member.coverage) == config.checks and member.coverage[-1] == member.final.modes_covered


def test_vae_recipe_defaults_follow_notebook_01():
    fast, full = default_vae_config(budget="fast"), default_vae_config(budget="full")
    assert (fast.steps, fast.hidden_dim, fast.latent_dim, fast.batch_size) == (1200, 256, 16, 128)
    assert (full.steps, full.hidden_dim) == (20_000, 512)
    with pytest.raises(ValueError, match="budget"):
        default_vae_config(budget="huge")
    with pytest.raises(ValueError, match="steps"):
        default_vae_config(budget="fast", steps=-3)


def test_the_vae_command_trains_resumes_exports_and_the_export_loads(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_CHECKPOINT_DIR", str(tmp_path / "checkpoints"))
    args = ["train", "vae", "--budget", "fast", "--steps", "4", "--width", "32", "--latent-dim", "4",
            "--no-progress", "--export", str(tmp_path / "vae_tiny.pt")]
    assert main(args) == 0
    assert "test negative ELBO" in capsys.readouterr().out
    record = json.loads((tmp_path / "vae_tiny.json").read_text())
    assert record["kwargs"] == {"latent_dim": 4, "hidden_dim": 32} and record["config"]["steps"] == 4
    assert record["test_negative_elbo_nats"] > 0 and record["fid_mnist_features"] > 0
    # The same command with more steps resumes at step 4 (never silently: it says so).
    assert main(args[:5] + ["5"] + args[6:]) == 0
    assert "resumed at step 4 of 5" in capsys.readouterr().out
    monkeypatch.setattr(pretrained, "WEIGHTS_DIR", tmp_path)
    monkeypatch.setattr("course_lib.vae_recipe.PRETRAINED_VAES", ("vae_tiny",))
    model, _ = load_pretrained_vae("vae_tiny")
    assert isinstance(model, VAE) and not model.training and model.sample(3).shape == (3, 1, 28, 28)


@pytest.mark.parametrize("name", PRETRAINED_VAES)
def test_the_committed_vae_matches_its_record(name):
    loaded = load_pretrained_vae(name)
    assert loaded is not None, f"course_lib/weights/{name}.pt and .json must be committed"
    model, record = loaded
    assert record["command"].startswith("python -m course_lib train vae ")
    assert f"--export course_lib/weights/{name}.pt" in record["command"]
    images = model.sample(4, generator=torch.Generator().manual_seed(0))
    assert images.shape == (4, 1, 28, 28) and 0 <= images.min() and images.max() <= 1
    with pytest.raises(ValueError, match="name"):
        load_pretrained_vae("vae_celeba")
