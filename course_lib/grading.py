"""Helpers for the notebooks' test cells: comparisons that name a mistake, and hidden tests
that cannot be had without doing the work.

Visible and hidden tests compare a student's answer with a reference through
:func:`assert_close`. When the answer does not match, it is compared with a catalogue of
*plausible mistakes* computed from the same inputs (a flipped sign, a missing 1/2, ...); a
match names the mistake in the ``AssertionError``.

Hidden tests start with::

    import importlib, course_lib.grading as _grading
    _installed = dict(vars(_grading))  # course_lib.grading as the answers left it
    kit = importlib.reload(_grading).hidden_tests(globals(), _installed)

The reload runs this file again, so an attribute of ``course_lib.grading`` that an answer
patched (``hidden_tests`` included) is genuine again; then ``hidden_tests``

* loads this file afresh once more (its helpers are never the installed module's) and checks
  that the installed copy, the course's modules, ``torch``,
  ``torch.testing``, ``math`` and ``builtins`` hold their genuine functions, and that every
  name the locked set-up cell bound (see :func:`protect`) still means what it meant;
* calls the student's answers inside :meth:`HiddenTests.no_delegation`, where any code of
  ``course_lib`` (the references) that runs fails the part: "graded answers must be written,
  not delegated to course_lib.losses.vae.kl_standard_normal". The check watches code, not
  names, so an alias, a fresh ``import`` or a subclass is caught as well.

This file imports only the standard library and torch, so that it can be loaded on its own.
"""
from __future__ import annotations

import contextlib
import importlib.util
import math
import sys
import types
from pathlib import Path
from typing import Callable, Iterable, Mapping

import torch

COURSE_DIR = Path(__file__).resolve().parent
TORCH_COMPILE_FILE = (Path(torch.__file__).parent / "_compile.py").resolve()   # where torch._disable_dynamo lives
_COURSE_PREFIXES = tuple({str(Path(__file__).parent) + "/", str(COURSE_DIR) + "/"})
# Code in these course_lib modules may run inside a graded call: it is plumbing, not a reference.
DEFAULT_ALLOWED_MODULES = ("course_lib.grading", "course_lib._checks", "course_lib.budget", "course_lib.device")
# What protect() recorded before any answer ran: {"names": {name: object},
# "modules": {module name: {attribute: callable}}}. Hidden tests compare against it. Hidden tests
# reload this module (a patched attribute is then genuine again): the record survives the reload.
_PROTECTED: dict[str, dict] = globals().get("_PROTECTED", {})


# --------------------------------------------------------------------------------------------
# Comparisons
# --------------------------------------------------------------------------------------------
def _as_tensor(value, what: str) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (bool, int, float)):
        return torch.tensor(float(value))
    raise AssertionError(f"{what} must be a torch.Tensor, got {type(value).__name__}")


def _close(a: torch.Tensor, b: torch.Tensor, rtol: float, atol: float) -> bool:
    """Same shape, same infinities in the same places, finite entries within tolerance."""
    if a.shape != b.shape:
        return False
    a, b = a.detach().double().cpu(), b.detach().double().cpu()
    if not bool(torch.equal(torch.isnan(a), torch.isnan(b))):
        return False
    infinite = torch.isinf(b)
    if not bool(torch.equal(torch.isinf(a), infinite)) or not bool(torch.equal(a[infinite], b[infinite])):
        return False
    finite = torch.isfinite(b)
    return bool(torch.allclose(a[finite], b[finite], rtol=rtol, atol=atol))


