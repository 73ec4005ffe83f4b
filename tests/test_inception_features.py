"""The optional Inception-v3 feature path: used when weights are given, never required."""
import pytest
import torch
from torchvision.models import inception_v3

from course_lib.metrics import frechet_distance_from_features, inception_features, load_inception_network


def test_missing_weights_say_what_to_do(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_INCEPTION_WEIGHTS", raising=False)
    with pytest.raises(FileNotFoundError, match="MNIST feature network"):
        load_inception_network()
    with pytest.raises(FileNotFoundError, match="no Inception-v3 weights file"):
        load_inception_network(tmp_path / "absent.pt")


def test_features_from_a_weights_file(monkeypatch, tmp_path):
    torch.manual_seed(0)
    path = tmp_path / "inception.pt"
    torch.save(inception_v3(weights=None, aux_logits=True, init_weights=False).state_dict(), path)
    monkeypatch.setenv("COURSE_INCEPTION_WEIGHTS", str(path))
    network = load_inception_network()
    grey = torch.rand(3, 1, 28, 28)
    features = inception_features(network, grey, batch_size=2)
    assert features.shape == (3, 2048) and features.dtype == torch.float64
    # grey images are the same as their 3-channel copies
    torch.testing.assert_close(features, inception_features(network, grey.repeat(1, 3, 1, 1)))
    # "eigen": scipy's sqrtm of a 2048 x 2048 product takes seconds, the eigenvalues a fraction of one
    assert frechet_distance_from_features(features, features, method="eigen") == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(ValueError, match="channels"):
        inception_features(network, torch.rand(2, 2, 28, 28))


def test_inputs_reach_the_network_in_the_range_its_imagenet_weights_expect(monkeypatch, tmp_path):
    """torchvision's IMAGENET1K_V1 Inception weights (ported from TensorFlow) expect [-1, 1] inputs."""
    torch.manual_seed(1)
    path = tmp_path / "inception.pt"
    torch.save(inception_v3(weights=None, aux_logits=True, init_weights=False).state_dict(), path)
    network = load_inception_network(path)
    assert network.transform_input
    plain = inception_v3(weights=None, aux_logits=True, init_weights=False, transform_input=False)
    plain.load_state_dict(torch.load(path, weights_only=True))
    plain.fc = torch.nn.Identity()
    images = torch.rand(1, 3, 28, 28)
    resized = torch.nn.functional.interpolate(images, size=(299, 299), mode="bilinear", align_corners=False)
    with torch.no_grad():
        expected = plain.eval()(2 * resized - 1).double()
    torch.testing.assert_close(inception_features(network, images), expected, rtol=1e-4, atol=1e-5)
