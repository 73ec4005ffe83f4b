"""Small fully connected GANs for low-dimensional toy data (1-D Gaussians, 2-D mixtures).

* ``MLPGenerator(latent_dim, out_dim, hidden, depth)``: ``depth`` hidden layers of width
  ``hidden`` with ReLU, then a linear output (no squashing: toy data are not bounded).
  (B, latent_dim) -> (B, out_dim).
* ``MLPDiscriminator(in_dim, hidden, depth, minibatch_std=False)``: ``depth`` hidden layers
  with LeakyReLU(0.2), then a linear head returning *logits* of shape (B,)
  (D(x) = sigmoid(logit), as ``course_lib.losses.gan`` expects). ``features(x)`` returns
  the last hidden layer (B, hidden), the features of feature matching. With
  ``minibatch_std=True`` a ``course_lib.gan_tricks.MinibatchStdDev`` layer feeds the
  last hidden layer one extra input, the spread of the batch (of the input itself when
  ``depth == 1``).
"""
from __future__ import annotations

import torch
from torch import nn

from course_lib._checks import check_positive_int, check_tensor
from course_lib.gan_tricks import MinibatchStdDev

__all__ = ["MLPGenerator", "MLPDiscriminator"]


class MLPGenerator(nn.Module):
    """z (B, latent_dim) -> x (B, out_dim): [Linear, ReLU] * depth, Linear."""

    def __init__(self, latent_dim: int, out_dim: int, hidden: int = 128, depth: int = 2) -> None:
        super().__init__()
        self.latent_dim = check_positive_int("latent_dim", latent_dim)
        self.out_dim = check_positive_int("out_dim", out_dim)
        check_positive_int("hidden", hidden)
        check_positive_int("depth", depth)
        self.model_args = {"latent_dim": latent_dim, "out_dim": out_dim, "hidden": hidden, "depth": depth}
        layers: list[nn.Module] = []
        width = latent_dim
        for _ in range(depth):
            layers += [nn.Linear(width, hidden), nn.ReLU()]
            width = hidden
        layers.append(nn.Linear(width, out_dim))
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        check_tensor("z", z, ndim=2, floating=True, shape=(None, self.latent_dim))
        return self.net(z)


class MLPDiscriminator(nn.Module):
    """x (B, in_dim) -> logits (B,): [Linear, LeakyReLU(0.2)] * depth, Linear(hidden, 1)."""

    def __init__(self, in_dim: int, hidden: int = 128, depth: int = 2, minibatch_std: bool = False) -> None:
        super().__init__()
        self.in_dim = check_positive_int("in_dim", in_dim)
        check_positive_int("hidden", hidden)
        check_positive_int("depth", depth)
        if not isinstance(minibatch_std, bool):
            raise TypeError(f"minibatch_std must be a bool, got {type(minibatch_std).__name__}")
        self.minibatch_std = minibatch_std
        self.model_args = {"in_dim": in_dim, "hidden": hidden, "depth": depth, "minibatch_std": minibatch_std}
        layers: list[nn.Module] = []
        width = in_dim
        for i in range(depth):
            if minibatch_std and i == depth - 1:
                layers.append(MinibatchStdDev())
                width += 1
            layers += [nn.Linear(width, hidden), nn.LeakyReLU(0.2)]
            width = hidden
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(hidden, 1)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The last hidden layer, (B, hidden)."""
        check_tensor("x", x, ndim=2, floating=True, shape=(None, self.in_dim))
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x)).squeeze(1)
