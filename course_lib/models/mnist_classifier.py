"""A small convolutional digit classifier whose penultimate layer is the course's feature space.

Notebook 08 evaluates generative models of MNIST-like digits with the Inception Score and
the FID. Inception-v3 features need weights that must be downloaded and images of
299x299x3; this network plays its part for 28x28 grey-level digits, offline: ``forward``
gives the class logits (for the Inception Score) and ``features`` the 128 activations of
the penultimate layer (for the FID and for precision/recall).

The trained weights ship with the package (``course_lib/weights/mnist_classifier.pt``,
written by ``scripts/train_feature_network.py``); ``course_lib.metrics.load_feature_network``
loads them after checking their SHA-256. About 99k parameters (under 400 KB in float32).
The batch normalisation before the feature ReLU keeps every one of the 128 units active on
part of the data: without it, about half of them never fire on a digit, and the features'
covariance is singular in those directions.

Inputs are images in [0, 1], shape (B, 1, 28, 28), the convention of ``course_lib.data``.
"""
from __future__ import annotations

import torch
from torch import nn

from course_lib._checks import check_positive_int, check_tensor

IMAGE_SHAPE = (1, 28, 28)
NUM_CLASSES = 10
FEATURE_DIM = 128


class MnistClassifier(nn.Module):
    """Three conv blocks, then a 128-unit hidden layer (the features), then 10 logits.

    x (B, 1, 28, 28) in [0, 1]
      -> conv 3x3, 16 ch, pad 1 + ReLU      (B, 16, 28, 28)
      -> max-pool 2                          (B, 16, 14, 14)
      -> conv 3x3, 32 ch, pad 1 + ReLU      (B, 32, 14, 14)
      -> max-pool 2                          (B, 32, 7, 7)
      -> conv 3x3, 64 ch, pad 1 + ReLU      (B, 64, 7, 7)
      -> max-pool 2 (floor)                  (B, 64, 3, 3)
      -> flatten                             (B, 576)
      -> linear 576 -> 128, batch norm, ReLU (B, 128)   = features(x)
      -> dropout (training only), linear 128 -> 10       (B, 10) = forward(x), logits
    """

    def __init__(self, feature_dim: int = FEATURE_DIM, num_classes: int = NUM_CLASSES,
                 dropout: float = 0.3) -> None:
        super().__init__()
        check_positive_int("feature_dim", feature_dim)
        check_positive_int("num_classes", num_classes, minimum=2)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be a number in [0, 1), got {dropout!r}")
        self.feature_dim = feature_dim
        self.num_classes = num_classes
        self.model_args = {"feature_dim": feature_dim, "num_classes": num_classes, "dropout": dropout}
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1),    # (B, 16, 28, 28)
            nn.ReLU(),
            nn.MaxPool2d(2),                               # (B, 16, 14, 14)
            nn.Conv2d(16, 32, kernel_size=3, padding=1),   # (B, 32, 14, 14)
            nn.ReLU(),
            nn.MaxPool2d(2),                               # (B, 32, 7, 7)
            nn.Conv2d(32, 64, kernel_size=3, padding=1),   # (B, 64, 7, 7)
            nn.ReLU(),
            nn.MaxPool2d(2),                               # (B, 64, 3, 3)
            nn.Flatten(),                                  # (B, 576)
            nn.Linear(64 * 3 * 3, feature_dim),            # (B, feature_dim)
            nn.BatchNorm1d(feature_dim),                   # (B, feature_dim): keeps every unit alive
            nn.ReLU(),
        )
        self.head = nn.Sequential(
            nn.Dropout(dropout),                           # (B, feature_dim), identity in eval mode
            nn.Linear(feature_dim, num_classes),           # (B, num_classes)
        )

    @staticmethod
    def _check(x: torch.Tensor) -> None:
        check_tensor("x", x, ndim=4, floating=True)
        if tuple(x.shape[1:]) != IMAGE_SHAPE:
            raise ValueError(f"x must have shape (B, 1, 28, 28), got {tuple(x.shape)}")

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate activations: (B, 1, 28, 28) -> (B, feature_dim), non-negative (after a ReLU)."""
        self._check(x)
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits: (B, 1, 28, 28) -> (B, num_classes)."""
        return self.head(self.features(x))

    def features_and_logits(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Both at the cost of one pass: ((B, feature_dim), (B, num_classes))."""
        h = self.features(x)
        return h, self.head(h)
