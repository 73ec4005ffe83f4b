import math

import pytest
import torch

from course_lib.losses.gan import (
    discriminator_loss,
    generator_loss_nonsaturating,
    generator_loss_saturating,
    value_function,
)

F64 = torch.float64
LOG2 = math.log(2.0)


def _logits(n, seed):
    return 3 * torch.randn(n, generator=torch.Generator().manual_seed(seed), dtype=F64)


def test_discriminator_loss_is_the_binary_cross_entropy_on_probabilities():
    real, fake = _logits(7, 0), _logits(5, 1)  # batches may differ in size
    d_real, d_fake = torch.sigmoid(real), torch.sigmoid(fake)
    expected = -torch.log(d_real).mean() - torch.log(1 - d_fake).mean()
    torch.testing.assert_close(discriminator_loss(real, fake), expected, rtol=1e-12, atol=1e-12)
    bce = torch.nn.BCELoss()
    torch.testing.assert_close(discriminator_loss(real, fake),
                               bce(d_real, torch.ones(7, dtype=F64)) + bce(d_fake, torch.zeros(5, dtype=F64)))


def test_one_sided_label_smoothing_only_changes_the_real_targets():
    real, fake = _logits(6, 2), _logits(6, 3)
    d_real, d_fake = torch.sigmoid(real), torch.sigmoid(fake)
    expected = (-(0.9 * torch.log(d_real) + 0.1 * torch.log(1 - d_real)).mean()
                - torch.log(1 - d_fake).mean())
    torch.testing.assert_close(discriminator_loss(real, fake, real_label=0.9), expected, rtol=1e-12, atol=1e-12)
    # the fake part does not depend on real_label
    confident = torch.full((3,), 20.0, dtype=F64)  # D(x) ~ 1: the real part is ~0 with label 1
    diff = discriminator_loss(confident, fake, real_label=0.9) - discriminator_loss(confident, fake)
    assert diff.item() == pytest.approx(0.1 * 20.0, rel=1e-6)  # only -0.1 * log(1 - D(x)) ~ 0.1 * 20 was added


def test_value_function_is_minus_the_discriminator_loss_and_minus_two_log_two_at_one_half():
    real, fake = _logits(8, 4), _logits(9, 5)
    torch.testing.assert_close(value_function(real, fake), -discriminator_loss(real, fake), rtol=1e-14, atol=1e-14)
    zeros = torch.zeros(4, dtype=F64)
    assert value_function(zeros, zeros).item() == pytest.approx(-2 * LOG2, abs=1e-15)
    assert value_function(real, fake).item() < 0.0


def test_generator_losses_match_their_definitions():
    fake = _logits(10, 6)
    d = torch.sigmoid(fake)
    torch.testing.assert_close(generator_loss_saturating(fake), torch.log(1 - d).mean(), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(generator_loss_nonsaturating(fake), -torch.log(d).mean(), rtol=1e-12, atol=1e-12)
    # both are decreasing in the logit: fooling D more lowers either loss
    assert generator_loss_saturating(fake + 1) < generator_loss_saturating(fake)
    assert generator_loss_nonsaturating(fake + 1) < generator_loss_nonsaturating(fake)


@pytest.mark.parametrize("dtype", [torch.float32, F64])
def test_extreme_logits_give_finite_exact_values_and_gradients(dtype):
    big = torch.tensor([1e4, -1e4], dtype=dtype, requires_grad=True)
    losses = {
        "d": discriminator_loss(big, big),
        "sat": generator_loss_saturating(big),
        "nonsat": generator_loss_nonsaturating(big),
        "v": value_function(big, big),
    }
    for name, loss in losses.items():
        assert torch.isfinite(loss), name
        (grad,) = torch.autograd.grad(loss, big)
        assert torch.isfinite(grad).all(), name
    # log(1 - D) at l = 1e4 is -1e4, at l = -1e4 it is ~0: mean -5e3; -log D mirrors it
    assert losses["sat"].item() == pytest.approx(-5e3, rel=1e-6)
    assert losses["nonsat"].item() == pytest.approx(5e3, rel=1e-6)
    assert losses["d"].item() == pytest.approx(1e4, rel=1e-6)  # BCE(real): 5e3, BCE(fake): 5e3


def test_saturating_gradient_vanishes_where_d_rejects_the_fakes_and_nonsaturating_does_not():
    # D(G(z)) = sigmoid(-10) ~ 4.5e-5: the discriminator confidently rejects the sample
    logit = torch.tensor([-10.0], dtype=F64, requires_grad=True)
    (g_sat,) = torch.autograd.grad(generator_loss_saturating(logit), logit)
    (g_non,) = torch.autograd.grad(generator_loss_nonsaturating(logit), logit)
    # d/dl log(1 - sigmoid(l)) = -sigmoid(l); d/dl -log sigmoid(l) = -(1 - sigmoid(l))
    assert g_sat.item() == pytest.approx(-torch.sigmoid(torch.tensor(-10.0, dtype=F64)).item(), rel=1e-12)
    assert abs(g_sat.item()) < 1e-4
    assert g_non.item() == pytest.approx(-1.0, abs=1e-4)
    # the two agree in direction: both push the logit up (G wants D(G(z)) -> 1)
    assert g_sat.item() < 0 and g_non.item() < 0


def test_losses_are_scalar_means_over_the_batch():
    fake = _logits(12, 7).reshape(3, 4, 1)
    for loss in (generator_loss_saturating(fake), generator_loss_nonsaturating(fake),
                 discriminator_loss(fake, fake), value_function(fake, fake)):
        assert loss.shape == ()
    # duplicating the batch leaves a mean unchanged
    doubled = torch.cat([fake, fake])
    assert generator_loss_nonsaturating(doubled).item() == pytest.approx(generator_loss_nonsaturating(fake).item())


def test_bad_arguments():
    x = torch.zeros(4)
    with pytest.raises(TypeError, match="real_logits"):
        discriminator_loss([0.0], x)
    with pytest.raises(TypeError, match="fake_logits"):
        discriminator_loss(x, torch.zeros(4, dtype=torch.long))
    with pytest.raises(ValueError, match="real_logits"):
        discriminator_loss(torch.zeros(0), x)
    with pytest.raises(ValueError, match="real_label"):
        discriminator_loss(x, x, real_label=1.1)
    with pytest.raises(ValueError, match="real_label"):
        discriminator_loss(x, x, real_label=0.0)
    with pytest.raises(TypeError, match="real_label"):
        discriminator_loss(x, x, real_label=torch.tensor(0.9))
    with pytest.raises(TypeError, match="fake_logits"):
        generator_loss_saturating(x.numpy())
    with pytest.raises(ValueError, match="fake_logits"):
        generator_loss_saturating(torch.zeros(2, 0))
    with pytest.raises(TypeError, match="fake_logits"):
        generator_loss_nonsaturating(torch.zeros(3, dtype=torch.int32))
    with pytest.raises(ValueError, match="fake_logits"):
        generator_loss_nonsaturating(torch.zeros(0))
    with pytest.raises(TypeError, match="real_logits"):
        value_function(torch.zeros(3, dtype=torch.bool), x)
    with pytest.raises(ValueError, match="fake_logits"):
        value_function(x, torch.zeros(0))
    with pytest.raises(ValueError, match="same device"):
        value_function(x, torch.zeros(4, device="meta"))
