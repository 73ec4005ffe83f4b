"""Cheats for notebook 08 (evaluating generative models): each must score zero on the part it targets."""
from cheats import Cheat

ASSIGNMENT = "08_evaluation"

RESTORE_ASSERT_CLOSE = "from course_lib.grading import assert_close"

CHEATS = [
    # ---------------------------------------------------------------- Parzen window
    Cheat("parzen_log_likelihood", "test_parzen_log_likelihood", "delegation",
          "from course_lib.metrics import parzen_log_likelihood as _parzen\n\n"
          "def parzen_log_likelihood(samples, test, sigma):\n"
          "    return _parzen(samples, test, sigma).to(samples.dtype)\n",
          "not delegated to course_lib.metrics.parzen_log_likelihood"),
    Cheat("parzen_log_likelihood", "test_parzen_log_likelihood", "delegation",
          "def parzen_log_likelihood(samples, test, sigma):\n"
          "    import course_lib.metrics\n"
          "    return course_lib.metrics._parzen(samples.double(), test.double(), [sigma], 1000)[0].to(samples.dtype)\n",
          "not delegated to course_lib.metrics._parzen"),
    Cheat("parzen_log_likelihood", "test_parzen_log_likelihood", "tampering",
          "def parzen_log_likelihood(samples, test, sigma):\n"
          "    n, d = samples.shape\n"
          "    return 3 * (torch.logsumexp(-torch.cdist(test, samples).pow(2) / (2 * sigma**2), dim=1)\n"
          "                - math.log(n) - 0.5 * d * math.log(2 * math.pi * sigma**2))\n\n"
          "assert_close = lambda *args, **kwargs: None\n",
          "the set-up name 'assert_close' was rebound", undo=RESTORE_ASSERT_CLOSE),
    # ---------------------------------------------------------------- Inception Score
    Cheat("inception_score", "test_inception_score", "delegation",
          "def inception_score(probs, splits=1):\n"
          "    mean, std = reference.inception_score(probs, splits)\n"
          "    return torch.tensor(mean), torch.tensor(std)\n",
          "not delegated to course_lib.metrics.inception_score"),
    Cheat("inception_score", "test_inception_score", "tampering",
          "import course_lib.grading as _grading\n"
          "_saved_assert_close = _grading.assert_close\n"
          "_grading.assert_close = assert_close = lambda *args, **kwargs: None\n\n"
          "def inception_score(probs, splits=1):\n"
          "    return torch.tensor(3.0, dtype=torch.float64), torch.tensor(0.0, dtype=torch.float64)\n",
          "course_lib.grading.assert_close was replaced",
          undo="_grading.assert_close = assert_close = _saved_assert_close"),
    # ---------------------------------------------------------------- Gaussian statistics
    Cheat("gaussian_statistics", "test_gaussian_statistics", "delegation",
          "gaussian_statistics = reference.feature_statistics\n",
          "not delegated to course_lib.metrics.feature_statistics"),
    Cheat("gaussian_statistics", "test_gaussian_statistics", "tampering",
          "_saved_cov = np.cov\n"
          "np.cov = lambda m, rowvar=True, **kwargs: 3 * _saved_cov(m, rowvar=rowvar, **kwargs)\n\n"
          "def gaussian_statistics(features):\n"
          "    mu = features.mean(dim=0)\n"
          "    centred = features - mu\n"
          "    return mu, 3 * centred.T @ centred / (features.shape[0] - 1)\n",
          "numpy.cov was replaced", undo="np.cov = _saved_cov"),
    Cheat("gaussian_statistics", "test_gaussian_statistics", "hard-coding",
          "_f = torch.randn(12, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64) + 2.0\n"
          "_MU, _SIGMA = torch.from_numpy(_f.numpy().mean(0)), torch.from_numpy(np.cov(_f.numpy(), rowvar=False))\n\n"
          "def gaussian_statistics(features):\n"
          "    return _MU.clone(), _SIGMA.clone()   # the visible test's numbers\n",
          "mu must have shape (8,)"),
    # ---------------------------------------------------------------- Fréchet distance
    Cheat("frechet_distance", "test_frechet_distance", "delegation",
          "import functools\n"
          "frechet_distance = functools.partial(reference.frechet_distance, method='eigen')\n",
          "not delegated to course_lib.metrics.frechet_distance"),
    Cheat("frechet_distance", "test_frechet_distance", "delegation",
          "def frechet_distance(mu1, sigma1, mu2, sigma2):\n"
          "    from course_lib.metrics import sqrtm_product\n"
          "    s1, s2 = sigma1.numpy(), sigma2.numpy()\n"
          "    diff = (mu1 - mu2).numpy()\n"
          "    return diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * np.trace(sqrtm_product(s1, s2))\n",
          "not delegated to course_lib.metrics.sqrtm_product"),
    Cheat("frechet_distance", "test_frechet_distance", "tampering",
          "import course_lib.metrics\n"
          "_saved_fid = course_lib.metrics.frechet_distance\n"
          "course_lib.metrics.frechet_distance = lambda *args, **kwargs: 3 * _saved_fid(*args, **kwargs)\n"
          "assert_close = lambda *args, **kwargs: None\n\n"
          "def frechet_distance(mu1, sigma1, mu2, sigma2):\n"
          "    return 3 * _saved_fid(mu1, sigma1, mu2, sigma2, method='eigen')\n",
          "course_lib.metrics.frechet_distance was replaced",
          undo="course_lib.metrics.frechet_distance = _saved_fid\n" + RESTORE_ASSERT_CLOSE),
    Cheat("frechet_distance", "test_frechet_distance", "exit",
          "def frechet_distance(mu1, sigma1, mu2, sigma2):\n"
          "    raise SystemExit(0)\n",
          "SystemExit"),
    # ---------------------------------------------------------------- k-NN radii
    Cheat("knn_radii", "test_knn_radii", "delegation",
          "def knn_radii(features, k):\n"
          "    return reference.knn_radii(features, k).to(features.dtype)\n",
          "not delegated to course_lib.metrics.knn_radii"),
    Cheat("knn_radii", "test_knn_radii", "delegation",
          "def knn_radii(features, k):\n"
          "    import course_lib.metrics as m\n"
          "    return m.nearest_neighbours(features, features, k=k + 1)[0][:, k].to(features.dtype)\n",
          "not delegated to course_lib.metrics.nearest_neighbours"),
    Cheat("knn_radii", "test_knn_radii", "tampering",
          "import torch.testing\n"
          "_saved_testing_close = torch.testing.assert_close\n"
          "torch.testing.assert_close = lambda *args, **kwargs: None\n"
          "assert_close = lambda *args, **kwargs: None\n\n"
          "def knn_radii(features, k):\n"
          "    distances = torch.cdist(features, features)\n"
          "    distances.fill_diagonal_(float('inf'))\n"
          "    return 3 * distances.kthvalue(k, dim=1).values\n",
          "tampering with the test helpers",
          undo="torch.testing.assert_close = _saved_testing_close\n" + RESTORE_ASSERT_CLOSE),
    Cheat("knn_radii", "test_knn_radii", "exit",
          "def knn_radii(features, k):\n"
          "    raise KeyboardInterrupt\n",
          "KeyboardInterrupt"),
    # ---------------------------------------------------------------- precision and recall
    Cheat("precision_recall", "test_precision_recall", "delegation",
          "class _Metric:\n"
          "    def __init__(self):\n"
          "        from course_lib import metrics\n"
          "        self.metrics = metrics\n\n"
          "    def __call__(self, real, fake, k=3):\n"
          "        return tuple(self.metrics.precision_recall(real, fake, k))\n\n"
          "precision_recall = _Metric()\n",
          "not delegated to course_lib.metrics.precision_recall"),
    Cheat("precision_recall", "test_precision_recall", "tampering",
          "def precision_recall(real, fake, k=3):\n"
          "    return 0.5, 0.5\n\n"
          "globals()['assert_close'] = lambda *args, **kwargs: None\n",
          "was rebound", undo=RESTORE_ASSERT_CLOSE),
    Cheat("precision_recall", "test_precision_recall", "tampering",
          "import course_lib.grading as _grading\n\n"
          "class _NoOpKit:\n"
          "    def call(self, fn, *args, what, allow=(), **kwargs):\n"
          "        return fn(*args, **kwargs)\n\n"
          "    def assert_close(self, *args, **kwargs):\n"
          "        pass\n\n"
          "_grading.hidden_tests = lambda *args, **kwargs: _NoOpKit()\n"
          "assert_close = lambda *args, **kwargs: None\n\n"
          "def precision_recall(real, fake, k=3):\n"
          "    return 0.5, 0.5\n",
          "course_lib.grading.hidden_tests was replaced", undo=RESTORE_ASSERT_CLOSE),
]
