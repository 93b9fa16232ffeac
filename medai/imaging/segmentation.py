"""Per-pixel losses and scores: binary cross-entropy per pixel, soft Dice, and their sum."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ..core.errors import InputError
from ..core.metrics import dice


def soft_dice_loss(
    logits: torch.Tensor, target: torch.Tensor, eps: float = 1.0
) -> torch.Tensor:
    """1 - soft Dice per image, averaged; ``eps`` keeps images without foreground finite."""
    p = torch.sigmoid(logits.float()).flatten(1)
    t = target.float().flatten(1)
    overlap = (p * t).sum(1)
    return (1 - (2 * overlap + eps) / (p.sum(1) + t.sum(1) + eps)).mean()


def bce_dice_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Per-pixel BCE (the source's f(X) in {0,1}^N loss, averaged over pixels) plus soft Dice.

    BCE alone is dominated by the many background pixels; Dice rewards overlap on
    the few foreground ones.
    """
    if logits.shape != target.shape:
        raise InputError(
            f"logits {tuple(logits.shape)} and masks {tuple(target.shape)} differ in shape"
        )
    bce = F.binary_cross_entropy_with_logits(logits.float(), target.float())
    return bce + soft_dice_loss(logits, target)


def dice_score(masks: np.ndarray, logits: np.ndarray) -> float:
    """Pooled Dice of ``logits > 0`` (probability > 0.5) against the true masks (a ``fit`` score)."""
    return dice((logits > 0).astype(np.uint8), masks.astype(np.uint8))
