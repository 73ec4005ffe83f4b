"""Wrong answers for notebook 07 (ProGAN and StyleGAN)."""
from mutants import Mutant

FADE_UP = 'upsampled = F.interpolate(old, scale_factor=2, mode="nearest")'
FADE_RETURN = "return (1 - alpha) * upsampled + alpha * new"
FADE_REAL = "return fade_in(F.avg_pool2d(x, 2), x, alpha)"
PIXEL_NORM = "return x / torch.sqrt(x.pow(2).mean(dim=1, keepdim=True) + eps)"
GROUP = "g = min(group_size, n)"
GROUPS = "groups = x.reshape(n // g, g, c, h, w)"
STD = "std = torch.sqrt(groups.var(dim=1, unbiased=False) + 1e-8)"
CAT = "return torch.cat([x, stat.view(n, 1, 1, 1).expand(n, 1, h, w)], dim=1)"
IN_VAR = "var = x.var(dim=(2, 3), unbiased=False, keepdim=True)"
IN_RETURN = "return (x - mean) / torch.sqrt(var + eps)"
ADAIN_SPLIT = "scale, bias = self.style(w).chunk(2, dim=1)"
ADAIN_RETURN = "return instance_norm(x) * (1 + scale[:, :, None, None]) + bias[:, :, None, None]"
EQ_WEIGHT = "self.weight = nn.Parameter(torch.randn(out_features, in_features) / lr_mul)"
EQ_SCALE = "self.scale = gain / math.sqrt(in_features) * lr_mul"
EQ_FORWARD = "return F.linear(x, self.weight * self.scale, self.bias * self.lr_mul)"
MAP_ACT = "h = F.leaky_relu(layer(h), 0.2)"
TRUNC = "return w_avg + psi * (w - w_avg)"

ASSIGNMENT = "07_progan_stylegan"

