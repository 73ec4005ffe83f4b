"""Plausible mistakes for notebook 09 (image-to-image translation), for ``assert_close(..., mistakes=...)``.

Each function maps a description of a mistake to the value that mistake gives on the same
inputs; the ``*_shape_message`` helpers name the mistakes that change an answer's shape. The
catalogue names a wrong answer without writing out the right one.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

__all__ = ["unet_skip", "unet_skip_shape_message", "receptive_field", "pix2pix_generator_loss",
           "pix2pix_discriminator_loss", "NO_INPUT_FOR_D", "cycle_and_identity_losses", "psnr", "psnr_shape_message",
           "gram_matrix", "gram_shape_message", "inpainting_loss", "blend"]


# --------------------------------------------------------------------------------------------
# Exercise 1: the U-Net skip
# --------------------------------------------------------------------------------------------
def unet_skip(x: torch.Tensor, h: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mistakes of one U-Net level whose input is ``x`` and whose up(inner(down(x))) is ``h``."""
    x, h = x.detach(), h.detach()
    return {"the skip is concatenated after the decoder's output, torch.cat([h, x]): the course (like pix2pix) puts "
            "the block's input x first": torch.cat([h, x], dim=1)}


def unet_skip_shape_message(out_shape, x_shape, h_shape, outermost: bool) -> str | None:
    """The mistake an answer of the wrong shape made, or None."""
    out_shape, x_shape, h_shape = tuple(out_shape), tuple(x_shape), tuple(h_shape)
    n, c, hh, ww = x_shape
    if outermost:
        if out_shape != h_shape:
            return "the outermost level has a skip: the outermost block returns up(inner(down(x))) alone (it is the image)"
        return None
    if out_shape == h_shape:
        return "the skip is missing: concatenate the block's input x to up(inner(down(x))) along the channels"
    if out_shape == (2 * n, c, hh, ww):
        return "the skip is concatenated along the batch (dim 0): concatenate along the channels (dim 1)"
    if out_shape in ((n, c, 2 * hh, ww), (n, c, hh, 2 * ww)):
        return "the skip is concatenated along a spatial dimension: concatenate along the channels (dim 1)"
    return None


# --------------------------------------------------------------------------------------------
# Exercise 2: the receptive field
# --------------------------------------------------------------------------------------------
def receptive_field(layers) -> dict[str, torch.Tensor]:
    """Mistakes of ``receptive_field(layers)``, layers (kernel, stride, padding), input side first."""
    def walk(order, update):
        r = 1
        for k, s, p in order:
            r = update(r, k, s, p)
        return torch.tensor(float(r))

    backward = list(reversed(layers))
    return {
        "the padding is added (r = (r - 1) * s + k + 2p): padding moves the field, it does not widen it":
            walk(backward, lambda r, k, s, p: (r - 1) * s + k + 2 * p),
        "the padding is subtracted (r = (r - 1) * s + k - 2p): padding moves the field, it does not narrow it":
            walk(backward, lambda r, k, s, p: (r - 1) * s + k - 2 * p),
        "the recursion walks the layers from the input side: r_in = (r_out - 1) * s + k goes from the output "
        "(r = 1) back to the input, so start with the LAST layer": walk(layers, lambda r, k, s, p: (r - 1) * s + k),
        "each layer's kernel is scaled by its own stride (r += (k - 1) * s): a layer's kernel is scaled by the "
        "strides of the layers BEFORE it, which the recursion r = (r - 1) * s + k, from the output back, does":
            walk(layers, lambda r, k, s, p: r + (k - 1) * s),
        "the strides divide instead of multiply (r = (r - 1) / s + k): going back towards the input, a stride "
        "spreads the field over s times more pixels": walk(backward, lambda r, k, s, p: (r - 1) / s + k),
    }


# --------------------------------------------------------------------------------------------
# Exercise 3: pix2pix
# --------------------------------------------------------------------------------------------
NO_INPUT_FOR_D = ("D was not shown the input: pix2pix's discriminator judges the PAIR, "
                  "torch.cat([inputs, image], dim=1) (2 channels here), not the image alone")


def _bce(logits, target: float) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


def pix2pix_generator_loss(discriminator, inputs, fake, target, l1_weight: float) -> dict[str, torch.Tensor]:
    """Mistakes of pix2pix's G loss (non-saturating GAN term + l1_weight * L1)."""
    with torch.no_grad():
        logits = discriminator(torch.cat([inputs, fake], dim=1))
        swapped = discriminator(torch.cat([fake, inputs], dim=1))
    l1, l2 = (fake - target).abs().mean(), (fake - target).pow(2).mean()
    return {
        "lambda multiplies the GAN term: pix2pix weighs the L1 term, GAN + lambda * L1": l1_weight * _bce(logits, 1) + l1,
        "the reconstruction term is the squared error (L2): pix2pix uses L1, which blurs less": _bce(logits, 1) + l1_weight * l2,
        "the L1 term is missing: G's loss is the GAN term + lambda * L1": _bce(logits, 1),
        "the GAN term is the saturating one, log(1 - D): G minimises -log D(x, G(x)) (BCE with target 1)":
            -_bce(logits, 0) + l1_weight * l1,
        "D sees (output, input): concatenate the input first, torch.cat([inputs, fake], dim=1), as D was trained":
            _bce(swapped, 1) + l1_weight * l1,
    }


