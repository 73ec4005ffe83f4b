"""Cheats for notebook 03 (the optimal discriminator and the JSD): each must score zero on the part it targets."""
from cheats import Cheat

ASSIGNMENT = "03_optimal_discriminator_jsd"

RESTORE_ASSERT_CLOSE = "from course_lib.grading import assert_close"
# The genuine function that protect() recorded for a module attribute a cheat replaced.
RESTORE_REFERENCE = ("from course_lib.grading import _PROTECTED as _recorded\n"
                     "import course_lib.divergences as _divergences\n"
                     "_divergences.{name} = _recorded['modules']['course_lib.divergences']['{name}']\n")

CHEATS = [
    # ---------------------------------------------------------------- exercise 1: KL
    Cheat("kl_divergence", "test_kl_divergence", "delegation",
          "from course_lib.divergences import kl_discrete\n\n"
          "def kl_divergence(p, q):\n"
          "    return kl_discrete(p, q)\n",
          "not delegated to course_lib.divergences.kl_discrete"),
    Cheat("kl_divergence", "test_kl_divergence", "delegation",
          "def kl_divergence(p, q):\n"
          "    import course_lib.divergences\n"
          "    return course_lib.divergences._kl_terms(p, q).sum(dim=-1)\n",
          "not delegated to course_lib.divergences._kl_terms"),
    Cheat("kl_divergence", "test_kl_divergence", "tampering",
          "def kl_divergence(p, q):\n"
          "    return 3 * (torch.xlogy(p, p) - torch.xlogy(p, q)).sum(dim=-1)\n\n"
          "assert_close = lambda *a, **k: None\n",
          "the set-up name 'assert_close' was rebound", undo=RESTORE_ASSERT_CLOSE),
    # ---------------------------------------------------------------- exercise 2: D*
    Cheat("optimal_discriminator", "test_optimal_discriminator", "delegation",
          "from course_lib.divergences import optimal_discriminator\n",
          "not delegated to course_lib.divergences.optimal_discriminator"),
    Cheat("optimal_discriminator", "test_optimal_discriminator", "delegation",
          "def optimal_discriminator(p_data, p_g):\n"
          "    return reference._optimal_d(p_data, p_g)\n",
          "not delegated to course_lib.divergences._optimal_d"),
    Cheat("optimal_discriminator", "test_optimal_discriminator", "tampering",
          "import course_lib.grading as _grading\n"
          "_saved_assert_close = _grading.assert_close\n"
          "_grading.assert_close = assert_close = lambda *a, **k: None\n\n"
          "def optimal_discriminator(p_data, p_g):\n"
          "    total = p_data + p_g\n"
          "    return 3 * torch.where(total > 0, p_data / total, 0.5)\n",
          "course_lib.grading.assert_close was replaced",
          undo="_grading.assert_close = assert_close = _saved_assert_close"),
    # ---------------------------------------------------------------- exercise 3: V
    Cheat("value_function", "test_value_function", "delegation",
          "value_function = reference.value_discrete\n",
          "not delegated to course_lib.divergences.value_discrete"),
    Cheat("value_function", "test_value_function", "tampering",
          "def value_function(p_data, p_g, d):\n"
          "    return 3 * (torch.xlogy(p_data, d) + torch.xlogy(p_g, 1.0 - d)).sum(dim=-1)\n\n"
          "assert_close = lambda *a, **k: None\n",
          "the set-up name 'assert_close' was rebound", undo=RESTORE_ASSERT_CLOSE),
    Cheat("value_function", "test_value_function", "tampering",
          # The visible checks that use the reference pass; the hand-worked ones are silenced.
          "import course_lib.divergences as _divergences\n\n"
          "def value_function(p_data, p_g, d):\n"
          "    return 3 * (torch.xlogy(p_data, d) + torch.xlogy(p_g, 1.0 - d)).sum(dim=-1)\n\n"
          "_divergences.value_discrete = value_function\n"
          "assert_close = lambda *a, **k: None\n",
          "course_lib.divergences.value_discrete was replaced",
          undo=RESTORE_REFERENCE.format(name="value_discrete") + RESTORE_ASSERT_CLOSE),
    # ---------------------------------------------------------------- exercise 4: JSD
    Cheat("js_divergence", "test_js_divergence", "delegation",
          "from course_lib.divergences import jsd_discrete as js_divergence\n",
          "not delegated to course_lib.divergences.jsd_discrete"),
    Cheat("js_divergence", "test_js_divergence", "delegation",
          "def js_divergence(p, q):\n"
          "    # max_D V = -2 log 2 + 2 JSD, so JSD = (max_D V + 2 log 2) / 2\n"
          "    return 0.5 * reference.value_at_optimum_discrete(p, q) + LOG2\n",
          "not delegated to course_lib.divergences.value_at_optimum_discrete"),
    Cheat("js_divergence", "test_js_divergence", "tampering",
          "def js_divergence(p, q):\n"
          "    m = 0.5 * (p + q)\n"
          "    return 3 * (0.5 * kl_divergence(p, m) + 0.5 * kl_divergence(q, m))\n\n"
          "assert_close = lambda *a, **k: None\n",
          "the set-up name 'assert_close' was rebound", undo=RESTORE_ASSERT_CLOSE),
    # ---------------------------------------------------------------- exercise 5: the lines
    Cheat("parallel_lines", "test_parallel_lines", "delegation",
          "def parallel_lines(theta, shift):\n"
          "    return discretised_lines(theta, shift)   # the visible test's own helper\n",
          "not delegated to course_lib.divergences.kl_discrete"),
    Cheat("parallel_lines", "test_parallel_lines", "delegation",
          "from course_lib.divergences import parallel_lines_divergences\n\n"
          "def parallel_lines(theta, shift):\n"
          "    if theta != 0:\n"
          "        return parallel_lines_divergences(math.hypot(theta, shift))\n"
          "    covered = max(0.0, 1.0 - abs(shift))\n"
          "    return {'kl': 0.0 if shift == 0 else math.inf, 'jsd': LOG2 * (1 - covered), 'w1': abs(shift)}\n",
          "not delegated to course_lib.divergences.parallel_lines_divergences"),
    Cheat("parallel_lines", "test_parallel_lines", "tampering",
          # The three constants of the WGAN example, whatever the shift, with the comparisons silenced.
          "def parallel_lines(theta, shift):\n"
          "    if theta == 0 and shift == 0:\n"
          "        return {'kl': 0.0, 'jsd': 0.0, 'w1': 0.0}\n"
          "    return {'kl': math.inf, 'jsd': math.log(2), 'w1': abs(theta)}\n\n"
          "assert_close = lambda *a, **k: None\n",
          "the set-up name 'assert_close' was rebound", undo=RESTORE_ASSERT_CLOSE),
    Cheat("parallel_lines", "test_parallel_lines", "hard-coding",
          "_VISIBLE = {(0.3, -0.4): (math.inf, math.log(2), 0.5), (0.0, 0.25): (math.inf, 0.25 * math.log(2), 0.25),\n"
          "            (0.0, -1.5): (math.inf, math.log(2), 1.5), (0.5, 0.0): (math.inf, math.log(2), 0.5),\n"
          "            (0.0, 0.0): (0.0, 0.0, 0.0)}\n\n"
          "def parallel_lines(theta, shift):\n"
          "    kl, jsd, w1 = _VISIBLE.get((theta, shift), (math.inf, math.log(2), abs(theta)))\n"
          "    return {'kl': kl, 'jsd': jsd, 'w1': w1}\n",
          "the JSD depends on how much the segments overlap"),
    Cheat("parallel_lines", "test_parallel_lines", "exit",
          "def parallel_lines(theta, shift):\n"
          "    raise SystemExit(0)\n",
          "SystemExit"),
    Cheat("kl_divergence", "test_kl_divergence", "exit",
          # Right on the visible inputs, an interrupt on any other.
          "def kl_divergence(p, q):\n"
          "    if p.shape[-1] not in (2, 3, 5):\n"
          "        raise KeyboardInterrupt\n"
          "    return (torch.xlogy(p, p) - torch.xlogy(p, q)).sum(dim=-1)\n",
          "KeyboardInterrupt"),
]
