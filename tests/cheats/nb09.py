"""Cheats for notebook 09 (image-to-image translation): each must score zero on its part."""
from cheats import Cheat, hidden_tests_replaced

ASSIGNMENT = "09_image_translation"

REBOUND = "the set-up name 'assert_close' was rebound"
RESTORE_ASSERT_CLOSE = "from course_lib.grading import assert_close"
NOT_DELEGATED = "not delegated to course_lib."

CORRECT_D_LOSS = '''

def pix2pix_discriminator_loss(discriminator, inputs, target, fake):
    real_logits = discriminator(torch.cat([inputs, target], dim=1))
    fake_logits = discriminator(torch.cat([inputs, fake.detach()], dim=1))
    return 0.5 * (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
                  + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))
'''

CHEATS = [
    # ---------------------------------------------------------------- Exercise 1: the U-Net skip
    Cheat("unet_skip", "test_unet_skip", "delegation",
          "import types\n\n\n"
          "def unet_skip(x, down, inner, up, outermost=False):\n"
          "    level = types.SimpleNamespace(down=down, submodule=inner, up=up, outermost=outermost)\n"
          "    return unet.UNetSkipBlock.forward(level, x)\n",
          NOT_DELEGATED + "models.unet.UNetSkipBlock.forward"),
    Cheat("unet_skip", "test_unet_skip", "tampering",
          "def unet_skip(x, down, inner, up, outermost=False):\n"
          "    return torch.cat([up(inner(down(x))), x], dim=1)   # wrong order\n\n\n"
          "assert_close = lambda *args, **kwargs: None\n",
          REBOUND, undo=RESTORE_ASSERT_CLOSE),
    # ---------------------------------------------------------------- Exercise 2: the receptive field
    Cheat("receptive_field", "test_receptive_field", "delegation",
          "receptive_field = patchgan.receptive_field\n",
          NOT_DELEGATED + "models.patchgan.receptive_field"),
    Cheat("receptive_field", "test_receptive_field", "tampering",
          "def receptive_field(layers):\n"
          "    r = 1\n"
          "    for kernel, stride, padding in layers:   # wrong: from the input side\n"
          "        r = (r - 1) * stride + kernel\n"
          "    return r\n\n\n"
          "_genuine_rf = patchgan.receptive_field\n"
          "patchgan.receptive_field = receptive_field\n",
          "course_lib.models.patchgan.receptive_field was replaced",
          undo="patchgan.receptive_field = _genuine_rf"),
    Cheat("receptive_field", "test_receptive_field", "hard-coding",
          "def receptive_field(layers):\n"
          "    \"\"\"The numbers the visible tests expect.\"\"\"\n"
          "    return {1: 3, 2: 7, 4: 34}.get(len(layers), 16)\n",
          "receptive_field of [(4, 2, 1), (4, 2, 1), (4, 2, 1), (4, 1, 1), (4, 1, 1)]"),
    # ---------------------------------------------------------------- Exercise 3: pix2pix
    Cheat("pix2pix_losses", "test_pix2pix_losses", "delegation",
          "def pix2pix_generator_loss(discriminator, inputs, fake, target, l1_weight=100.0):\n"
          "    logits = discriminator(torch.cat([inputs, fake], dim=1))\n"
          "    return translation_losses.pix2pix_generator_loss(logits, fake, target, l1_weight=l1_weight)\n"
          + CORRECT_D_LOSS,
          NOT_DELEGATED + "losses.translation.pix2pix_generator_loss"),
    Cheat("pix2pix_losses", "test_pix2pix_losses", "tampering",
          "import types\n\n\n"
          "def pix2pix_generator_loss(discriminator, inputs, fake, target, l1_weight=100.0):\n"
          "    logits = discriminator(torch.cat([inputs, fake], dim=1))\n"
          "    return l1_weight * F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))   # no L1\n"
          + CORRECT_D_LOSS + "\n\n"
          "translation_losses = types.SimpleNamespace(\n"
          "    pix2pix_generator_loss=lambda logits, fake, target, l1_weight=100.0:\n"
          "        l1_weight * F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits)),\n"
          "    pix2pix_discriminator_loss=lambda real, fake: 0.5 * (\n"
          "        F.binary_cross_entropy_with_logits(real, torch.ones_like(real))\n"
          "        + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))))\n"
          "mistakes = types.SimpleNamespace(NO_INPUT_FOR_D='', pix2pix_generator_loss=lambda *a: {},\n"
          "                                 pix2pix_discriminator_loss=lambda *a: {})\n",
          "the set-up name 'translation_losses' was rebound",
          undo="from course_lib.losses import translation as translation_losses\n"
               "from course_lib.mistakes import nb09 as mistakes"),
    # ---------------------------------------------------------------- Exercise 4: the cycle and identity losses
    Cheat("cycle_losses", "test_cycle_losses", "delegation",
          "def cycle_and_identity_losses(real_a, real_b, g_ab, g_ba, lambda_cycle=10.0):\n"
          "    return (translation_losses.cycle_loss(real_a, real_b, g_ab, g_ba, lambda_cycle=lambda_cycle),\n"
          "            translation_losses.identity_loss(real_a, real_b, g_ab, g_ba, lambda_cycle=lambda_cycle))\n",
          NOT_DELEGATED + "losses.translation.cycle_loss"),
    Cheat("cycle_losses", "test_cycle_losses", "tampering",
          "def cycle_and_identity_losses(real_a, real_b, g_ab, g_ba, lambda_cycle=10.0):\n"
          "    cycle = (g_ab(g_ba(real_a)) - real_a).abs().mean() + (g_ba(g_ab(real_b)) - real_b).abs().mean()   # wrong\n"
          "    identity = (g_ab(real_b) - real_b).abs().mean() + (g_ba(real_a) - real_a).abs().mean()\n"
          "    return lambda_cycle * cycle, 0.5 * identity\n\n\n"
          "_genuine_allclose = torch.allclose\n"
          "torch.allclose = lambda *args, **kwargs: True\n",
          "torch.allclose was replaced",
          undo="torch.allclose = _genuine_allclose"),
    Cheat("cycle_losses", "test_cycle_losses", "exit",
          "def cycle_and_identity_losses(real_a, real_b, g_ab, g_ba, lambda_cycle=10.0):\n"
          "    raise SystemExit(0)\n",
          "SystemExit"),
    # ---------------------------------------------------------------- Exercise 5: PSNR
    Cheat("psnr", "test_psnr", "delegation",
          "psnr = image_quality.psnr\n",
          NOT_DELEGATED + "image_quality.psnr"),
    Cheat("psnr", "test_psnr", "tampering",
          "def psnr(images, targets, data_range):\n"
          "    return 10 * torch.log10(1.0 / (images - targets).pow(2).mean(dim=(1, 2, 3)))   # wrong range\n\n\n"
          "import course_lib.grading\n"
          "_genuine_helper = course_lib.grading.assert_close\n"
          "course_lib.grading.assert_close = lambda *args, **kwargs: None\n"
          "assert_close = course_lib.grading.assert_close\n",
          "course_lib.grading.assert_close was replaced",
          undo="import course_lib.grading\ncourse_lib.grading.assert_close = _genuine_helper\n" + RESTORE_ASSERT_CLOSE),
    Cheat("psnr", "test_psnr", "hard-coding",
          "def psnr(images, targets, data_range):\n"
          "    \"\"\"The numbers the visible tests expect.\"\"\"\n"
          "    if (images - targets).abs().std() < 1e-6:\n"
          "        return torch.full((images.shape[0],), 26.0206)\n"
          "    return torch.tensor([20.70514, 20.82658, 20.10906, 20.32500])[:images.shape[0]]\n",
          "psnr, data range"),
    # ---------------------------------------------------------------- Exercise 6: the Gram matrix
    Cheat("gram_matrix", "test_gram_matrix", "delegation",
          "from course_lib.losses.perceptual import gram_matrix\n",
          NOT_DELEGATED + "losses.perceptual.gram_matrix"),
    hidden_tests_replaced("gram_matrix", "test_gram_matrix", "gram_matrix = perceptual.gram_matrix"),
    # ---------------------------------------------------------------- Exercise 7: inpainting
    Cheat("inpainting", "test_inpainting", "delegation",
          "inpainting_loss = inpainting.masked_loss\nblend = inpainting.blend\n",
          NOT_DELEGATED + "inpainting.masked_loss"),
    Cheat("inpainting", "test_inpainting", "tampering",
          "def inpainting_loss(generated, image, mask):\n"
          "    return (mask * F.mse_loss(generated, image)).sum(dim=(1, 2, 3)) / mask.sum(dim=(1, 2, 3))   # wrong\n\n\n"
          "def blend(image, generated, mask):\n"
          "    return mask * image + (1 - mask) * generated\n\n\n"
          "_genuine_masked_loss = inpainting.masked_loss\n"
          "inpainting.masked_loss = inpainting_loss\n",
          "course_lib.inpainting.masked_loss was replaced",
          undo="inpainting.masked_loss = _genuine_masked_loss"),
]
