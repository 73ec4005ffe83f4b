"""Gram matrices, style and content losses, and a perceptual distance in the course's MNIST classifier.

Convention: the Gram matrix of feature maps F (N, C, H, W) is normalised by the number of
values of one map, C * H * W (Johnson et al., 2016):

    G[n, i, j] = sum_{h, w} F[n, i, h, w] * F[n, j, h, w] / (C * H * W),   shape (N, C, C).

It holds the correlations between channels summed over positions, so it forgets *where*
things are: shuffling the pixels (the same permutation in every channel) leaves it unchanged.
That is why it describes texture and style.

With no VGG weights offline, the feature network is the course's MNIST classifier
(``course_lib.models.mnist_classifier``): ``classifier_feature_maps`` returns its three
convolutional feature maps after each ReLU, (N, 16, 28, 28), (N, 32, 14, 14), (N, 64, 7, 7).
Images go in at [0, 1].
"""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from course_lib._checks import check_tensor

# Index of the ReLU after each convolution in MnistClassifier.body.
CLASSIFIER_RELUS = (1, 4, 7)


def gram_matrix(features: torch.Tensor) -> torch.Tensor:
    """(N, C, H, W) -> (N, C, C): F F^T / (C * H * W), F the maps flattened to (N, C, H * W)."""
    check_tensor("features", features, ndim=4, floating=True)
    n, c, h, w = features.shape
    flat = features.reshape(n, c, h * w)
    return flat @ flat.transpose(1, 2) / (c * h * w)


def _feature_lists(name_a: str, a, name_b: str, b) -> None:
    if not isinstance(a, (list, tuple)) or not isinstance(b, (list, tuple)) or len(a) != len(b) or not a:
        raise TypeError(f"{name_a} and {name_b} must be non-empty lists of feature maps of the same length")


def style_loss(features: Sequence[torch.Tensor], style_features: Sequence[torch.Tensor]) -> torch.Tensor:
    """Sum over layers of the mean squared difference of Gram matrices (style images broadcast over the batch)."""
    _feature_lists("features", features, "style_features", style_features)
    return sum((gram_matrix(f) - gram_matrix(s)).pow(2).mean() for f, s in zip(features, style_features))


def content_loss(features: Sequence[torch.Tensor], content_features: Sequence[torch.Tensor]) -> torch.Tensor:
    """Sum over layers of the mean squared difference of the feature maps themselves."""
    _feature_lists("features", features, "content_features", content_features)
    return sum((f - c).pow(2).mean() for f, c in zip(features, content_features))


def classifier_feature_maps(classifier: nn.Module, images: torch.Tensor,
                            layers: Sequence[int] = CLASSIFIER_RELUS) -> list[torch.Tensor]:
    """The MNIST classifier's feature maps after the ReLUs ``layers`` of its body, for images (N, 1, 28, 28) in [0, 1].

    Differentiable with respect to ``images`` (the classifier's own weights are frozen by the caller)."""
    check_tensor("images", images, ndim=4, floating=True)
    body = getattr(classifier, "body", None)
    if not isinstance(body, nn.Sequential):
        raise TypeError("classifier must be the course's MnistClassifier (with a .body nn.Sequential)")
    if not layers or max(layers) >= len(body):
        raise ValueError(f"layers must be indices into classifier.body (0..{len(body) - 1}), got {list(layers)}")
    out, h = [], images
    for i, layer in enumerate(body[: max(layers) + 1]):
        h = layer(h)
        if i in layers:
            out.append(h)
    return out


def perceptual_distance(classifier: nn.Module, images: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Per image (N,): sum over the classifier's three feature maps of the mean squared difference, images in [0, 1]."""
    check_tensor("images", images, ndim=4, floating=True)
    check_tensor("targets", targets, ndim=4, floating=True)
    if images.shape != targets.shape:
        raise ValueError(f"images and targets must have the same shape, got {tuple(images.shape)} and "
                         f"{tuple(targets.shape)}")
    a, b = classifier_feature_maps(classifier, images), classifier_feature_maps(classifier, targets)
    return sum((x - y).pow(2).mean(dim=(1, 2, 3)) for x, y in zip(a, b))
