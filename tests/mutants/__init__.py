"""Plausible wrong answers for every graded part, and the message each one must produce.

One module per notebook (``nbNN.py``) defines ``ASSIGNMENT`` and ``MUTANTS``; this package
collects them into ``MUTANTS: dict[assignment, list[Mutant]]``.

A mutant edits one line of one solution cell (``old`` -> ``new``). The test cell graded with
that solution must then fail, and its error message must contain ``message``: the hint that
tells a student what is wrong.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    solution: str   # grade_id of the solution cell to edit
    test: str       # grade_id of the test cell that must fail
    old: str
    new: str
    message: str    # expected in the failure message

    @property
    def name(self) -> str:
        return f"{self.solution}: {self.message[:40]}"


def _collect() -> dict[str, list[Mutant]]:
    import importlib
    import pkgutil

    found = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("nb"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            found[module.ASSIGNMENT] = module.MUTANTS
    return found


MUTANTS: dict[str, list[Mutant]] = _collect()
