import pytest
import torch
from torch import nn

from course_lib.losses.wgan import (
    clip_weights_, gradient_penalty, hinge_discriminator_loss, hinge_generator_loss, lsgan_discriminator_loss,
    lsgan_generator_loss, wgan_critic_loss, wgan_generator_loss,
)


def test_wgan_losses_values():
    real, fake = torch.tensor([1.0, 3.0]), torch.tensor([0.0, -1.0])
    assert wgan_critic_loss(real, fake).item() == pytest.approx(-0.5 - 2.0)
    assert wgan_generator_loss(fake).item() == pytest.approx(0.5)


def test_lsgan_and_hinge_values():
    real, fake = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 2.0])
    assert lsgan_discriminator_loss(real, fake).item() == pytest.approx(0.5 * 0.5 + 0.5 * 2.0)
    assert lsgan_generator_loss(fake).item() == pytest.approx(0.5 * (1 + 1) / 2)
    assert hinge_discriminator_loss(real, fake).item() == pytest.approx((0 + 1) / 2 + (1 + 3) / 2)
    assert hinge_generator_loss(fake).item() == pytest.approx(-1.0)


def test_clip_weights_touches_only_the_given_module():
    critic, generator = nn.Linear(3, 1), nn.Linear(3, 1)
    with torch.no_grad():
        critic.weight.fill_(5.0)
        generator.weight.fill_(5.0)
    clip_weights_(critic, 0.01)
    assert critic.weight.abs().max().item() == pytest.approx(0.01)
    assert generator.weight.abs().max().item() == 5.0


class Linear(nn.Module):
    """f(x) = <w, x> summed over all pixels: its gradient is w everywhere."""

    def __init__(self, w):
        super().__init__()
        self.w = nn.Parameter(w)

    def forward(self, x):
        return (x * self.w).flatten(1).sum(1)


def test_gradient_penalty_closed_form_for_a_linear_critic():
    w = torch.full((1, 2, 2), 1.0)  # ||grad|| = 2 for every sample
    critic = Linear(w.clone())
    real, fake = torch.randn(4, 1, 2, 2), torch.randn(4, 1, 2, 2)
    gp = gradient_penalty(critic, real, fake)
    assert gp.item() == pytest.approx((2.0 - 1.0) ** 2)
    gp.backward()  # create_graph=True: the penalty trains the critic
    # d/dw (||w|| - 1)^2 = 2 (||w|| - 1) w / ||w|| = 2 * 1 * 1/2 = 1 for each entry
    torch.testing.assert_close(critic.w.grad, torch.ones_like(w))


class Square(nn.Module):
    """f(x) = sum of squares: grad 2x, so each sample has its own gradient norm."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(1.0))

    def forward(self, x):
        return self.scale * x.pow(2).flatten(1).sum(1)


def test_gradient_penalty_uses_one_alpha_and_one_norm_per_sample():
    real = torch.tensor([[1.0, 0.0], [0.0, 3.0], [2.0, 2.0]])
    fake = torch.zeros_like(real)
    g = torch.Generator().manual_seed(0)
    gp = gradient_penalty(Square(), real, fake, generator=g)
    alpha = torch.rand(3, 1, generator=torch.Generator().manual_seed(0))
    norms = (2 * alpha * real).norm(dim=1)  # per-sample norm of grad at x_hat = alpha * real
    torch.testing.assert_close(gp, (norms - 1).pow(2).mean())
    wrong_dim = (2 * alpha * real).norm(dim=0)  # the known bug: a norm across the batch
    assert not torch.allclose(gp, (wrong_dim - 1).pow(2).mean())
    # Weights given (as a multi-process run gives them) are the weights used.
    torch.testing.assert_close(gradient_penalty(Square(), real, fake, alpha=alpha[:, 0]), gp)


def test_gradient_penalty_bad_input():
    with pytest.raises(TypeError, match="critic"):
        gradient_penalty(lambda x: x, torch.zeros(2, 2), torch.zeros(2, 2))
    with pytest.raises(ValueError, match="real and fake must have the same shape"):
        gradient_penalty(Square(), torch.zeros(2, 2), torch.zeros(3, 2))
    with pytest.raises(ValueError, match="batch dimension"):
        gradient_penalty(Square(), torch.zeros(2), torch.zeros(2))
    with pytest.raises(ValueError, match=r"alpha must have shape \(2,\)"):
        gradient_penalty(Square(), torch.zeros(2, 2), torch.zeros(2, 2), alpha=torch.zeros(2, 1))


def test_scores_bad_input():
    with pytest.raises(ValueError, match="real_scores must have 1 dimension, got shape"):
        wgan_critic_loss(torch.zeros(2, 1), torch.zeros(2))
    with pytest.raises(ValueError, match="fake_scores must not be empty"):
        hinge_generator_loss(torch.zeros(0))
    with pytest.raises(ValueError, match="clip must be > 0"):
        clip_weights_(nn.Linear(1, 1), 0.0)
