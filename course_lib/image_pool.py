"""CycleGAN's history of generated images (Shrivastava et al., 2017): D also sees older fakes.

``ImagePool(size=50)``: until it is full, every new fake is stored and passed on; then each new
fake, with probability 1/2, is swapped with a stored one chosen at random (the old one goes to
D, the new one takes its place), else passed on as it is. D then learns from a mixture of the
generator's recent and past outputs, which damps oscillation.

The pool is an ``nn.Module`` whose images are a buffer, so a checkpoint (``course_lib.training``)
saves and resumes it exactly; its random draws use the global torch generator (saved there too).
"""
from __future__ import annotations

import torch
from torch import nn

from course_lib._checks import check_positive_int, check_tensor


class ImagePool(nn.Module):
    """query(images (B, C, H, W)) -> (B, C, H, W): a mix of these fakes and stored older ones (no gradient)."""

    def __init__(self, size: int = 50, image_shape: tuple[int, int, int] = (1, 28, 28)) -> None:
        super().__init__()
        check_positive_int("size", size, minimum=0)
        if not (isinstance(image_shape, (tuple, list)) and len(image_shape) == 3):
            raise ValueError(f"image_shape must be (C, H, W), got {image_shape!r}")
        self.size = size
        self.model_args = {"size": size, "image_shape": list(image_shape)}
        self.register_buffer("images", torch.zeros(size, *image_shape))
        self.register_buffer("count", torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def query(self, images: torch.Tensor) -> torch.Tensor:
        check_tensor("images", images, ndim=4, floating=True)
        if tuple(images.shape[1:]) != tuple(self.images.shape[1:]):
            raise ValueError(f"images must have shape (B, {', '.join(map(str, self.images.shape[1:]))}), "
                             f"got {tuple(images.shape)}")
        if self.size == 0:
            return images.detach()
        out = []
        for image in images.detach():
            if int(self.count) < self.size:                                 # filling up: store and pass on
                self.images[int(self.count)] = image
                self.count += 1
                out.append(image)
            elif torch.rand(()) < 0.5:                                      # swap with a stored one
                k = int(torch.randint(self.size, ()))
                out.append(self.images[k].clone())
                self.images[k] = image
            else:
                out.append(image)
        return torch.stack(out)
