"""One training loop for every chapter: CPU, CUDA or Apple MPS; one process or many (``torchrun``).

``fit`` takes a model and two data sets and returns the history; the model ends
with the weights of its best validation epoch. The same call runs unchanged
under ``torchrun --nproc-per-node=N``: each process then trains on its shard
of every epoch and PyTorch's ``DistributedDataParallel`` averages the gradients.

What it does for speed, and why:
- data stay tensors and are indexed a batch at a time (no per-sample PIL images);
- on CUDA: automatic mixed precision (bfloat16 where the GPU has it, else float16
  with a gradient scaler), pinned host memory and non-blocking copies;
- ``channels_last`` memory layout for image models (faster convolutions on
  recent CPUs and GPUs);
- optional ``torch.compile``.
"""

from __future__ import annotations

import math
import os
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, Dataset, DistributedSampler
from tqdm import tqdm

from .checkpoint import (
    prepare_checkpoint,
    restore_best,
    save_best,
    tensorboard_writer,
)
from .errors import InputError
from .metrics import auroc
from .runtime import pick_device, seed_everything
from .tensors import TensorPairs

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
ScoreFn = Callable[[np.ndarray, np.ndarray], float]


@dataclass
class TrainConfig:
    """Settings of one training run. ``patience=None`` trains every epoch."""

    epochs: int = 10
    batch_size: int = 128
    lr: float = 1e-3
    weight_decay: float = 0.0
    patience: int | None = 5
    device: str = "auto"
    amp: bool = True  # used on CUDA only
    channels_last: bool = True
    compile: bool = False
    seed: int = 0
    checkpoint: str | Path | None = None  # None keeps the best weights in memory
    overwrite_checkpoint: bool = False
    log_dir: str | Path | None = None  # TensorBoard event files, if set
    progress: bool = True
    num_workers: int = 0
    # Batch sequences of similar length together (packed token inputs (N, 2, L) only): a
    # batch is padded to its longest member, so random batches of sentences waste compute.
    group_by_length: bool = False

    def check(self) -> None:
        for name in ("epochs", "batch_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise InputError(f"{name} must be a positive int, got {value!r}")
        if not (isinstance(self.lr, (int, float)) and self.lr > 0):
            raise InputError(f"lr must be positive, got {self.lr!r}")
        if self.patience is not None and (
            not isinstance(self.patience, int) or self.patience < 1
        ):
            raise InputError(
                f"patience must be None or a positive int, got {self.patience!r}"
            )


@dataclass
class FitResult:
    """What ``fit`` measured. ``history`` has one row per epoch."""

    history: pd.DataFrame
    best_epoch: int
    best_score: float
    device: str
    precision: str
    world_size: int
    stopped_early: bool


def cross_entropy_auroc(targets: np.ndarray, logits: np.ndarray) -> float:
    """Validation score of a classifier: AUROC of class 1 (binary) or one-vs-rest macro AUROC."""
    z = logits - logits.max(axis=1, keepdims=True)
    prob = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    classes = range(prob.shape[1]) if prob.shape[1] > 2 else [1]
    scores = [
        auroc(targets == k, prob[:, k])
        for k in classes
        if 0 < (targets == k).sum() < len(targets)
    ]
    if not scores:
        raise InputError(
            "the validation set needs at least two classes to compute AUROC"
        )
    return float(np.mean(scores))


# --- processes and devices -------------------------------------------------


def distributed_context() -> tuple[int, int, int]:
    """``(rank, local_rank, world_size)``; joins the process group when started by ``torchrun``."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return 0, 0, 1
    if not dist.is_initialized():
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend=backend)
    return (
        dist.get_rank(),
        int(os.environ.get("LOCAL_RANK", "0")),
        dist.get_world_size(),
    )


def _device_for(preference: str, local_rank: int, world: int) -> torch.device:
    device = pick_device(preference)
    if device.type == "cuda" and world > 1:
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    return device


def _precision(device: torch.device, amp: bool) -> torch.dtype | None:
    if not amp or device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def _autocast(dtype: torch.dtype | None):
    """Mixed precision on CUDA when ``dtype`` is set (see ``_precision``), else a no-op context."""
    if dtype is None:
        return nullcontext()
    return torch.autocast(device_type="cuda", dtype=dtype)


# --- data -------------------------------------------------------------------


def _loader(
    data: Dataset,
    batch_size: int,
    *,
    shuffle: bool,
    rank: int,
    world: int,
    seed: int,
    pin: bool,
    workers: int,
    lengths: torch.Tensor | None = None,
) -> tuple[DataLoader, DistributedSampler]:
    """Batches of indices, fetched with one indexing operation each (see ``TensorPairs``).

    A ``DistributedSampler`` with one replica is a seeded shuffle, so one code
    path serves one process and many. Training drops a ragged last batch (a batch
    of one breaks batch normalisation); reshuffling each epoch means no sample is
    always the one left out.
    """
    sampler = DistributedSampler(
        data, num_replicas=world, rank=rank, shuffle=shuffle, seed=seed, drop_last=False
    )
    drop = shuffle and len(data) // world > batch_size
    batches = BatchSampler(sampler, batch_size, drop_last=drop)
    if lengths is not None:
        batches = LengthGroupedBatches(batches, lengths, seed)
    loader = DataLoader(
        data, sampler=batches, batch_size=None, pin_memory=pin, num_workers=workers
    )
    return loader, sampler


class LengthGroupedBatches:
    """Regroups a shuffled epoch into batches of similar length, then shuffles the batches.

    Each run of 50 batches is sorted by sample length and cut again, so the randomness of
    which samples meet stays local while padding shrinks (the "group by length" of
    Hugging Face's Trainer). Every sample still appears once per epoch.
    """

    def __init__(self, batches: BatchSampler, lengths: torch.Tensor, seed: int, window: int = 50) -> None:
        self.batches, self.lengths, self.seed, self.window = batches, lengths, seed, window
        self.epoch = 0

    def __len__(self) -> int:
        return len(self.batches)

    def __iter__(self):
        size = self.batches.batch_size
        order = [i for batch in self.batches for i in batch]
        generator = torch.Generator().manual_seed(self.seed + self.epoch)
        self.epoch += 1
        grouped = []
        for start in range(0, len(order), size * self.window):
            chunk = order[start : start + size * self.window]
            chunk.sort(key=lambda i: -int(self.lengths[i]))
            grouped.extend(chunk[j : j + size] for j in range(0, len(chunk), size))
        for k in torch.randperm(len(grouped), generator=generator).tolist():
            yield grouped[k]


def _token_lengths(data: Dataset) -> torch.Tensor:
    inputs = getattr(data, "inputs", None)
    if not isinstance(inputs, torch.Tensor) or inputs.ndim != 3 or inputs.shape[1] != 2:
        raise InputError("group_by_length needs packed token inputs (N, 2, length) in a TensorPairs")
    return inputs[:, 1].sum(dim=1)


def _to_device(
    x: torch.Tensor, device: torch.device, channels_last: bool
) -> torch.Tensor:
    x = x.to(device, non_blocking=True)
    if channels_last and x.ndim == 4:
        x = x.contiguous(memory_format=torch.channels_last)
    return x


# --- the loop -----------------------------------------------------------------


def fit(
    model: nn.Module,
    train_data: Dataset,
    val_data: Dataset,
    config: TrainConfig | None = None,
    *,
    loss_fn: LossFn = F.cross_entropy,
    score_fn: ScoreFn = cross_entropy_auroc,
    augment: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> FitResult:
    """Train ``model`` with Adam(W); keep the weights of the best validation score.

    ``score_fn(targets, outputs)`` rates the validation outputs (higher is better;
    the default is AUROC). Training stops after ``config.patience`` epochs without
    improvement. ``augment`` (e.g. ``medai.augment.RandomAffine()``) transforms
    each training batch on the device. Every process validates on the whole
    validation set, so all of them reach the same early-stopping decision
    without talking to each other.
    """
    config = config or TrainConfig()
    config.check()
    for name, data in (("training", train_data), ("validation", val_data)):
        if len(data) == 0:
            raise InputError(f"the {name} data set is empty")
    rank, local_rank, world = distributed_context()
    seed_everything(config.seed)
    device = _device_for(config.device, local_rank, world)
    dtype = _precision(device, config.amp)
    pin = device.type == "cuda"
    checkpoint = prepare_checkpoint(config, rank)

    model.to(device)
    if config.channels_last:
        model.to(memory_format=torch.channels_last)
    network: nn.Module = model
    if world > 1:
        network = nn.parallel.DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None
        )
    if config.compile:
        network = torch.compile(network)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config.lr, weight_decay=config.weight_decay
    )
    scaler = torch.amp.GradScaler("cuda", enabled=dtype == torch.float16)

    train_loader, sampler = _loader(
        train_data, config.batch_size, shuffle=True, rank=rank, world=world,
        seed=config.seed, pin=pin, workers=config.num_workers,
        lengths=_token_lengths(train_data) if config.group_by_length else None,
    )  # fmt: skip
    writer = tensorboard_writer(config.log_dir) if rank == 0 else None

    rows, best_score, best_epoch, best_state = [], -math.inf, 0, None
    epochs = tqdm(
        range(1, config.epochs + 1),
        desc="epochs",
        disable=not config.progress or rank != 0,
    )
    for epoch in epochs:
        sampler.set_epoch(epoch)
        network.train()
        start, total, seen = time.perf_counter(), torch.zeros((), device=device), 0
        for x, y in train_loader:
            x = _to_device(x, device, config.channels_last)
            y = y.to(device, non_blocking=True)
            if augment is not None:
                x = augment(x)
            optimizer.zero_grad(set_to_none=True)
            with _autocast(dtype):
                loss = loss_fn(network(x), y)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            total += loss.detach() * len(y)
            seen += len(y)
        # Checked once per epoch, not per step: a per-step check would stall the GPU.
        train_loss = _mean_across_processes(total, seen, world)
        if not math.isfinite(train_loss):
            raise FloatingPointError(
                f"the training loss became {train_loss} in epoch {epoch}; "
                "lower the learning rate or check the inputs for extreme values"
            )
        seconds = time.perf_counter() - start

        outputs, targets = predict(
            network, val_data, batch_size=config.batch_size, device=device,
            channels_last=config.channels_last, amp=config.amp, with_targets=True,
        )  # fmt: skip
        val_loss = float(loss_fn(torch.from_numpy(outputs), torch.from_numpy(targets)))
        score = float(score_fn(targets, outputs))
        rows.append(
            {
                "epoch": epoch,
                "train_loss": train_loss,
                "val_loss": val_loss,
                "val_score": score,
                "seconds": seconds,
                "images_per_s": seen * world / seconds,
            }
        )
        if writer is not None:
            for key in ("train_loss", "val_loss", "val_score", "images_per_s"):
                writer.add_scalar(key, rows[-1][key], epoch)
        epochs.set_postfix(loss=f"{train_loss:.4f}", val=f"{score:.4f}")
        if score > best_score:
            best_score, best_epoch = score, epoch
            best_state = save_best(model, checkpoint, rank, world)
        elif config.patience is not None and epoch - best_epoch >= config.patience:
            break
    epochs.close()
    if writer is not None:
        writer.close()

    restore_best(model, best_state, checkpoint, device, world)
    history = pd.DataFrame(rows).set_index("epoch")
    return FitResult(
        history=history,
        best_epoch=best_epoch,
        best_score=best_score,
        device=str(device),
        precision=str(dtype).removeprefix("torch.") if dtype else "float32",
        world_size=world,
        stopped_early=len(rows) < config.epochs,
    )


@torch.no_grad()
def predict(
    model: nn.Module,
    data: Dataset | torch.Tensor,
    *,
    batch_size: int = 256,
    device: str | torch.device | None = None,
    channels_last: bool = True,
    amp: bool = True,
    with_targets: bool = False,
):
    """Model outputs (float32 NumPy) for every item of ``data``, in order.

    ``data`` is a data set of (input, target) pairs or a tensor of inputs. With
    ``with_targets=True`` the targets come back too. The model's training/eval
    mode is restored afterwards.
    """
    if isinstance(data, torch.Tensor):
        data = TensorPairs(data, torch.zeros(len(data)))  # placeholder targets
    if len(data) == 0:
        raise InputError("nothing to predict: the data set is empty")
    if device is None:
        device = next(model.parameters()).device
    device = torch.device(device)
    dtype = _precision(device, amp)
    was_training = model.training
    model.eval()
    loader = DataLoader(
        data,
        sampler=BatchSampler(range(len(data)), batch_size, drop_last=False),
        batch_size=None,
        pin_memory=device.type == "cuda",
    )
    outputs, targets = [], []
    for x, y in loader:
        x = _to_device(x, device, channels_last)
        with _autocast(dtype):
            outputs.append(model(x).float().cpu())
        targets.append(y)
    model.train(was_training)
    result = torch.cat(outputs).numpy()
    return (result, torch.cat(targets).numpy()) if with_targets else result


def _mean_across_processes(total: torch.Tensor, seen: int, world: int) -> float:
    if world > 1:
        packed = torch.stack(
            [total.float(), torch.tensor(float(seen), device=total.device)]
        )
        dist.all_reduce(packed)
        total, seen = packed[0], float(packed[1])
    return float(total) / max(seen, 1)


def describe(config: TrainConfig) -> pd.Series:
    """The configuration as a one-column table, for notebooks."""
    return pd.Series({k: str(v) for k, v in asdict(config).items()}, name="setting")


__all__ = [
    "FitResult",
    "TrainConfig",
    "cross_entropy_auroc",
    "describe",
    "distributed_context",
    "fit",
    "predict",
]
