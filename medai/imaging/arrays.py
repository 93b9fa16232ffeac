"""Image arrays as training data: standardised float tensors, checked once on the way in."""

from __future__ import annotations

import numpy as np
import torch

from ..core.checks import check_images
from ..core.tensors import TensorPairs


def to_float_tensor(
    images: np.ndarray | torch.Tensor, mean: float = 0.5, std: float = 0.5
) -> torch.Tensor:
    """(N, 1, H, W) float32, standardised: uint8 is scaled to [0, 1] first."""
    x = torch.as_tensor(images)
    if x.ndim == 3:
        x = x.unsqueeze(1)
    x = x.float().div(255.0) if x.dtype == torch.uint8 else x.float()
    return (x - mean) / std


def image_dataset(
    images: np.ndarray | torch.Tensor,
    labels: np.ndarray | torch.Tensor,
    *,
    num_classes: int,
    channels: int = 1,
    mean: float = 0.5,
    std: float = 0.5,
) -> TensorPairs:
    """Check ``images``/``labels`` and return them as a ``TensorPairs`` ready for ``medai.core.train.fit``."""
    check_images(images, labels, num_classes=num_classes, channels=channels)
    targets = torch.as_tensor(np.asarray(labels)).reshape(-1).long()
    return TensorPairs(to_float_tensor(images, mean, std), targets)
