"""Cheats for notebook 05 (Wasserstein GAN and gradient penalty): each must score zero on its part."""
from cheats import Cheat, hidden_tests_replaced

ASSIGNMENT = "05_wgan"

REBOUND = "the set-up name 'assert_close' was rebound"
RESTORE_ASSERT_CLOSE = "from course_lib.grading import assert_close"

# The answers as the solution writes them, to build cheats that only change one thing.
W1_LP_BODY = '''    n, m = cost.shape
    rows = np.kron(np.eye(n), np.ones((1, m)))
    cols = np.kron(np.ones((1, n)), np.eye(m))
    result = optimize.linprog(cost.ravel(), A_eq=np.vstack([rows, cols]), b_eq=np.concatenate([p, q]),
                              bounds=(0, None), method="highs")
'''
GEN_LOSS = '''

def wgan_generator_loss(fake_scores):
    return -fake_scores.mean()
'''
CLIP = '''def clip_weights(module, clip):
    with torch.no_grad():
        for p in module.parameters():
            p.clamp_(-clip, clip)
'''
STEP = '''

def wgan_critic_step(critic, generator, critic_opt, real, z, clip=0.01):
    with torch.no_grad():
        fake = generator(z)
    loss = wgan_critic_loss(critic(real), critic(fake))
    critic_opt.zero_grad()
    loss.backward()
    critic_opt.step()
    clip_weights(critic, clip)
    return loss.item()
'''
GP_BODY = '''    alpha = torch.rand(real.shape[0], *([1] * (real.ndim - 1)), dtype=real.dtype, device=real.device)
    x_hat = (alpha * real.detach() + (1 - alpha) * fake.detach()).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    norms = grad.flatten(1).norm(2, dim=1)
'''

