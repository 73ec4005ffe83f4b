"""Wrong answers for notebook 04 (DCGAN)."""
from mutants import Mutant

SIZE_LINE = "return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1"
G_FIRST = "nn.ConvTranspose2d(latent_dim, 4 * width, 7, 1, 0, bias=False)"
G_SECOND = "nn.ConvTranspose2d(4 * width, 2 * width, 4, 2, 1, bias=False)"
G_RELU_1 = "nn.ReLU(),                                                      # block 1"
G_FORWARD = "return self.net(z.view(z.shape[0], -1, 1, 1))"
D_FIRST = "nn.Conv2d(channels, width, 4, 2, 1),"
D_ACT_1 = "nn.LeakyReLU(0.2),                                   # block 1"
D_ACT_2 = "nn.LeakyReLU(0.2),                                   # block 2"
D_SECOND = "nn.Conv2d(width, 2 * width, 4, 2, 1, bias=False)"
D_LAST = "nn.Conv2d(2 * width, 1, 7, 1, 0),"
D_FORWARD = "return self.net(x).flatten()"
INIT_CONV = "nn.init.normal_(module.weight, mean=0.0, std=0.02)"
INIT_BN = "nn.init.normal_(module.weight, mean=1.0, std=0.02)"
INIT_BN_BIAS = "nn.init.normal_(module.weight, mean=1.0, std=0.02)\n        nn.init.zeros_(module.bias)"
SLERP_COS = ("cos = (z0 * z1).sum(-1, keepdim=True) / (z0.norm(dim=-1, keepdim=True) * "
             "z1.norm(dim=-1, keepdim=True))")
SLERP_RETURN = "return a * z0 + b * z1"

ASSIGNMENT = "04_dcgan"

