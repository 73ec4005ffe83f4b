import pytest
import torch

from course_lib.grading import assert_close


def test_passes_when_close():
    assert_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-9]), what="x")


def test_names_the_matching_mistake():
    ref = torch.tensor([1.0, 2.0])
    with pytest.raises(AssertionError, match="x is wrong: the factor 1/2 is missing"):
        assert_close(2 * ref, ref, what="x", mistakes={"the factor 1/2 is missing": 2 * ref, "sign": -ref})


def test_reports_shape_and_largest_error():
    with pytest.raises(AssertionError, match=r"has shape \(3,\), expected \(2,\)"):
        assert_close(torch.zeros(3), torch.zeros(2), what="y")
    with pytest.raises(AssertionError, match=r"largest error 0\.5 \(entry 1: got 2\.5, expected 2\)"):
        assert_close(torch.tensor([1.0, 2.5]), torch.tensor([1.0, 2.0]), what="y")
    with pytest.raises(AssertionError, match="NaN or infinity"):
        assert_close(torch.tensor([float("inf")]), torch.tensor([1.0]), what="y")
    with pytest.raises(AssertionError, match="must be a torch.Tensor"):
        assert_close("1", torch.tensor(1.0), what="y")


def test_a_mistake_equal_to_the_reference_is_not_reported():
    ref = torch.zeros(2)
    assert_close(ref, ref, what="z", mistakes={"sign flipped": -ref})


def test_an_infinite_reference_is_matched_exactly():
    inf = float("inf")
    assert_close(torch.tensor([1.0, inf]), torch.tensor([1.0, inf]), what="kl")
    with pytest.raises(AssertionError, match="differs from the reference"):
        assert_close(torch.tensor([1.0, -inf]), torch.tensor([1.0, inf]), what="kl")
    with pytest.raises(AssertionError, match="differs from the reference"):
        assert_close(torch.tensor([1.0, 1e30]), torch.tensor([1.0, inf]), what="kl")


# --- hidden tests: no delegation, no tampering -----------------------------------------------
# "Notebook" code is compiled with a file name like the kernel's, so it is not course code.
class Notebook:
    def __init__(self):
        self.namespace: dict = {}
        self.count = 0

    def run(self, source: str):
        self.count += 1
        exec(compile(source, f"/tmp/ipykernel_0/{self.count}.py", "exec"), self.namespace)


SETUP = """
import torch
from course_lib import divergences as reference
from course_lib.grading import assert_close, protect
from course_lib.models.vae import GaussianEncoder
protect(globals())
"""
ANSWER = "def kl(p, q):\n    return (torch.xlogy(p, p) - torch.xlogy(p, q)).sum(-1)"
HIDDEN = """
import importlib, course_lib.grading as _grading
_installed = dict(vars(_grading))
kit = importlib.reload(_grading).hidden_tests(globals(), _installed)
p, q = torch.tensor([0.5, 0.5]), torch.tensor([0.25, 0.75])
kit.assert_close(kit.call(kl, p, q, what="kl"), reference.kl_discrete(p, q), what="kl")
"""


@pytest.fixture
def notebook():
    from course_lib import grading

    nb = Notebook()
    nb.run(SETUP)
    nb.run(ANSWER)
    saved = dict(grading._PROTECTED)
    yield nb
    grading._PROTECTED.clear()
    grading._PROTECTED.update(saved)


def test_an_honest_answer_passes_the_hidden_tests(notebook):
    notebook.run(HIDDEN)


@pytest.mark.parametrize("answer", [
    "from course_lib.divergences import kl_discrete as kl",                            # an alias
    "def kl(p, q):\n    return reference.kl_discrete(p, q)",                             # the set-up's name
    "def kl(p, q):\n    import course_lib.divergences as d\n    return d.kl_discrete(p, q)",  # a fresh import
    "import functools\nkl = functools.partial(reference.kl_discrete)",                 # a wrapper
])
def test_delegating_to_the_reference_fails_with_its_name(notebook, answer):
    notebook.run(answer)
    with pytest.raises(AssertionError, match="not delegated to course_lib.divergences.kl_discrete"):
        notebook.run(HIDDEN)


WRONG = "def kl(p, q):\n    return 3 * (torch.xlogy(p, p) - torch.xlogy(p, q)).sum(-1)\n"


