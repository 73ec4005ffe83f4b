"""Wrong answers for notebook 09 (image-to-image translation)."""
from mutants import Mutant

ASSIGNMENT = "09_image_translation"

SKIP = "return torch.cat([x, h], dim=1)"
RF_LOOP = "for kernel, stride, _ in reversed(layers):"
RF_STEP = "r = (r - 1) * stride + kernel"
G_LOGITS = "    logits = discriminator(torch.cat([inputs, fake], dim=1))"
G_RETURN = "return adversarial + l1_weight * (fake - target).abs().mean()"
D_FAKE = "fake_logits = discriminator(torch.cat([inputs, fake.detach()], dim=1))"
CYCLE = "cycle = (g_ba(g_ab(real_a)) - real_a).abs().mean() + (g_ab(g_ba(real_b)) - real_b).abs().mean()"
IDENTITY = "identity = (g_ab(real_b) - real_b).abs().mean() + (g_ba(real_a) - real_a).abs().mean()"
CYCLE_RETURN = "return lambda_cycle * cycle, 0.5 * lambda_cycle * identity"
MSE = "mse = (images - targets).pow(2).mean(dim=(1, 2, 3))"
PSNR = "return 10 * torch.log10(data_range ** 2 / mse)"
GRAM_FLAT = "flat = features.reshape(n, c, h * w)"
GRAM = "return flat @ flat.transpose(1, 2) / (c * h * w)"
MASKED = "squared = mask * (generated - image).pow(2)"
MASKED_RETURN = "return squared.sum(dim=(1, 2, 3)) / mask.sum(dim=(1, 2, 3))"
BLEND = "return mask * image + (1 - mask) * generated"

