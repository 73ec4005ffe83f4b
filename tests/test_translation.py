"""Notebook 09's course_lib parts: U-Net, PatchGAN and its receptive field, SRResNet, the translation losses,
Gram matrices, PSNR/SSIM, the image pool, inpainting, the data and the training steps.

References: the receptive field measured from gradients; torchmetrics' PSNR and SSIM (test-only, an
implementation independent of kornia's) and the closed form of PSNR on a constant error; sums written out.
"""
import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_lib.image_pool import ImagePool
from course_lib.image_quality import psnr, ssim
from course_lib.inpainting import blend, inpaint, make_masks, masked_loss, nearest_neighbour_fill
from course_lib.losses.perceptual import classifier_feature_maps, content_loss, gram_matrix, style_loss
from course_lib.losses.translation import (cycle_loss, identity_loss, lsgan_discriminator_loss, lsgan_generator_loss,
                                           pix2pix_discriminator_loss, pix2pix_generator_loss)
from course_lib.models.patchgan import PatchGANDiscriminator, conv_layers, measured_receptive_field, receptive_field
from course_lib.models.srresnet import SRResNet
from course_lib.models.unet import UNetGenerator, UNetSkipBlock
from course_lib.translation_data import bicubic_upsample, downsample, paired_data, sobel_edges, thicken, unpaired_domains


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


# --------------------------------------------------------------------------- receptive field
@pytest.mark.parametrize("n_down", [0, 1, 2])
def test_patchgan_receptive_field_computed_equals_measured(n_down):
    torch.manual_seed(n_down)
    d = PatchGANDiscriminator(in_channels=2, width=4, n_down=n_down)
    computed = receptive_field(conv_layers(d))
    assert computed == measured_receptive_field(d, 2, size=96)
    assert computed == {0: 10, 1: 16, 2: 34}[n_down]      # by hand: r <- (r - 1) * s + k from the output


def test_receptive_field_of_dilated_and_pooled_stacks_equals_measured():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 3, 3, 1, 1, dilation=2), nn.ReLU(), nn.AvgPool2d(2), nn.Conv2d(3, 1, 5, 2, 2))
    assert conv_layers(net) == [(5, 1, 1), (2, 2, 0), (5, 2, 2)]
    assert receptive_field(conv_layers(net)) == measured_receptive_field(net, 1, size=64) == 5 + 1 + 2 * 4 * 1


def test_receptive_field_rejects_bad_layers():
    with pytest.raises(TypeError, match="layers"):
        receptive_field([])
    with pytest.raises(ValueError, match="kernel, stride, padding"):
        receptive_field([(4, 2)])
    with pytest.raises(ValueError, match="kernel and stride"):
        receptive_field([(0, 1, 0)])
    with pytest.raises(ValueError, match="larger size"):
        measured_receptive_field(PatchGANDiscriminator(2, 4, 2), 2, size=32)


# --------------------------------------------------------------------------- networks
def test_unet_skip_block_concatenates_its_input_first():
    torch.manual_seed(0)
    block = UNetSkipBlock(4, 8, norm="instance").eval()
    x = torch.randn(2, 4, 8, 8)
    out = block(x)
    assert out.shape == (2, 8, 8, 8)
    assert torch.equal(out[:, :4], x)                                       # the skip: the input, untouched
    torch.testing.assert_close(out[:, 4:], block.up(block.down(x)))


def test_unet_and_srresnet_shapes_and_bad_input():
    torch.manual_seed(0)
    g = UNetGenerator(2, 1, width=4)
    out = g(torch.randn(3, 2, 28, 28))
    assert out.shape == (3, 1, 28, 28) and out.abs().max() <= 1
    assert SRResNet(width=8, n_blocks=1)(torch.randn(2, 1, 7, 7)).shape == (2, 1, 28, 28)
    with pytest.raises(ValueError, match=r"x must have shape \(B, 2, 28, 28\)"):
        g(torch.randn(3, 1, 28, 28))
    with pytest.raises(ValueError, match="norm"):
        UNetGenerator(norm="layer")
    with pytest.raises(ValueError, match="power of 2"):
        SRResNet(scale=3)
    with pytest.raises(ValueError, match="3 channels"):
        PatchGANDiscriminator(3, 4)(torch.randn(1, 2, 28, 28))


