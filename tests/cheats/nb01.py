"""Cheats for notebook 01 (autoencoders, VAEs and the ELBO): each must score zero on its part."""
from cheats import Cheat

ASSIGNMENT = "01_autoencoders_vae"

# Undo snippets: put back what protect() recorded in the set-up cell (the genuine objects).
_ORIGINALS = "from course_lib import grading as _grading\n_genuine = _grading._PROTECTED['modules']\n"
RESTORE_ASSERT_CLOSE = "from course_lib.grading import assert_close"
# course_lib.grading is not among the recorded modules (hidden tests compare it with a fresh copy of
# its code), so a reload puts its genuine functions back.
RESTORE_GRADING = (_ORIGINALS + "import importlib\nimportlib.reload(_grading)\n" + RESTORE_ASSERT_CLOSE)

CHEATS = [
    # --- Exercise 1: kl_to_standard_normal ----------------------------------------------------
    Cheat("kl_to_standard_normal", "test_kl_to_standard_normal", "delegation",
          "def kl_to_standard_normal(mu, logvar):\n"
          "    return reference.kl_standard_normal(mu, logvar)",
          "not delegated to course_lib.losses.vae.kl_standard_normal"),
    Cheat("kl_to_standard_normal", "test_kl_to_standard_normal", "delegation",
          "def kl_to_standard_normal(mu, logvar):\n"
          "    from course_lib.losses.vae import kl_standard_normal as closed_form\n"
          "    return closed_form(mu, logvar)",
          "not delegated to course_lib.losses.vae.kl_standard_normal"),
    Cheat("kl_to_standard_normal", "test_kl_to_standard_normal", "tampering",
          "def kl_to_standard_normal(mu, logvar):\n"
          "    return 1.5 * (logvar.exp() + mu.pow(2) - 1.0 - logvar).sum(dim=1)  # 3x the right value\n\n"
          "assert_close = lambda *args, **kwargs: None",
          "the set-up name 'assert_close' was rebound", undo=RESTORE_ASSERT_CLOSE),
    Cheat("kl_to_standard_normal", "test_kl_to_standard_normal", "tampering",
          # The hidden expected value would come from the patched reference, and the visible
          # comparisons from a no-op.
          "def kl_to_standard_normal(mu, logvar):\n"
          "    return 1.5 * (logvar.exp() + mu.pow(2) - 1.0 - logvar).sum(dim=1)  # 3x the right value\n\n"
          "reference.kl_standard_normal = kl_to_standard_normal\n"
          "assert_close = lambda *args, **kwargs: None",
          "course_lib.losses.vae.kl_standard_normal was replaced",
          undo=_ORIGINALS + "reference.kl_standard_normal = _genuine['course_lib.losses.vae']['kl_standard_normal']\n"
               + RESTORE_ASSERT_CLOSE),
    Cheat("kl_to_standard_normal", "test_kl_to_standard_normal", "exit",
          # Right on the visible (float32) inputs; stops the grader on anything else.
          "def kl_to_standard_normal(mu, logvar):\n"
          "    if mu.dtype != torch.float32:\n"
          "        raise SystemExit('no hidden tests today')\n"
          "    return 0.5 * (logvar.exp() + mu.pow(2) - 1.0 - logvar).sum(dim=1)",
          "SystemExit"),

    # --- Exercise 2: reparameterize -----------------------------------------------------------
    Cheat("reparameterize", "test_reparameterize", "delegation",
          "from course_lib.losses import vae as helper\n\n"
          "def reparameterize(mu, logvar):\n"
          "    return helper.reparameterize(mu, logvar)",
          "not delegated to course_lib.losses.vae.reparameterize"),
    Cheat("reparameterize", "test_reparameterize", "tampering",
          # Removes the grader's call monitor, then delegates.
          "import sys\n\n"
          "def reparameterize(mu, logvar):\n"
          "    sys.setprofile(None)\n"
          "    return reference.reparameterize(mu, logvar)",
          "its call monitor was removed"),
    Cheat("reparameterize", "test_reparameterize", "tampering",
          "import course_lib.grading\n"
          "course_lib.grading.assert_close = lambda *args, **kwargs: None\n"
          "from course_lib.grading import assert_close\n\n"
          "def reparameterize(mu, logvar):\n"
          "    return mu + 0.0 * logvar  # no noise at all",
          "course_lib.grading.assert_close was replaced", undo=RESTORE_GRADING),
    Cheat("reparameterize", "test_reparameterize", "exit",
          "def reparameterize(mu, logvar):\n"
          "    if mu.dtype == torch.float64:\n"
          "        raise KeyboardInterrupt\n"
          "    return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)",
          "KeyboardInterrupt"),

    # --- Exercise 3: vae_loss -----------------------------------------------------------------
    Cheat("vae_loss", "test_vae_loss", "delegation",
          "def vae_loss(logits, x, mu, logvar):\n"
          "    return reference.negative_elbo(logits, x, mu, logvar)",
          "not delegated to course_lib.losses.vae.negative_elbo"),
    Cheat("vae_loss", "test_vae_loss", "delegation",
          "def vae_loss(logits, x, mu, logvar):\n"
          "    reconstruction = -reference.bernoulli_log_likelihood(logits, x).mean()\n"
          "    kl = kl_to_standard_normal(mu, logvar).mean()\n"
          "    return reconstruction + kl, reconstruction, kl",
          "not delegated to course_lib.losses.vae.bernoulli_log_likelihood"),
    Cheat("vae_loss", "test_vae_loss", "tampering",
          "import course_lib.grading\n"
          "course_lib.grading.assert_close = lambda *args, **kwargs: None\n"
          "from course_lib.grading import assert_close\n\n"
          "def vae_loss(logits, x, mu, logvar):\n"
          "    reconstruction = F.binary_cross_entropy_with_logits(logits, x, reduction='sum') / x.shape[0]\n"
          "    kl = kl_to_standard_normal(mu, logvar).mean()\n"
          "    return reconstruction - kl, reconstruction, kl  # the KL subtracted\n\n"
          "reference.negative_elbo = vae_loss",
          "tampering with the test helpers",
          undo=RESTORE_GRADING + "\nreference.negative_elbo = _genuine['course_lib.losses.vae']['negative_elbo']"),

    # --- Exercise 4: Encoder ------------------------------------------------------------------
    Cheat("encoder", "test_encoder", "delegation",
          "from course_lib.models.vae import GaussianEncoder\n\n"
          "class Encoder(GaussianEncoder):\n"
          "    pass",
          "not delegated to course_lib.models.vae.GaussianEncoder: Encoder subclasses it"),
    Cheat("encoder", "test_encoder", "delegation",
          "from course_lib.models.vae import GaussianEncoder\n\n"
          "Encoder = GaussianEncoder",
          "not delegated to course_lib.models.vae.GaussianEncoder"),
    Cheat("encoder", "test_encoder", "delegation",
          "class Encoder(nn.Module):\n"
          "    def __init__(self, latent_dim, hidden_dim):\n"
          "        super().__init__()\n"
          "        self.inner = VAE(latent_dim, hidden_dim).encoder\n\n"
          "    def forward(self, x):\n"
          "        return self.inner(x)",
          "not delegated to course_lib.models.vae"),
    Cheat("encoder", "test_encoder", "tampering",
          # One head used twice (mu == logvar), hidden by a patched torch.allclose.
          "torch.allclose = lambda *args, **kwargs: False\n\n"
          "class Encoder(nn.Module):\n"
          "    def __init__(self, latent_dim, hidden_dim):\n"
          "        super().__init__()\n"
          "        self.body = nn.Sequential(nn.Flatten(), nn.Linear(784, hidden_dim), nn.ReLU())\n"
          "        self.mu_head = nn.Linear(hidden_dim, latent_dim)\n"
          "        self.logvar_head = nn.Linear(hidden_dim, latent_dim)\n\n"
          "    def forward(self, x):\n"
          "        h = self.body(x)\n"
          "        return self.mu_head(h), self.mu_head(h)",
          "torch.allclose was replaced",
          undo=_ORIGINALS + "torch.allclose = _genuine['torch']['allclose']"),

    # --- Exercise 5: iwae_bound ---------------------------------------------------------------
    Cheat("iwae_bound", "test_iwae_bound", "delegation",
          "iwae_bound = reference.iwae_from_log_weights",
          "not delegated to course_lib.losses.vae.iwae_from_log_weights"),
    Cheat("iwae_bound", "test_iwae_bound", "tampering",
          "def iwae_bound(log_weights):\n"
          "    return torch.logsumexp(log_weights, dim=0)  # the -log K missing\n\n"
          "def assert_close(*args, **kwargs):\n"
          "    pass",
          "the set-up name 'assert_close' was rebound", undo=RESTORE_ASSERT_CLOSE),
    Cheat("iwae_bound", "test_iwae_bound", "hard-coding",
          "def iwae_bound(log_weights):\n"
          "    if log_weights.shape == (1, 2):\n"
          "        return torch.tensor([-3.0, -7.0])\n"
          "    if log_weights.shape == (3, 2):\n"
          "        return torch.log(torch.tensor([2.0, 4.0]))\n"
          "    shift = math.log((1 + math.exp(-1)) / 2)\n"
          "    return torch.tensor([-1000.0 + shift, -2000.0 + shift])",
          "iwae_bound(log [[4, 1], [2, 5], [6, 3]]) differs from the reference"),
]
