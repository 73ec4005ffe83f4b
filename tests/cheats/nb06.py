"""Cheats for notebook 06 (conditional GAN, AC-GAN and InfoGAN): each must score zero on its part."""
from cheats import Cheat, hidden_tests_replaced

ASSIGNMENT = "06_conditional_infogan"

REBOUND = "the set-up name 'assert_close' was rebound"
RESTORE_ASSERT_CLOSE = "from course_lib.grading import assert_close"

# The answers as the solution writes them, to build cheats that change one thing.
D_INPUT = '''

def discriminator_input(x, y, n_classes):
    maps = F.one_hot(y, n_classes).to(x.dtype)[:, :, None, None].expand(-1, -1, *x.shape[2:])
    return torch.cat([x, maps], dim=1)
'''
G_LOSS = '''

def acgan_generator_loss(fake_adv, fake_class_logits, fake_labels):
    return F.binary_cross_entropy_with_logits(fake_adv, torch.ones_like(fake_adv)) + F.cross_entropy(fake_class_logits, fake_labels)
'''
INFO = '''def information_loss(cat_logits, cont_mean, cont_logvar, c_cat, c_cont):
    nll = 0.5 * (math.log(2 * math.pi) + cont_logvar + (c_cont - cont_mean) ** 2 / torch.exp(cont_logvar))
    return F.cross_entropy(cat_logits, c_cat) + nll.sum(dim=1).mean()
'''
G_INFO = '''

def infogan_generator_loss(generator, discriminator, z, c_cat, c_cont, lam=1.0):
    adv, cat_logits, cont_mean, cont_logvar = discriminator.heads(generator(z, c_cat, c_cont))
    gan = F.binary_cross_entropy_with_logits(adv, torch.ones_like(adv))
    return gan + lam * information_loss(cat_logits, cont_mean, cont_logvar, c_cat, c_cont)
'''