# --------------------------------------------------------------------------- losses
def test_pix2pix_losses_by_hand():
    fake_logits, real_logits = torch.zeros(2, 1, 3, 3), torch.zeros(2, 1, 3, 3)
    fake, target = torch.full((2, 1, 4, 4), 0.5), torch.zeros(2, 1, 4, 4)
    # D(.) = 1/2 everywhere: each cross-entropy is ln 2; the L1 is 0.5.
    assert pix2pix_generator_loss(fake_logits, fake, target).item() == pytest.approx(math.log(2) + 100 * 0.5)
    assert pix2pix_generator_loss(fake_logits, fake, target, l1_weight=0.0).item() == pytest.approx(math.log(2))
    assert pix2pix_discriminator_loss(real_logits, fake_logits).item() == pytest.approx(math.log(2))   # halved: 2 ln2 / 2
    assert lsgan_generator_loss(torch.zeros(4)).item() == 1.0
    assert lsgan_discriminator_loss(torch.ones(4), torch.zeros(4)).item() == 0.0
    with pytest.raises(ValueError, match="same shape"):
        pix2pix_generator_loss(fake_logits, fake, target[:, :, :2])


def test_cycle_and_identity_losses():
    g = _gen(1)
    a, b = torch.randn(3, 1, 6, 6, generator=g), torch.randn(3, 1, 6, 6, generator=g)
    identity = nn.Identity()
    assert cycle_loss(a, b, identity, identity).item() == 0.0
    assert identity_loss(a, b, identity, identity).item() == 0.0
    double, half = (lambda x: 2 * x), (lambda x: x / 2)
    assert cycle_loss(a, b, double, half).item() == pytest.approx(0.0, abs=1e-7)     # inverse pair: cycles close
    expected = 0.5 * 10 * ((2 * b - b).abs().mean() + (a / 2 - a).abs().mean())
    assert identity_loss(a, b, double, half).item() == pytest.approx(expected.item())
    shift = lambda x: x + 1
    assert cycle_loss(a, b, shift, shift, lambda_cycle=3.0).item() == pytest.approx(3.0 * 4.0)
    with pytest.raises(TypeError, match="g_ab must be callable"):
        cycle_loss(a, b, 1, shift)


def test_gram_matrix_convention_and_pixel_shuffle_invariance():
    g = _gen(2)
    x = torch.randn(2, 3, 5, 4, generator=g, dtype=torch.float64)
    gram = gram_matrix(x)
    assert gram.shape == (2, 3, 3)
    torch.testing.assert_close(gram, torch.einsum("nchw,ndhw->ncd", x, x) / (3 * 5 * 4))
    perm = torch.randperm(20, generator=g)
    shuffled = x.flatten(2)[:, :, perm].reshape_as(x)
    torch.testing.assert_close(gram_matrix(shuffled), gram)
    assert style_loss([x], [shuffled]).item() == pytest.approx(0.0, abs=1e-20)
    assert content_loss([x], [shuffled]).item() > 0
    with pytest.raises(ValueError, match="features must have 4 dimensions"):
        gram_matrix(torch.randn(3, 4))


def test_classifier_feature_maps_shapes():
    from course_lib.feature_networks import load_feature_network

    maps = classifier_feature_maps(load_feature_network(), torch.rand(2, 1, 28, 28))
    assert [tuple(m.shape) for m in maps] == [(2, 16, 28, 28), (2, 32, 14, 14), (2, 64, 7, 7)]


# --------------------------------------------------------------------------- PSNR and SSIM
def test_psnr_closed_form_and_torchmetrics():
    from torchmetrics.functional.image import peak_signal_noise_ratio

    x = torch.rand(3, 1, 28, 28, generator=_gen(3)) * 2 - 1
    # A constant error e: PSNR = 20 log10(R / e).
    for e, r in ((0.1, 2.0), (0.25, 1.0)):
        torch.testing.assert_close(psnr(x + e, x, r), torch.full((3,), 20 * math.log10(r / e)), rtol=1e-4, atol=1e-4)
    y = x + 0.2 * torch.randn(3, 1, 28, 28, generator=_gen(4))
    reference = peak_signal_noise_ratio(y, x, data_range=2.0, reduction="none", dim=(1, 2, 3))
    torch.testing.assert_close(psnr(y, x, 2.0), reference, rtol=1e-5, atol=1e-4)
    with pytest.raises(ValueError, match="data_range must be > 0"):
        psnr(y, x, 0.0)
    with pytest.raises(ValueError, match="same shape"):
        psnr(y, x[:2], 2.0)