def assert_close(actual, expected: torch.Tensor, *, what: str,
                 mistakes: Mapping[str, torch.Tensor] | None = None,
                 rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """Assert ``actual`` equals ``expected`` (shape and values); name a known mistake if it matches one.

    ``mistakes`` maps a description ("the factor 1/2 is missing") to the value that mistake
    would produce on the same inputs. Infinite entries of ``expected`` must be matched exactly
    (a divergence that really is +inf); NaN never matches a number.
    """
    actual = _as_tensor(actual, what)
    expected = _as_tensor(expected, "expected")
    for description, wrong in dict(mistakes or {}).items():
        wrong = _as_tensor(wrong, description)
        if actual.shape == wrong.shape and not _close(wrong, expected, rtol, atol) and _close(actual, wrong, rtol, atol):
            raise AssertionError(f"{what} is wrong: {description}.")
    if actual.shape != expected.shape:
        raise AssertionError(f"{what} has shape {tuple(actual.shape)}, expected {tuple(expected.shape)}.")
    a, e = actual.detach().double().cpu(), expected.detach().double().cpu()
    unexpected = ~torch.isfinite(a) & torch.isfinite(e)
    if bool(unexpected.any()):
        raise AssertionError(f"{what} contains NaN or infinity where the reference is finite "
                             "(a numerically unstable formula?).")
    if not _close(actual, expected, rtol, atol):
        a, e = a.flatten(), e.flatten()
        both = torch.isfinite(a) & torch.isfinite(e)
        gap = torch.where(both, (a - e).abs(), torch.where(torch.eq(a, e), 0.0, math.inf))
        i = int(gap.argmax())
        raise AssertionError(
            f"{what} differs from the reference: largest error {float(gap.max()):.4g} "
            f"(entry {i}: got {float(a[i]):.6g}, expected {float(e[i]):.6g})."
        )


# --------------------------------------------------------------------------------------------
# Protection of the set-up and of the helpers
# --------------------------------------------------------------------------------------------
class TamperingError(AssertionError):
    """A test helper, a course module or a set-up name was replaced: the part scores zero."""


class DelegationError(AssertionError):
    """A graded answer ran the course's reference code: the part scores zero."""


def protect(namespace: dict) -> None:
    """Record the names the (locked) set-up cell bound, so that hidden tests can check them.

    Call it at the end of the set-up cell with ``globals()``. Hidden tests then fail a part
    whose answer rebinds one of these names (``assert_close = lambda *a, **k: None``).
    """
    if not isinstance(namespace, dict):
        raise TypeError(f"namespace must be the notebook's globals() dict, got {type(namespace).__name__}")
    _PROTECTED.clear()
    _PROTECTED["names"] = {name: value for name, value in namespace.items()
                           if not name.startswith("_") and name not in {"In", "Out", "exit", "quit", "get_ipython"}}
    # What each set-up function computes: an answer could keep the object and swap its __code__.
    _PROTECTED["code"] = {name: _code_signature(value.__code__) for name, value in _PROTECTED["names"].items()
                          if isinstance(value, types.FunctionType)}
    # course_lib.grading itself is checked against a fresh copy of its code instead (hidden tests reload it).
    _PROTECTED["modules"] = {module.__name__: {name: value for name, value in vars(module).items() if callable(value)}
                             for module in _watched_modules() if module.__name__ != __name__}


def _code_signature(code: types.CodeType) -> tuple:
    """What a code object computes (bytecode, constants, names), without file positions."""
    consts = tuple(_code_signature(c) if isinstance(c, types.CodeType) else (type(c).__name__, repr(c))
                   for c in code.co_consts)
    return code.co_code, consts, code.co_names, code.co_varnames, code.co_qualname


def _same_code(a, b) -> bool:
    code_a, code_b = getattr(a, "__code__", None), getattr(b, "__code__", None)
    if not isinstance(code_a, types.CodeType) or not isinstance(code_b, types.CodeType):
        return a is b
    return _code_signature(code_a) == _code_signature(code_b)


def _same_binding(current, recorded) -> bool:
    """The same object, or (after a hidden test reloaded a module) a function with the same code."""
    if current is recorded:
        return True
    return (isinstance(current, types.FunctionType) and isinstance(recorded, types.FunctionType)
            and current.__module__ == recorded.__module__ and _code_file(current) == _code_file(recorded)
            and _same_code(current, recorded))


def _wrapped_by_torch(current, recorded) -> bool:
    """Whether ``current`` is torch's own wrapper of ``recorded``: importing torch._dynamo (torchvision and
    torch.compile do, perhaps only in an answer) replaces torch.manual_seed with ``torch._disable_dynamo(it)``."""
    return (getattr(current, "__wrapped__", None) is recorded
            and Path(_code_file(current) or "/").resolve() == TORCH_COMPILE_FILE)


def _code_file(value) -> str | None:
    code = getattr(value, "__code__", None)
    return code.co_filename if isinstance(code, types.CodeType) else None


def _load_fresh_grading() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("course_lib._grading_fresh", COURSE_DIR / "grading.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _watched_modules() -> list[types.ModuleType]:
    names = ["builtins", "importlib", "math", "torch", "torch.testing", "torch.testing._comparison", "torch.nn.functional",
             "torch.distributions", "numpy", "numpy.testing", "scipy.linalg", "scipy.optimize"]
    names += [name for name in sys.modules
              if (name == "course_lib" or name.startswith("course_lib.")) and name != "course_lib._grading_fresh"]
    return [sys.modules[name] for name in names if isinstance(sys.modules.get(name), types.ModuleType)]


def tampering_report(namespace: dict | None = None, installed: dict | None = None) -> list[str]:
    """What was tampered with: patched attributes of course or library modules, rebound set-up names.

    ``installed``: the attributes of ``course_lib.grading`` to check (default: the module's own,
    as it is now). Empty when everything is genuine. Hidden tests call it through :func:`hidden_tests`.
    """
    problems: list[str] = []
    fresh = _load_fresh_grading()
    if installed is None:
        module = sys.modules.get("course_lib.grading")
        installed = vars(module) if isinstance(module, types.ModuleType) else None
    if installed is None:
        problems.append("sys.modules['course_lib.grading'] was replaced")
    else:
        for name, value in vars(fresh).items():
            if name.startswith("__") or name == "_PROTECTED":
                continue
            current = installed.get(name)
            if isinstance(value, types.FunctionType):
                if not isinstance(current, types.FunctionType) or not _same_code(current, value):
                    problems.append(f"course_lib.grading.{name} was replaced")
            elif isinstance(value, types.ModuleType) and current is not sys.modules.get(value.__name__, value):
                problems.append(f"course_lib.grading.{name} (the module {value.__name__}) was replaced")
            elif isinstance(value, type) and not isinstance(current, type):
                problems.append(f"course_lib.grading.{name} (a class) was replaced")
            elif isinstance(value, type):
                for attr, method in vars(value).items():
                    if isinstance(method, types.FunctionType) and not _same_code(vars(current).get(attr), method):
                        problems.append(f"course_lib.grading.{name}.{attr} was replaced")
    for module_name, attributes in _PROTECTED.get("modules", {}).items():
        module = sys.modules.get(module_name)
        if module is None:
            continue
        for name, value in attributes.items():
            current = vars(module).get(name)
            # IPython rebinds builtins.input to a new bound method before every cell: equal, not identical.
            if current is not value and not (isinstance(value, types.MethodType) and current == value) \
                    and not _wrapped_by_torch(current, value):
                problems.append(f"{module_name}.{name} was replaced")
    if torch.allclose is not torch._C._VariableFunctions.allclose:
        problems.append("torch.allclose was replaced")
    comparison = sys.modules.get("torch.testing._comparison")
    if comparison is not None and getattr(torch.testing, "assert_close", None) is not getattr(comparison, "assert_close", None):
        problems.append("torch.testing.assert_close was replaced")
    if namespace is not None:
        for name, value in _PROTECTED.get("names", {}).items():
            if name not in namespace:
                problems.append(f"the set-up name {name!r} was deleted")
            elif not _same_binding(namespace[name], value):
                problems.append(f"the set-up name {name!r} was rebound")
            elif name in _PROTECTED.get("code", {}) and (
                    _code_signature(namespace[name].__code__) != _PROTECTED["code"][name]):
                problems.append(f"the code of the set-up function {name!r} was replaced")
    return problems


def check_untampered(namespace: dict | None = None, *, what: str = "the test helpers",
                     installed: dict | None = None) -> None:
    """Raise :class:`TamperingError` naming what was tampered with, if anything was."""
    problems = tampering_report(namespace, installed)
    problems = list(dict.fromkeys(problems))
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise TamperingError(f"tampering with {what}: {shown}. Answers may define their own names, "
                             "but not replace the course's helpers, modules or the set-up cell's names: "
                             "this part scores zero.")


# --------------------------------------------------------------------------------------------
# No delegation: the reference code may not run inside a graded call
# --------------------------------------------------------------------------------------------
def _module_name(filename: str) -> str:
    prefix = next(p for p in _COURSE_PREFIXES if filename.startswith(p))
    relative = Path(filename[len(prefix):]).with_suffix("")
    parts = ["course_lib", *relative.parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _allowances(allow: Iterable) -> set[tuple[str, str]]:
    """(module name, qualified-name prefix) pairs whose code may run; prefix '' means the whole module."""
    out: set[tuple[str, str]] = {(name, "") for name in DEFAULT_ALLOWED_MODULES}
    for item in allow:
        if isinstance(item, str):
            out.add((item, ""))
        elif isinstance(item, types.ModuleType):
            out.add((item.__name__, ""))
        elif isinstance(item, torch.nn.Module):
            for sub in item.modules():
                out |= {(cls.__module__, cls.__qualname__) for cls in type(sub).__mro__}
        elif isinstance(item, type):
            out |= {(cls.__module__, cls.__qualname__) for cls in item.__mro__}
        elif callable(item):
            out.add((item.__module__, item.__qualname__))
        else:
            raise TypeError(f"allow must hold modules, classes, functions or nn.Module instances, got {item!r}")
    return out


def _is_allowed(module: str, qualname: str, allowances: set[tuple[str, str]]) -> bool:
    return any(module == m and (not prefix or qualname == prefix or qualname.startswith(prefix + "."))
               for m, prefix in allowances)


@contextlib.contextmanager
def no_delegation(what: str, allow: Iterable = ()):
    """Run a student's answer with the course's reference code unavailable.

    Any ``course_lib`` code (other than ``allow`` and the plumbing in
    ``DEFAULT_ALLOWED_MODULES``) that runs inside the block fails it with
    :class:`DelegationError`, whatever name it was reached by. ``allow`` lists what the part
    legitimately uses: the models handed to a training step, say.
    """
    allowances = _allowances(allow)
    found: list[str] = []

    def monitor(frame, event, arg):
        if event == "call" and not found:
            filename = frame.f_code.co_filename
            if filename.startswith(_COURSE_PREFIXES):
                module = _module_name(filename)
                qualname = frame.f_code.co_qualname
                if not _is_allowed(module, qualname, allowances):
                    found.append(f"{module}.{qualname.replace('.<locals>', '')}")

    previous = sys.getprofile()
    sys.setprofile(monitor)
    try:
        yield
    finally:
        removed = sys.getprofile() is not monitor
        sys.setprofile(previous)
        if removed:
            raise TamperingError(f"tampering with the grader inside {what}: its call monitor was removed "
                                 "(sys.setprofile); this part scores zero.")
    if found:
        raise DelegationError(f"graded answers must be written, not delegated to {found[0]} "
                              f"(it ran inside {what}); use torch, scipy and your own earlier answers.")


def check_not_reference(obj, what: str) -> None:
    """Fail if a student's class (or model) subclasses or wraps a course_lib class."""
    cls = obj if isinstance(obj, type) else type(obj)
    for base in cls.__mro__[1:]:
        if base.__module__.startswith("course_lib"):
            raise DelegationError(f"graded answers must be written, not delegated to "
                                  f"{base.__module__}.{base.__qualname__}: {what} subclasses it.")
    if isinstance(obj, torch.nn.Module):
        for name, sub in obj.named_modules():
            if type(sub).__module__.startswith("course_lib"):
                raise DelegationError(f"graded answers must be written, not delegated to "
                                      f"{type(sub).__module__}.{type(sub).__qualname__}: {what} wraps one "
                                      f"(at {name or 'the top'}).")


class HiddenTests:
    """What a hidden test cell uses: fresh helpers and guarded calls of the student's answers.

    Read-only: an answer cannot swap its helpers, and a guarded call that rebinds the notebook's
    name for the kit (``kit = ...``) fails the part.
    """

    __slots__ = ("_module", "_namespace")

    def __init__(self, module: types.ModuleType, namespace: dict):
        object.__setattr__(self, "_module", module)
        object.__setattr__(self, "_namespace", namespace)

    def __setattr__(self, name, value):
        raise TamperingError(f"tampering with the test helpers: the hidden tests' kit is read-only (set {name!r})")

    def assert_close(self, actual, expected, **kwargs) -> None:
        """:func:`assert_close` of a fresh copy of this module."""
        self._module.assert_close(actual, expected, **kwargs)

    def check_untampered(self, what: str = "the test helpers") -> None:
        self._module.check_untampered(self._namespace, what=what)

    @contextlib.contextmanager
    def no_delegation(self, what: str, allow: Iterable = ()):
        """The student's code inside this block may not run the course's reference code."""
        names = [name for name, value in self._namespace.items() if value is self]
        with self._module.no_delegation(what, allow):
            yield
        moved = [name for name in names if self._namespace.get(name) is not self]
        if moved:
            raise TamperingError(f"tampering with the test helpers (during {what}): the name {moved[0]!r} of the "
                                 "hidden tests' kit was rebound; this part scores zero.")
        self.check_untampered(f"the test helpers (during {what})")

    def call(self, fn: Callable, *args, what: str, allow: Iterable = (), **kwargs):
        """``fn(*args, **kwargs)`` under :meth:`no_delegation`."""
        if not callable(fn):
            raise AssertionError(f"{what}: expected a function, got {type(fn).__name__}")
        with self.no_delegation(what, allow):
            return fn(*args, **kwargs)

    def build(self, cls: type, *args, what: str, allow: Iterable = (), **kwargs):
        """Instantiate a student's class under :meth:`no_delegation`, after checking it neither
        subclasses nor wraps a course_lib class."""
        self._module.check_not_reference(cls, what)
        with self.no_delegation(f"building {what}", allow):
            obj = cls(*args, **kwargs)
        self._module.check_not_reference(obj, what)
        return obj


def hidden_tests(namespace: dict, installed: dict | None = None) -> HiddenTests:
    """Start a hidden test: load the helpers afresh, check nothing was tampered with, return them.

    Usage in a hidden test cell (the reload undoes a patched ``course_lib.grading``; the copy
    taken before it says what was patched)::

        import importlib, course_lib.grading as _grading
        _installed = dict(vars(_grading))
        kit = importlib.reload(_grading).hidden_tests(globals(), _installed)
        answer = kit.call(kl_divergence, p, q, what="kl_divergence")
        kit.assert_close(answer, reference.kl_discrete(p, q), what="kl_divergence", mistakes=...)
    """
    if not isinstance(namespace, dict):
        raise TypeError(f"namespace must be the notebook's globals() dict, got {type(namespace).__name__}")
    if installed is not None and not isinstance(installed, dict):
        raise TypeError(f"installed must be a dict of course_lib.grading's attributes, got {type(installed).__name__}")
    fresh = _load_fresh_grading()
    fresh._PROTECTED = _PROTECTED
    fresh.check_untampered(namespace, installed=installed)
    return HiddenTests(fresh, namespace)
