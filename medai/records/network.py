"""A network for records: one learned vector per token, summed over the encounter, then an MLP."""

from __future__ import annotations

import torch
from torch import nn


class RecordNet(nn.Module):
    """``(batch, fields)`` token ids -> two logits (not readmitted, readmitted within 30 days).

    Each token (a field's value: an ICD-9 code, a drug and its dose change, an age band) has a
    ``dim``-dimensional embedding; the encounter is their sum, which a two-layer MLP reads. Padding
    (id 0) contributes nothing.
    """

    def __init__(self, vocabulary_size: int, dim: int = 32, hidden: int = 64, dropout: float = 0.2) -> None:
        super().__init__()
        self.embed = nn.EmbeddingBag(vocabulary_size, dim, mode="sum", padding_idx=0)
        self.head = nn.Sequential(
            nn.LayerNorm(dim), nn.Dropout(dropout), nn.Linear(dim, hidden), nn.GELU(),
            nn.Dropout(dropout), nn.Linear(hidden, 2),
        )  # fmt: skip

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(tokens))
