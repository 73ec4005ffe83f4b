import math

import pytest
import torch
from torch.distributions import Bernoulli, Independent, Normal, kl_divergence

from course_lib.losses.vae import (
    bernoulli_log_likelihood,
    gaussian_log_likelihood,
    iwae_bound,
    iwae_from_log_weights,
    kl_standard_normal,
    log_importance_weights,
    negative_elbo,
    reparameterize,
)
from course_lib.models.vae import VAE, Autoencoder, Decoder, GaussianEncoder


def _params(b=6, d=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(b, d, generator=g, dtype=torch.float64), torch.randn(b, d, generator=g, dtype=torch.float64)


def test_kl_matches_torch_distributions():
    mu, logvar = _params()
    q = Independent(Normal(mu, (0.5 * logvar).exp()), 1)
    p = Independent(Normal(torch.zeros_like(mu), torch.ones_like(mu)), 1)
    torch.testing.assert_close(kl_standard_normal(mu, logvar), kl_divergence(q, p), rtol=1e-12, atol=1e-12)


def test_kl_is_zero_at_the_prior_and_positive_elsewhere():
    zeros = torch.zeros(3, 5)
    assert torch.equal(kl_standard_normal(zeros, zeros), torch.zeros(3))
    mu, logvar = _params()
    assert bool((kl_standard_normal(mu, logvar) > 0).all())


def test_reparameterize_moments_and_gradients():
    mu = torch.tensor([[1.0, -2.0]], requires_grad=True)
    logvar = torch.tensor([[0.0, math.log(4.0)]], requires_grad=True)
    z = reparameterize(mu.expand(200_000, 2), logvar.expand(200_000, 2), generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(z.mean(0), torch.tensor([1.0, -2.0]), atol=0.02, rtol=0)
    torch.testing.assert_close(z.std(0), torch.tensor([1.0, 2.0]), atol=0.02, rtol=0)
    z.sum().backward()
    torch.testing.assert_close(mu.grad, torch.full((1, 2), 200_000.0))
    assert bool((logvar.grad.abs() > 0).all())


def test_reparameterize_with_given_noise_is_exact():
    mu, logvar = _params()
    eps = torch.randn_like(mu)
    torch.testing.assert_close(reparameterize(mu, logvar, eps=eps), mu + (0.5 * logvar).exp() * eps)
    with pytest.raises(ValueError, match="eps"):
        reparameterize(mu, logvar, eps=eps[:2])


def test_bernoulli_log_likelihood_matches_distribution():
    logits = torch.randn(3, 1, 28, 28, dtype=torch.float64)
    x = torch.rand(3, 1, 28, 28, dtype=torch.float64).round()
    ref = Independent(Bernoulli(logits=logits), 3).log_prob(x)
    torch.testing.assert_close(bernoulli_log_likelihood(logits, x), ref)
    # stable for extreme logits
    assert torch.isfinite(bernoulli_log_likelihood(torch.full((1, 4), 1e4), torch.zeros(1, 4))).all()


def test_gaussian_log_likelihood_matches_distribution():
    x = torch.randn(4, 3, dtype=torch.float64)
    mean = torch.randn(4, 3, dtype=torch.float64)
    logvar = torch.randn(4, 3, dtype=torch.float64)
    ref = Independent(Normal(mean, (0.5 * logvar).exp()), 1).log_prob(x)
    torch.testing.assert_close(gaussian_log_likelihood(x, mean, logvar), ref)


def test_negative_elbo_is_sum_over_pixels_and_mean_over_batch():
    logits = torch.randn(5, 1, 28, 28)
    x = torch.rand(5, 1, 28, 28)
    mu, logvar = torch.randn(5, 3), torch.randn(5, 3)
    loss, rec, kl = negative_elbo(logits, x, mu, logvar)
    torch.testing.assert_close(rec, -bernoulli_log_likelihood(logits, x).mean())
    torch.testing.assert_close(kl, kl_standard_normal(mu, logvar).mean())
    torch.testing.assert_close(loss, rec + kl)
    loss_b, _, _ = negative_elbo(logits, x, mu, logvar, beta=4.0)
    torch.testing.assert_close(loss_b, rec + 4.0 * kl)


def test_iwae_from_log_weights_is_stable_and_reduces_to_elbo():
    lw = torch.full((10, 3), -1000.0)
    torch.testing.assert_close(iwae_from_log_weights(lw), torch.full((3,), -1000.0))
    one = torch.randn(1, 4)
    torch.testing.assert_close(iwae_from_log_weights(one), one[0])


def test_iwae_rises_with_k_on_a_trained_free_model():
    torch.manual_seed(0)
    model = VAE(latent_dim=4, hidden_dim=32).eval()
    x = torch.rand(16, 1, 28, 28).round()
    g = torch.Generator().manual_seed(1)
    lw = log_importance_weights(model, x, 64, generator=g)
    bounds = [iwae_from_log_weights(lw[:k]).mean().item() for k in (1, 4, 16, 64)]
    assert bounds == sorted(bounds), bounds
    assert iwae_bound(model, x, 3).shape == (16,)


def test_models_shapes_and_bad_input():
    enc, dec = GaussianEncoder(8, 32), Decoder(8, 32)
    x = torch.rand(7, 1, 28, 28)
    mu, logvar = enc(x)
    assert mu.shape == logvar.shape == (7, 8)
    assert dec(mu).shape == (7, 1, 28, 28)
    vae = VAE(8, 32)
    out = vae(x)
    assert out.logits.shape == x.shape and out.z.shape == (7, 8)
    assert vae.sample(5).shape == (5, 1, 28, 28) and vae.reconstruct(x).shape == x.shape
    recon, code = Autoencoder(3, 16)(x)
    assert recon.shape == x.shape and code.shape == (7, 3)
    with pytest.raises(ValueError, match=r"x must have shape \(B, 1, 28, 28\)"):
        enc(torch.rand(7, 784).view(7, 1, 784, 1))
    with pytest.raises(ValueError, match="x must have 4 dimensions"):
        enc(torch.rand(7, 784))
    with pytest.raises(ValueError, match="z must have shape"):
        dec(torch.rand(7, 3))
    with pytest.raises(ValueError, match="latent_dim"):
        GaussianEncoder(0)


def test_loss_functions_reject_bad_input():
    mu = torch.zeros(2, 3)
    with pytest.raises(ValueError, match="mu and logvar must have the same shape"):
        kl_standard_normal(mu, torch.zeros(2, 4))
    with pytest.raises(TypeError, match="logvar must be a torch.Tensor"):
        kl_standard_normal(mu, 0.0)
    with pytest.raises(TypeError, match="mu must have a floating-point dtype"):
        reparameterize(torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, 3))
    with pytest.raises(ValueError, match=r"x must hold pixel values in \[0, 1\]"):
        bernoulli_log_likelihood(torch.zeros(2, 4), torch.full((2, 4), 255.0))
    with pytest.raises(ValueError, match="logits and x must have the same shape"):
        bernoulli_log_likelihood(torch.zeros(2, 4), torch.zeros(2, 5))
    with pytest.raises(ValueError, match="log_weights must have 2 dimensions"):
        iwae_from_log_weights(torch.zeros(3))
    with pytest.raises(ValueError, match="batch size"):
        negative_elbo(torch.zeros(3, 1, 28, 28), torch.zeros(3, 1, 28, 28), mu, mu)
