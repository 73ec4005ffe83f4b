"""Plausible wrong answers for every graded part, and the message each one must produce.

A mutant edits one line of one solution cell (``old`` -> ``new``). The test cell graded with
that solution must then fail, and its error message must contain ``message``: the hint that
tells a student what is wrong.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    solution: str   # grade_id of the solution cell to edit
    test: str       # grade_id of the test cell that must fail
    old: str
    new: str
    message: str    # expected in the failure message

    @property
    def name(self) -> str:
        return f"{self.solution}: {self.message[:40]}"


KL_LINE = "return 0.5 * (logvar.exp() + mu.pow(2) - 1.0 - logvar).sum(dim=1)"
REPARAM_LINE = "return mu + torch.exp(0.5 * logvar) * eps"
REC_LINE = "reconstruction = per_pixel.flatten(1).sum(dim=1).mean()"
IWAE_LINE = "return torch.logsumexp(log_weights, dim=0) - math.log(k)"

MUTANTS: dict[str, list[Mutant]] = {
    "01_autoencoders_vae": [
        Mutant("kl_to_standard_normal", "test_kl_to_standard_normal", KL_LINE,
               "return (logvar.exp() + mu.pow(2) - 1.0 - logvar).sum(dim=1)", "the factor 1/2 is missing"),
        Mutant("kl_to_standard_normal", "test_kl_to_standard_normal", KL_LINE,
               "return -0.5 * (logvar.exp() + mu.pow(2) - 1.0 - logvar).sum(dim=1)", "the sign is flipped"),
        Mutant("kl_to_standard_normal", "test_kl_to_standard_normal", KL_LINE,
               "return 0.5 * ((2 * logvar).exp() + mu.pow(2) - 1.0 - 2 * logvar).sum(dim=1)",
               "you treated it as log sigma"),
        Mutant("kl_to_standard_normal", "test_kl_to_standard_normal", KL_LINE,
               "return 0.5 * (logvar.exp() + mu.pow(2) - 1.0 - logvar).mean(dim=1)",
               "averaged over the latent dimensions"),
        Mutant("kl_to_standard_normal", "test_kl_to_standard_normal", KL_LINE,
               "return 0.5 * ((-logvar).exp() + mu.pow(2) * (-logvar).exp() - 1.0 + logvar).sum(dim=1)",
               "the KL in the other direction"),
        Mutant("kl_to_standard_normal", "test_kl_to_standard_normal", KL_LINE,
               "return 0.5 * (logvar.exp() + mu.pow(2) - 1.0 - logvar).sum()", "not the batch mean"),
        Mutant("reparameterize", "test_reparameterize", REPARAM_LINE,
               "return mu + torch.exp(logvar) * eps", "exp(logvar) is the variance"),
        Mutant("reparameterize", "test_reparameterize", REPARAM_LINE,
               "return torch.distributions.Normal(mu, torch.exp(0.5 * logvar)).sample()", "no gradient"),
        Mutant("reparameterize", "test_reparameterize", REPARAM_LINE,
               "return torch.normal(mu, torch.exp(0.5 * logvar))", "zero gradient"),
        Mutant("reparameterize", "test_reparameterize", REPARAM_LINE, "return mu", "z does not vary"),
        Mutant("reparameterize", "test_reparameterize", REPARAM_LINE,
               "return mu + torch.exp(0.5 * logvar) * torch.randn(1, mu.shape[1])", "z does not vary across the batch"),
        Mutant("vae_loss", "test_vae_loss", REC_LINE,
               "reconstruction = per_pixel.mean()", "a sum over its 784 pixels"),
        Mutant("vae_loss", "test_vae_loss", REC_LINE,
               "reconstruction = per_pixel.sum()", "summed over the batch"),
        Mutant("vae_loss", "test_vae_loss",
               'per_pixel = F.binary_cross_entropy_with_logits(logits, x, reduction="none")',
               'per_pixel = F.binary_cross_entropy_with_logits(torch.sigmoid(logits), x, reduction="none")',
               "sigmoid applied before binary_cross_entropy_with_logits"),
        Mutant("vae_loss", "test_vae_loss",
               'per_pixel = F.binary_cross_entropy_with_logits(logits, x, reduction="none")',
               'per_pixel = F.binary_cross_entropy(torch.sigmoid(logits), x, reduction="none")',
               "saturate"),
        Mutant("vae_loss", "test_vae_loss",
               'per_pixel = F.binary_cross_entropy_with_logits(logits, x, reduction="none")',
               'per_pixel = F.binary_cross_entropy(logits, x, reduction="none")',
               "between 0 and 1"),
        Mutant("vae_loss", "test_vae_loss", "return reconstruction + kl, reconstruction, kl",
               "return reconstruction - kl, reconstruction, kl", "the KL is subtracted"),
        Mutant("vae_loss", "test_vae_loss", "kl = kl_to_standard_normal(mu, logvar).mean()",
               "kl = kl_to_standard_normal(mu, logvar).sum()", "summed over the batch"),
        Mutant("encoder", "test_encoder", "self.logvar_head = nn.Linear(hidden_dim, latent_dim)  # (B, latent)",
               "self.logvar_head = nn.Sequential(nn.Linear(hidden_dim, latent_dim), nn.ReLU())",
               "logvar is never negative"),
        Mutant("encoder", "test_encoder", "return self.mu_head(h), self.logvar_head(h)",
               "return self.mu_head(h), self.mu_head(h)", "two separate linear heads"),
        Mutant("encoder", "test_encoder", "nn.ReLU(),", "nn.Identity(),", "put a ReLU after the first Linear"),
        Mutant("encoder", "test_encoder", "nn.Flatten(),                       # (B, 784)",
               "nn.Flatten(0),", "Flatten from dimension 1"),
        Mutant("iwae_bound", "test_iwae_bound", IWAE_LINE,
               "return torch.logsumexp(log_weights, dim=0)", "the -log K is missing"),
        Mutant("iwae_bound", "test_iwae_bound", IWAE_LINE,
               "return torch.log(torch.exp(log_weights).mean(dim=0))", "use torch.logsumexp"),
        Mutant("iwae_bound", "test_iwae_bound", IWAE_LINE,
               "return log_weights.mean(dim=0)", "not the log of the mean weight"),
        Mutant("iwae_bound", "test_iwae_bound", IWAE_LINE,
               "return torch.logsumexp(log_weights, dim=1) - math.log(log_weights.shape[1])", "not dimension 1"),
    ],
}
