"""Cheats: answers that try to get the points without the work, and the message each must produce.

One module per notebook (``nbNN.py``) defines ``ASSIGNMENT`` and ``CHEATS``; this package
collects them into ``CHEATS: dict[assignment, list[Cheat]]``. ``tests/test_mutants.py`` runs
them in the same kernel as the mutants: the cheat's source replaces the answer cell, the test
cell graded with it must fail with ``message``, then ``undo`` and the real answer restore the
kernel.

Kinds:

* ``delegation``: the answer calls, aliases, imports afresh, subclasses or wraps the course's
  reference (``course_lib``) instead of doing the work;
* ``tampering``: the answer rebinds a test helper or a set-up name, or patches
  ``course_lib.grading``, ``torch.testing`` or a reference module, to turn a test into a no-op;
* ``hard-coding``: the answer returns the visible test's numbers;
* ``exit``: the answer raises ``SystemExit`` or ``KeyboardInterrupt`` when the tests call it.
"""
from __future__ import annotations

from dataclasses import dataclass

KINDS = ("delegation", "tampering", "hard-coding", "exit")


@dataclass(frozen=True)
class Cheat:
    solution: str   # grade_id of the answer cell the cheat replaces
    test: str       # grade_id of the test cell that must fail
    kind: str       # one of KINDS
    source: str     # the whole answer cell, as the cheating student writes it
    message: str    # expected in the failure message
    undo: str = ""  # run afterwards to restore the kernel (un-patch a module, say)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")

    @property
    def name(self) -> str:
        return f"{self.solution} ({self.kind}): {self.message[:40]}"


def hidden_tests_replaced(solution: str, test: str, answer: str) -> Cheat:
    """A tampering cheat: ``answer`` (e.g. an alias of the reference) and a kit that checks nothing put
    in place of ``course_lib.grading.hidden_tests``."""
    source = (answer + "\n\n"
              "import course_lib.grading\n\n\n"
              "class NoChecks:\n"
              "    \"\"\"A kit that calls the answer unguarded and compares nothing.\"\"\"\n"
              "    assert_close = staticmethod(lambda *args, **kwargs: None)\n\n"
              "    def call(self, fn, *args, what=\"\", allow=(), **kwargs):\n"
              "        return fn(*args, **kwargs)\n\n\n"
              "_genuine_hidden_tests = course_lib.grading.hidden_tests\n"
              "course_lib.grading.hidden_tests = lambda namespace, installed=None: NoChecks()\n")
    return Cheat(solution, test, "tampering", source, "course_lib.grading.hidden_tests was replaced",
                 undo="import course_lib.grading\ncourse_lib.grading.hidden_tests = _genuine_hidden_tests")


def _collect() -> dict[str, list[Cheat]]:
    import importlib
    import pkgutil

    found = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("nb"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            found[module.ASSIGNMENT] = module.CHEATS
    return found


CHEATS: dict[str, list[Cheat]] = _collect()