def pix2pix_discriminator_loss(discriminator, inputs, target, fake) -> dict[str, torch.Tensor]:
    """Mistakes of pix2pix's halved D loss."""
    with torch.no_grad():
        real_logits = discriminator(torch.cat([inputs, target], dim=1))
        fake_logits = discriminator(torch.cat([inputs, fake], dim=1))
        real_swapped = discriminator(torch.cat([target, inputs], dim=1))
        fake_swapped = discriminator(torch.cat([fake, inputs], dim=1))
    return {
        "D's loss is not halved: pix2pix divides D's cross-entropy by 2 to slow D relative to G":
            _bce(real_logits, 1) + _bce(fake_logits, 0),
        "the labels are swapped: real pairs have target 1, fake pairs 0": 0.5 * (_bce(real_logits, 0) + _bce(fake_logits, 1)),
        "D sees (image, input): concatenate the input first, torch.cat([inputs, image], dim=1)":
            0.5 * (_bce(real_swapped, 1) + _bce(fake_swapped, 0)),
    }


# --------------------------------------------------------------------------------------------
# Exercise 4: cycle and identity losses
# --------------------------------------------------------------------------------------------
def cycle_and_identity_losses(real_a, real_b, g_ab, g_ba, lambda_cycle: float) -> dict[str, tuple]:
    """Mistakes of (cycle, identity) for G: A -> B (g_ab) and F: B -> A (g_ba). Each value is the pair."""
    with torch.no_grad():
        ab, ba = g_ab(real_a), g_ba(real_b)
        aba, bab = g_ba(ab), g_ab(ba)
        wrong_a, wrong_b = g_ab(g_ba(real_a)), g_ba(g_ab(real_b))
        same_b, same_a = g_ab(real_b), g_ba(real_a)
        swapped_b, swapped_a = g_ba(real_b), g_ab(real_a)
    lam = lambda_cycle
    cycle = lam * ((aba - real_a).abs().mean() + (bab - real_b).abs().mean())
    identity_raw = (same_b - real_b).abs().mean() + (same_a - real_a).abs().mean()
    identity = 0.5 * lam * identity_raw
    return {
        "the generators are composed in the wrong order in the cycle: a goes A -> B -> A, g_ba(g_ab(a)) (and b, "
        "g_ab(g_ba(b)))": (lam * ((wrong_a - real_a).abs().mean() + (wrong_b - real_b).abs().mean()), identity),
        "lambda is missing from the cycle loss: lambda * (|g_ba(g_ab(a)) - a| + |g_ab(g_ba(b)) - b|)":
            (cycle / lam, identity),
        "the cycle loss uses squared errors: CycleGAN's reconstruction terms are L1":
            (lam * ((aba - real_a).pow(2).mean() + (bab - real_b).pow(2).mean()), identity),
        "the identity weight is 0.5 instead of 0.5 * lambda: the identity loss is weighted 0.5 * lambda_cycle":
            (cycle, 0.5 * identity_raw),
        "the identity weight is lambda: the identity loss is weighted 0.5 * lambda_cycle": (cycle, lam * identity_raw),
        "the identity term feeds each generator its SOURCE domain: G: A -> B must leave an image of B alone, "
        "|g_ab(b) - b| (and |g_ba(a) - a|)":
            (cycle, 0.5 * lam * ((swapped_b - real_b).abs().mean() + (swapped_a - real_a).abs().mean())),
    }


# --------------------------------------------------------------------------------------------
# Exercise 5: PSNR
# --------------------------------------------------------------------------------------------
def psnr(images: torch.Tensor, targets: torch.Tensor, data_range: float) -> dict[str, torch.Tensor]:
    """Mistakes of per-image PSNR (N,)."""
    images, targets = images.detach(), targets.detach()
    n = images.shape[0]
    mse = (images - targets).pow(2).mean(dim=(1, 2, 3))
    out = {
        "the squared error is averaged over the whole batch: PSNR is per image, the MSE over (C, H, W) of each":
            (10 * torch.log10(data_range ** 2 / (images - targets).pow(2).mean())).expand(n),
        "20 log10 is applied to the MSE: PSNR = 10 log10(R^2 / MSE) = 20 log10(R / RMSE)":
            20 * torch.log10(data_range / mse),
        "the mean ABSOLUTE error is used: PSNR divides by the mean squared error":
            10 * torch.log10(data_range ** 2 / (images - targets).abs().mean(dim=(1, 2, 3))),
        "the data range is not squared: PSNR = 10 log10(R^2 / MSE)": 10 * torch.log10(data_range / mse),
        "the ratio is upside down: PSNR = 10 log10(R^2 / MSE), larger for better images":
            10 * torch.log10(mse / data_range ** 2),
    }
    if data_range != 1.0:
        out[f"the data range is 1, but these images span {data_range:g} (for [-1, 1] images R = 2): use data_range"] = \
            10 * torch.log10(1.0 / mse)
    if data_range != 2.0:
        out["the data range is 2 whatever data_range says: use the argument data_range"] = 10 * torch.log10(4.0 / mse)
    if data_range != 255.0:
        out["the data range is 255: that is for 8-bit images; use data_range"] = 10 * torch.log10(255.0 ** 2 / mse)
    return out


