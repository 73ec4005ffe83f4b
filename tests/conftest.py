import matplotlib
import pytest
import torch

from course_lib.models.mlp_gan import MLPDiscriminator, MLPGenerator

matplotlib.use("Agg")  # unit tests draw off-screen; notebooks keep the inline backend


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


class TanhMLPGenerator(MLPGenerator):
    """An MLP generator with outputs in [-1, 1], like the image generators."""

    def forward(self, z):
        return torch.tanh(super().forward(z))


@pytest.fixture
def make_players():
    """A factory of small seeded GAN players on 2-D data: ``(G, D, G's optimiser, D's optimiser)``.

    G: MLP, z (B, latent_dim) -> x (B, 2) (tanh outputs with ``tanh=True``); D: MLP, x (B, 2) ->
    logits (B,). ``optimizer`` is "sgd" (learning rate ``lr``) or "adam" (``lr``, ``betas``).
    """
    def make(*, seed=0, latent_dim=2, hidden=16, depth=2, lr=0.05, optimizer="sgd", betas=(0.9, 0.999),
             minibatch_std=False, tanh=False):
        torch.manual_seed(seed)
        generator = (TanhMLPGenerator if tanh else MLPGenerator)(latent_dim, 2, hidden, depth)
        discriminator = MLPDiscriminator(2, hidden, depth, minibatch_std=minibatch_std)
        if optimizer == "sgd":
            return (generator, discriminator, torch.optim.SGD(generator.parameters(), lr=lr),
                    torch.optim.SGD(discriminator.parameters(), lr=lr))
        assert optimizer == "adam", optimizer
        return (generator, discriminator, torch.optim.Adam(generator.parameters(), lr, betas=betas),
                torch.optim.Adam(discriminator.parameters(), lr, betas=betas))

    return make
