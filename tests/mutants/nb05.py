"""Wrong answers for notebook 05 (Wasserstein GAN and gradient penalty)."""
from mutants import Mutant

W1_RETURN = "return (x_sorted - y_sorted).abs().mean()"
LP_CALL = "result = optimize.linprog(cost.ravel(), A_eq=np.vstack([rows, cols]), b_eq=np.concatenate([p, q]),"
LP_RETURN = "return float(result.fun), result.x.reshape(n, m)"
CRITIC_LOSS = "return fake_scores.mean() - real_scores.mean()"
GEN_LOSS = "return -fake_scores.mean()"
CLAMP = "p.clamp_(-clip, clip)"
ALPHA = "alpha = torch.rand(batch, *([1] * (real.ndim - 1)), dtype=real.dtype, device=real.device)"
X_HAT = "x_hat = (alpha * real.detach() + (1 - alpha) * fake.detach()).requires_grad_(True)"
GRAD = "(grad,) = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)"
NORMS = "norms = grad.flatten(1).norm(2, dim=1)"
GP_RETURN = "return ((norms - 1) ** 2).mean()"
LSGAN_D = "return 0.5 * (real_scores - 1.0).pow(2).mean() + 0.5 * fake_scores.pow(2).mean()"
LSGAN_G = "return 0.5 * (fake_scores - 1.0).pow(2).mean()"

ASSIGNMENT = "05_wgan"

