"""Sequence models for one-hot DNA (N, 4, L): a 1-D CNN, a bidirectional GRU, and a strand-symmetric wrapper."""

from __future__ import annotations

import torch
from torch import nn

from .encoding import reverse_complement_one_hot


class DnaCNN(nn.Module):
    """Convolutions read motifs; the dense layer keeps where they sit (for splice sites) unless
    ``global_pool=True``, which keeps only whether a motif occurs anywhere (for binding peaks).

    The first layer's filters (``self.motifs``) are what ``filters_to_pwms`` reads.
    """

    def __init__(
        self,
        length: int,
        n_classes: int,
        filters: int = 64,
        width: int = 9,
        pool: int = 3,
        global_pool: bool = False,
        dropout: float = 0.3,
    ) -> None:
        super().__init__()
        self.motifs = nn.Conv1d(4, filters, width, padding=width // 2)
        self.body = nn.Sequential(
            nn.ReLU(),
            nn.MaxPool1d(pool),
            nn.Conv1d(filters, filters, 5, padding=2),
            nn.ReLU(),
        )
        if global_pool:
            self.pool, features = nn.AdaptiveMaxPool1d(1), filters
        else:
            self.pool, features = nn.Identity(), filters * (length // pool)
        self.head = nn.Sequential(
            nn.Flatten(), nn.Dropout(dropout), nn.Linear(features, n_classes)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.pool(self.body(self.motifs(x))))


class DnaGRU(nn.Module):
    """A bidirectional GRU over the bases. Its states at every position feed one linear layer,
    so, like the CNN, it can weigh what it read by where it read it (the final states alone
    would have to carry a junction in the middle of the sequence all the way to an end)."""

    def __init__(self, length: int, n_classes: int, hidden: int = 32, dropout: float = 0.3) -> None:
        super().__init__()
        self.rnn = nn.GRU(4, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Sequential(
            nn.Flatten(), nn.Dropout(dropout), nn.Linear(length * 2 * hidden, n_classes)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        states, _ = self.rnn(x.transpose(1, 2))  # (N, L, 4) in, (N, L, 2 * hidden) out
        return self.head(states)


class StrandSymmetric(nn.Module):
    """Averages a model's outputs on a sequence and on its reverse complement.

    A factor bound to DNA binds both strands, and a peak's sequence is read from an arbitrary
    one; averaging makes the prediction the same whichever strand was stored.
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (self.model(x) + self.model(reverse_complement_one_hot(x))) / 2
