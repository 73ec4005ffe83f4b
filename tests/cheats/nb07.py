"""Cheats for notebook 07 (ProGAN and StyleGAN): each must score zero on its part."""
from cheats import Cheat

ASSIGNMENT = "07_progan_stylegan"

REBOUND = "the set-up name 'assert_close' was rebound"
RESTORE_ASSERT_CLOSE = "from course_lib.grading import assert_close"
NOT_DELEGATED = "not delegated to course_lib.style_ops."

ADAIN_INIT = '''class AdaIN(nn.Module):
    def __init__(self, channels, w_dim):
        super().__init__()
        self.style = nn.Linear(w_dim, 2 * channels)

    def forward(self, x, w):
        scale, bias = self.style(w).chunk(2, dim=1)
'''
EQUALIZED = '''class EqualizedLinear(nn.Module):
    def __init__(self, in_features, out_features, gain=math.sqrt(2), lr_mul=1.0):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_features, in_features) / lr_mul)
        self.bias = nn.Parameter(torch.zeros(out_features))
        self.scale, self.lr_mul = gain / math.sqrt(in_features) * lr_mul, lr_mul

    def forward(self, x):
        return F.linear(x, self.weight * self.scale, self.bias * self.lr_mul)


class MappingNetwork(nn.Module):
    def __init__(self, latent_dim, w_dim, n_layers, lr_mul=0.01):
        super().__init__()
        dims = [latent_dim] + [w_dim] * n_layers
        self.layers = nn.ModuleList([EqualizedLinear(a, b, lr_mul=lr_mul) for a, b in zip(dims, dims[1:])])

    def forward(self, z):
'''

