"""A thin training loop: progress bar, history, atomic checkpoints and exact resume.

The loop knows nothing about models. A *step function* does one optimisation step on one
batch and returns the numbers to log::

    def step_fn(batch) -> dict[str, float]: ...

``train`` pulls batches from a loader that can start at any global step
(``InMemoryLoader.batches(start_step)``), calls ``step_fn``, records the metrics in a
``History`` and, every ``checkpoint_every`` steps, writes a checkpoint atomically (a
temporary file renamed over the old one, so an interrupted save never corrupts it).
Calling ``train`` again with the same checkpoint path resumes where it stopped and, on
CPU, reproduces the uninterrupted run exactly: the checkpoint holds the modules, the
optimisers, the step counter, the history and the RNG state, and the loader's order
depends only on the step.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Mapping

import torch
from torch import nn
from tqdm.auto import tqdm

from course_lib._checks import check_positive_int

StepFn = Callable[[object], Mapping[str, float]]
CHECKPOINT_ENV_VAR = "COURSE_CHECKPOINT_DIR"


def checkpoint_path(name: str) -> Path:
    """Where the notebooks keep the checkpoint called ``name``: ``checkpoints/<name>.pt``.

    The folder is ``./checkpoints`` next to the notebook unless ``COURSE_CHECKPOINT_DIR``
    names another (the test suite gives every run its own, so no run resumes another's).
    """
    if not isinstance(name, str) or not name or "/" in name:
        raise ValueError(f"name must be a non-empty file name without '/', got {name!r}")
    return Path(os.environ.get(CHECKPOINT_ENV_VAR, "checkpoints")) / f"{name}.pt"


class History:
    """Metrics logged during training: ``history["loss"]`` is a list aligned with ``history.steps``."""

    def __init__(self) -> None:
        self.steps: list[int] = []
        self.metrics: dict[str, list[float]] = {}

    def append(self, step: int, metrics: Mapping[str, float]) -> None:
        self.steps.append(int(step))
        for key, value in metrics.items():
            self.metrics.setdefault(key, []).append(float(value))

    def __getitem__(self, key: str) -> list[float]:
        if key not in self.metrics:
            raise KeyError(f"no metric {key!r} in history; logged metrics: {sorted(self.metrics)}")
        return self.metrics[key]

    def __contains__(self, key: str) -> bool:
        return key in self.metrics

    def __len__(self) -> int:
        return len(self.steps)

    def keys(self) -> list[str]:
        return list(self.metrics)

    def last(self, key: str, n: int = 1) -> float:
        """Mean of the last ``n`` logged values of ``key``."""
        values = self[key][-n:]
        return sum(values) / len(values)

    def state_dict(self) -> dict:
        return {"steps": list(self.steps), "metrics": {k: list(v) for k, v in self.metrics.items()}}

    def load_state_dict(self, state: Mapping) -> None:
        self.steps = list(state["steps"])
        self.metrics = {k: list(v) for k, v in state["metrics"].items()}


@dataclass
class TrainState:
    """Everything a checkpoint holds: named modules and optimisers, the step and the history."""

    modules: dict[str, nn.Module]
    optimizers: dict[str, torch.optim.Optimizer] = field(default_factory=dict)
    step: int = 0
    history: History = field(default_factory=History)

    def state_dict(self) -> dict:
        state = {
            "modules": {k: m.state_dict() for k, m in self.modules.items()},
            "optimizers": {k: o.state_dict() for k, o in self.optimizers.items()},
            "step": self.step,
            "history": self.history.state_dict(),
            "rng_cpu": torch.get_rng_state(),
        }
        if torch.cuda.is_available():
            state["rng_cuda"] = torch.cuda.get_rng_state_all()
        return state

    def load_state_dict(self, state: Mapping) -> None:
        missing = set(self.modules) - set(state["modules"])
        if missing:
            raise ValueError(f"checkpoint has no state for modules {sorted(missing)}")
        for key, module in self.modules.items():
            module.load_state_dict(state["modules"][key])
        for key, optimizer in self.optimizers.items():
            if key not in state["optimizers"]:
                raise ValueError(f"checkpoint has no state for optimizer {key!r}")
            optimizer.load_state_dict(state["optimizers"][key])
        self.step = int(state["step"])
        self.history.load_state_dict(state["history"])
        torch.set_rng_state(state["rng_cpu"])
        if "rng_cuda" in state and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["rng_cuda"])


def save_checkpoint(path: str | os.PathLike, state: TrainState) -> Path:
    """Write ``state`` to ``path`` atomically: a temporary file in the same folder is renamed."""
    if not isinstance(state, TrainState):
        raise TypeError(f"state must be a TrainState, got {type(state).__name__}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        torch.save(state.state_dict(), tmp_name)
        os.replace(tmp_name, path)
    finally:
        if os.path.exists(tmp_name):
            os.remove(tmp_name)
    return path


def load_checkpoint(path: str | os.PathLike, state: TrainState, map_location="cpu") -> TrainState:
    """Load a checkpoint written by ``save_checkpoint`` into ``state`` (in place) and return it."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path {str(path)!r} is not a checkpoint file")
    payload = torch.load(path, map_location=map_location, weights_only=False)
    state.load_state_dict(payload)
    return state


