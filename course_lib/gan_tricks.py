"""Training tricks against GAN instability and mode collapse (Salimans et al. 2016; Karras et al. 2018).

* ``MinibatchStdDev``: a layer that appends one feature, the average over features of the
  standard deviation *across the batch*, so that D can tell a batch of near-identical
  samples (a collapsed G) from a batch as varied as the data (the simple form of
  minibatch discrimination used by ProGAN).
* ``feature_matching_loss``: G matches the mean of D's intermediate features on real and on
  generated batches, ``|| mean f(x) - mean f(G(z)) ||^2``, instead of fooling D's output.
* ``HistoricalAverage``: the penalty ``weight * || theta - (1/t) sum_{i<=t} theta[i] ||^2`` on a
  player's parameters; ``attach(optimizer)`` updates the running average after every step.
* One-sided label smoothing is the ``real_label`` argument of
  ``course_lib.losses.gan.discriminator_loss`` (and of ``course_lib.adversarial``).

All four plug into ``course_lib.adversarial.adversarial_step``: the layer lives inside the
discriminator (``course_lib.models.mlp_gan.MLPDiscriminator(minibatch_std=True)``), feature
matching is its ``g_objective``, the historical averages its ``d_penalty``/``g_penalty``.
"""
from __future__ import annotations

import torch
from torch import nn

from course_lib._checks import check_positive_int, check_real, check_same_device, check_tensor

__all__ = ["MinibatchStdDev", "minibatch_stddev", "feature_matching_loss", "HistoricalAverage"]


def minibatch_stddev(x: torch.Tensor, group_size: int | None = None, eps: float = 1e-8) -> torch.Tensor:
    """Append the minibatch standard-deviation feature to ``x``.

    ``x``: (N, F) or (N, C, H, W), floating. The batch is split into groups of
    ``group_size`` consecutive examples (``None``: one group, the whole batch; N must be a
    multiple of ``group_size``). Within each group the standard deviation over the group
    (population formula, sqrt(var + eps)) is taken for every feature (every channel and
    pixel), then averaged over features: one number per group, broadcast to all its
    examples and appended as one extra feature (F + 1) or one extra channel (C + 1).
    """
    check_tensor("x", x, ndim=(2, 4), floating=True)
    n = x.shape[0]
    if n < 2 and group_size is None:
        raise ValueError(f"x must hold at least 2 examples for a standard deviation over the batch, got {n}")
    if group_size is None:
        group_size = n
    check_positive_int("group_size", group_size, minimum=2)
    if n % group_size != 0:
        raise ValueError(f"the batch size ({n}) must be a multiple of group_size ({group_size})")
    eps = check_real("eps", eps, positive=True)
    groups = x.reshape(n // group_size, group_size, *x.shape[1:])           # (G, S, ...)
    std = torch.sqrt(groups.var(dim=1, unbiased=False) + eps)                # (G, ...)
    stat = std.flatten(1).mean(dim=1)                                        # (G,)
    stat = stat.repeat_interleave(group_size)                                # (N,)
    extra = stat.view(n, *([1] * (x.ndim - 1))).expand(n, 1, *x.shape[2:])   # (N, 1) or (N, 1, H, W)
    return torch.cat([x, extra.to(x.dtype)], dim=1)


class MinibatchStdDev(nn.Module):
    """``minibatch_stddev`` as a layer: (N, F) -> (N, F + 1), (N, C, H, W) -> (N, C + 1, H, W)."""

    def __init__(self, group_size: int | None = None, eps: float = 1e-8) -> None:
        super().__init__()
        if group_size is not None:
            check_positive_int("group_size", group_size, minimum=2)
        self.group_size = group_size
        self.eps = check_real("eps", eps, positive=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return minibatch_stddev(x, self.group_size, self.eps)

    def extra_repr(self) -> str:
        return f"group_size={self.group_size}"


def feature_matching_loss(real_features: torch.Tensor, fake_features: torch.Tensor) -> torch.Tensor:
    """|| mean_x f(x) - mean_z f(G(z)) ||_2^2: squared distance between the batch means of features.

    ``real_features`` (N, ...) and ``fake_features`` (M, ...) share their trailing shape;
    the means run over the batch (dimension 0), the squared norm over everything else.
    The real features are detached (they are a target for G). Returns a scalar.
    """
    check_tensor("real_features", real_features, floating=True)
    check_tensor("fake_features", fake_features, floating=True)
    check_same_device("real_features", real_features, "fake_features", fake_features)
    if real_features.ndim < 2 or real_features.shape[1:] != fake_features.shape[1:]:
        raise ValueError("real_features and fake_features must be batches (N, ...) with the same trailing "
                         f"shape, got {tuple(real_features.shape)} and {tuple(fake_features.shape)}")
    if real_features.shape[0] == 0 or fake_features.shape[0] == 0:
        raise ValueError("real_features and fake_features must not be empty")
    difference = real_features.detach().mean(dim=0) - fake_features.mean(dim=0)
    return difference.pow(2).sum()


class HistoricalAverage(nn.Module):
    """weight * || theta - theta_bar ||^2 with theta_bar the mean of the parameters seen so far.

    ``theta_bar`` starts at the parameters ``module`` has now (t = 1, so the penalty starts
    at 0) and ``update()`` adds the current parameters: theta_bar <- theta_bar + (theta - theta_bar) / t.
    ``attach(optimizer)`` registers ``update`` as a post-step hook of the optimizer, so the
    average follows every step of that player. The average is a constant for autograd:
    the penalty's gradient is 2 * weight * (theta - theta_bar).

    It is an ``nn.Module`` whose buffers are the average and the count, so that putting it
    in a ``course_lib.training.TrainState`` checkpoints it and a resumed run goes on exactly.
    (The averaged module's parameters are referenced, not registered: they are not copied
    into this module's state.)
    """

    def __init__(self, module: nn.Module, weight: float) -> None:
        super().__init__()
        if not isinstance(module, nn.Module):
            raise TypeError(f"module must be a torch.nn.Module, got {type(module).__name__}")
        self.weight = check_real("weight", weight)
        if self.weight < 0:
            raise ValueError(f"weight must be >= 0, got {self.weight}")
        params = list(module.parameters())
        if not params:
            raise ValueError("module has no parameters to average")
        object.__setattr__(self, "_tracked", params)  # a plain list, kept out of the module's state
        for i, p in enumerate(params):
            self.register_buffer(f"average_{i}", p.detach().clone())
        self.register_buffer("count", torch.tensor(1, dtype=torch.long))

    @property
    def average(self) -> list[torch.Tensor]:
        return [getattr(self, f"average_{i}") for i in range(len(self._tracked))]

    @torch.no_grad()
    def update(self) -> None:
        self.count += 1
        n = float(self.count)
        for avg, p in zip(self.average, self._tracked):
            avg.add_((p.detach() - avg) / n)

    def penalty(self) -> torch.Tensor:
        total = sum((p - avg).pow(2).sum() for p, avg in zip(self._tracked, self.average))
        return self.weight * total

    def forward(self) -> torch.Tensor:
        return self.penalty()

    def attach(self, optimizer: torch.optim.Optimizer) -> "HistoricalAverage":
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
        optimizer.register_step_post_hook(lambda *_: self.update())
        return self

    def extra_repr(self) -> str:
        return f"weight={self.weight}, tensors={len(self._tracked)}"
