"""Batches for the training loop: a seeded shuffle that also serves many processes, and
length-grouped batches for token inputs (chapter 4's transformers)."""

from __future__ import annotations

import torch
from torch.utils.data import BatchSampler, DataLoader, Dataset, DistributedSampler

from .errors import InputError


def epoch_loader(
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
    always the one left out. ``lengths`` groups samples of similar length.
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


def token_lengths(data: Dataset) -> torch.Tensor:
    """Each sample's number of real tokens, from packed inputs (N, 2, length): ids and mask."""
    inputs = getattr(data, "inputs", None)
    if not isinstance(inputs, torch.Tensor) or inputs.ndim != 3 or inputs.shape[1] != 2:
        raise InputError("group_by_length needs packed token inputs (N, 2, length) in a TensorPairs")
    return inputs[:, 1].sum(dim=1)


def to_device(x: torch.Tensor, device: torch.device, channels_last: bool) -> torch.Tensor:
    """A batch on ``device``, image batches in ``channels_last`` layout when asked."""
    x = x.to(device, non_blocking=True)
    if channels_last and x.ndim == 4:
        x = x.contiguous(memory_format=torch.channels_last)
    return x
