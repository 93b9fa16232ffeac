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
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, Dataset
from tqdm import tqdm

from .batches import epoch_loader, to_device, token_lengths
from .checkpoint import prepare_checkpoint, restore_best, save_best, tensorboard_writer
from .errors import InputError
from .metrics import cross_entropy_auroc
from .runtime import autocast, distributed_context, mean_across_processes, mixed_precision
from .runtime import process_device, seed_everything
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
    improvement. ``augment`` (e.g. ``medai.imaging.augment.RandomAffine()``) transforms
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
    device = process_device(config.device, local_rank, world)
    dtype = mixed_precision(device, config.amp)
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

    train_loader, sampler = epoch_loader(
        train_data, config.batch_size, shuffle=True, rank=rank, world=world,
        seed=config.seed, pin=pin, workers=config.num_workers,
        lengths=token_lengths(train_data) if config.group_by_length else None,
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
        start = time.perf_counter()
        train_loss, seen = _train_epoch(
            network, train_loader, optimizer, scaler, loss_fn, augment,
            device=device, dtype=dtype, channels_last=config.channels_last, world=world,
        )  # fmt: skip
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


def _train_epoch(
    network: nn.Module,
    loader: DataLoader,
    optimizer: torch.optim.Optimizer,
    scaler: torch.amp.GradScaler,
    loss_fn: LossFn,
    augment: Callable[[torch.Tensor], torch.Tensor] | None,
    *,
    device: torch.device,
    dtype: torch.dtype | None,
    channels_last: bool,
    world: int,
) -> tuple[float, int]:
    """One pass over the training batches: the mean loss over all processes and the samples seen here."""
    network.train()
    total, seen = torch.zeros((), device=device), 0
    for x, y in loader:
        x = to_device(x, device, channels_last)
        y = y.to(device, non_blocking=True)
        if augment is not None:
            x = augment(x)
        optimizer.zero_grad(set_to_none=True)
        with autocast(dtype):
            loss = loss_fn(network(x), y)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        total += loss.detach() * len(y)
        seen += len(y)
    # Checked once per epoch, not per step: a per-step check would stall the GPU.
    return mean_across_processes(total, seen, world), seen


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
    dtype = mixed_precision(device, amp)
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
        x = to_device(x, device, channels_last)
        with autocast(dtype):
            outputs.append(model(x).float().cpu())
        targets.append(y)
    model.train(was_training)
    result = torch.cat(outputs).numpy()
    return (result, torch.cat(targets).numpy()) if with_targets else result


__all__ = ["FitResult", "TrainConfig", "fit", "predict"]
