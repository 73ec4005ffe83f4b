"""Images per second: the course's GAN loop vs the pytorch/examples DCGAN loop, side by side.

    .venv/bin/python scripts/benchmark_dcgan.py                 # CPU, 28x28 MNIST, batch 64, width 64
    .venv/bin/python scripts/benchmark_dcgan.py --device cuda   # the same on a GPU

The reference is a faithful re-implementation of the training loop of pytorch/examples'
``dcgan/main.py``: a ``torchvision.datasets.MNIST`` data set whose samples go one by one
through ``ToTensor`` and ``Normalize((0.5,), (0.5,))`` in a ``DataLoader`` (shuffle,
``num_workers=2``), then per batch: D on the real batch, one G forward whose output is used
both for D (detached) and for G's update, BCE losses, Adam(2e-4, betas=(0.5, 0.999)). Both
loops train the *same* G and D (``course_lib.models.dcgan``; the reference applies its BCE
to logits, which costs the same as sigmoid + BCELoss) with the same batch size.

The course loop is ``course_lib.gan_training.train_gan`` with the data set held in memory
(on the device) and batches indexed from it, in four configurations: fp32 or bfloat16
autocast with channels-last (its CUDA defaults), and with fresh latents for the G step
(Algorithm 1, its default) or the D step's fakes reused (``reuse_fake=True``, one generator
forward per step, as the reference does). Offline, the MNIST files are written from the course's offline digits in
torchvision's own format, so the reference really runs torchvision's data set class.

Each configuration runs ``--repeats`` times, interleaved (A B C A B C ...), after a warm-up;
the median images per second is reported, with the ratio to the reference.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course_lib.data import InMemoryLoader, load_data, to_signed, write_torchvision_files  # noqa: E402
from course_lib.gan_training import train_gan  # noqa: E402
from course_lib.models.dcgan import DCGANDiscriminator, DCGANGenerator  # noqa: E402


def torchvision_mnist(root: Path):
    """torchvision's MNIST training set with the pytorch/examples transform (offline digits if needed)."""
    import torchvision.datasets as dset
    import torchvision.transforms as transforms

    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    try:
        return dset.MNIST(root=str(root), train=True, download=False, transform=transform), "torchvision MNIST files"
    except RuntimeError:
        pass
    data = load_data("mnist", "train", budget="fast")
    root = Path(tempfile.mkdtemp(prefix="mnist_idx_"))
    write_torchvision_files("mnist", root, data.images, data.labels)
    dataset = dset.MNIST(root=str(root), train=True, download=False, transform=transform)
    return dataset, f"the course's {len(dataset):,} offline digits written as torchvision MNIST files"


def models(args, device):
    torch.manual_seed(args.seed)
    g = DCGANGenerator(args.latent_dim, 1, args.width, 28).to(device)
    d = DCGANDiscriminator(1, args.width, 28).to(device)
    g_opt = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    return g, d, g_opt, d_opt


def reference_loop(args, device, dataset, steps: int) -> float:
    """pytorch/examples dcgan/main.py's inner loop; returns seconds for ``steps`` batches after warm-up."""
    net_g, net_d, optimizer_g, optimizer_d = models(args, device)
    criterion = nn.BCEWithLogitsLoss()
    dataloader = torch.utils.data.DataLoader(dataset, batch_size=args.batch_size, shuffle=True,
                                             num_workers=args.workers)
    real_label, fake_label = 1.0, 0.0

    def batches():
        while True:
            yield from dataloader

    it = batches()
    start = None
    for i in range(args.warmup + steps):
        if i == args.warmup:
            _sync(device)
            start = time.perf_counter()
        data = next(it)
        # (1) Update D: maximize log(D(x)) + log(1 - D(G(z)))
        net_d.zero_grad()
        real_cpu = data[0].to(device)
        batch_size = real_cpu.size(0)
        label = torch.full((batch_size,), real_label, dtype=real_cpu.dtype, device=device)
        output = net_d(real_cpu)
        err_d_real = criterion(output, label)
        err_d_real.backward()
        d_x = torch.sigmoid(output).mean().item()
        noise = torch.randn(batch_size, args.latent_dim, device=device)
        fake = net_g(noise)
        label.fill_(fake_label)
        output = net_d(fake.detach())
        err_d_fake = criterion(output, label)
        err_d_fake.backward()
        d_g_z1 = torch.sigmoid(output).mean().item()
        err_d = err_d_real + err_d_fake
        optimizer_d.step()
        # (2) Update G: maximize log(D(G(z)))
        net_g.zero_grad()
        label.fill_(real_label)
        output = net_d(fake)
        err_g = criterion(output, label)
        err_g.backward()
        d_g_z2 = torch.sigmoid(output).mean().item()
        optimizer_g.step()
        del d_x, d_g_z1, d_g_z2, err_d  # printed every 50 batches in the original; computed here too
    _sync(device)
    return time.perf_counter() - start


def course_loop(args, device, images: torch.Tensor, steps: int, *, amp: bool, channels_last: bool,
                reuse_fake: bool) -> float:
    g, d, g_opt, d_opt = models(args, device)
    loader = InMemoryLoader(images, batch_size=args.batch_size, seed=args.seed, device=device)
    kwargs = dict(loss="ns", log_every=10, progress=False, amp=amp, channels_last=channels_last,
                  reuse_fake=reuse_fake)
    train_gan(g, d, g_opt, d_opt, loader, args.warmup, **kwargs)
    _sync(device)
    start = time.perf_counter()
    train_gan(g, d, g_opt, d_opt, loader, steps, **kwargs)  # a fresh run of the warmed-up models
    _sync(device)
    return time.perf_counter() - start


def _sync(device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--width", type=int, default=64, help="ngf = ndf, 64 in pytorch/examples")
    parser.add_argument("--latent-dim", type=int, default=100, help="nz, 100 in pytorch/examples")
    parser.add_argument("--workers", type=int, default=2, help="DataLoader workers of the reference (2 there)")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    parser.add_argument("--data-root", default=str(Path.home() / ".cache" / "course_lib" / "data"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    dataset, source = torchvision_mnist(Path(args.data_root))
    images = to_signed(dataset.data.float().div(255.0).unsqueeze(1))  # the same digits, held in memory

    configs = {"pytorch/examples loop": lambda: reference_loop(args, device, dataset, args.steps)}
    for fast in (False, True):  # fast: bfloat16 autocast and channels-last (the CUDA defaults)
        for reuse in (False, True):
            name = (f"course loop, {'bf16 + channels-last' if fast else 'fp32'}"
                    f"{', fake reused' if reuse else ', fresh z for G'}")
            configs[name] = lambda fast=fast, reuse=reuse: course_loop(
                args, device, images, args.steps, amp=fast, channels_last=fast, reuse_fake=reuse)
    seconds = {name: [] for name in configs}
    for _ in range(args.repeats):
        for name, fn in configs.items():
            seconds[name].append(fn())
    ips = {name: args.steps * args.batch_size / statistics.median(s) for name, s in seconds.items()}
    base = ips["pytorch/examples loop"]
    print(f"device: {device} ({torch.get_num_threads()} threads), torch {torch.__version__}; data: {source}")
    print(f"G/D: DCGAN 28x28, width {args.width}, nz {args.latent_dim}; batch {args.batch_size}; "
          f"{args.steps} timed batches after {args.warmup} warm-up, median of {args.repeats}")
    print(f"{'loop':<50} {'images/s':>10} {'vs reference':>13}")
    for name, value in ips.items():
        print(f"{name:<50} {value:>10.1f} {value / base:>12.2f}x")


if __name__ == "__main__":
    main()
