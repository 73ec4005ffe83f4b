"""Inpainting with a pretrained generator: search its latent space for an image that agrees with
the known pixels, then keep those pixels and fill the rest from it (Yeh et al., 2017).

Conventions: images (N, 1, H, W) in [-1, 1] (the generator's scale); a **mask** M of the same
shape with 1 on the known pixels and 0 on the holes. The loss of a latent z is the mean
squared error over the known pixels only,

    L(z) = sum(M * (G(z) - I)^2) / sum(M)        (per image),

optionally plus ``prior_weight * |z|^2 / dim(z)`` (keeps z where the Gaussian prior puts its
mass). The answer blends: M * I + (1 - M) * G(z), so known pixels are kept exactly.
"""
from __future__ import annotations

import torch
from torch import nn
from tqdm.auto import tqdm

from course_lib._checks import check_positive_int, check_real, check_same_shape, check_tensor

MASK_KINDS = ("centre", "left", "top", "random")


def make_masks(kind: str, n: int, size: int = 28, *, hole: int = 12, keep: float = 0.25, seed: int = 0) -> torch.Tensor:
    """(n, 1, size, size) float masks, 1 = known: a ``hole`` x ``hole`` square in the centre missing, the left or
    top half missing, or ``random`` pixels kept with probability ``keep``."""
    if kind not in MASK_KINDS:
        raise ValueError(f"kind must be one of {list(MASK_KINDS)}, got {kind!r}")
    check_positive_int("n", n)
    check_positive_int("size", size)
    masks = torch.ones(n, 1, size, size)
    if kind == "centre":
        start = (size - hole) // 2
        masks[..., start:start + hole, start:start + hole] = 0
    elif kind == "left":
        masks[..., : size // 2] = 0
    elif kind == "top":
        masks[..., : size // 2, :] = 0
    else:
        masks = (torch.rand(n, 1, size, size, generator=torch.Generator().manual_seed(seed)) < keep).float()
    return masks


def _check(images: torch.Tensor, masks: torch.Tensor) -> None:
    check_tensor("images", images, ndim=4, floating=True)
    check_tensor("masks", masks, ndim=4, floating=True)
    check_same_shape("images", images, "masks", masks)


def masked_loss(generated: torch.Tensor, images: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """Per image (N,): sum(M * (G(z) - I)^2) / sum(M) over (C, H, W)."""
    _check(images, masks)
    check_same_shape("generated", generated, "images", images)
    known = masks.sum(dim=(1, 2, 3))
    if bool((known == 0).any()):
        raise ValueError("every mask must keep at least one pixel (a mask of zeros leaves nothing to match)")
    return (masks * (generated - images).pow(2)).sum(dim=(1, 2, 3)) / known


def blend(images: torch.Tensor, generated: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """M * I + (1 - M) * G(z): known pixels from the image, holes from the generator."""
    _check(images, masks)
    check_same_shape("generated", generated, "images", images)
    return masks * images + (1 - masks) * generated


def inpaint(generator: nn.Module, images: torch.Tensor, masks: torch.Tensor, *, steps: int = 300, lr: float = 0.05,
            prior_weight: float = 0.0, restarts: int = 4, seed: int = 0, progress: bool = True) -> dict:
    """Optimise z (Adam) for each image from ``restarts`` random starts; keep the start with the lowest loss.

    Returns ``{"z": (N, D), "generated": G(z), "blended": M * I + (1 - M) * G(z), "loss": (N,)}`` in [-1, 1].
    The generator runs in eval mode; its weights do not change.
    """
    _check(images, masks)
    check_positive_int("steps", steps)
    check_positive_int("restarts", restarts)
    lr = check_real("lr", lr, positive=True)
    prior_weight = check_real("prior_weight", prior_weight)
    latent_dim = getattr(generator, "latent_dim", None)
    if not isinstance(latent_dim, int):
        raise TypeError("generator must have an integer latent_dim (a course DCGANGenerator)")
    n = images.shape[0]
    was_training = generator.training
    generator.eval()
    flags = [p.requires_grad for p in generator.parameters()]
    for p in generator.parameters():
        p.requires_grad_(False)
    try:
        z = torch.randn(restarts * n, latent_dim, generator=torch.Generator().manual_seed(seed)).requires_grad_(True)
        target, mask = images.repeat(restarts, 1, 1, 1), masks.repeat(restarts, 1, 1, 1)
        optimizer = torch.optim.Adam([z], lr=lr)
        for _ in tqdm(range(steps), desc="inpainting: optimising z", disable=not progress):
            losses = masked_loss(generator(z), target, mask) + prior_weight * z.pow(2).mean(1)
            optimizer.zero_grad(set_to_none=True)
            losses.sum().backward()                   # each z has its own loss: summing keeps them independent
            optimizer.step()
        with torch.no_grad():
            generated = generator(z)
            losses = (masked_loss(generated, target, mask) + prior_weight * z.pow(2).mean(1)).reshape(restarts, n)
            best = losses.argmin(0)                                                  # (N,)
            pick = best * n + torch.arange(n)
            generated, z_best = generated[pick], z.detach()[pick]
    finally:
        for p, flag in zip(generator.parameters(), flags):
            p.requires_grad_(flag)
        generator.train(was_training)
    return {"z": z_best, "generated": generated, "blended": blend(images, generated, masks),
            "loss": losses.gather(0, best[None]).squeeze(0)}


def nearest_neighbour_fill(images: torch.Tensor, masks: torch.Tensor, library: torch.Tensor) -> dict:
    """Fill each image's holes from the ``library`` image (M, 1, H, W) closest on its known pixels.

    Returns ``{"neighbours": (N, 1, H, W), "blended": M * I + (1 - M) * neighbour, "index": (N,)}``.
    """
    _check(images, masks)
    check_tensor("library", library, ndim=4, floating=True)
    if library.shape[1:] != images.shape[1:]:
        raise ValueError(f"library must hold images of shape {tuple(images.shape[1:])}, got {tuple(library.shape[1:])}")
    flat_lib = library.flatten(1)                                                    # (M, P)
    index = []
    for image, mask in zip(images.flatten(1), masks.flatten(1)):
        distances = ((flat_lib - image) * mask).pow(2).sum(1)                        # masked squared distance
        index.append(int(distances.argmin()))
    index = torch.tensor(index)
    neighbours = library[index]
    return {"neighbours": neighbours, "blended": blend(images, neighbours, masks), "index": index}
