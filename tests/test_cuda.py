"""The GAN loop's CUDA defaults: bfloat16 autocast, channels-last, the data set on the device.

Skipped without CUDA. ``COURSE_CUDA_TESTS_ON_CPU=1`` runs the same tests on the CPU with the
same settings forced on (bfloat16 autocast and channels-last work there too), so that the
tests themselves are checked before their first run on a GPU (``scripts/gpu_check.sh``).
"""
import os

import pytest
import torch

from course_lib import seed_everything
from course_lib.data import InMemoryLoader
from course_lib.gan_training import train_gan
from course_lib.models.dcgan import DCGANDiscriminator, DCGANGenerator

ON_CPU = os.environ.get("COURSE_CUDA_TESTS_ON_CPU") == "1"
DEVICE = torch.device("cuda" if torch.cuda.is_available() else "cpu")
pytestmark = pytest.mark.skipif(not torch.cuda.is_available() and not ON_CPU,
                                reason="no CUDA device (COURSE_CUDA_TESTS_ON_CPU=1 runs these tests on the CPU)")
# Resumed vs uninterrupted: bfloat16 autocast and cuDNN's kernel choice make GPU runs repeat
# only approximately; after 6 steps the generators' weights agree within this.
RESUME_ATOL = 2e-3


def _run(steps, path=None, every=None):
    seed_everything(0, deterministic=True)
    g = DCGANGenerator(latent_dim=16, width=8).to(DEVICE)
    d = DCGANDiscriminator(width=8).to(DEVICE)
    g_opt = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
    images = torch.rand(256, 1, 28, 28, generator=torch.Generator().manual_seed(1)) * 2 - 1
    loader = InMemoryLoader(images, batch_size=32, seed=0, device=DEVICE)
    forced = {"amp": True, "channels_last": True} if DEVICE.type == "cpu" else {}  # CUDA: the defaults
    return train_gan(g, d, g_opt, d_opt, loader, steps, sample_every=steps, progress=False, log_every=1,
                     ema_decay=0.999, checkpoint_path=path, checkpoint_every=every, **forced)


def test_the_defaults_train_a_small_dcgan_and_samples_come_back_as_float32_on_the_cpu():
    run = _run(6)
    assert run.generator.net[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert all(torch.isfinite(torch.tensor(run.history[key])).all() for key in ("d_loss", "g_loss"))
    samples = run.sample(10)
    assert samples.dtype == torch.float32 and samples.device.type == "cpu" and samples.shape == (10, 1, 28, 28)
    assert 0.0 <= float(samples.min()) and float(samples.max()) <= 1.0
    assert run.samples[6].dtype == torch.float32 and run.samples[6].device.type == "cpu"


def test_a_resumed_run_matches_the_uninterrupted_one(tmp_path):
    whole = _run(6)
    _run(3, tmp_path / "run.pt", every=3)
    resumed = _run(6, tmp_path / "run.pt", every=3)
    for a, b in zip(whole.generator.parameters(), resumed.generator.parameters()):
        torch.testing.assert_close(a, b, rtol=0, atol=RESUME_ATOL)
    assert resumed.history.steps == whole.history.steps