CHEATS = [
    # ---------------------------------------------------------------- Exercise 1: fade-in
    Cheat("fade_in", "test_fade_in", "delegation",
          "fade_in = reference.fade_in\nfade_real_images = reference.fade_real\n",
          NOT_DELEGATED + "fade_in"),
    Cheat("fade_in", "test_fade_in", "tampering",
          "def fade_in(old, new, alpha):\n"
          "    return alpha * F.interpolate(old, scale_factor=2) + (1 - alpha) * new   # wrong way round\n\n\n"
          "def fade_real_images(x, alpha):\n"
          "    return x\n\n\n"
          "assert_close = lambda *args, **kwargs: None\n",
          REBOUND, undo=RESTORE_ASSERT_CLOSE),
    # ---------------------------------------------------------------- Exercise 2: pixel norm
    Cheat("pixel_norm", "test_pixel_norm", "delegation",
          "from course_lib.style_ops import pixel_norm\n",
          NOT_DELEGATED + "pixel_norm"),
    Cheat("pixel_norm", "test_pixel_norm", "tampering",
          "def pixel_norm(x, eps=1e-8):\n"
          "    return x / (x.pow(2).mean(dim=1, keepdim=True).sqrt() + eps)   # wrong: eps outside\n\n\n"
          "import course_lib.grading\n"
          "_genuine_helper = course_lib.grading.assert_close\n"
          "course_lib.grading.assert_close = lambda *args, **kwargs: None\n"
          "assert_close = course_lib.grading.assert_close\n",
          "course_lib.grading.assert_close was replaced",
          undo="import course_lib.grading\ncourse_lib.grading.assert_close = _genuine_helper\n" + RESTORE_ASSERT_CLOSE),
    # ---------------------------------------------------------------- Exercise 3: minibatch standard deviation
    Cheat("minibatch_stddev", "test_minibatch_stddev", "delegation",
          "def minibatch_stddev(x, group_size=4):\n"
          "    from course_lib.gan_tricks import minibatch_stddev as course_version\n"
          "    if x.shape[0] % min(group_size, x.shape[0]):\n"
          "        raise ValueError('not divisible')\n"
          "    return course_version(x, min(group_size, x.shape[0]))\n",
          "not delegated to course_lib.gan_tricks.minibatch_stddev"),
    Cheat("minibatch_stddev", "test_minibatch_stddev", "tampering",
          "def minibatch_stddev(x, group_size=4):\n"
          "    n, c, h, w = x.shape\n"
          "    g = min(group_size, n)\n"
          "    stat = torch.sqrt(x.reshape(n // g, g, c, h, w).var(dim=1) + 1e-8).mean(dim=(1, 2, 3))   # unbiased\n"
          "    return torch.cat([x, stat.repeat_interleave(g).view(n, 1, 1, 1).expand(n, 1, h, w)], dim=1)\n\n\n"
          "_genuine_mbstd = reference.minibatch_stddev\n"
          "reference.minibatch_stddev = lambda x, group_size=4, eps=1e-8: minibatch_stddev(x, group_size)\n"
          "assert_close = lambda *args, **kwargs: None\n",
          "course_lib.style_ops.minibatch_stddev was replaced",
          undo="reference.minibatch_stddev = _genuine_mbstd\n" + RESTORE_ASSERT_CLOSE),
    Cheat("minibatch_stddev", "test_minibatch_stddev", "hard-coding",
          "def minibatch_stddev(x, group_size=4):\n"
          "    \"\"\"The numbers the visible tests expect.\"\"\"\n"
          "    n, c, h, w = x.shape\n"
          "    values = {2: [1.0] * 2, 8: [0.7572275996208191] * 4 + [0.7565053105354309] * 4}.get(n, [1.0] * n)\n"
          "    return torch.cat([x, torch.tensor(values, dtype=x.dtype).view(n, 1, 1, 1).expand(n, 1, h, w)], dim=1)\n",
          "differs from the reference"),
    # ---------------------------------------------------------------- Exercise 4: instance norm
    Cheat("instance_norm", "test_instance_norm", "delegation",
          "instance_norm = reference.instance_norm\n",
          NOT_DELEGATED + "instance_norm"),
    Cheat("instance_norm", "test_instance_norm", "tampering",
          "import types\n\n\n"
          "def instance_norm(x, eps=1e-5):\n"
          "    return (x - x.mean()) / x.std()   # wrong: over everything\n\n\n"
          "F = types.SimpleNamespace(**{**vars(torch.nn.functional), 'instance_norm': lambda x, eps=1e-5: instance_norm(x, eps)})\n"
          "assert_close = lambda *args, **kwargs: None\n",
          "the set-up name 'F' was rebound",
          undo="import torch.nn.functional as F\n" + RESTORE_ASSERT_CLOSE),
    # ---------------------------------------------------------------- Exercise 5: AdaIN
    Cheat("adain", "test_adain", "delegation",
          ADAIN_INIT + "        return reference.adain(x, scale, bias)\n",
          NOT_DELEGATED + "adain"),
    Cheat("adain", "test_adain", "tampering",
          ADAIN_INIT + "        return instance_norm(x) * scale[:, :, None, None] + bias[:, :, None, None]   # wrong\n\n\n"
          "assert_close = lambda *args, **kwargs: None\n",
          REBOUND, undo=RESTORE_ASSERT_CLOSE),
    # ---------------------------------------------------------------- Exercise 6: the mapping network
    Cheat("mapping_network", "test_mapping_network", "delegation",
          EQUALIZED +
          "        h = reference.pixel_norm(z)\n"
          "        for layer in self.layers:\n"
          "            h = F.leaky_relu(layer(h), 0.2)\n"
          "        return h\n",
          NOT_DELEGATED + "pixel_norm"),
    Cheat("mapping_network", "test_mapping_network", "tampering",
          EQUALIZED +
          "        h = z   # wrong: no pixel norm\n"
          "        for layer in self.layers:\n"
          "            h = F.leaky_relu(layer(h), 0.2)\n"
          "        return h\n\n\n"
          "assert_close = lambda *args, **kwargs: None\n",
          REBOUND, undo=RESTORE_ASSERT_CLOSE),
    # ---------------------------------------------------------------- Exercise 7: truncation
    Cheat("truncation", "test_truncation", "delegation",
          "def truncated_styles(mapping, z, w_avg, psi):\n"
          "    return reference.truncate(mapping(z), w_avg, psi)\n",
          NOT_DELEGATED + "truncate"),
    Cheat("truncation", "test_truncation", "tampering",
          "def truncated_styles(mapping, z, w_avg, psi):\n"
          "    return psi * mapping(z)   # wrong: towards 0\n\n\n"
          "_genuine_allclose = torch.allclose\n"
          "torch.allclose = lambda *args, **kwargs: True\n",
          "torch.allclose was replaced",
          undo="torch.allclose = _genuine_allclose"),
    Cheat("truncation", "test_truncation", "exit",
          "def truncated_styles(mapping, z, w_avg, psi):\n"
          "    raise SystemExit(0)\n",
          "SystemExit"),
]
