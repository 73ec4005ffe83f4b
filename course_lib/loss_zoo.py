"""Notebook 05's loss zoo: six GAN losses trained on the ring of 8 Gaussians, several seeds each.

Every member is the MLP generator and discriminator of notebook 02 (two hidden layers of
``hidden``, a 2-D latent) trained by ``course_lib.gan_training.train_gan`` with one loss:

=========  ===================  ========  ==========  =========================
name       ``train_gan`` loss   n_critic  clip        optimiser
=========  ===================  ========  ==========  =========================
GAN        ``gan`` (saturating)  1        --          Adam(lr, betas=(0.5, 0.9))
NS-GAN     ``ns``                1        --          Adam
LSGAN      ``lsgan``             1        --          Adam
hinge      ``hinge``             1        --          Adam
WGAN       ``wgan``              5        0.01        RMSProp(lr)
WGAN-GP    ``wgan-gp``           5        --          Adam
=========  ===================  ========  ==========  =========================

Scores are the mode metrics of ``course_lib.mode_metrics`` on ``n_samples`` generated points.
Stability is measured twice: within a run, the modes covered are counted ``checks`` times, and
every mode covered at one count and gone at the next adds to the run's *modes lost*; across runs,
by the spread over seeds.

The command ``python -m course_lib zoo --export course_lib/weights/loss_zoo_ring8.pt`` trains the
whole zoo and writes every generator (float32; they are tiny) and a JSON record of the counts.
"""
from __future__ import annotations

import json
import platform
import shlex
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch import nn

from course_lib._checks import check_choice, check_positive_int
from course_lib.data import InMemoryLoader
from course_lib.device import seed_everything
from course_lib.files import file_sha256
from course_lib.gan_training import train_gan
from course_lib.mode_metrics import ModeStats, mode_coverage
from course_lib.models.mlp_gan import MLPDiscriminator, MLPGenerator
from course_lib.toy import ring_of_gaussians

# name -> (train_gan loss, critic steps per generator step, weight clipping)
ZOO_LOSSES: dict[str, tuple[str, int, float | None]] = {
    "GAN": ("gan", 1, None), "NS-GAN": ("ns", 1, None), "LSGAN": ("lsgan", 1, None),
    "hinge": ("hinge", 1, None), "WGAN": ("wgan", 5, 0.01), "WGAN-GP": ("wgan-gp", 5, None),
}
COMMITTED_ZOO = "loss_zoo_ring8"


@dataclass(frozen=True)
class ZooConfig:
    """What a zoo run depends on (stored in its record)."""

    steps: int = 6000            # generator updates per member
    seeds: tuple[int, ...] = (0, 1, 2)
    losses: tuple[str, ...] = tuple(ZOO_LOSSES)
    lr: float = 1e-3
    hidden: int = 64
    batch_size: int = 64         # per critic step
    checks: int = 6              # counts of the modes covered during training
    n_samples: int = 2500        # samples scored at each count
    n_modes: int = 8
    radius: float = 2.0
    std: float = 0.05
    n_data: int = 20_000
    data_seed: int = 10

    def __post_init__(self) -> None:
        for name in ("steps", "hidden", "batch_size", "checks", "n_samples", "n_modes", "n_data"):
            check_positive_int(name, getattr(self, name))
        if self.steps % self.checks:
            raise ValueError(f"steps ({self.steps}) must be a multiple of checks ({self.checks})")
        if not self.seeds or not all(isinstance(s, int) for s in self.seeds):
            raise ValueError(f"seeds must be a non-empty tuple of ints, got {self.seeds!r}")
        for name in self.losses:
            check_choice("losses", name, tuple(ZOO_LOSSES))


@dataclass
class ZooMember:
    """One trained (loss, seed): its generator, the modes covered at every count, the final scores."""

    generator: nn.Module
    coverage: list[int]
    final: ModeStats
    lost: int = field(init=False)

    def __post_init__(self) -> None:
        self.lost = modes_lost(self.coverage)


def modes_lost(coverage: list[int]) -> int:
    """Modes covered at one count and no longer at the next, summed over a run's counts."""
    return sum(max(0, before - after) for before, after in zip(coverage, coverage[1:]))


def zoo_ring(config: ZooConfig):
    return ring_of_gaussians(n_modes=config.n_modes, radius=config.radius, std=config.std)


@torch.no_grad()
def zoo_samples(generator: nn.Module, n: int = 2500, seed: int = 0) -> torch.Tensor:
    """(n, 2) samples of a zoo generator on the CPU, from fixed latent codes (seed)."""
    device = next(generator.parameters()).device
    return generator(torch.randn(n, 2, generator=torch.Generator().manual_seed(seed)).to(device)).cpu()


