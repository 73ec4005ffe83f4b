"""A small GAN training run for tests/test_distributed.py, on one process or under torchrun.

    python tests/distributed_run.py OUT_DIR STEPS
    torchrun --standalone --nproc_per_node=2 tests/distributed_run.py OUT_DIR STEPS

Trains a DCGAN (batch norm in G and D) and a WGAN-GP (n_critic = 5, layer-norm critic, gradient
penalty) for STEPS steps on the offline digits, each with a checkpoint in OUT_DIR that a second
call with more steps resumes. The global batch is the same whatever the number of processes.
"""
from __future__ import annotations

import sys
from pathlib import Path

import torch

from course_lib import distributed
from course_lib.data import InMemoryLoader, load_data, to_signed
from course_lib.device import seed_everything
from course_lib.gan_training import train_gan
from course_lib.models.dcgan import DCGANDiscriminator, DCGANGenerator, wgan_critic

RUNS = {  # name: (critic, loss, n_critic, global batch)
    "dcgan": (lambda: DCGANDiscriminator(width=8, norm="batch"), "ns", 1, 32),
    "wgan_gp": (lambda: wgan_critic(width=8, norm="layer"), "wgan-gp", 5, 40),
}


def main(out_dir: str, steps: int) -> None:
    context = distributed.init_from_env("cpu")
    torch.set_num_threads(1)
    images = to_signed(load_data("mnist", "train", budget="fast").images[:640])
    try:
        for name, (make_critic, loss, n_critic, batch_size) in RUNS.items():
            seed_everything(0)
            generator, critic = DCGANGenerator(latent_dim=16, width=8), make_critic()
            g_opt = torch.optim.Adam(generator.parameters(), 1e-3, betas=(0.5, 0.999))
            d_opt = torch.optim.Adam(critic.parameters(), 1e-3, betas=(0.5, 0.999))
            loader = InMemoryLoader(images, batch_size=batch_size, seed=0)
            train_gan(generator, critic, g_opt, d_opt, loader, steps, loss=loss, n_critic=n_critic,
                      ema_decay=0.9, log_every=1, checkpoint_path=Path(out_dir) / f"{name}.pt",
                      progress=False, desc=name)
        print(f"rank {context.rank} of {context.world_size} done")
    finally:
        if context.distributed:
            torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
