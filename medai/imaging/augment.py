"""Batch-wise image augmentation on tensors, run on whatever device the batch is on.

Each image of the batch gets its own random rotation, scale and shift in one
``affine_grid``/``grid_sample`` call. No flips: a chest X-ray has a left and a
right (the heart), and a mirrored film is not a plausible patient.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ..core.errors import InputError


class RandomAffine:
    """Callable ``x -> x'`` for (N, C, H, W) float batches; identity in shape and dtype."""

    def __init__(
        self,
        degrees: float = 10.0,
        translate: float = 0.08,
        scale: tuple[float, float] = (0.92, 1.08),
        generator: torch.Generator | None = None,
    ) -> None:
        if degrees < 0 or not 0 <= translate < 1 or not 0 < scale[0] <= scale[1]:
            raise InputError(
                f"need degrees >= 0, 0 <= translate < 1, 0 < scale[0] <= scale[1]; "
                f"got {degrees}, {translate}, {scale}"
            )
        self.degrees, self.translate, self.scale = degrees, translate, scale
        self.generator = generator

    def _uniform(self, n: int, low: float, high: float) -> torch.Tensor:
        return torch.rand(n, generator=self.generator) * (high - low) + low

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4:
            raise InputError(f"expected a batch (N, C, H, W), got {tuple(x.shape)}")
        n = x.shape[0]
        # Random numbers come from the CPU generator so that runs are identical on any device.
        angle = self._uniform(n, -self.degrees, self.degrees) * math.pi / 180
        zoom = self._uniform(n, *self.scale)
        shift = self._uniform(2 * n, -self.translate, self.translate).view(n, 2) * 2
        cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
        theta = torch.stack(
            [
                torch.stack([cos, -sin, shift[:, 0]], 1),
                torch.stack([sin, cos, shift[:, 1]], 1),
            ],
            dim=1,
        ).to(device=x.device, dtype=x.dtype)
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        # Border padding repeats edge pixels instead of inventing black corners.
        return F.grid_sample(x, grid, padding_mode="border", align_corners=False)
