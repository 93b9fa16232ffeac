"""Acquisition changes of increasing strength, and the augmentation that trains for them.

A different scanner, dose or patient position changes the image, not the diagnosis. ``corrupt``
applies one of four changes at severity 0 (none) to 5 on images scaled to [0, 1]. Severities 1-2
are inside the range ``AcquisitionAugment`` trains with; 3-5 are beyond it, so the curves also
show what augmentation does for changes it never saw.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
import torchvision.transforms.functional as TF

from ..core.errors import InputError
from ..core.metrics import auroc
from ..imaging.augment import RandomAffine

# Severity 0 to 5: Gaussian blur sigma (pixels), noise standard deviation, contrast factor, rotation (degrees).
SEVERITIES = {
    "blur": (0.0, 0.5, 0.8, 1.2, 1.6, 2.2),
    "noise": (0.0, 0.04, 0.08, 0.14, 0.2, 0.3),
    "contrast": (1.0, 0.8, 0.6, 0.4, 0.3, 0.2),
    "rotation": (0.0, 5.0, 10.0, 20.0, 30.0, 45.0),
}


def corrupt(images: torch.Tensor, kind: str, severity: int, seed: int = 0) -> torch.Tensor:
    """``images`` (N, 1, H, W) in [0, 1] changed by ``kind`` at ``severity`` (0-5); stays in [0, 1]."""
    if kind not in SEVERITIES:
        raise InputError(f"kind must be one of {tuple(SEVERITIES)}, got {kind!r}")
    if severity not in range(len(SEVERITIES[kind])):
        raise InputError(f"severity must be 0-{len(SEVERITIES[kind]) - 1}, got {severity!r}")
    if images.ndim != 4 or images.min() < 0 or images.max() > 1:
        raise InputError("expected a batch (N, C, H, W) scaled to [0, 1]")
    level = SEVERITIES[kind][severity]
    if severity == 0:
        return images.clone()
    if kind == "blur":
        radius = int(np.ceil(3 * level))
        out = TF.gaussian_blur(images, kernel_size=2 * radius + 1, sigma=level)
    elif kind == "noise":
        noise = torch.randn(images.shape, generator=torch.Generator().manual_seed(seed))
        out = images + level * noise.to(images.device)
    elif kind == "contrast":
        mean = images.mean(dim=(1, 2, 3), keepdim=True)
        out = mean + level * (images - mean)
    else:  # rotation, alternating direction; border padding as in the imaging chapter's augmentation
        angle = torch.full((len(images),), level * np.pi / 180)
        angle[1::2] *= -1
        cos, sin, zero = torch.cos(angle), torch.sin(angle), torch.zeros(len(images))
        theta = torch.stack([torch.stack([cos, -sin, zero], 1), torch.stack([sin, cos, zero], 1)], 1)
        grid = F.affine_grid(theta.to(images), list(images.shape), align_corners=False)
        out = F.grid_sample(images, grid, padding_mode="border", align_corners=False)
    return out.clamp(0, 1)


class AcquisitionAugment:
    """Training-time augmentation for standardised batches (mean 0.5, std 0.5): each image gets a random
    blur (sigma up to 0.8), noise (std up to 0.08), contrast (0.6-1) and the imaging chapter's affine
    jitter (rotations up to 10 degrees): severities 0-2 of ``corrupt``."""

    def __init__(self, seed: int = 0) -> None:
        self.generator = torch.Generator().manual_seed(seed)
        self.affine = RandomAffine(degrees=10.0, generator=self.generator)

    def _uniform(self, n: int, low: float, high: float) -> torch.Tensor:
        return torch.rand(n, 1, 1, 1, generator=self.generator) * (high - low) + low

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        n, device = len(x), x.device
        images = (x * 0.5 + 0.5).clamp(0, 1)
        sigma = float(self._uniform(1, 0.1, 0.8))  # one blur per batch: gaussian_blur takes one sigma
        blurred = TF.gaussian_blur(images, kernel_size=5, sigma=sigma)
        pick = (torch.rand(n, 1, 1, 1, generator=self.generator) < 0.5).to(device)
        images = torch.where(pick, blurred, images)
        mean = images.mean(dim=(1, 2, 3), keepdim=True)
        images = mean + self._uniform(n, 0.6, 1.0).to(device) * (images - mean)
        noise = torch.randn(images.shape, generator=self.generator).to(device)
        images = (images + self._uniform(n, 0.0, 0.08).to(device) * noise).clamp(0, 1)
        return self.affine((images - 0.5) / 0.5)


def corruption_curves(predict_probability, images: torch.Tensor, labels: np.ndarray, threshold: float,
                      seed: int = 0) -> pd.DataFrame:  # fmt: skip
    """AUROC and accuracy for every kind and severity. ``predict_probability`` maps [0, 1] images to
    the probability of class 1; ``threshold`` (chosen on clean validation data) turns it into a decision."""
    labels = np.asarray(labels).ravel()
    rows = []
    for kind, levels in SEVERITIES.items():
        for severity, level in enumerate(levels):
            p = predict_probability(corrupt(images, kind, severity, seed))
            rows.append({"corruption": kind, "severity": severity, "strength": level, "AUROC": auroc(labels, p),
                         "accuracy": float(((p >= threshold) == labels).mean())})  # fmt: skip
    return pd.DataFrame(rows)
