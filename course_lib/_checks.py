"""Argument checks shared by course_lib functions.

Every public function validates its inputs with these helpers so that a mistake surfaces
as a ``TypeError``/``ValueError`` that names the argument and says what was expected,
instead of a broadcasting error three calls deeper.
"""
from __future__ import annotations

import math
import numbers
from typing import Sequence

import torch


def check_tensor(
    name: str,
    value,
    *,
    ndim: int | Sequence[int] | None = None,
    floating: bool = False,
    integer: bool = False,
    shape: Sequence[int | None] | None = None,
) -> torch.Tensor:
    """Check that ``value`` is a tensor of the expected rank, kind of dtype and shape.

    ``shape`` may contain ``None`` for "any size" in that position.
    """
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if value.ndim not in allowed:
            noun = "dimension" if allowed == (1,) else "dimensions"
            raise ValueError(
                f"{name} must have {' or '.join(map(str, allowed))} {noun}, got shape {tuple(value.shape)}"
            )
    if floating and not value.is_floating_point():
        raise TypeError(f"{name} must have a floating-point dtype, got {value.dtype}")
    if integer and (value.is_floating_point() or value.is_complex() or value.dtype == torch.bool):
        raise TypeError(f"{name} must have an integer dtype, got {value.dtype}")
    if shape is not None:
        expected = tuple(shape)
        if len(expected) != value.ndim or any(
            e is not None and e != s for e, s in zip(expected, value.shape)
        ):
            pretty = tuple("*" if e is None else e for e in expected)
            raise ValueError(f"{name} must have shape {pretty}, got {tuple(value.shape)}")
    return value


def check_same_shape(name_a: str, a: torch.Tensor, name_b: str, b: torch.Tensor) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, "
            f"got {tuple(a.shape)} and {tuple(b.shape)}"
        )


def check_same_device(name_a: str, a: torch.Tensor, name_b: str, b: torch.Tensor) -> None:
    if a.device != b.device:
        raise ValueError(
            f"{name_a} and {name_b} must be on the same device, got {a.device} and {b.device}"
        )


def check_range(name: str, value: torch.Tensor, low: float, high: float) -> None:
    """Check that every entry of ``value`` lies in the closed interval [low, high]."""
    if value.numel() == 0:
        return
    lo, hi = float(value.min()), float(value.max())
    if lo < low or hi > high:
        raise ValueError(f"{name} must lie in [{low}, {high}], got values in [{lo:.4g}, {hi:.4g}]")


def check_positive_int(name: str, value, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def check_choice(name: str, value, choices: Sequence[str]) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


def check_real(name: str, value, *, positive: bool = False) -> float:
    """A finite Python/NumPy real number (not a bool, not a tensor); optionally > 0."""
    if isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a Python number, got a tensor (use .item())")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if positive and value <= 0.0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value
