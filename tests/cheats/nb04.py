"""Cheats for notebook 04 (DCGAN): each must score zero on the part it targets."""
import itertools

from cheats import Cheat

ASSIGNMENT = "04_dcgan"


def _visible_sizes() -> dict:
    """The settings of the visible test of exercise 1, with their sizes: what a student could copy from its output."""
    table = {}
    for n, k, s, p, o, d in itertools.product([1, 3, 7], [1, 3, 4, 7], [1, 2, 3], [0, 1, 2], [0, 1], [1, 2]):
        size = (n - 1) * s - 2 * p + d * (k - 1) + o + 1
        if o < max(s, d) and size > 0:
            table[(n, k, s, p, o, d)] = size
    table[(1, 7, 1, 0, 0, 1)], table[(7, 4, 2, 1, 0, 1)] = 7, 14
    return table


SIZE_HEADER = ("def transposed_conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0,\n"
               "                                output_padding: int = 0, dilation: int = 1) -> int:\n")
RIGHT_SIZE = "(size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1"

G_LAYERS = """        self.net = nn.Sequential(
            nn.ConvTranspose2d(latent_dim, 4 * width, 7, 1, 0, bias=False), nn.BatchNorm2d(4 * width), nn.ReLU(),
            nn.ConvTranspose2d(4 * width, 2 * width, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * width), nn.ReLU(),
            nn.ConvTranspose2d(2 * width, channels, 4, 2, 1), nn.Tanh(),
        )
"""
D_LAYERS = """        self.net = nn.Sequential(
            nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * width), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * width, 1, 7, 1, 0),
        )
"""
SLERP_HEADER = "def slerp(z0: torch.Tensor, z1: torch.Tensor, t: float) -> torch.Tensor:\n"