MUTANTS = [
    # Exercise 1: the output size of a transposed convolution
    Mutant("transposed_conv_output_size", "test_transposed_conv_output_size", SIZE_LINE,
           "return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding", "the +1 is missing"),
    Mutant("transposed_conv_output_size", "test_transposed_conv_output_size", SIZE_LINE,
           "return (size - 1) * stride - padding + dilation * (kernel - 1) + output_padding + 1",
           "subtract 2 * padding, not padding"),
    Mutant("transposed_conv_output_size", "test_transposed_conv_output_size", SIZE_LINE,
           "return (size - 1) * stride + 2 * padding + dilation * (kernel - 1) + output_padding + 1", "do not add it"),
    Mutant("transposed_conv_output_size", "test_transposed_conv_output_size", SIZE_LINE,
           "return size * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1", "not size * stride"),
    Mutant("transposed_conv_output_size", "test_transposed_conv_output_size", SIZE_LINE,
           "return (size - 1) * stride - 2 * padding + (kernel - 1) + output_padding + 1", "dilation is ignored"),
    Mutant("transposed_conv_output_size", "test_transposed_conv_output_size", SIZE_LINE,
           "return (size - 1) * stride - 2 * padding + dilation * kernel + output_padding + 1", "not dilation * kernel"),
    Mutant("transposed_conv_output_size", "test_transposed_conv_output_size", SIZE_LINE,
           "return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + 1", "output_padding is ignored"),
    Mutant("transposed_conv_output_size", "test_transposed_conv_output_size", SIZE_LINE,
           "return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + 2 * output_padding + 1",
           "added once"),
    Mutant("transposed_conv_output_size", "test_transposed_conv_output_size", SIZE_LINE,
           "return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1", "ordinary (forward) convolution"),
    Mutant("transposed_conv_output_size", "test_transposed_conv_output_size", SIZE_LINE,
           "return float((size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1)",
           "return an int"),
    # Exercise 2: the generator
    Mutant("generator", "test_generator", "nn.Tanh(),", "nn.BatchNorm2d(channels), nn.Tanh(),",
           "batch norm on G's output layer"),
    Mutant("generator", "test_generator", "nn.Tanh(),", "nn.Sigmoid(),", "end with nn.Tanh()"),
    Mutant("generator", "test_generator", "nn.Tanh(),", "nn.Identity(),", "G must end with nn.Tanh()"),
    Mutant("generator", "test_generator", G_RELU_1, "nn.LeakyReLU(0.2),", "LeakyReLU(0.2) is the discriminator's"),
    Mutant("generator", "test_generator", G_FIRST, "nn.ConvTranspose2d(latent_dim, 4 * width, 4, 1, 0, bias=False)",
           "kernel 7, stride 1, padding 0"),
    Mutant("generator", "test_generator", G_SECOND, "nn.ConvTranspose2d(4 * width, 2 * width, 4, 2, 0, bias=False)",
           "kernel 4, stride 2, padding 1"),
    Mutant("generator", "test_generator", G_SECOND, "nn.ConvTranspose2d(4 * width, 2 * width, 4, 2, 1)", "bias=False"),
    Mutant("generator", "test_generator", G_FIRST, "nn.ConvTranspose2d(latent_dim, 8 * width, 7, 1, 0, bias=False)",
           "the table asks for 16 -> 32"),
    Mutant("generator", "test_generator", G_FORWARD, "return self.net(z)", "Reshape z"),
    Mutant("generator", "test_generator", "nn.BatchNorm2d(2 * width),",
           "nn.BatchNorm2d(2 * width, momentum=0.5),", "eval mode"),
    # BatchNorm without its learned scale and shift: named before the reference's weights are loaded.
    Mutant("generator", "test_generator", "nn.BatchNorm2d(4 * width),", "nn.BatchNorm2d(4 * width, affine=False),",
           "batch norm 1 has no learned scale and shift (gamma, beta): keep nn.BatchNorm2d's default affine=True"),
    Mutant("generator", "test_generator", "nn.BatchNorm2d(2 * width),",
           "nn.BatchNorm2d(2 * width, track_running_stats=False),",
           "keeps no running statistics: keep nn.BatchNorm2d's default track_running_stats=True"),
    Mutant("generator", "test_generator", "nn.BatchNorm2d(2 * width),", "nn.BatchNorm2d(4 * width),",
           "batch norm 2 normalises 32 channels, but the convolution before it has 16"),
    # Exercise 3: the discriminator
    Mutant("discriminator", "test_discriminator", D_ACT_1, "nn.BatchNorm2d(width), nn.LeakyReLU(0.2),",
           "batch norm in D's first layer"),
    Mutant("discriminator", "test_discriminator", D_LAST, "nn.Conv2d(2 * width, 1, 7, 1, 0), nn.Sigmoid(),",
           "remove the sigmoid"),
    Mutant("discriminator", "test_discriminator", D_FORWARD, "return torch.sigmoid(self.net(x)).flatten()",
           "D returns probabilities"),
    Mutant("discriminator", "test_discriminator", D_ACT_1, "nn.ReLU(),", "not nn.ReLU"),
    Mutant("discriminator", "test_discriminator", D_ACT_2, "nn.LeakyReLU(),", "the LeakyReLU slope is 0.2"),
    Mutant("discriminator", "test_discriminator", D_FORWARD, "return self.net(x).view(-1, 1)", "one logit per image"),
    Mutant("discriminator", "test_discriminator", D_FORWARD, "return self.net(x).squeeze()", "squeeze()"),
    Mutant("discriminator", "test_discriminator", D_FIRST, "nn.Conv2d(channels, width, 3, 1, 1), nn.MaxPool2d(2),",
           "no pooling"),
    Mutant("discriminator", "test_discriminator", D_SECOND, "nn.Conv2d(width, 2 * width, 4, 2, 1)", "bias=False"),
    Mutant("discriminator", "test_discriminator", D_FORWARD, "return -self.net(x).flatten()", "negated logits"),
    Mutant("discriminator", "test_discriminator", "nn.BatchNorm2d(2 * width),",
           "nn.BatchNorm2d(2 * width, affine=False),",
           "D: batch norm 1 has no learned scale and shift (gamma, beta): keep nn.BatchNorm2d's default affine=True"),
    # Exercise 4: the DCGAN initialisation
    Mutant("dcgan_init", "test_dcgan_init", INIT_CONV, "nn.init.normal_(module.weight, mean=0.0, std=0.2)", "not 0.2"),
    Mutant("dcgan_init", "test_dcgan_init", INIT_CONV, "nn.init.normal_(module.weight)", "defaults to std=1"),
    Mutant("dcgan_init", "test_dcgan_init", INIT_CONV, "nn.init.normal_(module.weight, mean=0.0, std=0.02**0.5)",
           "not the variance"),
    Mutant("dcgan_init", "test_dcgan_init", INIT_CONV, "nn.init.normal_(module.weight, 0.02)", "takes the mean first"),
    Mutant("dcgan_init", "test_dcgan_init", "isinstance(module, (nn.Conv2d, nn.ConvTranspose2d))",
           "isinstance(module, nn.Conv2d)", "handle both"),
    Mutant("dcgan_init", "test_dcgan_init", "            nn.init.zeros_(module.bias)", "            pass",
           "conv biases were not set to 0"),
    Mutant("dcgan_init", "test_dcgan_init", "if module.bias is not None:", "if True:", "bias=False"),
    Mutant("dcgan_init", "test_dcgan_init", INIT_BN, "nn.init.normal_(module.weight, mean=0.0, std=0.02)",
           "not N(0, 0.02^2)"),
    Mutant("dcgan_init", "test_dcgan_init", INIT_BN, "nn.init.normal_(module.weight, mean=1.0, std=0.2)", "not 0.2"),
    Mutant("dcgan_init", "test_dcgan_init", INIT_BN_BIAS,
           "nn.init.normal_(module.weight, mean=1.0, std=0.02)\n        nn.init.normal_(module.bias, 0.0, 0.02)",
           "not drawn at random"),
    Mutant("dcgan_init", "test_dcgan_init", INIT_BN_BIAS,
           "nn.init.normal_(module.weight, mean=1.0, std=0.02)\n        nn.init.normal_(module.bias, 1.0, 0.02)",
           "not drawn at random"),
    Mutant("dcgan_init", "test_dcgan_init", INIT_BN_BIAS,
           "nn.init.normal_(module.weight, mean=1.0, std=0.02)\n        pass", "shifts beta were not set to 0"),
    Mutant("dcgan_init", "test_dcgan_init", "elif isinstance(module, nn.BatchNorm2d):",
           "elif isinstance(module, nn.BatchNorm1d):", "scales were not re-initialised"),
    # Exercise 5: slerp
    Mutant("slerp", "test_slerp", SLERP_RETURN, "return (1 - t) * z0 + t * z1", "linear interpolation"),
    Mutant("slerp", "test_slerp", SLERP_RETURN, "return b * z0 + a * z1", "swapped"),
    Mutant("slerp", "test_slerp", "safe = torch.where(parallel, torch.ones_like(sin), sin)",
           "safe = torch.ones_like(sin)", "divide both weights by sin(Omega)"),
    Mutant("slerp", "test_slerp", SLERP_COS, "cos = (z0 * z1).sum() / (z0.norm() * z1.norm())", "one angle per row"),
    Mutant("slerp", "test_slerp", SLERP_COS, "cos = (z0 * z1).sum(-1, keepdim=True)", "divided by both norms"),
    Mutant("slerp", "test_slerp", "omega = torch.arccos(cos.clamp(-1.0, 1.0))", "omega = torch.arccos(cos)",
           "clamp the cosine"),
    Mutant("slerp", "test_slerp", "parallel = sin.abs() < 1e-6", "parallel = sin.abs() < 0", "fall back"),
]
