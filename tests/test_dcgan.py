import pytest
import torch
from torch import nn

from course_lib.models.dcgan import (
    DCGANDiscriminator, DCGANGenerator, dcgan_init, transposed_conv_output_size, wgan_critic,
)


@pytest.mark.parametrize("size, kernel, stride, padding, output_padding",
                         [(7, 4, 2, 1, 0), (1, 7, 1, 0, 0), (5, 3, 2, 1, 1), (4, 4, 2, 1, 0), (3, 5, 3, 2, 2)])
def test_transposed_conv_output_size_matches_pytorch(size, kernel, stride, padding, output_padding):
    layer = nn.ConvTranspose2d(1, 1, kernel, stride, padding, output_padding=output_padding)
    actual = layer(torch.zeros(1, 1, size, size)).shape[-1]
    assert transposed_conv_output_size(size, kernel, stride, padding, output_padding) == actual


def test_transposed_conv_output_size_bad_input():
    with pytest.raises(ValueError, match="output_padding"):
        transposed_conv_output_size(4, 3, 1, 0, 1)
    with pytest.raises(TypeError, match="kernel"):
        transposed_conv_output_size(4, 3.0)
    with pytest.raises(ValueError, match="padding"):
        transposed_conv_output_size(4, 3, 1, -1)


@pytest.mark.parametrize("image_size, channels", [(28, 1), (64, 3)])
def test_shapes_and_ranges(image_size, channels):
    g = DCGANGenerator(latent_dim=16, channels=channels, width=8, image_size=image_size)
    d = DCGANDiscriminator(channels=channels, width=8, image_size=image_size)
    with torch.no_grad():
        x = g(torch.randn(5, 16))
    assert x.shape == (5, channels, image_size, image_size)
    assert float(x.abs().max()) <= 1.0
    assert d(x).shape == (5,)
    assert wgan_critic(channels, 8, image_size)(x).shape == (5,)


def test_dcgan_guidelines():
    d = DCGANDiscriminator(width=8)
    layers = list(d.net)
    assert isinstance(layers[0], nn.Conv2d) and not isinstance(layers[1], nn.BatchNorm2d)  # no BN on D's input layer
    assert any(isinstance(m, nn.LeakyReLU) for m in d.modules())
    assert not any(isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)) for m in d.modules())
    g = DCGANGenerator(width=8)
    assert isinstance(list(g.net)[-1], nn.Tanh) and any(isinstance(m, nn.BatchNorm2d) for m in g.modules())
    critic = wgan_critic(width=8)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in critic.modules())
    with pytest.raises(ValueError, match="batch norm"):
        wgan_critic(norm="batch")


def test_dcgan_init_statistics():
    torch.manual_seed(0)
    conv = nn.Conv2d(64, 64, 4)
    bn = nn.BatchNorm2d(512)
    conv.apply(dcgan_init)
    bn.apply(dcgan_init)
    assert abs(conv.weight.std().item() - 0.02) < 0.001 and abs(conv.weight.mean().item()) < 0.001
    assert abs(bn.weight.mean().item() - 1.0) < 0.005 and bn.bias.abs().max() == 0
    assert conv.bias.abs().max() == 0


def test_bad_input():
    g, d = DCGANGenerator(latent_dim=4, width=4), DCGANDiscriminator(width=4)
    with pytest.raises(ValueError, match=r"z must have shape \(B, 4\)"):
        g(torch.randn(2, 5))
    with pytest.raises(ValueError, match=r"x must have shape \(B, 1, 28, 28\)"):
        d(torch.randn(2, 1, 32, 32))
    with pytest.raises(ValueError, match="image_size"):
        DCGANGenerator(image_size=32)
    with pytest.raises(ValueError, match="norm"):
        DCGANDiscriminator(norm="spectral")