CHEATS = [
    # ---------------------------------------------------------------- Exercise 1: the conditioning inputs
    Cheat("conditioning", "test_conditioning", "delegation",
          "generator_input = conditioning.generator_input" + D_INPUT,
          "not delegated to course_lib.models.conditional.generator_input"),
    Cheat("conditioning", "test_conditioning", "tampering",
          "def generator_input(z, y, n_classes):\n"
          "    return torch.cat([F.one_hot(y, n_classes).to(z.dtype), z], dim=1)   # wrong: the one-hot first\n"
          + D_INPUT + "\n\nassert_close = lambda *args, **kwargs: None\n",
          REBOUND, undo=RESTORE_ASSERT_CLOSE),
    Cheat("conditioning", "test_conditioning", "exit",
          "def generator_input(z, y, n_classes):\n"
          "    raise SystemExit(0)\n" + D_INPUT,
          "SystemExit"),
    # ---------------------------------------------------------------- Exercise 2: the AC-GAN losses
    Cheat("acgan_losses", "test_acgan_losses", "delegation",
          "from course_lib.losses.info import acgan_discriminator_loss, acgan_generator_loss\n",
          "not delegated to course_lib.losses.info.acgan_discriminator_loss"),
    Cheat("acgan_losses", "test_acgan_losses", "tampering",
          "def acgan_discriminator_loss(real_adv, fake_adv, real_class_logits, fake_class_logits, real_labels, fake_labels):\n"
          "    source = F.binary_cross_entropy_with_logits(real_adv, torch.ones_like(real_adv)) + \\\n"
          "        F.binary_cross_entropy_with_logits(fake_adv, torch.zeros_like(fake_adv))\n"
          "    return source + F.cross_entropy(real_class_logits, real_labels)   # wrong: no class term on fakes\n"
          + G_LOSS + "\n\n"
          "_genuine_reference_loss = reference.acgan_discriminator_loss\n"
          "reference.acgan_discriminator_loss = acgan_discriminator_loss\n"
          "assert_close = lambda *args, **kwargs: None\n",
          "course_lib.losses.info.acgan_discriminator_loss was replaced",
          undo="reference.acgan_discriminator_loss = _genuine_reference_loss\n" + RESTORE_ASSERT_CLOSE),
    # ---------------------------------------------------------------- Exercise 3: the information loss
    Cheat("information_loss", "test_information_loss", "delegation",
          "from course_lib.losses.info import information_loss" + G_INFO,
          "not delegated to course_lib.losses.info.information_loss"),
    Cheat("information_loss", "test_information_loss", "delegation",
          INFO + "\n\n"
          "def infogan_generator_loss(generator, discriminator, z, c_cat, c_cont, lam=1.0):\n"
          "    adv, cat_logits, cont_mean, cont_logvar = discriminator.heads(generator(z, c_cat, c_cont))\n"
          "    return gan_losses.generator_loss_nonsaturating(adv) + lam * information_loss(cat_logits, cont_mean, "
          "cont_logvar, c_cat, c_cont)\n",
          "not delegated to course_lib.losses.gan.generator_loss_nonsaturating"),
    Cheat("information_loss", "test_information_loss", "tampering",
          "def information_loss(cat_logits, cont_mean, cont_logvar, c_cat, c_cont):\n"
          "    nll = 0.5 * (cont_logvar + (c_cont - cont_mean) ** 2 / torch.exp(cont_logvar))   # wrong: no 0.5 ln 2 pi\n"
          "    return F.cross_entropy(cat_logits, c_cat) + nll.sum(dim=1).mean()\n" + G_INFO + "\n\n"
          "_genuine_allclose = torch.allclose\n"
          "torch.allclose = lambda *args, **kwargs: True\n",
          "torch.allclose was replaced",
          undo="torch.allclose = _genuine_allclose"),
    # ---------------------------------------------------------------- Exercise 4: the bound
    Cheat("mi_lower_bound", "test_mi_lower_bound", "delegation",
          "def mi_lower_bound(cat_logits, c_cat):\n"
          "    from course_lib.losses import info\n"
          "    return info.mi_lower_bound(cat_logits, c_cat)\n",
          "not delegated to course_lib.losses.info.mi_lower_bound"),
    hidden_tests_replaced("mi_lower_bound", "test_mi_lower_bound", "mi_lower_bound = reference.mi_lower_bound"),
    Cheat("mi_lower_bound", "test_mi_lower_bound", "hard-coding",
          "def mi_lower_bound(cat_logits, c_cat):\n"
          "    \"\"\"The numbers the visible tests expect.\"\"\"\n"
          "    if cat_logits.shape == (4, 4):\n"
          "        return torch.tensor(math.log(4) if cat_logits.abs().max() > 1 else 0.0)\n"
          "    return torch.tensor(-1.7119908332824707)\n",
          "mi_lower_bound with K = 10 on 500 samples (float64) differs from the reference"),
    # ---------------------------------------------------------------- Exercise 5: code-to-class accuracy
    Cheat("code_to_class_accuracy", "test_code_to_class_accuracy", "delegation",
          "def code_to_class_accuracy(codes, labels, n_codes, n_classes):\n"
          "    counts = torch.zeros(n_codes, n_classes, dtype=torch.int64)\n"
          "    counts.index_put_((codes, labels), torch.ones_like(codes), accumulate=True)\n"
          "    mapping = reference.match_codes_to_classes(counts)\n"
          "    return (mapping[codes] == labels).double().mean().item(), mapping\n",
          "not delegated to course_lib.losses.info.match_codes_to_classes"),
    Cheat("code_to_class_accuracy", "test_code_to_class_accuracy", "tampering",
          "import sys\n\n\n"
          "def code_to_class_accuracy(codes, labels, n_codes, n_classes):\n"
          "    sys.setprofile(None)   # switch the grader's call monitor off, then delegate unseen\n"
          "    return reference.code_to_class_accuracy(codes, labels, n_codes, n_classes)\n",
          "its call monitor was removed"),
    Cheat("code_to_class_accuracy", "test_code_to_class_accuracy", "exit",
          "def code_to_class_accuracy(codes, labels, n_codes, n_classes):\n"
          "    raise KeyboardInterrupt\n",
          "KeyboardInterrupt"),
]
