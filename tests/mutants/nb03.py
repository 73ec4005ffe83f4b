"""Wrong answers for notebook 03 (the optimal discriminator and the Jensen-Shannon divergence)."""
from mutants import Mutant

KL_LINE = "terms = torch.xlogy(p, p) - torch.xlogy(p, q)"
D_LINE = "return torch.where(total > 0, p_data / total, 0.5)"
V_LINE = "return (torch.xlogy(p_data, d) + torch.xlogy(p_g, 1.0 - d)).sum(dim=-1)"
JSD_LINE = "return 0.5 * kl_divergence(p, m) + 0.5 * kl_divergence(q, m)"
LINES_OVERLAP = "overlap = max(0.0, 1.0 - abs(shift)) if theta == 0 else 0.0"
LINES_KL = "kl = 0.0 if theta == 0 and shift == 0 else math.inf"
LINES_JSD = "jsd = math.log(2) * (1.0 - overlap)"
LINES_W1 = "w1 = math.hypot(theta, shift)"

ASSIGNMENT = "03_optimal_discriminator_jsd"

MUTANTS = [
    # KL
    Mutant("kl_divergence", "test_kl_divergence", KL_LINE,
           "terms = (torch.xlogy(p, p) - torch.xlogy(p, q)) / math.log(2)", "log base 2"),
    Mutant("kl_divergence", "test_kl_divergence", KL_LINE,
           "terms = torch.log2(p / q) * p", "log base 2"),
    Mutant("kl_divergence", "test_kl_divergence", KL_LINE,
           "terms = torch.xlogy(q, q) - torch.xlogy(q, p)", "the arguments are swapped"),
    Mutant("kl_divergence", "test_kl_divergence", KL_LINE,
           "terms = p * torch.log(p / q)", "0 log 0 must count as 0"),
    Mutant("kl_divergence", "test_kl_divergence", KL_LINE,
           "terms = p * (torch.log(p) - torch.log(q))", "0 log 0 must count as 0"),
    Mutant("kl_divergence", "test_kl_divergence", KL_LINE,
           "terms = torch.xlogy(p, p) - torch.xlogy(p, q.clamp_min(1e-12))", "do not clamp"),
    Mutant("kl_divergence", "test_kl_divergence", KL_LINE,
           "terms = torch.xlogy(p, q) - torch.xlogy(p, p)", "the sign is flipped"),
    Mutant("kl_divergence", "test_kl_divergence", "return terms.sum(dim=-1)",
           "return terms.mean(dim=-1)", "do not average them"),
    # D*
    Mutant("optimal_discriminator", "test_optimal_discriminator", D_LINE,
           "return torch.where(total > 0, p_g / total, 0.5)", "D* is inverted"),
    Mutant("optimal_discriminator", "test_optimal_discriminator", D_LINE,
           "return 1 - torch.where(total > 0, p_data / total, 0.5)", "D* is inverted"),
    Mutant("optimal_discriminator", "test_optimal_discriminator", D_LINE,
           "return p_data / total", "0 / 0"),
    Mutant("optimal_discriminator", "test_optimal_discriminator", D_LINE,
           "return p_data / p_g", "not the density ratio"),
    # V
    Mutant("value_function", "test_value_function", V_LINE,
           "return (torch.xlogy(p_data, d) + torch.xlogy(p_g, 1.0 - d)).sum(dim=-1) / math.log(2)", "log base 2"),
    Mutant("value_function", "test_value_function", V_LINE,
           "return (p_data * torch.log(d) + p_g * torch.log(1.0 - d)).sum(dim=-1)", "0 log 0 must count as 0"),
    Mutant("value_function", "test_value_function", V_LINE,
           "return -(torch.xlogy(p_data, d) + torch.xlogy(p_g, 1.0 - d)).sum(dim=-1)", "the sign is flipped"),
    Mutant("value_function", "test_value_function", V_LINE,
           "return (torch.xlogy(p_g, d) + torch.xlogy(p_data, 1.0 - d)).sum(dim=-1)", "the roles are swapped"),
    Mutant("value_function", "test_value_function", V_LINE,
           "return (torch.xlogy(p_data, 1.0 - d) + torch.xlogy(p_g, d)).sum(dim=-1)", "the roles are swapped"),
    Mutant("value_function", "test_value_function", V_LINE,
           "return torch.xlogy(p_data, d).sum(dim=-1)", "is missing"),
    Mutant("value_function", "test_value_function", V_LINE,
           "return (torch.xlogy(p_data, d) + torch.xlogy(p_g, 1.0 - d)).mean(dim=-1)", "do not average them"),
    Mutant("value_function", "test_value_function", V_LINE,
           "return (torch.xlogy(p_data, d.clamp(1e-12, 1 - 1e-12)) + torch.xlogy(p_g, 1.0 - d.clamp(1e-12, 1 - 1e-12))).sum(dim=-1)",
           "do not clamp D"),
    # JSD
    Mutant("js_divergence", "test_js_divergence", JSD_LINE,
           "return kl_divergence(p, m) + kl_divergence(q, m)", "the 1/2 factors are missing"),
    Mutant("js_divergence", "test_js_divergence", JSD_LINE,
           "return (0.5 * kl_divergence(p, m) + 0.5 * kl_divergence(q, m)) / math.log(2)", "log base 2"),
    Mutant("js_divergence", "test_js_divergence", JSD_LINE,
           "return 0.5 * kl_divergence(m, p) + 0.5 * kl_divergence(m, q)", "the arguments of the KL terms are swapped"),
    Mutant("js_divergence", "test_js_divergence", JSD_LINE,
           "return 0.5 * (p * torch.log(p / m)).sum(-1) + 0.5 * (q * torch.log(q / m)).sum(-1)", "0 log 0 must count as 0"),
    Mutant("js_divergence", "test_js_divergence", JSD_LINE,
           "return 0.5 * kl_divergence(p, q) + 0.5 * kl_divergence(q, p)", "not with each other"),
    Mutant("js_divergence", "test_js_divergence", "m = 0.5 * (p + q)", "m = p + q", "p + q is not"),
    Mutant("js_divergence", "test_js_divergence", JSD_LINE,
           "return 0.5 * kl_divergence(p, m)", "differs from the reference"),
    # parallel lines (and segments that partly overlap)
    Mutant("parallel_lines", "test_parallel_lines", LINES_JSD, "jsd = 2 * math.log(2) * (1.0 - overlap)",
           "the 1/2 factors are missing"),
    Mutant("parallel_lines", "test_parallel_lines", LINES_JSD, "jsd = math.log2(2) * (1.0 - overlap)", "log base 2"),
    Mutant("parallel_lines", "test_parallel_lines", LINES_JSD, "jsd = math.log(2)",
           "the JSD depends on how much the segments overlap"),
    Mutant("parallel_lines", "test_parallel_lines", LINES_OVERLAP, "overlap = max(0.0, 1.0 - abs(shift))",
           "the segments lie on different lines"),
    Mutant("parallel_lines", "test_parallel_lines", LINES_OVERLAP,
           "overlap = (1.0 - abs(shift)) if theta == 0 else 0.0", "never above log 2"),
    Mutant("parallel_lines", "test_parallel_lines", LINES_OVERLAP,
           "overlap = max(0.0, 1.0 - shift) if theta == 0 else 0.0", "the JSD is never negative"),
    Mutant("parallel_lines", "test_parallel_lines", LINES_W1, "w1 = abs(theta) + abs(shift)", "not by |dx| + |dy|"),
    Mutant("parallel_lines", "test_parallel_lines", LINES_W1, "w1 = abs(theta)", "not the horizontal gap"),
    Mutant("parallel_lines", "test_parallel_lines", LINES_W1, "w1 = theta ** 2 + shift ** 2", "not its square"),
    Mutant("parallel_lines", "test_parallel_lines", LINES_W1, "w1 = theta + shift", "W1 is a distance"),
    Mutant("parallel_lines", "test_parallel_lines", LINES_W1, "w1 = math.log(2) * (1.0 - overlap)", "not the JSD"),
    Mutant("parallel_lines", "test_parallel_lines", LINES_KL, "kl = 0.0 if theta == 0 and shift == 0 else 1e10",
           "is +inf"),
    Mutant("parallel_lines", "test_parallel_lines", LINES_KL, "kl = 0.0 if theta == 0 else math.inf",
           "A partial overlap is not enough"),
    Mutant("parallel_lines", "test_parallel_lines", LINES_KL, "kl = math.inf", "the two distributions are equal"),
    Mutant("parallel_lines", "test_parallel_lines", LINES_KL, "kl = math.log(2) * (1.0 - overlap)", "is +inf"),
]