MUTANTS = [
    # Exercise 1: the fade-in.
    Mutant("fade_in", "test_fade_in", FADE_RETURN, "return alpha * upsampled + (1 - alpha) * new", "the wrong way round"),
    Mutant("fade_in", "test_fade_in", FADE_UP,
           'upsampled = F.interpolate(old, scale_factor=2, mode="bilinear", align_corners=False)', "upsampled bilinearly"),
    Mutant("fade_in", "test_fade_in", FADE_RETURN, "return upsampled + alpha * new", "not weighted by (1 - alpha)"),
    Mutant("fade_in", "test_fade_in", FADE_REAL, "return fade_in(x[..., ::2, ::2], x, alpha)", "every other pixel"),
    Mutant("fade_in", "test_fade_in", FADE_REAL, "return x", "the real images are not faded"),
    Mutant("fade_in", "test_fade_in", FADE_REAL, "return fade_in(F.avg_pool2d(x, 2), x, 1 - alpha)", "the wrong way round"),
    # Exercise 2: pixel norm.
    Mutant("pixel_norm", "test_pixel_norm", PIXEL_NORM,
           "return x / (torch.sqrt(x.pow(2).mean(dim=1, keepdim=True)) + eps)", "eps is outside the square root"),
    Mutant("pixel_norm", "test_pixel_norm", PIXEL_NORM,
           "return x / torch.sqrt(x.pow(2).mean(dim=(2, 3), keepdim=True) + eps)", "over the pixels (H, W)"),
    Mutant("pixel_norm", "test_pixel_norm", PIXEL_NORM,
           "return x / torch.sqrt(x.pow(2).mean(dim=0, keepdim=True) + eps)", "over the batch (dim 0)"),
    Mutant("pixel_norm", "test_pixel_norm", PIXEL_NORM,
           "return x / torch.sqrt(x.pow(2).mean(dim=-1, keepdim=True) + eps)", "over the last dimension"),
    Mutant("pixel_norm", "test_pixel_norm", PIXEL_NORM,
           "return x / torch.sqrt(x.pow(2).sum(dim=1, keepdim=True) + eps)", "the channels are summed"),
    Mutant("pixel_norm", "test_pixel_norm", PIXEL_NORM,
           "return x / (x.pow(2).mean(dim=1, keepdim=True) + eps)", "the square root is missing"),
    # Exercise 3: the minibatch standard deviation.
    Mutant("minibatch_stddev", "test_minibatch_stddev", STD, "std = torch.sqrt(groups.var(dim=1, unbiased=True) + 1e-8)",
           "the variance is unbiased"),
    Mutant("minibatch_stddev", "test_minibatch_stddev", STD, "std = groups.var(dim=1, unbiased=False).sqrt() + 1e-8",
           "eps is outside the square root"),
    Mutant("minibatch_stddev", "test_minibatch_stddev", GROUP, "g = n", "the whole batch is one group"),
    Mutant("minibatch_stddev", "test_minibatch_stddev", GROUPS, "groups = x.reshape(g, n // g, c, h, w).transpose(0, 1)",
           "the groups are strided"),
    Mutant("minibatch_stddev", "test_minibatch_stddev", CAT,
           "return torch.cat([stat.view(n, 1, 1, 1).expand(n, 1, h, w), x], dim=1)", "append the statistic last"),
    Mutant("minibatch_stddev", "test_minibatch_stddev", "if n % g != 0:", "if False:", "must raise a ValueError"),
    # Exercise 4: instance norm.
    Mutant("instance_norm", "test_instance_norm", IN_VAR, "var = x.var(dim=(2, 3), unbiased=True, keepdim=True)",
           "the variance is unbiased"),
    Mutant("instance_norm", "test_instance_norm", IN_RETURN, "return (x - mean) / (torch.sqrt(var) + eps)",
           "eps is outside the square root"),
    Mutant("instance_norm", "test_instance_norm", IN_RETURN, "return x / torch.sqrt(var + eps)", "the mean is not subtracted"),
    # Exercise 5: AdaIN.
    Mutant("adain", "test_adain", ADAIN_RETURN, "return instance_norm(x) * scale[:, :, None, None] + bias[:, :, None, None]",
           "the other scale convention"),
    Mutant("adain", "test_adain", ADAIN_SPLIT, "bias, scale = self.style(w).chunk(2, dim=1)", "are swapped"),
    Mutant("adain", "test_adain", "self.channels = channels",
           "self.channels = channels\n        self.norm = nn.InstanceNorm2d(channels, affine=True)", "affine=True"),
    Mutant("adain", "test_adain", ADAIN_RETURN, "return x * (1 + scale[:, :, None, None]) + bias[:, :, None, None]",
           "x is not normalised"),
    # Exercise 6: the equalised layer and the mapping network.
    Mutant("mapping_network", "test_mapping_network", EQ_FORWARD, "return F.linear(x, self.weight, self.bias * self.lr_mul)",
           "scaled once at initialisation"),
    Mutant("mapping_network", "test_mapping_network", EQ_WEIGHT,
           "self.weight = nn.Parameter(torch.randn(out_features, in_features) * gain / math.sqrt(in_features))",
           "scaled once at initialisation"),
    Mutant("mapping_network", "test_mapping_network", EQ_FORWARD, "return F.linear(x, self.weight * self.scale, self.bias)",
           "the bias is not multiplied by lr_mul"),
    Mutant("mapping_network", "test_mapping_network", EQ_SCALE, "self.scale = gain / math.sqrt(out_features) * lr_mul",
           "uses fan_out"),
    Mutant("mapping_network", "test_mapping_network", "h = pixel_norm(z)", "h = z", "not pixel-normalised"),
    Mutant("mapping_network", "test_mapping_network", MAP_ACT,
           "h = layer(h) if layer is self.layers[-1] else F.leaky_relu(layer(h), 0.2)", "the last layer has no activation"),
    # Exercise 7: truncation.
    Mutant("truncation", "test_truncation", TRUNC, "return psi * w", "pulls towards 0"),
    Mutant("truncation", "test_truncation", TRUNC, "return mapping(psi * z)", "the truncation is in Z"),
    Mutant("truncation", "test_truncation", TRUNC, "return w_avg + (1 - psi) * (w - w_avg)", "the wrong way round"),
    Mutant("truncation", "test_truncation", TRUNC, "return w.mean(0) + psi * (w - w.mean(0))", "mean of this batch"),
]
