"""Training on several processes (GPUs, or machines) with ``torch.distributed``.

Launch any training command with ``torchrun``; nothing else changes::

    torchrun --nproc_per_node=4 -m course_lib train dcgan --budget full            # 4 GPUs, one machine
    torchrun --nnodes=2 --nproc_per_node=8 --rdzv-backend=c10d \\
             --rdzv-endpoint=HOST:29500 -m course_lib train wgan-gp --budget full   # on each of 2 machines

``torchrun`` starts the processes and sets ``RANK``, ``LOCAL_RANK`` and ``WORLD_SIZE``;
``init_from_env`` joins the process group (NCCL on GPUs, gloo on CPUs) and gives each process
its GPU. ``course_lib.gan_training.train_gan`` then notices the process group and:

* wraps G and the critic in ``DistributedDataParallel`` (gradients averaged over processes),
  after converting their batch norms to synchronised ones (``sync_batch_norm``): the
  statistics of a training batch are those of the *global* batch, as on one process;
* gives every process its shard of each global batch (``shard_batch``) and of each draw of
  latent codes (``shard_latents``): with the same seed on every process, a run on N processes
  sees the same global batches and codes as a run on one, so their results agree up to
  floating-point reduction order (``tests/test_distributed.py`` checks it on 2 CPU processes);
* lets rank 0 alone show the progress bar, draw sample grids, measure FID and write
  checkpoints; every rank reads the checkpoint when a run resumes.

The batch size of a recipe is the *global* batch: it must be a multiple of
``n_critic * world_size``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn

__all__ = ["DistContext", "CPUSyncBatchNorm", "current", "init_from_env", "mean_over_processes", "shard_batch",
           "shard_latents", "sync_batch_norm"]


@dataclass(frozen=True)
class DistContext:
    """Where this process stands: ``rank`` of ``world_size`` processes, ``local_rank`` on its machine."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        """Rank 0: the process that logs and writes files."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


