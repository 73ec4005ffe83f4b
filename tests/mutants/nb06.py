"""Wrong answers for notebook 06 (conditional GAN, AC-GAN and InfoGAN)."""
from mutants import Mutant

ONE_HOT = "one_hot = F.one_hot(y, n_classes).to(z.dtype)"
G_CAT = "return torch.cat([z, one_hot], dim=1)"
MAPS = "maps = F.one_hot(y, n_classes).to(x.dtype).view(batch, n_classes, 1, 1).expand(batch, n_classes, height, width)"
D_CAT = "return torch.cat([x, maps], dim=1)"
CLASSES = "classes = F.cross_entropy(real_class_logits, real_labels) + F.cross_entropy(fake_class_logits, fake_labels)"
G_SOURCE = "source = F.binary_cross_entropy_with_logits(fake_adv, torch.ones_like(fake_adv))"
G_RETURN = "return source + F.cross_entropy(fake_class_logits, fake_labels)"
CATEGORICAL = "categorical = F.cross_entropy(cat_logits, c_cat)"
NLL = "nll = 0.5 * (math.log(2 * math.pi) + cont_logvar + (c_cont - cont_mean) ** 2 / torch.exp(cont_logvar))"
INFO_RETURN = "return categorical + nll.sum(dim=1).mean()"
HEADS = "adv, cat_logits, cont_mean, cont_logvar = discriminator.heads(fake)"
G_INFO_RETURN = "return gan + lam * information_loss(cat_logits, cont_mean, cont_logvar, c_cat, c_cont)"
ENTROPY = "entropy = math.log(cat_logits.shape[1])"
BOUND = "return entropy - F.cross_entropy(cat_logits, c_cat)"
ASSIGN = "rows, cols = linear_sum_assignment(counts.numpy(), maximize=True)"
ACCURACY = "accuracy = counts[rows, cols].sum().item() / len(codes)"

ASSIGNMENT = "06_conditional_infogan"