MUTANTS = [
    # Exercise 1: W1 from sorted samples.
    Mutant("w1_from_samples", "test_w1_from_samples", W1_RETURN, "return (x - y).abs().mean()", "are not sorted"),
    Mutant("w1_from_samples", "test_w1_from_samples", "x_sorted, _ = torch.sort(x)", "x_sorted = x", "only y is sorted"),
    Mutant("w1_from_samples", "test_w1_from_samples", "y_sorted, _ = torch.sort(y)",
           "y_sorted, _ = torch.sort(y, descending=True)", "decreasing order"),
    Mutant("w1_from_samples", "test_w1_from_samples", W1_RETURN, "return (x_sorted - y_sorted).pow(2).mean()",
           "mean squared difference"),
    Mutant("w1_from_samples", "test_w1_from_samples", W1_RETURN, "return (x_sorted - y_sorted).pow(2).mean().sqrt()",
           "this is W2"),
    Mutant("w1_from_samples", "test_w1_from_samples", W1_RETURN, "return (x_sorted - y_sorted).abs().sum()",
           "take the mean"),
    Mutant("w1_from_samples", "test_w1_from_samples", W1_RETURN, "return (x.mean() - y.mean()).abs()", "lower bound"),
    Mutant("w1_from_samples", "test_w1_from_samples", W1_RETURN, "return (x_sorted - y_sorted).mean()",
           "absolute value is missing"),
    Mutant("w1_from_samples", "test_w1_from_samples", W1_RETURN,
           "return torch.tensor(np.abs(np.sort(x.detach().numpy()) - np.sort(y.detach().numpy())).mean(), dtype=x.dtype)",
           "carries no gradient"),
    # Exercise 2: the transport linear program.
    Mutant("w1_linear_program", "test_w1_linear_program", LP_CALL,
           "result = optimize.linprog(cost.ravel(), A_eq=rows, b_eq=p,", "column-sum constraints"),
    Mutant("w1_linear_program", "test_w1_linear_program", LP_CALL,
           "result = optimize.linprog(cost.ravel(), A_eq=cols, b_eq=q,", "row-sum constraints"),
    Mutant("w1_linear_program", "test_w1_linear_program", LP_RETURN,
           "return float(result.fun), result.x.reshape(m, n)", "must have shape (n, m)"),
    Mutant("w1_linear_program", "test_w1_linear_program", "optimize.linprog(cost.ravel(),",
           "optimize.linprog(cost.T.ravel(),", "not the cost of the returned plan"),
    Mutant("w1_linear_program", "test_w1_linear_program", "optimize.linprog(cost.ravel(),",
           "optimize.linprog(-cost.ravel(),", "the value is negative"),
    # Exercise 3: the WGAN losses.
    Mutant("wgan_losses", "test_wgan_losses", CRITIC_LOSS, "return real_scores.mean() - fake_scores.mean()",
           "the sign is flipped: the critic MINIMISES"),
    Mutant("wgan_losses", "test_wgan_losses", CRITIC_LOSS, "return fake_scores.sum() - real_scores.sum()", "summed"),
    Mutant("wgan_losses", "test_wgan_losses", CRITIC_LOSS, "return (fake_scores - real_scores).mean()",
           "may have different sizes"),
    Mutant("wgan_losses", "test_wgan_losses", CRITIC_LOSS, "return (fake_scores.mean() - real_scores.mean()).abs()",
           "no absolute value"),
    Mutant("wgan_losses", "test_wgan_losses", CRITIC_LOSS,
           "return torch.sigmoid(fake_scores).mean() - torch.sigmoid(real_scores).mean()", "no sigmoid"),
    Mutant("wgan_losses", "test_wgan_losses", GEN_LOSS, "return fake_scores.mean()", "the generator minimises"),
    Mutant("wgan_losses", "test_wgan_losses", GEN_LOSS, "return -fake_scores.sum()", "summed"),
    Mutant("wgan_losses", "test_wgan_losses", GEN_LOSS, "return -torch.nn.functional.logsigmoid(fake_scores).mean()",
           "non-saturating GAN loss"),
    # Exercise 4: weight clipping inside one critic step.
    Mutant("wgan_clipping", "test_wgan_clipping", "clip_weights(critic, clip)", "clip_weights(generator, clip)",
           "the generator's parameters changed"),
    Mutant("wgan_clipping", "test_wgan_clipping", "clip_weights(critic, clip)", "pass", "outside [-clip, clip]"),
    Mutant("wgan_clipping", "test_wgan_clipping", CLAMP, "p.clamp_(0, clip)", "set to 0"),
    Mutant("wgan_clipping", "test_wgan_clipping", CLAMP, "p = p.clamp(-clip, clip)", "did not change"),
    Mutant("wgan_clipping", "test_wgan_clipping", "for p in module.parameters():",
           "for p in [m.weight for m in module.modules() if isinstance(m, nn.Linear)]:", "biases were not clipped"),
    Mutant("wgan_clipping", "test_wgan_clipping", "critic_opt.zero_grad()", "pass", "accumulate"),
    Mutant("wgan_clipping", "test_wgan_clipping", "loss = wgan_critic_loss(critic(real), critic(fake))",
           "loss = wgan_critic_loss(critic(fake), critic(real))", "sign flipped"),
    Mutant("wgan_clipping", "test_wgan_clipping", "fake = generator(z)", "pass\n    fake = generator(z)",
           "the generator received gradients"),
    Mutant("wgan_clipping", "test_wgan_clipping", "return loss.item()", "return loss", "Python float"),
    # Exercise 5: the gradient penalty.
    Mutant("gradient_penalty", "test_gradient_penalty", NORMS, "norms = grad.flatten(1).norm(2, dim=0)",
           "over the batch (dim=0)"),
    Mutant("gradient_penalty", "test_gradient_penalty", NORMS, "norms = grad.norm(2, dim=1)", "over dim=1 only"),
    Mutant("gradient_penalty", "test_gradient_penalty", ALPHA,
           "alpha = torch.rand(1, *([1] * (real.ndim - 1)), dtype=real.dtype, device=real.device)",
           "not one for the whole batch"),
    Mutant("gradient_penalty", "test_gradient_penalty", ALPHA, "alpha = torch.rand_like(real)", "not on the segments"),
    Mutant("gradient_penalty", "test_gradient_penalty", GRAD,
           "(grad,) = torch.autograd.grad(scores.sum(), x_hat)", "create_graph=True"),
    Mutant("gradient_penalty", "test_gradient_penalty", GP_RETURN, "return (norms ** 2).mean()", "the penalty is on ||grad||^2"),
    Mutant("gradient_penalty", "test_gradient_penalty", GP_RETURN, "return ((norms - 1) ** 2).sum()", "summed over the batch"),
    Mutant("gradient_penalty", "test_gradient_penalty", GP_RETURN, "return (norms - 1).abs().mean()", "the square is missing"),
    Mutant("gradient_penalty", "test_gradient_penalty", GP_RETURN, "return ((grad.flatten(1).pow(2).sum(1) - 1) ** 2).mean()",
           "the squared norm is used"),
    Mutant("gradient_penalty", "test_gradient_penalty", NORMS, "norms = grad.flatten(1).pow(2).mean(1).sqrt()",
           "the norm uses a mean over the coordinates instead of a sum"),
    Mutant("gradient_penalty", "test_gradient_penalty", NORMS, "norms = grad.flatten(1).abs().mean(1)",
           "the norm is a mean of |partial derivatives|"),
    Mutant("gradient_penalty", "test_gradient_penalty", ALPHA,
           "alpha = 0.4 + 0.2 * torch.rand(batch, *([1] * (real.ndim - 1)), dtype=real.dtype, device=real.device)",
           "the alphas are not uniform on [0, 1]"),
    Mutant("gradient_penalty", "test_gradient_penalty", ALPHA,
           "alpha = torch.rand(batch, *([1] * (real.ndim - 1)), dtype=real.dtype, device=real.device) ** 2",
           "the alphas are not uniform on [0, 1]"),
    Mutant("gradient_penalty", "test_gradient_penalty", X_HAT,
           "x_hat = alpha * real.detach() + (1 - alpha) * fake.detach()", "requires_grad_"),
    Mutant("gradient_penalty", "test_gradient_penalty", X_HAT,
           "x_hat = (alpha * real + (1 - alpha) * fake).requires_grad_(True)", "sent gradients to the generator"),
    # Exercise 6: the LSGAN losses.
    Mutant("lsgan_losses", "test_lsgan_losses", LSGAN_D,
           "return (real_scores - 1.0).pow(2).mean() + fake_scores.pow(2).mean()", "the factor 1/2 is missing"),
    Mutant("lsgan_losses", "test_lsgan_losses", LSGAN_D,
           "return 0.5 * real_scores.pow(2).mean() + 0.5 * (fake_scores - 1.0).pow(2).mean()", "targets are swapped"),
    Mutant("lsgan_losses", "test_lsgan_losses", LSGAN_D,
           "return 0.5 * (real_scores - 1.0).pow(2).sum() + 0.5 * fake_scores.pow(2).sum()", "summed"),
    Mutant("lsgan_losses", "test_lsgan_losses", LSGAN_D,
           "return 0.5 * (real_scores - 1.0).pow(2).mean() + 0.5 * (fake_scores + 1.0).pow(2).mean()", "a = 0"),
    Mutant("lsgan_losses", "test_lsgan_losses", LSGAN_D,
           "return 0.5 * (torch.sigmoid(real_scores) - 1.0).pow(2).mean() + 0.5 * torch.sigmoid(fake_scores).pow(2).mean()",
           "no sigmoid"),
    Mutant("lsgan_losses", "test_lsgan_losses", LSGAN_G, "return (fake_scores - 1.0).pow(2).mean()", "the factor 1/2 is missing"),
    Mutant("lsgan_losses", "test_lsgan_losses", LSGAN_G, "return 0.5 * fake_scores.pow(2).mean()", "target is c = 1"),
    Mutant("lsgan_losses", "test_lsgan_losses", LSGAN_G, "return 0.5 * (fake_scores - 1.0).pow(2).sum()", "summed"),
    Mutant("lsgan_losses", "test_lsgan_losses", LSGAN_G, "return 0.5 * (torch.sigmoid(fake_scores) - 1.0).pow(2).mean()",
           "no sigmoid"),
]
