"""Helpers for the notebooks' test cells: comparisons whose failure says what is wrong.

A student's answer is compared with a reference; when it does not match, the answer is
compared with a catalogue of *plausible mistakes* computed from the same inputs (a flipped
sign, a missing 1/2, a mean where a sum is needed, ...). A match names the mistake in the
``AssertionError``; otherwise the message shows the largest error and an example entry.
"""
from __future__ import annotations

from typing import Mapping

import torch


def _as_tensor(value, what: str) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (int, float)):
        return torch.tensor(float(value))
    raise AssertionError(f"{what} must be a torch.Tensor, got {type(value).__name__}")


def _close(a: torch.Tensor, b: torch.Tensor, rtol: float, atol: float) -> bool:
    if a.shape != b.shape:
        return False
    return bool(torch.allclose(a.detach().double().cpu(), b.detach().double().cpu(), rtol=rtol, atol=atol))


def assert_close(actual, expected: torch.Tensor, *, what: str,
                 mistakes: Mapping[str, torch.Tensor] | None = None,
                 rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """Assert ``actual`` equals ``expected`` (shape and values); name a known mistake if it matches one.

    ``mistakes`` maps a description ("the factor 1/2 is missing") to the value that mistake
    would produce on the same inputs.
    """
    actual = _as_tensor(actual, what)
    expected = _as_tensor(expected, "expected")
    mistakes = dict(mistakes or {})
    for description, wrong in mistakes.items():
        wrong = _as_tensor(wrong, description)
        if actual.shape == wrong.shape and not _close(wrong, expected, rtol, atol) and _close(actual, wrong, rtol, atol):
            raise AssertionError(f"{what} is wrong: {description}.")
    if actual.shape != expected.shape:
        raise AssertionError(f"{what} has shape {tuple(actual.shape)}, expected {tuple(expected.shape)}.")
    if not bool(torch.isfinite(actual).all()):
        raise AssertionError(f"{what} contains NaN or infinity where the reference is finite "
                             "(a numerically unstable formula?).")
    if not _close(actual, expected, rtol, atol):
        a, e = actual.detach().double().cpu().flatten(), expected.detach().double().cpu().flatten()
        i = int((a - e).abs().argmax())
        raise AssertionError(
            f"{what} differs from the reference: largest error {float((a - e).abs().max()):.4g} "
            f"(entry {i}: got {float(a[i]):.6g}, expected {float(e[i]):.6g})."
        )