def train(
    step_fn: StepFn,
    loader,
    num_steps: int,
    state: TrainState,
    *,
    checkpoint_path: str | os.PathLike | None = None,
    checkpoint_every: int | None = None,
    log_every: int = 1,
    desc: str = "training",
    progress: bool = True,
    callback: Callable[[TrainState], None] | None = None,
) -> History:
    """Run ``step_fn`` until ``state.step == num_steps``; return ``state.history``.

    ``loader`` must provide ``batches(start_step)``, an iterator over batches beginning at
    global step ``start_step`` (see ``course_lib.data.InMemoryLoader``). When
    ``checkpoint_path`` names an existing file, training resumes from it first. The
    modules are put in train mode while the loop runs and back in eval mode afterwards.
    ``callback(state)``, if given, runs after every step (after logging, before a
    checkpoint is written), e.g. to draw sample grids or measure FID every N steps.
    """
    if not callable(step_fn):
        raise TypeError("step_fn must be callable: step_fn(batch) -> dict of floats")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None, got {type(callback).__name__}")
    if not hasattr(loader, "batches"):
        raise TypeError("loader must have a batches(start_step) method, e.g. an InMemoryLoader")
    check_positive_int("num_steps", num_steps, minimum=0)
    check_positive_int("log_every", log_every)
    if checkpoint_every is not None:
        check_positive_int("checkpoint_every", checkpoint_every)
        if checkpoint_path is None:
            raise ValueError("checkpoint_every needs a checkpoint_path")
    if checkpoint_path is not None and Path(checkpoint_path).is_file():
        load_checkpoint(checkpoint_path, state)

    for module in state.modules.values():
        module.train()
    batches: Iterator = loader.batches(state.step)
    bar = tqdm(total=num_steps, initial=state.step, desc=desc, disable=not progress,
               dynamic_ncols=True, leave=True)
    try:
        while state.step < num_steps:
            metrics = step_fn(next(batches))
            state.step += 1
            if state.step % log_every == 0 or state.step == num_steps:
                state.history.append(state.step, metrics)
                bar.set_postfix({k: f"{float(v):.3g}" for k, v in metrics.items()}, refresh=False)
            bar.update(1)
            if callback is not None:
                callback(state)
            if checkpoint_every is not None and state.step % checkpoint_every == 0:
                save_checkpoint(checkpoint_path, state)
    finally:
        bar.close()
        for module in state.modules.values():
            module.eval()
    if checkpoint_path is not None and checkpoint_every is not None:
        save_checkpoint(checkpoint_path, state)
    return state.history
