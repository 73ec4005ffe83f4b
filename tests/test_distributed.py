"""Training on several processes (course_lib.distributed): 2 CPU processes (gloo) train what 1 does.

The multi-process runs use the real launcher, ``torchrun`` (``python -m torch.distributed.run``).
Tolerance: after 4 steps (Adam, lr 1e-3) every weight of a 2-process run lies within 2e-5 of
the 1-process run's, and every logged number within 2e-5. The runs differ only in the order of
floating-point reductions (measured: 2e-7 for the DCGAN, 4e-6 for the WGAN-GP).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from course_lib import distributed
from course_lib.distributed import CPUSyncBatchNorm, DistContext, shard_batch, shard_latents, sync_batch_norm
from course_lib.models.dcgan import DCGANGenerator

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "distributed_run.py"
TOLERANCE = 2e-5


def _run(args: list[str], processes: int) -> str:
    launcher = [sys.executable] if processes == 1 else \
        [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"]
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR",
                                                            "MASTER_PORT")}
    env["OMP_NUM_THREADS"] = "1"
    proc = subprocess.run(launcher + args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{' '.join(args)} on {processes} processes failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _max_difference(a: dict, b: dict) -> float:
    return max((a[k].float() - b[k].float()).abs().max().item() for k in a if a[k].is_floating_point())


def test_two_processes_train_what_one_process_trains_and_resume(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    out = _run([str(SCRIPT), str(one), "4"], processes=1)
    assert "rank 0 of 1 done" in out
    # Two processes: 2 steps, then a second launch resumes and trains to 4.
    out = _run([str(SCRIPT), str(two), "2"], processes=2)
    assert out.count(" of 2 done") == 2, out
    out = _run([str(SCRIPT), str(two), "4"], processes=2)
    for name in ("dcgan", "wgan_gp"):
        assert out.count(f"resumed at step 2 of 4 from {two / name}.pt") == 1, f"rank 0 alone says it resumed:\n{out}"
    for name in ("dcgan", "wgan_gp"):
        single = torch.load(one / f"{name}.pt", weights_only=True)
        multi = torch.load(two / f"{name}.pt", weights_only=True)
        assert single["step"] == multi["step"] == 4
        for module in ("generator", "critic", "generator_ema"):
            difference = _max_difference(single["modules"][module], multi["modules"][module])
            assert difference < TOLERANCE, f"{name} {module}: 2 processes differ from 1 by {difference:.2e}"
        for key, values in single["history"]["metrics"].items():
            other = multi["history"]["metrics"][key]
            assert len(values) == len(other) == 4
            assert max(abs(x - y) for x, y in zip(values, other)) < TOLERANCE, f"{name} {key}: {values} vs {other}"
        # Batch norm was synchronised, so its running statistics are the global batch's too.
        if name == "dcgan":
            assert any("running_var" in k for k in multi["modules"]["critic"])


def test_command_line_under_torchrun_writes_from_rank_0_only(tmp_path):
    args = ["-m", "course_lib", "train", "dcgan", "--steps", "2", "--batch-size", "16", "--width", "8",
            "--latent-dim", "8", "--device", "cpu", "--no-progress", "--checkpoint", str(tmp_path / "run.pt"),
            "--grid", str(tmp_path / "grid.png"), "--export", str(tmp_path / "g.pt")]
    out = _run(args, processes=2)
    assert out.count("2 processes") == 1, out
    assert out.count("FID") == 1 and out.count("sample grid of step 2") == 1, out
    for name in ("run.pt", "grid.png", "g.pt", "g.json"):
        assert (tmp_path / name).is_file(), name
    assert torch.load(tmp_path / "run.pt", weights_only=True)["step"] == 2


def test_shard_batch_gives_each_process_its_part_of_every_critic_chunk():
    x = torch.arange(12).float()
    # 2 critic chunks [0..5], [6..11]; 3 processes: rank 1 keeps [2, 3] and [8, 9].
    assert shard_batch(x, 2, DistContext(rank=1, world_size=3)).tolist() == [2, 3, 8, 9]
    parts = [shard_batch(x, 2, DistContext(rank=r, world_size=3)) for r in range(3)]
    assert sorted(torch.cat(parts).tolist()) == x.tolist()
    assert shard_batch(x, 4, DistContext()) is x
    with pytest.raises(ValueError, match="multiple of n_critic \\* world_size"):
        shard_batch(torch.zeros(10), 2, DistContext(rank=0, world_size=3))


def test_shard_latents_keeps_this_process_share_of_one_global_draw():
    draws = []

    def sample(n):
        draws.append(n)
        return torch.arange(n)

    sharded = shard_latents(sample, DistContext(rank=2, world_size=3))
    assert sharded(4).tolist() == [8, 9, 10, 11] and draws == [12]
    assert shard_latents(sample, DistContext()) is sample


def test_without_torchrun_nothing_is_distributed(monkeypatch):
    for name in ("WORLD_SIZE", "RANK", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    assert distributed.init_from_env() == DistContext()
    assert distributed.current().is_main and not distributed.current().distributed
    metrics = {"d_loss": torch.tensor(1.0)}
    assert distributed.mean_over_processes(metrics) is metrics


def test_sync_batch_norm_keeps_parameters_buffers_and_keys():
    torch.manual_seed(0)
    generator = DCGANGenerator(latent_dim=4, width=4)
    params = list(generator.parameters())
    opt = torch.optim.Adam(generator.parameters())
    keys = list(generator.state_dict())
    converted = sync_batch_norm(generator)
    assert converted is generator
    norms = [m for m in generator.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    assert norms and all(isinstance(m, CPUSyncBatchNorm) for m in norms)
    assert all(a is b for a, b in zip(params, generator.parameters()))  # the optimiser's parameters
    assert opt.param_groups[0]["params"][0] is params[0]
    assert list(generator.state_dict()) == keys
    with pytest.raises(TypeError, match="module must be an nn.Module"):
        sync_batch_norm("generator")


def test_cpu_sync_batch_norm_is_batch_norm_on_one_process():
    torch.manual_seed(0)
    plain, synced = nn.BatchNorm2d(3), CPUSyncBatchNorm(3)
    synced.load_state_dict(plain.state_dict())
    x = torch.randn(5, 3, 4, 4)
    torch.testing.assert_close(synced(x), plain(x))
    torch.testing.assert_close(synced.running_var, plain.running_var)
    synced.eval(), plain.eval()
    torch.testing.assert_close(synced(x), plain(x))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        synced._check_input_dim(torch.zeros(3))
