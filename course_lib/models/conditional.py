"""Conditional DCGANs for 28x28 images: the cGAN, the AC-GAN and the InfoGAN players.

How the label enters (Mirza and Osindero, 2014)
-----------------------------------------------
* **Into G**, as a one-hot vector appended to the noise: the input of the DCGAN generator is
  [z, one_hot(y)], of size latent_dim + n_classes (``generator_input``). "The label as an
  extension of the latent space": the first transposed convolution gives every class its own
  bias pattern at 7x7, and the noise varies what the label does not fix.
* **Into D**, as n_classes extra constant image channels, channel y all ones and the others
  zeros (``discriminator_input``). D's very first convolution then sees the label at every
  pixel, together with the image, so it can learn "a 7 should look like this" from the
  bottom up. The projection discriminator (Miyato and Koyama, 2018: an inner product of a
  class embedding with D's last features) scales better to many classes; with 10 classes and
  28x28 images the extra channels cost little (10 more input channels of the first layer)
  and keep D a plain DCGAN discriminator, which is why the course uses them.

AC-GAN (Odena et al., 2017) gives D no label: D gets a second head that *classifies* its input
(``AuxiliaryDiscriminator`` with ``n_continuous=0``). InfoGAN (Chen et al., 2016) uses the
same two-headed D: its auxiliary head is the network Q(c | x), which shares D's convolutional
body and predicts the latent codes (logits of a categorical code, and the mean and
log-variance of a Gaussian over each continuous code).

Conventions: images in [-1, 1]; labels and categorical codes are int64 of shape (B,);
continuous codes float (B, n_continuous), drawn from U[-1, 1]; D returns logits.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from course_lib._checks import check_positive_int, check_tensor
from course_lib.models.dcgan import DCGANDiscriminator, DCGANGenerator, dcgan_init

__all__ = ["generator_input", "discriminator_input", "ConditionalGenerator", "ConditionalDiscriminator",
           "AuxiliaryDiscriminator", "InfoGANGenerator"]


def _check_labels(name: str, y, n: int, n_classes: int) -> torch.Tensor:
    check_tensor(name, y, ndim=1, integer=True)
    if y.shape[0] != n:
        raise ValueError(f"{name} must hold one label per sample ({n}), got shape {tuple(y.shape)}")
    if y.numel() and (int(y.min()) < 0 or int(y.max()) >= n_classes):
        raise ValueError(f"{name} must lie in 0 ... {n_classes - 1}, got values in [{int(y.min())}, {int(y.max())}]")
    return y


def generator_input(z: torch.Tensor, y: torch.Tensor, n_classes: int) -> torch.Tensor:
    """[z, one_hot(y)]: (B, latent_dim), (B,) int -> (B, latent_dim + n_classes), dtype of z."""
    check_tensor("z", z, ndim=2, floating=True)
    check_positive_int("n_classes", n_classes)
    _check_labels("y", y, z.shape[0], n_classes)
    return torch.cat([z, F.one_hot(y, n_classes).to(z.dtype)], dim=1)


def discriminator_input(x: torch.Tensor, y: torch.Tensor, n_classes: int) -> torch.Tensor:
    """x with n_classes constant channels appended, channel y of sample i all ones:
    (B, C, H, W), (B,) int -> (B, C + n_classes, H, W), dtype of x."""
    check_tensor("x", x, ndim=4, floating=True)
    check_positive_int("n_classes", n_classes)
    _check_labels("y", y, x.shape[0], n_classes)
    maps = F.one_hot(y, n_classes).to(x.dtype)[:, :, None, None].expand(-1, -1, *x.shape[2:])
    return torch.cat([x, maps], dim=1)


class ConditionalGenerator(nn.Module):
    """(z (B, latent_dim), y (B,)) -> image (B, channels, 28, 28) in [-1, 1]: a DCGAN generator on [z, one_hot(y)]."""

    def __init__(self, latent_dim: int = 64, n_classes: int = 10, channels: int = 1, width: int = 32) -> None:
        super().__init__()
        for name, value in (("latent_dim", latent_dim), ("n_classes", n_classes), ("channels", channels),
                            ("width", width)):
            check_positive_int(name, value)
        self.latent_dim, self.n_classes = latent_dim, n_classes
        self.model_args = {"latent_dim": latent_dim, "n_classes": n_classes, "channels": channels, "width": width}
        self.body = DCGANGenerator(latent_dim + n_classes, channels, width, 28)  # (B, latent + K) -> (B, C, 28, 28)

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"z must have shape (B, {self.latent_dim}), got {tuple(z.shape)}")
        return self.body(generator_input(z, y, self.n_classes))


class ConditionalDiscriminator(nn.Module):
    """(x (B, channels, 28, 28), y (B,)) -> one logit per image (B,): a DCGAN discriminator on x
    with the label as n_classes extra channels."""

    def __init__(self, n_classes: int = 10, channels: int = 1, width: int = 32) -> None:
        super().__init__()
        for name, value in (("n_classes", n_classes), ("channels", channels), ("width", width)):
            check_positive_int(name, value)
        self.n_classes, self.channels = n_classes, channels
        self.model_args = {"n_classes": n_classes, "channels": channels, "width": width}
        self.body = DCGANDiscriminator(channels + n_classes, width, 28, norm="batch")  # (B, C + K, 28, 28) -> (B,)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        check_tensor("x", x, ndim=4, floating=True)
        if x.shape[1] != self.channels:
            raise ValueError(f"x must have {self.channels} channel(s), got shape {tuple(x.shape)}")
        return self.body(discriminator_input(x, y, self.n_classes))


class AuxiliaryDiscriminator(nn.Module):
    """A DCGAN discriminator with a second head on its shared body (AC-GAN's classifier, InfoGAN's Q).

    ``forward(x)`` -> adversarial logits (B,). ``heads(x)`` -> (adversarial logits (B,),
    categorical logits (B, n_classes), continuous means (B, n_continuous), continuous
    log-variances (B, n_continuous)) from one pass through the body; ``q(x)`` the last three.
    The log-variances are *predicted* (the Gaussian Q has a variance of its own per sample),
    clamped to [-8, 8] by a scaled tanh so that exp(-logvar) cannot overflow.
    """

    LOGVAR_BOUND = 8.0

    def __init__(self, n_classes: int = 10, n_continuous: int = 0, channels: int = 1, width: int = 32,
                 hidden: int = 128) -> None:
        super().__init__()
        for name, value in (("n_classes", n_classes), ("channels", channels), ("width", width), ("hidden", hidden)):
            check_positive_int(name, value)
        check_positive_int("n_continuous", n_continuous, minimum=0)
        self.n_classes, self.n_continuous, self.channels = n_classes, n_continuous, channels
        self.model_args = {"n_classes": n_classes, "n_continuous": n_continuous, "channels": channels,
                           "width": width, "hidden": hidden}
        w = width
        self.body = nn.Sequential(
            nn.Conv2d(channels, w, 4, 2, 1),                  # (B, w, 14, 14), no norm on the first layer
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(w, 2 * w, 4, 2, 1, bias=False),         # (B, 2w, 7, 7)
            nn.BatchNorm2d(2 * w),
            nn.LeakyReLU(0.2, True),
        )
        self.adversarial = nn.Conv2d(2 * w, 1, 7, 1, 0)       # (B, 1, 1, 1)
        self.auxiliary = nn.Sequential(
            nn.Flatten(),                                     # (B, 2w * 49)
            nn.Linear(2 * w * 49, hidden, bias=False),        # (B, hidden)
            nn.BatchNorm1d(hidden),
            nn.LeakyReLU(0.2, True),
            nn.Linear(hidden, n_classes + 2 * n_continuous),  # (B, K + 2 n_continuous)
        )
        self.apply(dcgan_init)

    def _body(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor("x", x, ndim=4, floating=True)
        if tuple(x.shape[1:]) != (self.channels, 28, 28):
            raise ValueError(f"x must have shape (B, {self.channels}, 28, 28), got {tuple(x.shape)}")
        return self.body(x)

    def _split(self, aux: torch.Tensor):
        k, m = self.n_classes, self.n_continuous
        logvar = self.LOGVAR_BOUND * torch.tanh(aux[:, k + m:] / self.LOGVAR_BOUND)
        return aux[:, :k], aux[:, k:k + m], logvar

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.adversarial(self._body(x)).flatten()

    def heads(self, x: torch.Tensor):
        h = self._body(x)
        return (self.adversarial(h).flatten(), *self._split(self.auxiliary(h)))

    def q(self, x: torch.Tensor):
        """(categorical logits (B, K), continuous means (B, m), continuous log-variances (B, m))."""
        return self._split(self.auxiliary(self._body(x)))


class InfoGANGenerator(nn.Module):
    """(z (B, noise_dim), c_cat (B,) int, c_cont (B, n_continuous)) -> image (B, channels, 28, 28) in [-1, 1].

    A DCGAN generator on [z, one_hot(c_cat), c_cont] (62 + 10 + 2 = 74 inputs for MNIST in
    Chen et al., 2016): structurally a cGAN generator whose "label" is drawn, not given.
    """

    def __init__(self, noise_dim: int = 62, n_categories: int = 10, n_continuous: int = 2, channels: int = 1,
                 width: int = 32) -> None:
        super().__init__()
        for name, value in (("noise_dim", noise_dim), ("n_categories", n_categories), ("channels", channels),
                            ("width", width)):
            check_positive_int(name, value)
        check_positive_int("n_continuous", n_continuous, minimum=0)
        self.noise_dim, self.n_categories, self.n_continuous = noise_dim, n_categories, n_continuous
        self.model_args = {"noise_dim": noise_dim, "n_categories": n_categories, "n_continuous": n_continuous,
                           "channels": channels, "width": width}
        self.body = DCGANGenerator(noise_dim + n_categories + n_continuous, channels, width, 28)

    def forward(self, z: torch.Tensor, c_cat: torch.Tensor, c_cont: torch.Tensor) -> torch.Tensor:
        if z.ndim != 2 or z.shape[1] != self.noise_dim:
            raise ValueError(f"z must have shape (B, {self.noise_dim}), got {tuple(z.shape)}")
        check_tensor("c_cont", c_cont, shape=(z.shape[0], self.n_continuous), floating=True)
        return self.body(torch.cat([generator_input(z, c_cat, self.n_categories), c_cont.to(z.dtype)], dim=1))
