"""The book's recipe for a 28 x 28 image classifier, written once.

``fit`` with Adam at 1e-3 on batches of 128, random affine augmentation on the device, the weights of the
epoch with the best validation AUROC kept, stopping after ``patience`` epochs without a better one.
Chapters 3 and 8 and ``python -m medai serve`` train their networks with it.
"""

from __future__ import annotations

from pathlib import Path

from torch import nn

from ..core.tensors import TensorPairs
from ..core.train import FitResult, TrainConfig, fit
from .augment import RandomAffine

BATCH_SIZE = 128
LEARNING_RATE = 1e-3


def train_image_classifier(
    model: nn.Module, train: TensorPairs, val: TensorPairs, *, epochs: int, patience: int | None = 5,
    device: str = "auto", seed: int = 0, log_dir: str | Path | None = None, progress: bool = True,
) -> FitResult:  # fmt: skip
    """Train ``model`` in place on ``train``, choosing its epoch on ``val``; return what ``fit`` measured."""
    config = TrainConfig(
        epochs=epochs, batch_size=BATCH_SIZE, lr=LEARNING_RATE, patience=patience,
        device=device, seed=seed, log_dir=log_dir, progress=progress,
    )  # fmt: skip
    return fit(model, train, val, config, augment=RandomAffine())