def train_zoo_member(name: str, seed: int, config: ZooConfig = ZooConfig(), *,
                     device: torch.device | str = "cpu", progress: bool = True) -> ZooMember:
    """Train one member of the zoo from scratch (no checkpoint: a run takes seconds to a minute)."""
    check_choice("name", name, tuple(ZOO_LOSSES))
    loss, n_critic, clip = ZOO_LOSSES[name]
    device = torch.device(device)
    ring = zoo_ring(config)
    data = ring.sample(config.n_data, generator=torch.Generator().manual_seed(config.data_seed))
    centres = ring.centres.float()
    seed_everything(seed)
    g_net = MLPGenerator(2, 2, hidden=config.hidden).to(device)
    d_net = MLPDiscriminator(2, hidden=config.hidden).to(device)
    if loss == "wgan":   # the WGAN paper's optimiser: momentum fights a clipped critic
        g_opt, d_opt = (torch.optim.RMSprop(net.parameters(), lr=config.lr) for net in (g_net, d_net))
    else:
        g_opt, d_opt = (torch.optim.Adam(net.parameters(), lr=config.lr, betas=(0.5, 0.9)) for net in (g_net, d_net))
    loader = InMemoryLoader(data, batch_size=config.batch_size * n_critic, seed=seed, device=device)
    every = config.steps // config.checks
    coverage: list[int] = []

    def count_modes(run) -> None:   # train_gan calls it after every step
        if run.state.step % every == 0:
            coverage.append(mode_coverage(zoo_samples(g_net, config.n_samples), centres, config.std).modes_covered)

    train_gan(g_net, d_net, g_opt, d_opt, loader, config.steps, loss=loss, n_critic=n_critic, clip=clip,
              log_every=10, desc=f"{name}, seed {seed}", callback=count_modes, progress=progress)
    g_net.eval()
    final = mode_coverage(zoo_samples(g_net, config.n_samples), centres, config.std)
    return ZooMember(g_net, coverage, final)


def run_zoo(config: ZooConfig = ZooConfig(), *, device: torch.device | str = "cpu",
            progress: bool = True) -> dict[tuple[str, int], ZooMember]:
    """Every (loss, seed) of ``config``, in that order."""
    return {(name, seed): train_zoo_member(name, seed, config, device=device, progress=progress)
            for name in config.losses for seed in config.seeds}


def export_zoo(zoo: dict[tuple[str, int], ZooMember], config: ZooConfig, path: str | Path,
               command: str | None = None) -> Path:
    """Write every generator to ``path`` (``{"<name>/seed<s>": state_dict}``) and the counts to ``path.json``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({f"{name}/seed{seed}": {k: v.detach().cpu() for k, v in member.generator.state_dict().items()}
                for (name, seed), member in zoo.items()}, path)
    record = {
        "sha256": file_sha256(path),
        "command": command if command is not None else "python -m course_lib " + shlex.join(sys.argv[1:]),
        "config": asdict(config),
        "members": [{"loss": name, "seed": seed, "coverage": member.coverage, "modes_lost": member.lost,
                     "modes_covered": member.final.modes_covered,
                     "high_quality_fraction": round(member.final.high_quality_fraction, 4)}
                    for (name, seed), member in zoo.items()],
        "torch": torch.__version__,
        "machine": platform.machine(),
    }
    path.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")
    return path


def load_committed_zoo(name: str = COMMITTED_ZOO) -> tuple[ZooConfig, dict[tuple[str, int], ZooMember], dict] | None:
    """The committed zoo ``(config, members, record)``, generators in eval mode on the CPU, or None if
    absent. The weights file is checked against its record's SHA-256 (``course_lib.pretrained``)."""
    from course_lib.pretrained import verified_weights

    loaded = verified_weights(name, (COMMITTED_ZOO,))
    if loaded is None:
        return None
    record, states = loaded
    config = ZooConfig(**{**record["config"], "seeds": tuple(record["config"]["seeds"]),
                          "losses": tuple(record["config"]["losses"])})
    members = {}
    for entry in record["members"]:
        g_net = MLPGenerator(2, 2, hidden=config.hidden)
        g_net.load_state_dict(states[f"{entry['loss']}/seed{entry['seed']}"])
        g_net.eval()
        final = mode_coverage(zoo_samples(g_net, config.n_samples), zoo_ring(config).centres.float(), config.std)
        if final.modes_covered != entry["modes_covered"]:
            raise ValueError(f"{name}: {entry['loss']} seed {entry['seed']} covers {final.modes_covered} modes, "
                             f"its record says {entry['modes_covered']}")
        members[entry["loss"], entry["seed"]] = ZooMember(g_net, list(entry["coverage"]), final)
    return config, members, record