MUTANTS = [
    # Exercise 1: the U-Net skip.
    Mutant("unet_skip", "test_unet_skip", SKIP, "return torch.cat([h, x], dim=1)", "after the decoder's output"),
    Mutant("unet_skip", "test_unet_skip", SKIP, "return h", "the skip is missing"),
    Mutant("unet_skip", "test_unet_skip", SKIP, "return torch.cat([x, h], dim=0)", "along the batch"),
    Mutant("unet_skip", "test_unet_skip", SKIP, "return torch.cat([x, h], dim=-1)", "along a spatial dimension"),
    Mutant("unet_skip", "test_unet_skip", "if outermost:", "if False:", "the outermost level has a skip"),
    # Exercise 2: the receptive field.
    Mutant("receptive_field", "test_receptive_field", RF_LOOP, "for kernel, stride, _ in layers:",
           "walks the layers from the input side"),
    Mutant("receptive_field", "test_receptive_field", RF_LOOP, "for kernel, stride, padding in reversed(layers):\n"
           "        kernel = kernel + 2 * padding", "the padding is added"),
    Mutant("receptive_field", "test_receptive_field", RF_STEP, "r = (r - 1) * stride + kernel - 2 * _",
           "the padding is subtracted"),
    Mutant("receptive_field", "test_receptive_field", RF_STEP, "r = r + (kernel - 1) * stride",
           "scaled by its own stride"),
    Mutant("receptive_field", "test_receptive_field", RF_STEP, "r = (r - 1) // stride + kernel",
           "the strides divide instead of multiply"),
    # Exercise 3: pix2pix.
    Mutant("pix2pix_losses", "test_pix2pix_losses", G_RETURN,
           "return l1_weight * adversarial + (fake - target).abs().mean()", "lambda multiplies the GAN term"),
    Mutant("pix2pix_losses", "test_pix2pix_losses", G_RETURN,
           "return adversarial + l1_weight * (fake - target).pow(2).mean()", "squared error (L2)"),
    Mutant("pix2pix_losses", "test_pix2pix_losses", G_RETURN, "return adversarial", "the L1 term is missing"),
    Mutant("pix2pix_losses", "test_pix2pix_losses", G_LOGITS, "    logits = discriminator(fake)",
           "D was not shown the input"),
    Mutant("pix2pix_losses", "test_pix2pix_losses", G_LOGITS,
           "    logits = discriminator(torch.cat([fake, inputs], dim=1))", "D sees (output, input)"),
    Mutant("pix2pix_losses", "test_pix2pix_losses", G_RETURN,
           "return -F.binary_cross_entropy_with_logits(logits, torch.zeros_like(logits)) + l1_weight * "
           "(fake - target).abs().mean()", "the saturating one"),
    Mutant("pix2pix_losses", "test_pix2pix_losses", "return 0.5 * (real + fake)", "return real + fake", "not halved"),
    Mutant("pix2pix_losses", "test_pix2pix_losses", D_FAKE, "fake_logits = discriminator(fake.detach())",
           "D was not shown the input"),
    Mutant("pix2pix_losses", "test_pix2pix_losses", D_FAKE,
           "fake_logits = discriminator(torch.cat([inputs, fake], dim=1))", "sends gradients into G's output"),
    Mutant("pix2pix_losses", "test_pix2pix_losses", "real = F.binary_cross_entropy_with_logits(real_logits, "
           "torch.ones_like(real_logits))", "real = F.binary_cross_entropy_with_logits(real_logits, "
           "torch.zeros_like(real_logits))\n    fake = F.binary_cross_entropy_with_logits(fake_logits, "
           "torch.ones_like(fake_logits))\n    return 0.5 * (real + fake)", "the labels are swapped"),
    # Exercise 4: the cycle and identity losses.
    Mutant("cycle_losses", "test_cycle_losses", CYCLE,
           "cycle = (g_ab(g_ba(real_a)) - real_a).abs().mean() + (g_ba(g_ab(real_b)) - real_b).abs().mean()",
           "composed in the wrong order"),
    Mutant("cycle_losses", "test_cycle_losses", CYCLE,
           "cycle = (g_ba(g_ab(real_a)) - real_a).pow(2).mean() + (g_ab(g_ba(real_b)) - real_b).pow(2).mean()",
           "squared errors"),
    Mutant("cycle_losses", "test_cycle_losses", CYCLE_RETURN, "return lambda_cycle * cycle, 0.5 * identity",
           "the identity weight is 0.5 instead of 0.5 * lambda"),
    Mutant("cycle_losses", "test_cycle_losses", CYCLE_RETURN, "return lambda_cycle * cycle, lambda_cycle * identity",
           "the identity weight is lambda"),
    Mutant("cycle_losses", "test_cycle_losses", CYCLE_RETURN, "return cycle, 0.5 * lambda_cycle * identity",
           "lambda is missing from the cycle loss"),
    Mutant("cycle_losses", "test_cycle_losses", IDENTITY,
           "identity = (g_ba(real_b) - real_b).abs().mean() + (g_ab(real_a) - real_a).abs().mean()", "SOURCE domain"),
    # Exercise 5: PSNR.
    Mutant("psnr", "test_psnr", PSNR, "return 10 * torch.log10(1.0 / mse)", "the data range is 1"),
    Mutant("psnr", "test_psnr", PSNR, "return 10 * torch.log10(4.0 / mse)", "the data range is 2 whatever"),
    Mutant("psnr", "test_psnr", MSE, "mse = (images - targets).pow(2).mean()", "averaged over the batch"),
    Mutant("psnr", "test_psnr", MSE, "mse = (images - targets).pow(2).mean(dim=0)", "averaged over the wrong axes"),
    Mutant("psnr", "test_psnr", MSE, "mse = (images - targets).pow(2).mean(dim=(2, 3))", "not averaged over all of"),
    Mutant("psnr", "test_psnr", PSNR, "return 20 * torch.log10(data_range / mse)", "20 log10 is applied to the MSE"),
    Mutant("psnr", "test_psnr", PSNR, "return 10 * torch.log10(data_range / mse)", "the data range is not squared"),
    # Exercise 6: the Gram matrix.
    Mutant("gram_matrix", "test_gram_matrix", GRAM, "return flat @ flat.transpose(1, 2)", "not normalised"),
    Mutant("gram_matrix", "test_gram_matrix", GRAM, "return flat @ flat.transpose(1, 2) / (h * w)",
           "normalised by H * W only"),
    Mutant("gram_matrix", "test_gram_matrix", GRAM, "return flat.transpose(1, 2) @ flat / (c * h * w)", "transposed"),
    Mutant("gram_matrix", "test_gram_matrix", GRAM_FLAT, "flat = features.reshape(n, h * w, c).transpose(1, 2)",
           "reshaped to (N, H * W, C)"),
    # Exercise 7: inpainting.
    Mutant("inpainting", "test_inpainting", MASKED, "squared = mask * F.mse_loss(generated, image)",
           "the mask multiplies a scalar loss"),
    Mutant("inpainting", "test_inpainting", MASKED, "squared = (1 - mask) * (generated - image).pow(2)",
           "the mask is inverted"),
    Mutant("inpainting", "test_inpainting", MASKED_RETURN, "return squared.mean(dim=(1, 2, 3))",
           "averaged over all pixels"),
    Mutant("inpainting", "test_inpainting", MASKED, "squared = mask * (generated - image).abs()", "not squared"),
    Mutant("inpainting", "test_inpainting", BLEND, "return (1 - mask) * image + mask * generated",
           "inverted in the blend"),
    Mutant("inpainting", "test_inpainting", BLEND, "return mask * image + generated", "not masked"),
]
