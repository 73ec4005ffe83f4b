"""The shipped feature network: hash check, recorded accuracy, and FID behaving as a distance on digits."""
import json
import math
import shutil

import pytest
import torch
import torch.nn.functional as F

from course_lib import metrics as M
from course_lib.data import load_data
from course_lib.models.mnist_classifier import FEATURE_DIM, MnistClassifier


@pytest.fixture(scope="module")
def network():
    return M.load_feature_network()


@pytest.fixture(scope="module")
def digits():
    return load_data("mnist", "train", budget="fast"), load_data("mnist", "test", budget="fast")


@pytest.fixture(scope="module")
def train_features(network, digits):
    return M.extract_features(network, digits[0].images).features


def _blur(images, sigma):
    """Separable Gaussian blur of (N, 1, 28, 28) images with standard deviation sigma pixels (0: unchanged)."""
    if sigma == 0:
        return images
    radius = max(1, math.ceil(3 * sigma))
    x = torch.arange(-radius, radius + 1, dtype=torch.float32)
    kernel = torch.exp(-x**2 / (2 * sigma**2))
    kernel = kernel / kernel.sum()
    out = F.conv2d(F.pad(images, (radius, radius, 0, 0), mode="reflect"), kernel.view(1, 1, 1, -1))
    return F.conv2d(F.pad(out, (0, 0, radius, radius), mode="reflect"), kernel.view(1, 1, -1, 1))


def test_weights_are_small_and_their_record_is_complete():
    record = json.loads(M.FEATURE_NETWORK_RECORD.read_text())
    assert M.FEATURE_NETWORK_WEIGHTS.stat().st_size < 500 * 1024
    assert record["sha256"] == M.file_sha256(M.FEATURE_NETWORK_WEIGHTS)
    assert record["size_bytes"] == M.FEATURE_NETWORK_WEIGHTS.stat().st_size
    for key in ("test_accuracy", "test_correct", "test_images", "command", "training_data", "test_data", "seed"):
        assert key in record, f"the record lacks {key!r}"
    assert record["command"].startswith("python scripts/train_feature_network.py")


def test_load_refuses_weights_whose_hash_differs(tmp_path):
    weights, record = tmp_path / "net.pt", tmp_path / "net.json"
    shutil.copy(M.FEATURE_NETWORK_WEIGHTS, weights)
    shutil.copy(M.FEATURE_NETWORK_RECORD, record)
    assert isinstance(M.load_feature_network(weights, record), MnistClassifier)
    data = bytearray(weights.read_bytes())
    data[-100] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="SHA-256"):
        M.load_feature_network(weights, record)
    with pytest.raises(FileNotFoundError, match="train_feature_network"):
        M.load_feature_network(tmp_path / "missing.pt")


def test_recorded_accuracy_is_reproduced_on_the_offline_test_split(network, digits):
    record = json.loads(M.FEATURE_NETWORK_RECORD.read_text())
    test = digits[1]
    out = M.extract_features(network, test.images)
    correct = int((out.probs.argmax(1) == test.labels).sum())
    assert len(test) == record["test_images"] == 1000
    assert correct == record["test_correct"]
    assert correct / len(test) == pytest.approx(record["test_accuracy"])
    assert record["test_accuracy"] >= 0.97


def test_network_shapes_modes_and_outputs(network, digits):
    x = digits[1].images[:7]
    assert not network.training
    assert network.features(x).shape == (7, FEATURE_DIM) and network(x).shape == (7, 10)
    h, logits = network.features_and_logits(x)
    torch.testing.assert_close(logits, network(x))
    assert (h >= 0).all()
    out = M.extract_features(network, x, batch_size=3)
    assert out.features.dtype == out.probs.dtype == torch.float64
    torch.testing.assert_close(out.probs.sum(1), torch.ones(7, dtype=torch.float64))
    network.train()
    M.extract_features(network, x)
    assert network.training, "extract_features must restore the network's mode"
    network.eval()
    with pytest.raises(ValueError, match="x must have shape"):
        network(torch.rand(2, 1, 32, 32))
    with pytest.raises(TypeError, match="network"):
        M.extract_features(lambda x: x, x)


def test_real_digits_score_a_high_inception_score(network, digits):
    probs = M.extract_features(network, digits[1].images).probs
    mean, _ = M.inception_score(probs, splits=10)
    assert 8.5 < mean <= 10.0


@pytest.mark.parametrize("kind,levels", [("noise", [0.0, 0.1, 0.2, 0.35, 0.5]), ("blur", [0.0, 0.5, 1.0, 1.5, 2.0])])
def test_fid_rises_monotonically_with_the_damage_and_real_vs_real_is_the_floor(network, digits, train_features,
                                                                               kind, levels):
    test = digits[1].images
    g = torch.Generator().manual_seed(0)
    values = []
    for level in levels:
        if kind == "noise":
            damaged = (test + level * torch.randn(test.shape, generator=g)).clamp(0, 1)
        else:
            damaged = _blur(test, level)
        values.append(M.frechet_distance_from_features(train_features, M.extract_features(network, damaged).features))
    floor = values[0]   # training digits vs held-out digits: the FID of a perfect model at these sample sizes
    assert floor > 0
    assert all(a < b for a, b in zip(values, values[1:])), f"FID is not increasing with {kind}: {values}"
    assert values[-1] > 10 * floor
