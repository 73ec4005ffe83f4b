"""The FAST and full budgets.

Every notebook runs in two budgets that change sizes and step counts, never the code path:

* ``fast`` -- the default on a machine without CUDA and under CI: the whole notebook in
  about a minute on 2 CPU cores, always on the offline data so results match everywhere.
* ``full`` -- the default when a CUDA device is present: a real training run on the
  full data set.

The environment variable ``COURSE_BUDGET`` (``fast`` or ``full``) overrides both rules.

>>> budget = get_budget()
>>> steps = budget.pick(fast=300, full=20_000)
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TypeVar

import torch

ENV_VAR = "COURSE_BUDGET"
NAMES = ("fast", "full")
T = TypeVar("T")


@dataclass(frozen=True)
class Budget:
    """A named budget; ``pick`` chooses between the FAST and full value of a setting."""

    name: str

    def __post_init__(self) -> None:
        if self.name not in NAMES:
            raise ValueError(f"budget name must be one of {list(NAMES)}, got {self.name!r}")

    @property
    def fast(self) -> bool:
        return self.name == "fast"

    @property
    def full(self) -> bool:
        return self.name == "full"

    @property
    def offline(self) -> bool:
        """FAST always uses the data that ships with the course."""
        return self.fast

    def pick(self, *, fast: T, full: T) -> T:
        return fast if self.fast else full

    def __str__(self) -> str:
        return self.name.upper()


def _truthy(value: str | None) -> bool:
    return value is not None and value.strip().lower() not in ("", "0", "false", "no")


def get_budget(name: str | None = None) -> Budget:
    """Return the budget in force.

    Order of precedence: the ``name`` argument, the ``COURSE_BUDGET`` environment
    variable, ``fast`` under CI (``CI`` set), ``full`` when CUDA is available, else ``fast``.
    """
    if name is None:
        name = os.environ.get(ENV_VAR, "").strip().lower() or None
        if name is not None and name not in NAMES:
            raise ValueError(f"{ENV_VAR} must be one of {list(NAMES)}, got {name!r}")
    if name is None:
        if _truthy(os.environ.get("CI")):
            name = "fast"
        else:
            name = "full" if torch.cuda.is_available() else "fast"
    if not isinstance(name, str):
        raise TypeError(f"name must be a str or None, got {type(name).__name__}")
    return Budget(name.lower())