def current() -> DistContext:
    """The context of the running process group (one process when there is none)."""
    if not (dist.is_available() and dist.is_initialized()):
        return DistContext()
    return DistContext(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", 0)))


def init_from_env(device: str | None = None) -> DistContext:
    """Join the process group that ``torchrun`` describes in the environment, if any.

    Without ``WORLD_SIZE`` > 1 (a plain ``python -m course_lib ...``) nothing happens. With it,
    the backend is NCCL when the processes use CUDA (``device`` "cuda", or None with a GPU) and
    gloo otherwise, and each process makes GPU ``LOCAL_RANK`` its current device.
    """
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        return DistContext()
    if dist.is_initialized():
        return current()
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = torch.cuda.is_available() if device is None else device == "cuda"
    if use_cuda:
        if local_rank >= torch.cuda.device_count():
            raise ValueError(f"LOCAL_RANK {local_rank} but only {torch.cuda.device_count()} GPUs: "
                             "give torchrun --nproc_per_node at most the number of GPUs")
        torch.cuda.set_device(local_rank)
        dist.init_process_group("nccl", device_id=torch.device("cuda", local_rank))
    else:
        dist.init_process_group("gloo")
    return current()


def shard_batch(x: torch.Tensor, n_chunks: int, context: DistContext) -> torch.Tensor:
    """This process's part of a global batch ``x`` of N examples that a step splits into ``n_chunks``.

    A step on one process splits the batch into ``n_chunks`` consecutive chunks (one per critic
    update); here every chunk is split again into ``world_size`` equal parts and this process
    keeps part ``rank`` of each, so that its own split into ``n_chunks`` gives its share of the
    same chunks. N must be a multiple of ``n_chunks * world_size``.
    """
    if not context.distributed:
        return x
    n, world = x.shape[0], context.world_size
    if n % (n_chunks * world):
        raise ValueError(f"the global batch ({n}) must be a multiple of n_critic * world_size = "
                         f"{n_chunks} * {world}: choose a batch size that is")
    part = n // (n_chunks * world)
    chunks = x.reshape(n_chunks, world, part, *x.shape[1:])
    return chunks[:, context.rank].reshape(n_chunks * part, *x.shape[1:])


def shard_latents(sample, context: DistContext):
    """A latent sampler for this process: draws the global batch of codes and keeps its share.

    ``sample(n)`` draws n codes from the random state that every process seeded alike, so all
    processes draw the same global codes, as one process would, and keep disjoint parts.
    """
    if not context.distributed:
        return sample
    world, rank = context.world_size, context.rank

    def sharded(n: int) -> torch.Tensor:
        return sample(n * world)[rank * n:(rank + 1) * n]

    return sharded


def mean_over_processes(metrics: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The mean over processes of each 0-d tensor of ``metrics`` (one all-reduce, no host sync)."""
    if not current().distributed:
        return metrics
    values = torch.stack([v.float() for v in metrics.values()])
    dist.all_reduce(values)  # SUM: gloo has no AVG
    values /= dist.get_world_size()
    return dict(zip(metrics, values.unbind()))


class _SumOverProcesses(torch.autograd.Function):
    """all_reduce(SUM) with its gradient: the gradient of a sum that every process uses is the
    sum of every process's gradient."""

    @staticmethod
    def forward(ctx, tensor: torch.Tensor) -> torch.Tensor:
        out = tensor.clone()
        dist.all_reduce(out)
        return out

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        grad = grad.clone()
        dist.all_reduce(grad)
        return grad


class CPUSyncBatchNorm(nn.modules.batchnorm._BatchNorm):
    """Batch norm over the global batch of all processes, for CPU tensors (gloo).

    ``torch.nn.SyncBatchNorm`` runs on GPUs only; this layer does the same on the CPU, so that
    a multi-process run on CPUs (the test of this module, or a machine without GPU) trains
    the model it would train on one process. In training mode it all-reduces the per-channel
    sums of x and x^2 and the count, differentiably (gradients flow through the global
    statistics, as in SyncBatchNorm);
    otherwise it is plain batch norm. Input: (N, C, ...).
    """

    def _check_input_dim(self, input: torch.Tensor) -> None:
        if input.dim() < 2:
            raise ValueError(f"expected an input of at least 2 dimensions (N, C, ...), got {input.dim()}")

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        if not (self.training and dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1):
            return super().forward(input)
        self._check_input_dim(input)
        channels = input.shape[1]
        dims = [0, *range(2, input.dim())]
        count = input.new_tensor([input.numel() // channels])
        totals = _SumOverProcesses.apply(torch.cat([input.sum(dims), (input * input).sum(dims), count]))
        n = totals[-1]
        mean = totals[:channels] / n
        var = totals[channels:2 * channels] / n - mean * mean  # biased, as batch norm normalises
        if self.track_running_stats:
            with torch.no_grad():
                self.num_batches_tracked.add_(1)
                momentum = self.momentum if self.momentum is not None else 1.0 / float(self.num_batches_tracked)
                self.running_mean.lerp_(mean.detach(), momentum)
                self.running_var.lerp_(var.detach() * n / (n - 1), momentum)  # unbiased, as batch norm keeps
        shape = (1, channels) + (1,) * (input.dim() - 2)
        out = (input - mean.view(shape)) * torch.rsqrt(var.view(shape) + self.eps)
        if self.affine:
            out = out * self.weight.view(shape) + self.bias.view(shape)
        return out


def _to_cpu_sync(module: nn.Module) -> nn.Module:
    if isinstance(module, nn.modules.batchnorm._BatchNorm) and not isinstance(module, CPUSyncBatchNorm):
        new = CPUSyncBatchNorm(module.num_features, module.eps, module.momentum, module.affine,
                               module.track_running_stats)
        if module.affine:
            new.weight, new.bias = module.weight, module.bias  # the same Parameters: optimisers keep them
        if module.track_running_stats:
            new.running_mean, new.running_var = module.running_mean, module.running_var
            new.num_batches_tracked = module.num_batches_tracked
        new.train(module.training)
        return new
    for name, child in module.named_children():
        module.add_module(name, _to_cpu_sync(child))
    return module


def sync_batch_norm(module: nn.Module) -> nn.Module:
    """``module`` with every batch norm synchronised over the processes (in place for its children).

    GPU modules get ``torch.nn.SyncBatchNorm``; CPU modules ``CPUSyncBatchNorm``. Parameters and
    buffers are kept (the same objects), so optimisers built before the conversion still work
    and state dicts keep their keys.
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be an nn.Module, got {type(module).__name__}")
    first = next(module.parameters(), None)
    if first is not None and first.device.type == "cuda":
        return nn.SyncBatchNorm.convert_sync_batchnorm(module)
    return _to_cpu_sync(module)
