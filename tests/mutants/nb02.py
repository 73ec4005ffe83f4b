"""Wrong answers for notebook 02 (the GAN minimax game)."""
from mutants import Mutant

D_REAL_LINE = ("real_loss = F.binary_cross_entropy_with_logits(real_logits, "
               "torch.full_like(real_logits, real_label))")
D_FAKE_LINE = "fake_loss = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))"
SAT_LINE = "return F.logsigmoid(-fake_logits).mean()"
NS_LINE = "return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))"
HQ_LINE = "high_quality = nearest_distance < 3 * std"

ASSIGNMENT = "02_gan_minimax_game"

MUTANTS = [
    # Exercise 1: the discriminator's loss
    Mutant("discriminator_loss", "test_discriminator_loss", D_REAL_LINE,
           "real_loss = F.binary_cross_entropy(torch.sigmoid(real_logits), torch.full_like(real_logits, real_label))",
           "probabilities from sigmoid then a log saturate"),
    Mutant("discriminator_loss", "test_discriminator_loss", D_REAL_LINE,
           "real_loss = F.binary_cross_entropy(real_logits, torch.full_like(real_logits, real_label))",
           "not probabilities"),
    Mutant("discriminator_loss", "test_discriminator_loss", "return real_loss + fake_loss",
           "return F.binary_cross_entropy_with_logits(real_logits, torch.zeros_like(real_logits)) + "
           "F.binary_cross_entropy_with_logits(fake_logits, torch.full_like(fake_logits, real_label))",
           "the labels are flipped"),
    Mutant("discriminator_loss", "test_discriminator_loss", D_REAL_LINE,
           "real_loss = F.binary_cross_entropy_with_logits(torch.sigmoid(real_logits), "
           "torch.full_like(real_logits, real_label))",
           "the inputs are already logits"),
    Mutant("discriminator_loss", "test_discriminator_loss", "return real_loss + fake_loss",
           "return -(real_loss + fake_loss)", "the sign"),
    Mutant("discriminator_loss", "test_discriminator_loss", "return real_loss + fake_loss",
           "return F.binary_cross_entropy_with_logits(torch.cat([real_logits.flatten(), fake_logits.flatten()]), "
           "torch.cat([torch.full_like(real_logits.flatten(), real_label), torch.zeros_like(fake_logits.flatten())]))",
           "you pooled real and fake examples into one mean"),
    Mutant("discriminator_loss", "test_discriminator_loss", D_FAKE_LINE,
           "fake_loss = F.binary_cross_entropy_with_logits(fake_logits, torch.full_like(fake_logits, 1 - real_label))",
           "label smoothing must be one-sided"),
    Mutant("discriminator_loss", "test_discriminator_loss", D_REAL_LINE,
           "real_loss = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))",
           "real_label is ignored"),
    # Exercise 2: the generator's losses
    Mutant("generator_losses", "test_generator_losses", NS_LINE, "return F.logsigmoid(-fake_logits).mean()",
           "this is the saturating loss"),
    Mutant("generator_losses", "test_generator_losses", SAT_LINE,
           "return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))",
           "this is the non-saturating loss"),
    Mutant("generator_losses", "test_generator_losses", SAT_LINE, "return -F.logsigmoid(-fake_logits).mean()",
           "the sign"),
    Mutant("generator_losses", "test_generator_losses", NS_LINE,
           "return -F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))", "the sign"),
    Mutant("generator_losses", "test_generator_losses", NS_LINE,
           "return F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))", "the targets"),
    Mutant("generator_losses", "test_generator_losses", SAT_LINE,
           "return torch.log(1 - torch.sigmoid(fake_logits)).mean()", "is log 0 = -inf"),
    Mutant("generator_losses", "test_generator_losses", NS_LINE,
           "return F.binary_cross_entropy(torch.sigmoid(fake_logits), torch.ones_like(fake_logits))",
           "probabilities from sigmoid then binary_cross_entropy saturate"),
    # Exercise 3: one iteration of Algorithm 1
    Mutant("algorithm1_step", "test_algorithm1_step", "with torch.no_grad():", "if True:",
           "G received a gradient during a discriminator step"),
    Mutant("algorithm1_step", "test_algorithm1_step", "p.requires_grad_(False)", "p.requires_grad_(True)",
           "D received gradients during the generator step"),
    Mutant("algorithm1_step", "test_algorithm1_step", "g_opt.step()", "g_opt.step(); d_opt.step()",
           "D must not be updated during the G step"),
    Mutant("algorithm1_step", "test_algorithm1_step",
           "d_loss = discriminator_loss(discriminator(real), discriminator(fake))",
           "d_loss = discriminator_loss(discriminator(fake), discriminator(real))",
           "the discriminator's labels are flipped"),
    Mutant("algorithm1_step", "test_algorithm1_step", "g_loss = generator_loss_nonsaturating(discriminator(fake))",
           "g_loss = generator_loss_saturating(discriminator(fake))", "uses the saturating loss"),
    Mutant("algorithm1_step", "test_algorithm1_step", "for real in real_batches:",
           "for real in real_batches[:1]:", "expected k = 3 discriminator steps"),
    Mutant("algorithm1_step", "test_algorithm1_step", "p.requires_grad_(flag)", "p.requires_grad_(False)",
           "switch it back on"),
    Mutant("algorithm1_step", "test_algorithm1_step",
           'return {"d_loss": sum(d_losses) / len(d_losses), "g_loss": g_loss.item()}',
           'return {"d_loss": sum(d_losses), "g_loss": g_loss.item()}', "the mean of the k discriminator losses"),
    # A missing zero_grad shows only from the second call on: the test calls the step twice in a row.
    Mutant("algorithm1_step", "test_algorithm1_step", "g_opt.zero_grad(set_to_none=True)", "pass",
           "g_opt.zero_grad() is missing"),
    Mutant("algorithm1_step", "test_algorithm1_step", "d_opt.zero_grad(set_to_none=True)", "pass",
           "d_opt.zero_grad() is missing"),
    # Exercise 4: modes covered
    Mutant("mode_stats", "test_mode_stats", HQ_LINE, "high_quality = nearest_distance < 3 * std**2",
           "not 3 * std**2"),
    Mutant("mode_stats", "test_mode_stats", HQ_LINE, "high_quality = nearest_distance**2 < 3 * std",
           "not the squared distance"),
    Mutant("mode_stats", "test_mode_stats", "return int((counts >= min_count).sum()), high_quality.double().mean().item()",
           "return int((counts >= 1).sum()), high_quality.double().mean().item()", "not just one"),
    Mutant("mode_stats", "test_mode_stats",
           "counts = torch.bincount(nearest[high_quality], minlength=centres.shape[0])",
           "counts = torch.bincount(nearest, minlength=centres.shape[0])", "only high-quality samples count"),
    Mutant("mode_stats", "test_mode_stats", "return int((counts >= min_count).sum()), high_quality.double().mean().item()",
           "return int((counts >= min_count).sum()), high_quality.double().sum().item()",
           "not their number"),
]