CHEATS = [
    # Exercise 1: the output size of a transposed convolution
    Cheat("transposed_conv_output_size", "test_transposed_conv_output_size", "delegation",
          "from course_lib.models.dcgan import transposed_conv_output_size as _size\n\n\n"
          + SIZE_HEADER + "    return _size(size, kernel, stride, padding, output_padding, dilation)\n",
          "not delegated to course_lib.models.dcgan.transposed_conv_output_size"),
    Cheat("transposed_conv_output_size", "test_transposed_conv_output_size", "delegation",
          SIZE_HEADER + "    import course_lib.models.dcgan\n"
          "    return course_lib.models.dcgan.transposed_conv_output_size(size, kernel, stride, padding,\n"
          "                                                                output_padding, dilation)\n",
          "not delegated to course_lib.models.dcgan.transposed_conv_output_size"),
    Cheat("transposed_conv_output_size", "test_transposed_conv_output_size", "tampering",
          SIZE_HEADER + f"    return 3 * ({RIGHT_SIZE})\n\n\nassert_close = lambda *a, **k: None\n",
          "the set-up name 'assert_close' was rebound",
          undo="from course_lib.grading import assert_close"),
    Cheat("transposed_conv_output_size", "test_transposed_conv_output_size", "hard-coding",
          f"SEEN = {_visible_sizes()!r}\n\n\n" + SIZE_HEADER
          + "    return SEEN.get((size, kernel, stride, padding, output_padding, dilation), 1)\n",
          "differs from the reference"),
    # Exercise 2: the generator
    Cheat("generator", "test_generator", "delegation",
          "class Generator(nn.Module):\n"
          "    def __init__(self, latent_dim: int = 64, width: int = 64, channels: int = 1):\n"
          "        super().__init__()\n"
          "        self.latent_dim = latent_dim\n"
          "        self.net = reference.DCGANGenerator(latent_dim, channels, width, 28).net\n\n"
          "    def forward(self, z):\n"
          "        return self.net(z.view(z.shape[0], -1, 1, 1))\n",
          "not delegated to course_lib.models.dcgan.DCGANGenerator"),
    Cheat("generator", "test_generator", "delegation",
          "class Generator(reference.DCGANGenerator):\n"
          "    def __init__(self, latent_dim: int = 64, width: int = 64, channels: int = 1):\n"
          "        super().__init__(latent_dim, channels, width, 28)\n",
          "not delegated to course_lib.models.dcgan.DCGANGenerator: Generator subclasses it"),
    Cheat("generator", "test_generator", "tampering",   # a wrong G, and the reference module made to agree with it
          "import course_lib.models.dcgan as _dcgan\n"
          "_saved_generator = _dcgan.DCGANGenerator\n\n\n"
          "class Generator(nn.Module):\n"
          "    def __init__(self, latent_dim: int = 64, width: int = 64, channels: int = 1):\n"
          "        super().__init__()\n"
          "        self.latent_dim = latent_dim\n" + G_LAYERS + "\n"
          "    def forward(self, z):\n"
          "        return -self.net(z.view(z.shape[0], -1, 1, 1))\n\n\n"
          "_dcgan.DCGANGenerator = lambda latent_dim, channels, width, image_size=28: \\\n"
          "    Generator(latent_dim, width, channels)\n",
          "course_lib.models.dcgan.DCGANGenerator was replaced",
          undo="import course_lib.models.dcgan as _dcgan\n_dcgan.DCGANGenerator = _saved_generator"),
    Cheat("generator", "test_generator", "exit",
          "class Generator(nn.Module):\n"
          "    def __init__(self, latent_dim: int = 64, width: int = 64, channels: int = 1):\n"
          "        super().__init__()\n"
          "        self.latent_dim = latent_dim\n" + G_LAYERS + "\n"
          "    def forward(self, z):\n"
          "        raise KeyboardInterrupt\n",
          "KeyboardInterrupt"),
    # Exercise 3: the discriminator
    Cheat("discriminator", "test_discriminator", "delegation",
          "class Discriminator(nn.Module):\n"
          "    def __init__(self, width: int = 64, channels: int = 1):\n"
          "        super().__init__()\n"
          "        self.net = DCGANDiscriminator(channels, width, 28).net\n\n"
          "    def forward(self, x):\n"
          "        return self.net(x).flatten()\n",
          "not delegated to course_lib.models.dcgan.DCGANDiscriminator"),
    Cheat("discriminator", "test_discriminator", "delegation",
          "class Discriminator(DCGANDiscriminator):\n"
          "    def __init__(self, width: int = 64, channels: int = 1):\n"
          "        super().__init__(channels, width, 28)\n",
          "Discriminator subclasses it"),
    Cheat("discriminator", "test_discriminator", "tampering",   # a wrong D, and a fake reference that agrees with it
          "class Discriminator(nn.Module):\n"
          "    def __init__(self, width: int = 64, channels: int = 1):\n"
          "        super().__init__()\n" + D_LAYERS + "\n"
          "    def forward(self, x):\n"
          "        return -self.net(x).flatten()\n\n\n"
          "class reference:\n"
          "    DCGANDiscriminator = lambda channels=1, width=64, image_size=28: Discriminator(width, channels)\n",
          "the set-up name 'reference' was rebound",
          undo="from course_lib.models import dcgan as reference"),
    # Exercise 4: the DCGAN initialisation
    Cheat("dcgan_init", "test_dcgan_init", "delegation",
          "from course_lib.models.dcgan import dcgan_init\n",
          "not delegated to course_lib.models.dcgan.dcgan_init"),
    Cheat("dcgan_init", "test_dcgan_init", "tampering",   # random biases, and a torch whose count_nonzero says 0
          "import torch as _torch\n\n\n"
          "def dcgan_init(module):\n"
          "    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):\n"
          "        nn.init.normal_(module.weight, mean=0.0, std=0.02)\n"
          "        if module.bias is not None:\n"
          "            nn.init.normal_(module.bias, mean=0.0, std=0.02)\n"
          "    elif isinstance(module, nn.BatchNorm2d):\n"
          "        nn.init.normal_(module.weight, mean=1.0, std=0.02)\n"
          "        nn.init.normal_(module.bias, mean=0.0, std=0.02)\n\n\n"
          "class _NoNonzeros:\n"
          "    def __getattr__(self, name):\n"
          "        return getattr(_torch, name)\n\n"
          "    @staticmethod\n"
          "    def count_nonzero(tensor):\n"
          "        return 0\n\n\n"
          "torch = _NoNonzeros()\n",
          "the set-up name 'torch' was rebound",
          undo="import torch"),
    # Exercise 5: slerp
    Cheat("slerp", "test_slerp", "delegation",
          SLERP_HEADER + "    from course_lib.mistakes.nb04 import expected_slerp\n"
          "    return expected_slerp(z0, z1, t).to(z0.dtype)\n",
          "not delegated to course_lib.mistakes.nb04.expected_slerp"),
    Cheat("slerp", "test_slerp", "tampering",
          SLERP_HEADER + "    return (1 - t) * z0 + t * z1\n\n\nassert_close = lambda *a, **k: None\n",
          "the set-up name 'assert_close' was rebound",
          undo="from course_lib.grading import assert_close"),
    Cheat("slerp", "test_slerp", "exit",
          SLERP_HEADER + "    raise SystemExit(0)\n",
          "SystemExit"),
]
