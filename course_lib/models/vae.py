"""Reference autoencoder and VAE for 28x28 grey-level images (MNIST-like).

Fully connected on purpose: they train in seconds on a laptop CPU, and every idea of the
notebook (the ELBO, the KL term, holes in an AE's latent space, the IWAE bound) shows
already at this size. Sizes are arguments so the full budget can make them wider.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from course_lib._checks import check_positive_int, check_tensor
from course_lib.losses.vae import reparameterize

IMAGE_SHAPE = (1, 28, 28)
IMAGE_DIM = 28 * 28


def _check_images(x: torch.Tensor) -> None:
    check_tensor("x", x, ndim=4, floating=True)
    if tuple(x.shape[1:]) != IMAGE_SHAPE:
        raise ValueError(f"x must have shape (B, 1, 28, 28), got {tuple(x.shape)}")


class GaussianEncoder(nn.Module):
    """q(z|x) = N(mu(x), diag exp(logvar(x))).

    x (B, 1, 28, 28) -> flatten (B, 784) -> Linear+ReLU (B, hidden) -> two linear heads:
    mu (B, latent), logvar (B, latent). The heads have no activation: logvar may be negative.
    """

    def __init__(self, latent_dim: int = 16, hidden_dim: int = 256) -> None:
        super().__init__()
        check_positive_int("latent_dim", latent_dim)
        check_positive_int("hidden_dim", hidden_dim)
        self.body = nn.Sequential(
            nn.Flatten(),                          # (B, 784)
            nn.Linear(IMAGE_DIM, hidden_dim),      # (B, hidden)
            nn.ReLU(),
        )
        self.mu = nn.Linear(hidden_dim, latent_dim)      # (B, latent)
        self.logvar = nn.Linear(hidden_dim, latent_dim)  # (B, latent)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        _check_images(x)
        h = self.body(x)
        return self.mu(h), self.logvar(h)


class DeterministicEncoder(nn.Module):
    """The plain autoencoder's encoder: x (B, 1, 28, 28) -> code (B, latent)."""

    def __init__(self, latent_dim: int = 16, hidden_dim: int = 256) -> None:
        super().__init__()
        check_positive_int("latent_dim", latent_dim)
        check_positive_int("hidden_dim", hidden_dim)
        self.net = nn.Sequential(
            nn.Flatten(),                        # (B, 784)
            nn.Linear(IMAGE_DIM, hidden_dim),    # (B, hidden)
            nn.ReLU(),
            nn.Linear(hidden_dim, latent_dim),   # (B, latent)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_images(x)
        return self.net(x)


class Decoder(nn.Module):
    """z (B, latent) -> Linear+ReLU (B, hidden) -> Linear (B, 784) -> logits (B, 1, 28, 28)."""

    def __init__(self, latent_dim: int = 16, hidden_dim: int = 256) -> None:
        super().__init__()
        check_positive_int("latent_dim", latent_dim)
        check_positive_int("hidden_dim", hidden_dim)
        self.latent_dim = latent_dim
        self.net = nn.Sequential(
            nn.Linear(latent_dim, hidden_dim),   # (B, hidden)
            nn.ReLU(),
            nn.Linear(hidden_dim, IMAGE_DIM),    # (B, 784)
            nn.Unflatten(1, IMAGE_SHAPE),        # (B, 1, 28, 28)
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        check_tensor("z", z, ndim=2, floating=True)
        if z.shape[1] != self.latent_dim:
            raise ValueError(f"z must have shape (B, {self.latent_dim}), got {tuple(z.shape)}")
        return self.net(z)


class Autoencoder(nn.Module):
    """x -> code -> logits. Trained with a reconstruction loss only: no prior on codes."""

    def __init__(self, latent_dim: int = 16, hidden_dim: int = 256) -> None:
        super().__init__()
        self.model_args = {"latent_dim": latent_dim, "hidden_dim": hidden_dim}
        self.encoder = DeterministicEncoder(latent_dim, hidden_dim)
        self.decoder = Decoder(latent_dim, hidden_dim)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        code = self.encoder(x)
        return self.decoder(code), code


@dataclass
class VAEOutput:
    logits: torch.Tensor  # (B, 1, 28, 28) decoder logits
    mu: torch.Tensor      # (B, latent)
    logvar: torch.Tensor  # (B, latent)
    z: torch.Tensor       # (B, latent) the reparameterised sample


class VAE(nn.Module):
    """Gaussian encoder, N(0, I) prior, Bernoulli decoder on logits."""

    def __init__(self, latent_dim: int = 16, hidden_dim: int = 256,
                 encoder: nn.Module | None = None, decoder: nn.Module | None = None) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        # Rebuildable from its arguments (course_lib.models.build_model) only with the course's own parts.
        own_parts = encoder is None and decoder is None
        self.model_args = {"latent_dim": latent_dim, "hidden_dim": hidden_dim} if own_parts else None
        self.encoder = encoder if encoder is not None else GaussianEncoder(latent_dim, hidden_dim)
        self.decoder = decoder if decoder is not None else Decoder(latent_dim, hidden_dim)

    def forward(self, x: torch.Tensor) -> VAEOutput:
        mu, logvar = self.encoder(x)
        z = reparameterize(mu, logvar)
        return VAEOutput(self.decoder(z), mu, logvar, z)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n images from the model, as Bernoulli means sigmoid(logits): (n, 1, 28, 28) in [0, 1]."""
        check_positive_int("n", n)
        device = next(self.parameters()).device
        z = torch.randn(n, self.latent_dim, generator=generator).to(device)
        return torch.sigmoid(self.decoder(z))

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """Decode the posterior mean: sigmoid(decoder(mu(x))), (B, 1, 28, 28)."""
        mu, _ = self.encoder(x)
        return torch.sigmoid(self.decoder(mu))
