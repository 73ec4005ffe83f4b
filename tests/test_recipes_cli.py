import json

import pytest
import torch

from course_lib import pretrained
from course_lib.__main__ import main
from course_lib.models.dcgan import DCGANDiscriminator, DCGANGenerator
from course_lib.recipes import build_models, default_config


def test_recipes_use_the_published_hyper_parameters():
    dcgan = default_config("dcgan", budget="fast")
    g, d, g_opt, d_opt = build_models(dcgan, 1, torch.device("cpu"))
    assert isinstance(d, DCGANDiscriminator) and any(isinstance(m, torch.nn.BatchNorm2d) for m in d.modules())
    assert isinstance(g_opt, torch.optim.Adam) and g_opt.defaults["lr"] == 2e-4 and g_opt.defaults["betas"] == (0.5, 0.999)

    gp = default_config("wgan-gp", budget="full")
    assert gp.batch_size == 5 * 128 and gp.steps == 20_000 and gp.width == 64
    g, d, g_opt, d_opt = build_models(gp, 1, torch.device("cpu"))
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in d.modules()), "no batch norm in a WGAN-GP critic"
    assert d_opt.defaults["lr"] == 1e-4 and d_opt.defaults["betas"] == (0.0, 0.9)

    wgan = default_config("wgan", budget="fast")
    g, d, g_opt, d_opt = build_models(wgan, 1, torch.device("cpu"))
    assert isinstance(d_opt, torch.optim.RMSprop) and d_opt.defaults["lr"] == 5e-5
    assert default_config("dcgan", "cifar10", "fast").image_size == 64

    with pytest.raises(ValueError, match="recipe"):
        default_config("vae")
    with pytest.raises(ValueError, match="multiple of n_critic"):
        default_config("wgan-gp", budget="fast", batch_size=66)


def test_the_command_trains_resumes_exports_and_the_export_loads(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COURSE_CHECKPOINT_DIR", str(tmp_path / "checkpoints"))
    args = ["train", "dcgan", "--budget", "fast", "--steps", "3", "--width", "4", "--latent-dim", "8",
            "--batch-size", "16", "--no-progress", "--grid", "grid.png", "--export", "weights/tiny.pt"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "FID" in out and (tmp_path / "grid.png").is_file()
    assert (tmp_path / "checkpoints" / "cli_dcgan_mnist_fast.pt").is_file()
    record = json.loads((tmp_path / "weights" / "tiny.json").read_text())
    assert record["command"] == "python -m course_lib " + " ".join(args)
    assert record["kwargs"] == {"latent_dim": 8, "channels": 1, "width": 4, "image_size": 28}
    assert record["config"]["steps"] == 3 and record["fid_mnist_features"] > 0
    assert record["fid_samples"] == 2000
    assert record["fid_over_training"]["steps"][-1] == 3
    assert record["fid_over_training"]["fid"][-1] == record["fid_mnist_features"]
    assert record["w_estimate_over_training"]["steps"] == [1, 2, 3]

    # Same command with more steps: it resumes at step 3 and goes on to 4.
    checkpoint = tmp_path / "checkpoints" / "cli_dcgan_mnist_fast.pt"
    assert torch.load(checkpoint, weights_only=True)["step"] == 3
    assert main(args[:5] + ["4"] + args[6:]) == 0
    assert torch.load(checkpoint, weights_only=True)["step"] == 4
    assert "resumed at step 3 of 4 from" in capsys.readouterr().out

    monkeypatch.setattr(pretrained, "PRETRAINED", ("tiny",))
    monkeypatch.setattr(pretrained, "WEIGHTS_DIR", tmp_path / "weights")
    generator = pretrained.load_pretrained_generator("tiny")
    assert isinstance(generator, DCGANGenerator) and not generator.training
    assert generator(torch.randn(2, 8)).shape == (2, 1, 28, 28)

    (tmp_path / "weights" / "tiny.pt").write_bytes(b"not the weights")
    with pytest.raises(ValueError, match="SHA-256"):
        pretrained.load_pretrained_generator("tiny")
    (tmp_path / "weights" / "tiny.pt").unlink()
    assert pretrained.load_pretrained_generator("tiny") is None


@pytest.mark.parametrize("name", pretrained.PRETRAINED)
def test_the_shipped_pretrained_generators_match_their_records(name):
    record = pretrained.pretrained_record(name)
    assert record is not None, f"course_lib/weights/{name}.pt and .json must be committed"
    recipe = {"dcgan_mnist": "dcgan", "wgan_gp_mnist": "wgan-gp", "wgan_mnist": "wgan", "stylegan_mnist": "stylegan"}[name]
    assert record["command"].startswith(f"python -m course_lib train {recipe} ")
    assert f"--export course_lib/weights/{name}.pt" in record["command"]
    generator = pretrained.load_pretrained_generator(name)
    assert type(generator).__name__ == record["model"] and not generator.training
    images = generator(torch.randn(4, record["kwargs"]["latent_dim"]))
    assert images.shape == (4, 1, 28, 28) and images.min() >= -1 and images.max() <= 1
    with pytest.raises(ValueError, match="name"):
        pretrained.load_pretrained_generator("stylegan_ffhq")
