"""A SYNTHETIC chest phantom with lung nodules, for per-pixel prediction when no real masks exist.

No segmentation data set with masks is available offline to this book, so the
segmentation section trains on these generated images and says so. They are
not X-rays: a bright body ellipse, two darker lungs, a spine, ribs as faint
arcs, and 0-3 round nodules inside the lungs, blurred and with noise. The mask
marks nodule pixels. Everything is drawn from one seeded generator.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter


def _ellipse(yy, xx, cy, cx, ry, rx) -> np.ndarray:
    return ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1.0


def chest_phantom(
    n: int, size: int = 64, seed: int = 0, max_nodules: int = 3, noise: float = 0.06
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` synthetic images (float32 in [0, 1], shape (n, 1, size, size)) and nodule masks (uint8).

    Nodule radii are 3-8 % of the image side; about one image in five has none.
    """
    if n < 1 or size < 16:
        raise ValueError(f"need n >= 1 and size >= 16, got n={n}, size={size}")
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] / size
    images = np.empty((n, 1, size, size), np.float32)
    masks = np.zeros((n, 1, size, size), np.uint8)
    for i in range(n):
        img = np.zeros((size, size))
        img[_ellipse(yy, xx, 0.52, 0.5, 0.44, 0.46 + rng.uniform(-0.03, 0.03))] = 0.75
        lungs = []
        for side in (-1, 1):
            lung = _ellipse(
                yy, xx,
                0.48 + rng.uniform(-0.03, 0.03), 0.5 + side * 0.2,
                0.3 + rng.uniform(-0.03, 0.03), 0.13 + rng.uniform(-0.02, 0.02),
            )  # fmt: skip
            img[lung] = 0.25
            lungs.append(lung)
        img[np.abs(xx - 0.5) < 0.035] = 0.85  # spine
        for rib in np.linspace(0.25, 0.75, 6):
            arc = np.abs(yy - rib - 0.15 * (xx - 0.5) ** 2 * 4) < 0.012
            img[arc & (lungs[0] | lungs[1])] += 0.12
        lung_pixels = np.argwhere(lungs[0] | lungs[1])
        for _ in range(rng.choice(max_nodules + 1, p=_nodule_count_probs(max_nodules))):
            cy, cx = lung_pixels[rng.integers(len(lung_pixels))] / size
            r = rng.uniform(0.03, 0.08)
            nodule = _ellipse(yy, xx, cy, cx, r, r * rng.uniform(0.8, 1.2))
            img[nodule] = 0.7 + rng.uniform(-0.1, 0.1)
            masks[i, 0][nodule] = 1
        img = gaussian_filter(img, sigma=0.8) + rng.normal(0, noise, img.shape)
        images[i, 0] = np.clip(img, 0, 1)
    return images, masks


def _nodule_count_probs(max_nodules: int) -> np.ndarray:
    weights = np.array([1.0] + [4.0 / max_nodules] * max_nodules)
    return weights / weights.sum()