def test_ssim_matches_torchmetrics():
    from torchmetrics.functional.image import structural_similarity_index_measure

    x = torch.rand(4, 1, 28, 28, generator=_gen(5))
    y = (x + 0.15 * torch.randn(4, 1, 28, 28, generator=_gen(6))).clamp(0, 1)
    reference, full = structural_similarity_index_measure(y, x, data_range=1.0, reduction="none", return_full_image=True)
    torch.testing.assert_close(ssim(y, x, 1.0), reference, rtol=1e-4, atol=1e-4)
    import kornia   # the interior, where the window never leaves the image, agrees too

    interior = kornia.metrics.ssim(y, x, 11, max_val=1.0, padding="valid").mean(dim=(1, 2, 3))
    torch.testing.assert_close(interior, full[..., 5:-5, 5:-5].mean(dim=(1, 2, 3)), rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(ssim(x, x, 1.0), torch.ones(4))
    with pytest.raises(ValueError, match="at least 11x11"):
        ssim(x[..., :7, :7], x[..., :7, :7], 1.0)


# --------------------------------------------------------------------------- image pool, inpainting, data
def test_image_pool_fills_then_mixes_and_resumes():
    torch.manual_seed(0)
    pool = ImagePool(4, (1, 2, 2))
    first = torch.arange(16.0).reshape(4, 1, 2, 2)
    assert torch.equal(pool.query(first), first) and int(pool.count) == 4
    new = -torch.ones(64, 1, 2, 2)
    out = pool.query(new)
    old = (out >= 0).all(dim=(1, 2, 3))
    assert 0 < int(old.sum()) <= 4 + 64 and (out[~old] == -1).all()                  # both old and new fakes
    copy = ImagePool(4, (1, 2, 2))
    copy.load_state_dict(pool.state_dict())
    assert torch.equal(copy.images, pool.images) and int(copy.count) == 4
    with pytest.raises(ValueError, match=r"images must have shape \(B, 1, 2, 2\)"):
        pool.query(torch.zeros(1, 1, 3, 3))


def test_blend_keeps_known_pixels_and_the_loss_ignores_holes():
    g = _gen(7)
    image, generated = torch.rand(2, 1, 28, 28, generator=g), torch.rand(2, 1, 28, 28, generator=g)
    mask = make_masks("centre", 2)
    out = blend(image, generated, mask)
    assert torch.equal(out[mask.bool()], image[mask.bool()]) and torch.equal(out[~mask.bool()], generated[~mask.bool()])
    changed_holes = torch.where(mask.bool(), generated, torch.rand(2, 1, 28, 28, generator=g))
    torch.testing.assert_close(masked_loss(changed_holes, image, mask), masked_loss(generated, image, mask))
    by_hand = ((generated - image) ** 2 * mask).sum(dim=(1, 2, 3)) / mask.sum(dim=(1, 2, 3))
    torch.testing.assert_close(masked_loss(generated, image, mask), by_hand)
    with pytest.raises(ValueError, match="at least one pixel"):
        masked_loss(generated, image, torch.zeros_like(mask))
    with pytest.raises(ValueError, match="kind must be one of"):
        make_masks("circle", 2)


def test_nearest_neighbour_fill_finds_the_image_itself_and_inpaint_lowers_the_loss():
    g = _gen(8)
    library = torch.rand(20, 1, 28, 28, generator=g)
    masks = make_masks("left", 3)
    found = nearest_neighbour_fill(library[[4, 9, 13]], masks, library)
    assert found["index"].tolist() == [4, 9, 13] and torch.equal(found["blended"], library[[4, 9, 13]])
    torch.manual_seed(0)
    from course_lib.models.dcgan import DCGANGenerator

    generator = DCGANGenerator(latent_dim=8, width=4)
    target = torch.rand(2, 1, 28, 28, generator=g) * 2 - 1
    short = inpaint(generator, target, masks[:2], steps=1, restarts=1, progress=False)
    longer = inpaint(generator, target, masks[:2], steps=20, restarts=1, progress=False)
    assert (longer["loss"] < short["loss"]).all()
    assert torch.equal(longer["blended"][masks[:2].bool()], target[masks[:2].bool()])


def test_translation_data():
    images = torch.zeros(2, 1, 28, 28)
    images[0, 0, 10:18, 10:18] = 1.0
    edges = sobel_edges(images)
    assert edges.shape == images.shape and edges[0].max() == 1.0 and edges[1].max() == 0.0
    assert edges[0, 0, 14, 14] == 0.0 and edges[0, 0, 10, 14] > 0                  # flat inside, strong at the border
    assert torch.equal(downsample(images)[0, 0, 3, 3], torch.tensor(1.0)) and downsample(images).shape == (2, 1, 7, 7)
    assert bicubic_upsample(downsample(images)).shape == (2, 1, 28, 28)
    assert thicken(images)[0, 0, 9:19, 9:19].min() == 1.0 and thicken(images)[0].sum() == 100
    with pytest.raises(ValueError, match="divisible"):
        downsample(torch.zeros(1, 1, 30, 30), 4)
    pairs = paired_data("super_resolution", "test", budget="fast")
    assert pairs.inputs.shape[1:] == (1, 7, 7) and pairs.targets.shape[1:] == (1, 28, 28)
    domains = unpaired_domains("test", budget="fast")
    assert domains.domain_a.shape[0] + domains.domain_b.shape[0] == 1000
    with pytest.raises(ValueError, match="task must be one of"):
        paired_data("colour")


# --------------------------------------------------------------------------- training steps, recipes, committed runs
def _tiny_batches(shape_in, n=8, seed=0):
    g = _gen(seed)
    return torch.rand(n, *shape_in, generator=g) * 2 - 1, torch.rand(n, 1, 28, 28, generator=g) * 2 - 1


@pytest.mark.parametrize("recipe", ["pix2pix", "pix2pix-l1", "cyclegan", "srresnet", "srgan"])
def test_each_recipe_step_updates_its_networks(recipe):
    from course_lib.translation_recipes import build_translation_models, default_translation_config
    from course_lib.translation_training import make_cyclegan_step, make_pix2pix_step, make_sr_step

    torch.manual_seed(0)
    config = default_translation_config(recipe, "fast", width=4)
    modules, opts = build_translation_models(config)
    before = {k: [p.detach().clone() for p in m.parameters()] for k, m in modules.items()}
    if recipe.startswith("pix2pix"):
        step = make_pix2pix_step(modules["generator"], modules["discriminator"], opts["g_opt"], opts["d_opt"],
                                 l1_weight=config.l1_weight, gan_weight=config.gan_weight)
        batch = _tiny_batches((1, 28, 28))
    elif recipe == "cyclegan":
        step = make_cyclegan_step(modules["g_ab"], modules["g_ba"], modules["d_a"], modules["d_b"], opts["g_opt"],
                                  opts["d_opt"], modules["pool_a"], modules["pool_b"])
        batch = _tiny_batches((1, 28, 28))
    else:
        from course_lib.feature_networks import load_feature_network

        classifier = load_feature_network() if config.perceptual_weight > 0 else None
        step = make_sr_step(modules["generator"], opts["g_opt"], discriminator=modules.get("discriminator"),
                            d_opt=opts.get("d_opt"), classifier=classifier, pixel_weight=config.pixel_weight,
                            perceptual_weight=config.perceptual_weight, adversarial_weight=config.adversarial_weight)
        batch = _tiny_batches((1, 7, 7))
    for m in modules.values():
        m.train()
    logs = step(batch)
    assert all(torch.isfinite(v) for v in logs.values())
    for key, module in modules.items():
        moved = any(not torch.equal(a, b) for a, b in zip(before[key], module.parameters()))
        trained = not (recipe == "pix2pix-l1" and key == "discriminator")       # L1 alone never trains D
        assert moved == trained or not before[key], f"{recipe}: {key} moved={moved}"
    if recipe == "cyclegan":
        assert int(modules["pool_a"].count) == 8


def test_translation_checkpoint_resumes_only_the_same_configuration(tmp_path):
    from course_lib.data import InMemoryLoader
    from course_lib.translation_training import make_sr_step, train_translation

    def run(pixel_weight, steps):
        torch.manual_seed(0)
        g = SRResNet(width=4, n_blocks=1)
        opts = {"g_opt": torch.optim.Adam(g.parameters(), 1e-3)}
        low, high = _tiny_batches((1, 7, 7), n=16)
        loader = InMemoryLoader(low, high, batch_size=4, seed=0)
        history = train_translation(make_sr_step(g, opts["g_opt"], pixel_weight=pixel_weight), {"generator": g}, opts,
                                    loader, steps, config={"pixel_weight": pixel_weight},
                                    checkpoint_path=tmp_path / "sr.pt", log_every=1, progress=False)
        return g, history

    run(1.0, 3)
    _, history = run(1.0, 6)                 # resumed at step 3
    assert history.steps == [1, 2, 3, 4, 5, 6]
    with pytest.raises(ValueError, match="another configuration"):
        run(2.0, 8)


@pytest.mark.parametrize("name", ["pix2pix_mnist", "pix2pix_l1_mnist", "pix2pix_gan_mnist", "cyclegan_mnist",
                                  "srresnet_mnist", "srgan_mnist"])
def test_committed_translation_runs_load_with_their_hash(name):
    from course_lib.translation_recipes import load_translation_pretrained

    loaded = load_translation_pretrained(name)
    assert loaded is not None, f"course_lib/weights/{name}.pt is missing"
    models, record = loaded
    assert record["command"].startswith("python -m course_lib train ") and record["config"]["budget"] == "fast"
    assert all(not m.training for m in models.values())


def test_committed_srresnet_numbers_are_reproduced():
    from course_lib.translation_recipes import evaluate_translation, load_translation_pretrained

    models, record = load_translation_pretrained("srresnet_mnist")
    numbers = evaluate_translation("srresnet", models)
    # float16 weights: the numbers agree with the record (made before rounding) to a small tolerance
    assert numbers["model"]["psnr"] == pytest.approx(record["model"]["psnr"], abs=0.05)
    assert numbers["model"]["accuracy"] == pytest.approx(record["model"]["accuracy"], abs=0.01)
    assert numbers["bicubic"]["psnr"] == pytest.approx(record["bicubic"]["psnr"], abs=1e-3)
    assert numbers["model"]["psnr"] > numbers["bicubic"]["psnr"] + 3


def test_command_line_trains_exports_and_records_a_translation_recipe(tmp_path, capsys):
    import json

    from course_lib.__main__ import TRANSLATION_RECIPES as listed, main
    from course_lib.files import file_sha256
    from course_lib.translation_recipes import TRANSLATION_RECIPES

    assert listed == TRANSLATION_RECIPES
    out = tmp_path / "sr.pt"
    assert main(["train", "srresnet", "--budget", "fast", "--steps", "2", "--batch-size", "8", "--width", "4",
                 "--no-progress", "--checkpoint", str(tmp_path / "ckpt.pt"), "--export", str(out)]) == 0
    record = json.loads(out.with_suffix(".json").read_text())
    assert record["sha256"] == file_sha256(out) and record["config"]["steps"] == 2
    assert record["networks"]["generator"] == {"class": "SRResNet",
                                               "kwargs": {"channels": 1, "width": 4, "n_blocks": 4, "scale": 4}}
    assert set(record["model"]) == {"psnr", "ssim", "perceptual_distance", "accuracy"}
    assert "holds a finished run" not in capsys.readouterr().out
    from course_lib.translation_recipes import translate

    with pytest.raises(TypeError, match="model must be an nn.Module"):
        translate(lambda x: x, torch.zeros(1, 1, 28, 28))
    with pytest.raises(ValueError, match="images must have 4 dimensions"):
        translate(SRResNet(width=4), torch.zeros(1, 7, 7))
