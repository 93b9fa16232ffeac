"""Tensor data sets: inputs and targets kept as tensors and indexed a batch at a time."""

from __future__ import annotations

import torch
from torch.utils.data import Dataset

from .errors import InputError


class TensorPairs(Dataset):
    """Inputs and targets held as tensors, indexed a whole batch at a time.

    ``dataset[[3, 7, 9]]`` returns two stacked tensors in one indexing operation,
    so a ``DataLoader`` with a batch sampler never builds per-sample tensors or PIL
    images. One-sample indexing works too.
    """

    def __init__(self, inputs: torch.Tensor, targets: torch.Tensor) -> None:
        if len(inputs) != len(targets):
            raise InputError(f"{len(inputs)} inputs but {len(targets)} targets")
        self.inputs = inputs
        self.targets = targets

    def __len__(self) -> int:
        return len(self.inputs)

    def __getitem__(self, index):
        if isinstance(index, (list, tuple)):
            index = torch.as_tensor(index, dtype=torch.long)
        return self.inputs[index], self.targets[index]