@pytest.mark.parametrize("answer, undo, message", [
    (WRONG + "assert_close = lambda *a, **k: None", "", "the set-up name 'assert_close' was rebound"),
    (WRONG + "import course_lib.grading as g\n_o = g.assert_close\ng.assert_close = lambda *a, **k: None",
     "g.assert_close = _o", "course_lib.grading.assert_close was replaced"),
    (WRONG + "import torch.testing\n_o = torch.testing.assert_close\ntorch.testing.assert_close = lambda *a, **k: None",
     "torch.testing.assert_close = _o", "torch.testing.assert_close was replaced"),
    (WRONG + "_o = assert_close.__code__\nassert_close.__code__ = (lambda *a, **k: None).__code__",
     "assert_close.__code__ = _o", "the code of the set-up function 'assert_close' was replaced"),
    (WRONG + "import importlib\n_o = importlib.reload\nimportlib.reload = lambda m: m", "importlib.reload = _o",
     "importlib.reload was replaced"),
    (WRONG + "_o = torch.allclose\ntorch.allclose = lambda *a, **k: True", "torch.allclose = _o",
     "torch.allclose was replaced"),
    (WRONG + "_o = reference.kl_discrete\nreference.kl_discrete = kl", "reference.kl_discrete = _o",
     "course_lib.divergences.kl_discrete was replaced"),
    ("import sys\ndef kl(p, q):\n    sys.setprofile(None)\n    return reference.kl_discrete(p, q)", "",
     "its call monitor was removed"),
    ("import course_lib.grading as g\n_o = g.assert_close\n" + WRONG
     + "def kl(p, q, _k=kl):\n    g.assert_close = lambda *a, **k: None\n    return _k(p, q)",
     "g.assert_close = _o", "during kl"),
    ("import builtins\n" + WRONG.replace("return 3", "globals()['kit'] = None\n    return 3"), "",
     "the name 'kit' of the hidden tests' kit was rebound"),
    ("import builtins\n" + WRONG.replace("return 3", "kit.assert_close = print\n    return 3"), "",
     "the hidden tests' kit is read-only"),
    ("import course_lib.grading as g, torch.testing\n_o = g.hidden_tests\n" + WRONG
     + "class Kit:\n    assert_close = staticmethod(lambda *a, **k: None)\n"
     + "    def call(self, fn, *a, what='', allow=(), **k):\n        return fn(*a, **k)\n"
     + "g.hidden_tests = lambda namespace: Kit()\n_t = torch.testing.assert_close\n"
     + "torch.testing.assert_close = lambda *a, **k: None",
     "g.hidden_tests = _o\ntorch.testing.assert_close = _t", "course_lib.grading.hidden_tests was replaced"),

])
def test_tampering_fails_with_what_was_tampered_with(notebook, answer, undo, message):
    notebook.run(answer)
    try:
        with pytest.raises(AssertionError, match=message):
            notebook.run(HIDDEN)
    finally:
        if undo:
            notebook.run(undo)
        notebook.run("from course_lib.grading import assert_close")
    notebook.run(ANSWER)
    notebook.run(HIDDEN)  # everything restored: the honest answer passes again


def test_importing_a_helper_again_after_a_hidden_test_is_no_tampering(notebook):
    notebook.run(HIDDEN)  # reloads course_lib.grading: its functions are new objects
    notebook.run("from course_lib.grading import assert_close")
    notebook.run(HIDDEN)


def test_an_answer_that_imports_torchvision_is_no_tampering():
    # Importing torch._dynamo (torchvision does) replaces torch.manual_seed; a fresh interpreter, in which
    # the set-up imports neither, shows that protect() records torch after that replacement, not before.
    import subprocess
    import sys

    script = SETUP + "import sys\nassert 'torchvision' not in sys.modules\n" + ANSWER + "\nimport torchvision\n" + HIDDEN
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_torch_s_own_wrapper_around_another_function_is_tampering(notebook):
    original = torch.manual_seed
    try:
        notebook.run("torch.manual_seed = torch._disable_dynamo(lambda seed: None)")
        with pytest.raises(AssertionError, match="torch.manual_seed was replaced"):
            notebook.run(HIDDEN)
    finally:
        torch.manual_seed = original


def test_a_subclass_or_a_wrapper_of_a_reference_model_fails():
    from course_lib.grading import DelegationError, check_not_reference, no_delegation
    from course_lib.models.vae import GaussianEncoder

    nb = Notebook()
    nb.run(SETUP)
    nb.run("class Sub(GaussianEncoder):\n    pass\n"
           "class Wrap(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n"
           "        self.inner = GaussianEncoder(2, 8)\n"
           "class Own(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n"
           "        self.net = torch.nn.Linear(784, 4)")
    with pytest.raises(DelegationError, match="subclasses it"):
        check_not_reference(nb.namespace["Sub"], "Sub")
    with pytest.raises(DelegationError, match="not delegated to course_lib.models.vae.GaussianEncoder"):
        with no_delegation("building Wrap"):
            nb.namespace["Wrap"]()
    model = nb.namespace["Wrap"].__new__(nb.namespace["Wrap"])
    torch.nn.Module.__init__(model)
    model.inner = GaussianEncoder(2, 8)  # built outside the guard, then slipped in
    with pytest.raises(DelegationError, match="wraps one"):
        check_not_reference(model, "Wrap")
    with no_delegation("building Own"):
        check_not_reference(nb.namespace["Own"](), "Own")


def test_allowed_course_code_may_run_inside_a_graded_call():
    from course_lib.grading import DelegationError, no_delegation
    from course_lib.models.mlp_gan import MLPGenerator

    generator = MLPGenerator(latent_dim=2, out_dim=2, hidden=8)
    with no_delegation("a step", allow=(generator,)):
        generator(torch.zeros(3, 2))
    with pytest.raises(DelegationError, match="course_lib.models.mlp_gan.MLPGenerator"):
        with no_delegation("a step"):
            generator(torch.zeros(3, 2))
    with pytest.raises(TypeError, match="allow must hold"):
        with no_delegation("a step", allow=(3,)):
            pass
