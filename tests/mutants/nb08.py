"""Wrong answers for notebook 08 (evaluating generative models)."""
from mutants import Mutant

PARZEN_RETURN = "return torch.logsumexp(log_kernels, dim=1) + log_norm"
PARZEN_NORM = "log_norm = -math.log(n) - 0.5 * d * math.log(2 * math.pi * sigma**2)"
PARZEN_KERNEL = "log_kernels = -sq_dist / (2 * sigma**2)"
IS_KL = "kl = (torch.xlogy(part, part) - torch.xlogy(part, marginal)).sum(dim=1)"
IS_APPEND = "scores.append(kl.mean().exp())"
IS_PARTS = "parts = [probs[i * n // splits:(i + 1) * n // splits] for i in range(splits)]"
STATS_SIGMA = "sigma = centred.T @ centred / (features.shape[0] - 1)"
FID_SQRTM = "covmean = scipy.linalg.sqrtm(s1 @ s2)"
RADII_DIAGONAL = 'distances.fill_diagonal_(float("inf"))'
PR_PRECISION = "precision = (d <= real_radii[None, :]).any(dim=1).double().mean()"

ASSIGNMENT = "08_evaluation"

MUTANTS = [
    # Parzen window
    Mutant("parzen_log_likelihood", "test_parzen_log_likelihood", PARZEN_RETURN,
           "return torch.log(torch.exp(log_kernels).sum(dim=1)) + log_norm", "use torch.logsumexp"),
    Mutant("parzen_log_likelihood", "test_parzen_log_likelihood", PARZEN_NORM,
           "log_norm = -0.5 * d * math.log(2 * math.pi * sigma**2)", "the -log N term is missing"),
    Mutant("parzen_log_likelihood", "test_parzen_log_likelihood", PARZEN_NORM,
           "log_norm = -math.log(n)", "normaliser -(D/2) log(2 pi sigma^2) is missing"),
    Mutant("parzen_log_likelihood", "test_parzen_log_likelihood", PARZEN_NORM,
           "log_norm = -math.log(n) - 0.5 * math.log(2 * math.pi * sigma**2)", "you counted it once"),
    Mutant("parzen_log_likelihood", "test_parzen_log_likelihood", PARZEN_KERNEL,
           "log_kernels = -sq_dist / (2 * sigma)", "instead of 2 sigma^2"),
    Mutant("parzen_log_likelihood", "test_parzen_log_likelihood",
           "sq_dist = torch.cdist(test, samples).pow(2)", "sq_dist = torch.cdist(test, samples)",
           "not the distance"),
    Mutant("parzen_log_likelihood", "test_parzen_log_likelihood", PARZEN_RETURN,
           "return log_kernels.mean(dim=1) - 0.5 * d * math.log(2 * math.pi * sigma**2)", "averaged the log-kernels"),
    Mutant("parzen_log_likelihood", "test_parzen_log_likelihood", PARZEN_RETURN,
           "return torch.logsumexp(log_kernels, dim=0) + log_norm", "one log-likelihood per test point"),
    # Inception Score
    Mutant("inception_score", "test_inception_score", IS_KL,
           "kl = (torch.xlogy(marginal, marginal) - torch.xlogy(marginal, part)).sum(dim=1)",
           "the KL arguments are swapped"),
    Mutant("inception_score", "test_inception_score", IS_KL,
           "kl = (part * (part.log() - marginal.log())).sum(dim=1)", "0 * log 0 must count as 0"),
    Mutant("inception_score", "test_inception_score", IS_APPEND, "scores.append(kl.mean())",
           "the exponential is missing"),
    Mutant("inception_score", "test_inception_score", IS_APPEND, "scores.append(kl.exp().mean())",
           "the exponential comes after the average"),
    Mutant("inception_score", "test_inception_score", IS_APPEND, "scores.append(kl.sum().exp())",
           "a mean, not a sum"),
    Mutant("inception_score", "test_inception_score", "marginal = part.mean(dim=0, keepdim=True)",
           "marginal = probs.mean(dim=0, keepdim=True)", "each part's own marginal"),
    Mutant("inception_score", "test_inception_score", "marginal = part.mean(dim=0, keepdim=True)",
           "marginal = part.mean(dim=1, keepdim=True)", "over images (dimension 0), not over classes"),
    Mutant("inception_score", "test_inception_score", "return scores.mean(), scores.std(correction=0)",
           "return scores.mean(), scores.std()", "population standard deviation"),
    Mutant("inception_score", "test_inception_score", IS_PARTS, "parts = torch.tensor_split(probs, splits)",
           "torch.tensor_split and torch.chunk cut elsewhere"),
    Mutant("inception_score", "test_inception_score", IS_PARTS, "parts = torch.chunk(probs, splits)",
           "part i holds rows i*N//splits to (i+1)*N//splits"),
    # Gaussian statistics
    Mutant("gaussian_statistics", "test_gaussian_statistics", STATS_SIGMA,
           "sigma = centred.T @ centred / features.shape[0]", "divide by N - 1, not N"),
    Mutant("gaussian_statistics", "test_gaussian_statistics", STATS_SIGMA,
           "sigma = features.T @ features / (features.shape[0] - 1)", "subtract the mean"),
    Mutant("gaussian_statistics", "test_gaussian_statistics", STATS_SIGMA,
           "sigma = torch.cov(features)", "torch.cov expects the variables in rows"),
    # Fréchet distance
    Mutant("frechet_distance", "test_frechet_distance", "covmean = covmean.real", "covmean = covmean",
           "the imaginary part was kept"),
    Mutant("frechet_distance", "test_frechet_distance", FID_SQRTM,
           "covmean = scipy.linalg.sqrtm(s1) @ scipy.linalg.sqrtm(s2)", "not sqrt(S1) sqrt(S2)"),
    Mutant("frechet_distance", "test_frechet_distance", FID_SQRTM,
           "covmean = np.sqrt(s1 @ s2)", "square root of each entry"),
    Mutant("frechet_distance", "test_frechet_distance", FID_SQRTM,
           "covmean = s1 @ s2", "the square root is missing"),
    Mutant("frechet_distance", "test_frechet_distance",
           "return diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * np.trace(covmean)",
           "return diff @ diff + np.trace(s1) + np.trace(s2) - np.trace(covmean)", "the factor 2"),
    Mutant("frechet_distance", "test_frechet_distance",
           "return diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * np.trace(covmean)",
           "return np.sqrt(diff @ diff) + np.trace(s1) + np.trace(s2) - 2.0 * np.trace(covmean)",
           "squared distance ||mu1 - mu2||^2, not the distance"),
    Mutant("frechet_distance", "test_frechet_distance",
           "return diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * np.trace(covmean)",
           "return np.trace(s1) + np.trace(s2) - 2.0 * np.trace(covmean)", "the mean term ||mu1 - mu2||^2 is missing"),
    Mutant("frechet_distance", "test_frechet_distance",
           'raise ValueError("sqrt(sigma1 @ sigma2) has a large imaginary part: are both matrices covariances?")',
           "pass", "must raise ValueError"),
    Mutant("frechet_distance", "test_frechet_distance", "if not np.allclose(np.diagonal(covmean).imag, 0.0, atol=1e-3):",
           "if True:", "a tiny imaginary part (rounding"),
    # k-NN radii
    Mutant("knn_radii", "test_knn_radii", RADII_DIAGONAL, "distances = distances",
           "the radius must exclude the point itself"),
    Mutant("knn_radii", "test_knn_radii", "return distances.kthvalue(k, dim=1).values",
           "return distances.kthvalue(k + 1, dim=1).values", "off by one"),
    Mutant("knn_radii", "test_knn_radii", "distances = torch.cdist(features, features)",
           "distances = torch.cdist(features, features) ** 2", "not its square"),
    Mutant("knn_radii", "test_knn_radii", RADII_DIAGONAL, 'distances[distances == 0] = float("inf")',
           "only the point itself is excluded: a duplicate of a point is another point of the set"),
    # precision and recall
    Mutant("precision_recall", "test_precision_recall", "return precision.item(), recall.item()",
           "return recall.item(), precision.item()", "precision and recall are swapped"),
    Mutant("precision_recall", "test_precision_recall", PR_PRECISION,
           "precision = (d <= fake_radii[:, None]).any(dim=1).double().mean()", "the radius belongs to the ball's centre"),
    Mutant("precision_recall", "test_precision_recall", PR_PRECISION,
           "precision = (d <= real_radii[None, :]).all(dim=1).double().mean()", "inside ANY ball"),
    Mutant("precision_recall", "test_precision_recall", PR_PRECISION,
           "precision = (d < real_radii[None, :]).any(dim=1).double().mean()", "the balls are closed"),
]
