"""Small networks for 1-D signals: a CNN and a recurrent net (LSTM or GRU) for heartbeats, and a
recurrent forecaster for glucose traces."""

from __future__ import annotations

import torch
from torch import nn

from ..core.errors import InputError


class BeatCNN(nn.Module):
    """1-D CNN for a beat window (N, 1, L) plus optional per-beat features (N, F) such as RR intervals.

    Three convolution blocks turn the waveform into 64 numbers (global average
    pooling makes the length free); the extra features join them before the
    classifier.
    """

    def __init__(
        self, num_classes: int, extra_features: int = 0, width: int = 32
    ) -> None:
        super().__init__()
        self.extra_features = extra_features
        blocks, cin = [], 1
        for cout in (width // 2, width, 2 * width):
            blocks += [
                nn.Conv1d(cin, cout, 7, padding=3),
                nn.BatchNorm1d(cout),
                nn.ReLU(),
                nn.MaxPool1d(2),
            ]
            cin = cout
        self.features = nn.Sequential(*blocks, nn.AdaptiveAvgPool1d(1), nn.Flatten())
        self.head = nn.Sequential(
            nn.Linear(cin + extra_features, 64),
            nn.ReLU(),
            nn.Dropout(0.2),
            nn.Linear(64, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        wave, extra = _split(x, self.extra_features)
        return self.head(torch.cat([self.features(wave), extra], dim=1))


class BeatRNN(nn.Module):
    """A bidirectional LSTM or GRU over the beat window, its last states joined with the extra features."""

    def __init__(
        self,
        num_classes: int,
        extra_features: int = 0,
        hidden: int = 32,
        cell: str = "gru",
        stride: int = 2,
    ) -> None:
        super().__init__()
        self.extra_features, self.stride = extra_features, stride
        self.rnn = _recurrent(cell)(1, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Sequential(
            nn.Linear(2 * hidden + extra_features, 64),
            nn.ReLU(),
            nn.Linear(64, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        wave, extra = _split(x, self.extra_features)
        # Every ``stride``-th sample: half the steps, the QRS shape survives at 90 Hz.
        sequence = wave[:, 0, :: self.stride].unsqueeze(-1)
        _, state = self.rnn(sequence)
        h = state[0] if isinstance(state, tuple) else state  # LSTM returns (h, c)
        return self.head(torch.cat([h[0], h[1], extra], dim=1))


def _recurrent(cell: str) -> type[nn.Module]:
    """``nn.LSTM`` or ``nn.GRU`` by name."""
    cells = {"lstm": nn.LSTM, "gru": nn.GRU}
    if cell not in cells:
        raise InputError(f"cell must be 'lstm' or 'gru', got {cell!r}")
    return cells[cell]


def _split(x: torch.Tensor, extra: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs are (N, 1, L + extra): the waveform, then the extra features in the last positions."""
    if x.ndim != 3 or x.shape[1] != 1:
        raise InputError(f"expected beats as (N, 1, length), got {tuple(x.shape)}")
    if extra:
        return x[:, :, :-extra], x[:, 0, -extra:]
    return x, x.new_zeros(len(x), 0)


class GlucoseForecaster(nn.Module):
    """LSTM or GRU over a history of (N, T, F) inputs; predicts the change in glucose at each horizon.

    Predicting the change from the last reading, not the level, makes
    "no change" (the persistence forecast) the network's starting point.
    """

    def __init__(
        self, inputs: int, horizons: int, hidden: int = 64, cell: str = "lstm"
    ) -> None:
        super().__init__()
        self.rnn = _recurrent(cell)(inputs, hidden, batch_first=True)
        self.head = nn.Linear(hidden, horizons)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 3:
            raise InputError(f"expected (N, time, features), got {tuple(x.shape)}")
        output, _ = self.rnn(x)
        return self.head(output[:, -1])