MUTANTS = [
    # Exercise 1: the conditioning inputs.
    Mutant("conditioning", "test_conditioning", ONE_HOT, "one_hot = F.one_hot(y).to(z.dtype)", "pass n_classes to F.one_hot"),
    Mutant("conditioning", "test_conditioning", G_CAT, "return torch.cat([one_hot, z], dim=1)", "comes before z"),
    Mutant("conditioning", "test_conditioning", G_CAT, "return torch.cat([z, y[:, None].to(z.dtype)], dim=1)",
           "enters as a number"),
    Mutant("conditioning", "test_conditioning", D_CAT, "return x", "the label is not given to D"),
    Mutant("conditioning", "test_conditioning", D_CAT, "return torch.cat([maps, x], dim=1)", "come before the image"),
    Mutant("conditioning", "test_conditioning", MAPS,
           "maps = y.to(x.dtype).view(batch, 1, 1, 1).expand(batch, 1, height, width)", "one channel holding the value"),
    # Exercise 2: the AC-GAN losses.
    Mutant("acgan_losses", "test_acgan_losses", CLASSES,
           "classes = F.cross_entropy(real_class_logits.softmax(1), real_labels) + "
           "F.cross_entropy(fake_class_logits.softmax(1), fake_labels)", "double softmax"),
    Mutant("acgan_losses", "test_acgan_losses", CLASSES, "classes = F.cross_entropy(real_class_logits, real_labels)",
           "class term on the fake images is missing"),
    Mutant("acgan_losses", "test_acgan_losses", CLASSES,
           "classes = F.nll_loss(real_class_logits, real_labels) + F.nll_loss(fake_class_logits, fake_labels)",
           "nll_loss is applied to raw logits"),
    Mutant("acgan_losses", "test_acgan_losses", G_SOURCE,
           "source = F.binary_cross_entropy_with_logits(torch.sigmoid(fake_adv), torch.ones_like(fake_adv))",
           "probabilities are passed where logits are expected"),
    Mutant("acgan_losses", "test_acgan_losses", G_RETURN, "return source", "the class term is missing"),
    Mutant("acgan_losses", "test_acgan_losses", G_RETURN,
           "return source - F.cross_entropy(fake_class_logits, fake_labels)", "the class term has the wrong sign"),
    Mutant("acgan_losses", "test_acgan_losses", G_RETURN,
           "return source + F.cross_entropy(fake_class_logits.softmax(1), fake_labels)", "double softmax"),
    # Exercise 3: the information loss and G's loss.
    Mutant("information_loss", "test_information_loss", CATEGORICAL,
           "categorical = F.cross_entropy(cat_logits.softmax(1), c_cat)", "double softmax"),
    Mutant("information_loss", "test_information_loss", CATEGORICAL,
           "categorical = F.nll_loss(cat_logits.softmax(1), c_cat)", "nll_loss of softmax probabilities"),
    Mutant("information_loss", "test_information_loss", NLL,
           "nll = 0.5 * (math.log(2 * math.pi) + 2 * cont_logvar + (c_cont - cont_mean) ** 2 / torch.exp(2 * cont_logvar))",
           "exp(logvar) is used as the standard deviation"),
    Mutant("information_loss", "test_information_loss", NLL,
           "nll = 0.5 * (math.log(2 * math.pi) + (c_cont - cont_mean) ** 2)", "log-variance is ignored"),
    Mutant("information_loss", "test_information_loss", NLL,
           "nll = 0.5 * (cont_logvar + (c_cont - cont_mean) ** 2 / torch.exp(cont_logvar))", "the constant 0.5 ln(2 pi)"),
    Mutant("information_loss", "test_information_loss", INFO_RETURN, "return categorical + nll.mean()", "averaged"),
    Mutant("information_loss", "test_information_loss", INFO_RETURN, "return -(categorical + nll.sum(dim=1).mean())",
           "the sign is flipped"),
    Mutant("information_loss", "test_information_loss", HEADS,
           "_, cat_logits, cont_mean, cont_logvar = discriminator.heads(fake.detach()); adv = discriminator(fake)",
           "does not reach G"),
    Mutant("information_loss", "test_information_loss", G_INFO_RETURN,
           "return gan - lam * information_loss(cat_logits, cont_mean, cont_logvar, c_cat, c_cont)",
           "the information term has the wrong sign"),
    Mutant("information_loss", "test_information_loss", "fake = generator(z, c_cat, c_cont)",
           "fake = generator(z, c_cat, c_cont).detach()", "carries no gradient"),
    # Exercise 4: the mutual-information lower bound.
    Mutant("mi_lower_bound", "test_mi_lower_bound", BOUND, "return -F.cross_entropy(cat_logits, c_cat)", "H(c) is left out"),
    Mutant("mi_lower_bound", "test_mi_lower_bound", ENTROPY, "entropy = math.log2(cat_logits.shape[1])", "base 2"),
    Mutant("mi_lower_bound", "test_mi_lower_bound", BOUND,
           "return (entropy - F.cross_entropy(cat_logits, c_cat)) / math.log(2)", "the bound is in bits"),
    Mutant("mi_lower_bound", "test_mi_lower_bound", BOUND,
           "return entropy - F.cross_entropy(cat_logits.softmax(1), c_cat)", "double softmax"),
    Mutant("mi_lower_bound", "test_mi_lower_bound", BOUND, "return F.cross_entropy(cat_logits, c_cat) - entropy",
           "the sign is flipped"),
    # Exercise 5: code-to-class accuracy.
    Mutant("code_to_class_accuracy", "test_code_to_class_accuracy", ASSIGN,
           "rows, cols = np.arange(n_codes), counts.argmax(1).numpy()", "two codes are given the same class"),
    Mutant("code_to_class_accuracy", "test_code_to_class_accuracy", ASSIGN,
           "rows, cols = linear_sum_assignment(counts.numpy())", "minimises by default"),
    Mutant("code_to_class_accuracy", "test_code_to_class_accuracy", ASSIGN,
           "rows, cols = np.arange(n_codes), np.arange(n_classes)", "match codes to classes first"),
    Mutant("code_to_class_accuracy", "test_code_to_class_accuracy", ACCURACY,
           "accuracy = counts[rows, cols].sum().item()", "not divided by the number of samples"),
]
