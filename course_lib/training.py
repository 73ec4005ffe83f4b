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

A resume is checked, never silent. The checkpoint also holds the run's *configuration*
(``run_config``: every module's class and parameter shapes, every optimiser's class and
hyper-parameters, and what the caller adds in ``TrainState.config``, e.g. the loss or
n_critic). ``train`` refuses to resume a checkpoint made with another configuration, with
a message naming each difference, and says what it did: "resumed at step N of M from
PATH", or that the file already holds a finished run. To start afresh, delete the file
or choose another path.
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
    config: dict = field(default_factory=dict)  # what else defines the run: loss, n_critic, ... (plain values)

    def run_config(self) -> dict:
        """The configuration a resume must match (see ``check_resumable``): plain values only."""
        return {
            "modules": {k: _module_signature(m) for k, m in self.modules.items()},
            "optimizers": {k: _optimizer_signature(o) for k, o in self.optimizers.items()},
            "config": _plain(self.config),
        }

    def state_dict(self) -> dict:
        state = {
            "run_config": self.run_config(),
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


def _plain(value):
    """``value`` with tuples as lists and other objects by name: comparable, and loadable with weights_only."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.item()
    return getattr(value, "__qualname__", None) or type(value).__qualname__


def _module_signature(module: nn.Module) -> dict:
    args = getattr(module, "model_args", None)
    return {"class": type(module).__qualname__,
            "model_args": _plain(args) if isinstance(args, dict) else None,
            "shapes": {name: list(t.shape) for name, t in module.state_dict().items()}}


def _optimizer_signature(optimizer: torch.optim.Optimizer) -> dict:
    groups = [{k: _plain(v) for k, v in group.items() if k != "params"} for group in optimizer.param_groups]
    return {"class": type(optimizer).__qualname__, "param_groups": groups}


def _differences(stored, current, where: str = "") -> list[str]:
    if isinstance(stored, dict) and isinstance(current, dict):
        found = []
        for key in sorted(set(stored) | set(current), key=str):
            name = f"{where}.{key}" if where else str(key)
            if key not in current:
                found.append(f"{name} is in the checkpoint only")
            elif key not in stored:
                found.append(f"{name} is new (not in the checkpoint)")
            else:
                found += _differences(stored[key], current[key], name)
        return found
    return [] if stored == current else [f"{where}: {stored!r} in the checkpoint, {current!r} now"]


def check_resumable(stored: Mapping | None, current: Mapping, path: str | os.PathLike = "the checkpoint") -> None:
    """Raise ``ValueError`` naming every difference between a checkpoint's run configuration
    (``stored``, from ``TrainState.run_config()``) and the current one.

    Modules and optimisers the checkpoint holds beyond the current state's are not
    differences (loading a generator alone from a GAN checkpoint is fine).
    """
    if stored is None:
        raise ValueError(f"{path} holds no run configuration (it was written by an older course_lib): "
                         "delete it, or choose another checkpoint_path, to train afresh")
    stored = dict(stored)
    for part in ("modules", "optimizers"):
        if isinstance(stored.get(part), dict) and isinstance(current.get(part), dict):
            stored[part] = {k: v for k, v in stored[part].items() if k in current[part]}
    found = _differences(stored, current)
    if found:
        shown = "; ".join(found[:8]) + (f"; and {len(found) - 8} more" if len(found) > 8 else "")
        raise ValueError(f"{path} was made by a run with another configuration, so it is not resumed: {shown}. "
                         "Delete it, or choose another checkpoint_path, to train this configuration afresh.")


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
    """Load a checkpoint written by ``save_checkpoint`` into ``state`` (in place) and return it.

    Raises ``ValueError`` (see ``check_resumable``) if it was made with another configuration.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path {str(path)!r} is not a checkpoint file")
    payload = torch.load(path, map_location=map_location, weights_only=True)
    check_resumable(payload.get("run_config"), state.run_config(), path)
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
    save: bool = True,
) -> History:
    """Run ``step_fn`` until ``state.step == num_steps``; return ``state.history``.

    ``loader`` must provide ``batches(start_step)``, an iterator over batches beginning at
    global step ``start_step`` (see ``course_lib.data.InMemoryLoader``). When
    ``checkpoint_path`` names an existing file, training resumes from it first, if it was
    made with the same configuration (``check_resumable``), and prints that it did; the
    state is saved there every ``checkpoint_every`` steps (if given) and at the end. The
    modules are put in train mode while the loop runs and back in eval mode afterwards.
    ``callback(state)``, if given, runs after every step (after logging, before a
    checkpoint is written), e.g. to draw sample grids or measure FID every N steps.
    With ``save=False`` a checkpoint is read to resume but never written (every process but
    rank 0 of a multi-process run: ``course_lib.distributed``), and it says nothing
    about resuming (rank 0 does).
    """
    if not callable(step_fn):
        raise TypeError("step_fn must be callable: step_fn(batch) -> dict of floats")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None, got {type(callback).__name__}")
    if not hasattr(loader, "batches"):
        raise TypeError("loader must have a batches(start_step) method, e.g. an InMemoryLoader")
    check_positive_int("num_steps", num_steps, minimum=0)
    check_positive_int("log_every", log_every)
    if not isinstance(save, bool):
        raise TypeError(f"save must be a bool, got {type(save).__name__}")
    if checkpoint_every is not None:
        check_positive_int("checkpoint_every", checkpoint_every)
        if checkpoint_path is None:
            raise ValueError("checkpoint_every needs a checkpoint_path")
    if checkpoint_path is not None and Path(checkpoint_path).is_file():
        load_checkpoint(checkpoint_path, state)
        if state.step > num_steps:
            raise ValueError(f"{checkpoint_path} is at step {state.step}, past num_steps = {num_steps}: "
                             "delete it, or choose another checkpoint_path, to train a shorter run")
        if save and state.step == num_steps:
            print(f"{checkpoint_path} holds a finished run (step {state.step} of {num_steps}): nothing to train")
        elif save:
            print(f"resumed at step {state.step} of {num_steps} from {checkpoint_path}")

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
            if save and checkpoint_every is not None and state.step % checkpoint_every == 0:
                save_checkpoint(checkpoint_path, state)
    finally:
        bar.close()
        for module in state.modules.values():
            module.eval()
    if save and checkpoint_path is not None:
        save_checkpoint(checkpoint_path, state)
    return state.history