CHEATS = [
    # ---------------------------------------------------------------- Exercise 1: W1 from sorted samples
    Cheat("w1_from_samples", "test_w1_from_samples", "delegation",
          "from course_lib.losses.wgan import wgan_generator_loss as minus_the_mean\n\n"
          "def w1_from_samples(x, y):\n"
          "    return -minus_the_mean((torch.sort(x).values - torch.sort(y).values).abs())\n",
          "not delegated to course_lib.losses.wgan.wgan_generator_loss"),
    Cheat("w1_from_samples", "test_w1_from_samples", "tampering",
          "def w1_from_samples(x, y):\n"
          "    return 3 * (torch.sort(x).values - torch.sort(y).values).abs().mean()\n\n"
          "assert_close = lambda *args, **kwargs: None\n",
          REBOUND, undo=RESTORE_ASSERT_CLOSE),
    Cheat("w1_from_samples", "test_w1_from_samples", "hard-coding",
          "def w1_from_samples(x, y):\n"
          "    \"\"\"The numbers the visible tests expect.\"\"\"\n"
          "    if x.numel() == 4:\n"
          "        return torch.tensor(1.5, dtype=x.dtype)\n"
          "    return torch.tensor(1.0011951612251146, dtype=x.dtype)\n",
          "w1_from_samples on 1,000 samples (vs scipy) differs from the reference"),
    Cheat("w1_from_samples", "test_w1_from_samples", "exit",
          "def w1_from_samples(x, y):\n"
          "    raise SystemExit(0)\n",
          "SystemExit"),
    # ---------------------------------------------------------------- Exercise 2: the transport LP
    Cheat("w1_linear_program", "test_w1_linear_program", "delegation",
          "def w1_linear_program(cost, p, q):\n" + W1_LP_BODY +
          "    import course_lib.losses.wgan as helpers\n"
          "    value = -helpers.wgan_generator_loss(torch.as_tensor(cost.ravel() * result.x)) * cost.size\n"
          "    return float(value), result.x.reshape(n, m)\n",
          "not delegated to course_lib.losses.wgan.wgan_generator_loss"),
    Cheat("w1_linear_program", "test_w1_linear_program", "tampering",
          "def w1_linear_program(cost, p, q):\n"
          "    plan = np.outer(p, q)   # feasible (the independent coupling), but not optimal\n"
          "    return float((plan * cost).sum()), plan\n\n"
          "_genuine_allclose = np.allclose\n"
          "np.allclose = lambda *args, **kwargs: True\n"
          "assert_close = lambda *args, **kwargs: None\n",
          "tampering with the test helpers",
          undo="np.allclose = _genuine_allclose\n" + RESTORE_ASSERT_CLOSE),
    # ---------------------------------------------------------------- Exercise 3: the WGAN losses
    Cheat("wgan_losses", "test_wgan_losses", "delegation",
          "wgan_critic_loss = reference.wgan_critic_loss\n"
          "wgan_generator_loss = reference.wgan_generator_loss\n",
          "not delegated to course_lib.losses.wgan.wgan_critic_loss"),
    Cheat("wgan_losses", "test_wgan_losses", "delegation",
          "def wgan_critic_loss(real_scores, fake_scores):\n"
          "    from course_lib.losses import wgan\n"
          "    return wgan.wgan_critic_loss(real_scores, fake_scores)\n" + GEN_LOSS,
          "not delegated to course_lib.losses.wgan.wgan_critic_loss"),
    Cheat("wgan_losses", "test_wgan_losses", "tampering",
          "def wgan_critic_loss(real_scores, fake_scores):\n"
          "    return 3 * (fake_scores.mean() - real_scores.mean())\n\n\n"
          "def wgan_generator_loss(fake_scores):\n"
          "    return -3 * fake_scores.mean()\n\n\n"
          "assert_close = lambda *args, **kwargs: None\n",
          REBOUND, undo=RESTORE_ASSERT_CLOSE),
    Cheat("wgan_losses", "test_wgan_losses", "tampering",
          "def wgan_critic_loss(real_scores, fake_scores):\n"
          "    return real_scores.mean() - fake_scores.mean()\n" + GEN_LOSS + "\n\n"
          "import course_lib.grading\n"
          "_genuine_reference_loss, _genuine_helper = reference.wgan_critic_loss, course_lib.grading.assert_close\n"
          "reference.wgan_critic_loss = wgan_critic_loss\n"
          "course_lib.grading.assert_close = lambda *args, **kwargs: None\n"
          "assert_close = course_lib.grading.assert_close\n",
          "course_lib.losses.wgan.wgan_critic_loss was replaced",
          undo="import course_lib.grading\n"
               "reference.wgan_critic_loss, course_lib.grading.assert_close = _genuine_reference_loss, _genuine_helper\n"
               + RESTORE_ASSERT_CLOSE),
    # ---------------------------------------------------------------- Exercise 4: clipping inside a critic step
    Cheat("wgan_clipping", "test_wgan_clipping", "delegation",
          "clip_weights = reference.clip_weights_" + STEP,
          "not delegated to course_lib.losses.wgan.clip_weights_"),
    Cheat("wgan_clipping", "test_wgan_clipping", "delegation",
          CLIP + "\n\n"
          "def wgan_critic_step(critic, generator, critic_opt, real, z, clip=0.01):\n"
          "    from course_lib.adversarial import adversarial_step\n"
          "    frozen = torch.optim.SGD(generator.parameters(), lr=0.0)\n"
          "    out = adversarial_step(generator, critic, frozen, critic_opt, real, lambda n: z,\n"
          "                           d_loss_fn=wgan_critic_loss, g_loss_fn=lambda s: -s.mean(), clip=clip, scores=\"raw\")\n"
          "    generator.zero_grad()   # hide the generator step's gradients\n"
          "    return out[\"d_loss\"]\n",
          "not delegated to course_lib.adversarial.adversarial_step"),
    Cheat("wgan_clipping", "test_wgan_clipping", "tampering",
          "def clip_weights(module, clip):\n"
          "    with torch.no_grad():\n"
          "        for p in module.parameters():\n"
          "            p.clamp_(0.0, clip)   # wrong: [0, clip]\n" + STEP + "\n\n"
          "assert_close = lambda *args, **kwargs: None\n",
          REBOUND, undo=RESTORE_ASSERT_CLOSE),
    # ---------------------------------------------------------------- Exercise 5: the gradient penalty
    Cheat("gradient_penalty", "test_gradient_penalty", "delegation",
          "def gradient_penalty(critic, real, fake):\n"
          "    return reference.gradient_penalty(critic, real, fake)\n",
          "not delegated to course_lib.losses.wgan.gradient_penalty"),
    Cheat("gradient_penalty", "test_gradient_penalty", "delegation",
          "from course_lib.losses.wgan import gradient_penalty as penalty_of_the_course\n"
          "gradient_penalty = penalty_of_the_course\n",
          "not delegated to course_lib.losses.wgan.gradient_penalty"),
    Cheat("gradient_penalty", "test_gradient_penalty", "tampering",
          "def gradient_penalty(critic, real, fake):\n" + GP_BODY +
          "    return 3 * ((norms - 1) ** 2).mean()\n\n\n"
          "assert_close = lambda *args, **kwargs: None\n",
          REBOUND, undo=RESTORE_ASSERT_CLOSE),
    Cheat("gradient_penalty", "test_gradient_penalty", "tampering",
          "def gradient_penalty(critic, real, fake):\n" + GP_BODY +
          "    return ((norms - 1) ** 2).sum()   # wrong: summed\n\n\n"
          "_genuine_penalty = reference.gradient_penalty\n"
          "reference.gradient_penalty = lambda critic, real, fake, generator=None: gradient_penalty(critic, real, fake)\n"
          "assert_close = lambda *args, **kwargs: None\n",
          "tampering with the test helpers",
          undo="reference.gradient_penalty = _genuine_penalty\n" + RESTORE_ASSERT_CLOSE),
    hidden_tests_replaced("gradient_penalty", "test_gradient_penalty", "gradient_penalty = reference.gradient_penalty"),
    Cheat("gradient_penalty", "test_gradient_penalty", "exit",
          "def gradient_penalty(critic, real, fake):\n"
          "    raise KeyboardInterrupt\n",
          "KeyboardInterrupt"),
    # ---------------------------------------------------------------- Exercise 6: the LSGAN losses
    Cheat("lsgan_losses", "test_lsgan_losses", "delegation",
          "def lsgan_discriminator_loss(real_scores, fake_scores):\n"
          "    from course_lib.losses.wgan import lsgan_discriminator_loss as course_loss\n"
          "    return course_loss(real_scores, fake_scores)\n\n\n"
          "def lsgan_generator_loss(fake_scores):\n"
          "    from course_lib.losses.wgan import lsgan_generator_loss as course_loss\n"
          "    return course_loss(fake_scores)\n",
          "not delegated to course_lib.losses.wgan.lsgan_discriminator_loss"),
    Cheat("lsgan_losses", "test_lsgan_losses", "tampering",
          "def lsgan_discriminator_loss(real_scores, fake_scores):\n"
          "    return (real_scores - 1.0).pow(2).mean() + fake_scores.pow(2).mean()   # wrong: no 1/2\n\n\n"
          "def lsgan_generator_loss(fake_scores):\n"
          "    return (fake_scores - 1.0).pow(2).mean()   # wrong: no 1/2\n\n\n"
          "_genuine_allclose = torch.allclose\n"
          "torch.allclose = lambda *args, **kwargs: True\n",
          "torch.allclose was replaced",
          undo="torch.allclose = _genuine_allclose"),
]
