"""Figures the notebooks show: image grids, loss curves and 2-D latent maps.

Every function draws into a Matplotlib ``Axes`` (a new figure when ``ax`` is None), sets a
title and axis labels, and returns the ``Axes`` so a notebook can add to it.
"""
from __future__ import annotations

from typing import Callable, Iterable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from course_lib._checks import check_positive_int, check_tensor


def show_images(images: torch.Tensor, *, nrow: int = 8, title: str, ax=None,
                value_range: tuple[float, float] = (0.0, 1.0), padding: int = 2,
                figsize_per_image: float = 0.6):
    """Show a batch of images (B, C, H, W) as one grid, made by torchvision's ``make_grid``.

    ``value_range`` is the range the pixels live in: (0, 1) for VAEs, (-1, 1) for tanh GANs.
    """
    check_tensor("images", images, ndim=4, floating=True)
    check_positive_int("nrow", nrow)
    if images.shape[1] not in (1, 3):
        raise ValueError(f"images must have 1 or 3 channels, got shape {tuple(images.shape)}")
    from torchvision.utils import make_grid   # here, not at the top: torchvision takes 2 s to import
    grid = make_grid(images.detach().float().cpu(), nrow=nrow, padding=padding,
                     normalize=True, value_range=value_range, pad_value=1.0)
    if ax is None:
        rows = -(-images.shape[0] // nrow)
        width = max(2.0, figsize_per_image * min(nrow, images.shape[0]))
        _, ax = plt.subplots(figsize=(width, max(1.2, figsize_per_image * rows) + 0.4))
    ax.imshow(grid.permute(1, 2, 0).numpy(), interpolation="nearest")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def plot_history(history, keys: Sequence[str] | None = None, *, title: str, ax=None,
                 smooth: int = 1, ylabel: str = "value", logy: bool = False):
    """Curves of logged metrics against the training step (``course_lib.training.History``).

    ``smooth`` > 1 draws a running mean over that many logged points.
    """
    check_positive_int("smooth", smooth)
    keys = list(keys) if keys is not None else history.keys()
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    steps = np.asarray(history.steps)
    for key in keys:
        values = np.asarray(history[key], dtype=float)
        if smooth > 1 and len(values) >= smooth:
            kernel = np.ones(smooth) / smooth
            values = np.convolve(values, kernel, mode="valid")
            x = steps[smooth - 1:]
        else:
            x = steps
        ax.plot(x, values, label=key)
    ax.set_xlabel("training step")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if logy:
        ax.set_yscale("log")
    ax.legend()
    ax.grid(alpha=0.3)
    return ax


def plot_latent_scatter(codes: torch.Tensor, labels: torch.Tensor | None = None, *, title: str,
                        ax=None, s: float = 4.0, class_names: Iterable[str] | None = None):
    """Scatter 2-D latent codes (N, 2), coloured by label when given."""
    check_tensor("codes", codes, ndim=2, floating=True)
    if codes.shape[1] != 2:
        raise ValueError(f"codes must have shape (N, 2), got {tuple(codes.shape)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4.5))
    z = codes.detach().cpu().numpy()
    if labels is None:
        ax.scatter(z[:, 0], z[:, 1], s=s, alpha=0.6)
    else:
        check_tensor("labels", labels, ndim=1, integer=True)
        if labels.shape[0] != codes.shape[0]:
            raise ValueError(f"labels must have {codes.shape[0]} entries, got {labels.shape[0]}")
        y = labels.detach().cpu().numpy()
        names = list(class_names) if class_names is not None else [str(c) for c in range(int(y.max()) + 1)]
        cmap = plt.get_cmap("tab10")
        for c in np.unique(y):
            ax.scatter(z[y == c, 0], z[y == c, 1], s=s, alpha=0.6, color=cmap(int(c) % 10), label=names[int(c)])
        ax.legend(markerscale=3, fontsize="small", loc="best", ncol=2)
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    ax.set_title(title)
    return ax


@torch.no_grad()
def plot_latent_manifold(decode: Callable[[torch.Tensor], torch.Tensor], *, title: str, n: int = 15,
                         span: float = 2.5, ax=None, device=None):
    """Decode an n x n grid of 2-D codes in [-span, span]^2 and show the images in place.

    ``decode`` maps codes (n*n, 2) to images (n*n, 1, H, W) in [0, 1]. Rows run from high
    z_2 (top) to low z_2 (bottom), as on a plot.
    """
    check_positive_int("n", n)
    axis = torch.linspace(-span, span, n)
    z2, z1 = torch.meshgrid(axis.flip(0), axis, indexing="ij")
    codes = torch.stack([z1.reshape(-1), z2.reshape(-1)], dim=1)
    if device is not None:
        codes = codes.to(device)
    images = decode(codes).cpu()
    check_tensor("decode(codes)", images, ndim=4, floating=True)
    from torchvision.utils import make_grid   # imported late, as in show_images
    grid = make_grid(images, nrow=n, padding=0)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    ax.imshow(grid.permute(1, 2, 0).numpy(), extent=(-span, span, -span, span), interpolation="nearest")
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    ax.set_title(title)
    return ax