def psnr_shape_message(out_shape, images_shape) -> str | None:
    n, c, h, w = tuple(images_shape)
    shape = tuple(out_shape)
    if shape == ():
        return ("one value for the whole batch: the squared error (or the PSNR) is averaged over the batch; return "
                "one PSNR per image, shape (N,)")
    if shape in ((c, h, w), (h, w)) or shape == (c,):
        return "the squared error is averaged over the wrong axes (the batch): one MSE per image, over (C, H, W)"
    if len(shape) > 1 and shape[0] == n:
        return "the squared error is not averaged over all of (C, H, W): one MSE per image, over dims (1, 2, 3)"
    return None


# --------------------------------------------------------------------------------------------
# Exercise 6: the Gram matrix
# --------------------------------------------------------------------------------------------
def gram_matrix(features: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mistakes of the Gram matrix (N, C, C), normalised by C * H * W."""
    features = features.detach()
    n, c, h, w = features.shape
    flat = features.reshape(n, c, h * w)
    raw = flat @ flat.transpose(1, 2)
    wrong_view = features.reshape(n, h * w, c)
    return {
        "the Gram matrix is not normalised: divide by C * H * W, the number of values of one feature map": raw,
        "the Gram matrix is normalised by H * W only: this course divides by C * H * W": raw / (h * w),
        "the Gram matrix is normalised by C only: this course divides by C * H * W": raw / c,
        "the features were reshaped to (N, H * W, C) (a view, not a transpose): flatten to (N, C, H * W), then "
        "F @ F.transpose(1, 2)": wrong_view.transpose(1, 2) @ wrong_view / (c * h * w),
        "the batch is mixed: each image has its own Gram matrix (use batched products, F @ F.transpose(1, 2))":
            (torch.einsum("nci,mdi->cd", flat, flat) / (c * h * w * n)).expand(n, c, c),
    }


def gram_shape_message(out_shape, features_shape) -> str | None:
    n, c, h, w = tuple(features_shape)
    if tuple(out_shape) == (n, h * w, h * w):
        return "the Gram matrix is transposed (F^T F, positions x positions): it is F F^T, channels x channels (N, C, C)"
    if tuple(out_shape) == (c, c):
        return "the batch dimension is lost: return one (C, C) Gram matrix per image, (N, C, C)"
    return None


# --------------------------------------------------------------------------------------------
# Exercise 7: inpainting
# --------------------------------------------------------------------------------------------
def inpainting_loss(generated: torch.Tensor, image: torch.Tensor, mask: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mistakes of the per-image masked loss sum(M (G - I)^2) / sum(M)."""
    generated, image, mask = generated.detach(), image.detach(), mask.detach()
    known = mask.sum(dim=(1, 2, 3))
    squared = (generated - image).pow(2)
    scalar = F.mse_loss(generated, image)
    return {
        "the mask multiplies a scalar loss (mask * mse(G(z), I)), so it has no spatial effect: mask the per-pixel "
        "squared error, M * (G(z) - I)^2, before summing": (mask * scalar).sum(dim=(1, 2, 3)) / known,
        "the mask is inverted: M is 1 on the KNOWN pixels, and the loss compares G(z) with I there":
            ((1 - mask) * squared).sum(dim=(1, 2, 3)) / (1 - mask).sum(dim=(1, 2, 3)).clamp_min(1),
        "the mask is inverted (1 - M multiplies the error): M is 1 on the KNOWN pixels, and the loss compares G(z) "
        "with I there": ((1 - mask) * squared).sum(dim=(1, 2, 3)) / known,
        "the masked error is averaged over all pixels: divide by the number of known pixels, sum(M)":
            (mask * squared).mean(dim=(1, 2, 3)),
        "the error is not squared: the loss is the mean SQUARED error over the known pixels":
            (mask * (generated - image).abs()).sum(dim=(1, 2, 3)) / known,
        "the mask is not applied: compare G(z) with I on the known pixels only": squared.mean(dim=(1, 2, 3)),
    }


def blend(image: torch.Tensor, generated: torch.Tensor, mask: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mistakes of M * I + (1 - M) * G(z)."""
    image, generated, mask = image.detach(), generated.detach(), mask.detach()
    return {
        "the mask is inverted in the blend: keep the image where M = 1 (known) and fill from G(z) where M = 0":
            (1 - mask) * image + mask * generated,
        "the generated image is not masked: the holes take (1 - M) * G(z), so known pixels stay exactly I":
            mask * image + generated,
        "the blend averages image and generation: it keeps I on the known pixels and G(z) on the holes":
            0.5 * (image + generated),
    }
