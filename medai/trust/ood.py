"""Does the model notice an image it was never trained for? Out-of-distribution scores and test sets.

Three scores from the classifier, each higher for a more unusual image: one minus the maximum
softmax probability (Hendrycks and Gimpel 2017), the negative energy -logsumexp(logits) (Liu et al.
2020), and the Mahalanobis distance of the penultimate features to the nearest class mean under a
shared covariance (Lee et al. 2018). The out-of-distribution sets are real images of other kinds
(scikit-learn's handwritten digits and photographs), X-rays presented wrongly (inverted, rotated),
and uniform noise, which is synthetic and called so.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits, load_sample_images
from torch import nn

from ..core.errors import InputError


def features_and_logits(model: nn.Module, images: torch.Tensor, batch_size: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """The input of the model's last linear layer (its penultimate features) and its logits."""
    last = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not last:
        raise InputError("the model has no linear output layer")
    captured = []
    hook = last[-1].register_forward_hook(lambda module, inputs, output: captured.append(inputs[0].detach()))
    model.eval()
    logits = []
    try:
        with torch.no_grad():
            for start in range(0, len(images), batch_size):
                logits.append(model(images[start : start + batch_size]))
    finally:
        hook.remove()
    return torch.cat(captured).flatten(1).numpy(), torch.cat(logits).numpy()


def max_softmax_score(logits: np.ndarray) -> np.ndarray:
    """1 - the largest softmax probability."""
    return 1 - torch.softmax(torch.as_tensor(logits), dim=1).max(dim=1).values.numpy()


def energy_score(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """The free energy -T logsumexp(logits / T): higher when no class fits."""
    return -temperature * torch.logsumexp(torch.as_tensor(logits) / temperature, dim=1).numpy()


class Mahalanobis:
    """Class means and one shared covariance of training features; ``score`` is the squared distance
    to the nearest class mean."""

    def fit(self, features: np.ndarray, labels: np.ndarray, ridge: float = 1e-3) -> Mahalanobis:
        features, labels = np.asarray(features, dtype=np.float64), np.asarray(labels).ravel()
        if len(features) != len(labels) or len(np.unique(labels)) < 2:
            raise InputError("need one label per feature row and at least two classes")
        self.means = np.stack([features[labels == c].mean(axis=0) for c in np.unique(labels)])
        centred = features - self.means[np.searchsorted(np.unique(labels), labels)]
        covariance = centred.T @ centred / len(features)
        # A ridge keeps the inverse finite: ReLU features have dimensions that are always zero.
        covariance += ridge * np.trace(covariance) / len(covariance) * np.eye(len(covariance))
        self.precision = np.linalg.inv(covariance)
        return self

    def score(self, features: np.ndarray) -> np.ndarray:
        diff = np.asarray(features, dtype=np.float64)[:, None, :] - self.means[None]
        return np.einsum("ncd,de,nce->nc", diff, self.precision, diff).min(axis=1)


def _resize(images: np.ndarray, size: int) -> np.ndarray:
    x = torch.as_tensor(images, dtype=torch.float32)[:, None]
    return F.interpolate(x, size=(size, size), mode="bilinear", antialias=True, align_corners=False)[:, 0].numpy()


def _to_uint8(images: np.ndarray) -> np.ndarray:
    return np.clip(np.round(images), 0, 255).astype(np.uint8)


def photo_crops(n: int, size: int = 28, seed: int = 0) -> np.ndarray:
    """``n`` grey square crops (60-300 pixels wide) of scikit-learn's two sample photographs, resized."""
    rng = np.random.default_rng(seed)
    photos = [image.mean(axis=2) for image in load_sample_images().images]
    crops = []
    for _ in range(n):
        photo = photos[rng.integers(len(photos))]
        side = int(rng.integers(60, min(photo.shape) + 1 if min(photo.shape) < 300 else 301))
        top, left = rng.integers(0, photo.shape[0] - side + 1), rng.integers(0, photo.shape[1] - side + 1)
        crops.append(_resize(photo[None, top : top + side, left : left + side], size)[0])
    return _to_uint8(np.stack(crops))


def out_of_distribution_sets(xrays: np.ndarray, n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """uint8 image sets of the X-rays' size, ``n`` images each (fewer X-rays if fewer are given)."""
    xrays = np.asarray(xrays)
    if xrays.ndim != 3 or xrays.dtype != np.uint8 or xrays.shape[1] != xrays.shape[2]:
        raise InputError(f"expected square uint8 X-rays (N, H, W), got {xrays.shape} {xrays.dtype}")
    size, rng = xrays.shape[1], np.random.default_rng(seed)
    digits = load_digits().images  # 8 x 8, values 0-16, ink bright on black
    pick = rng.choice(len(digits), size=min(n, len(digits)), replace=False)
    chosen = xrays[rng.choice(len(xrays), size=min(n, len(xrays)), replace=False)]
    return {
        "handwritten digits": _to_uint8(_resize(digits[pick] * (255 / 16), size)),
        "photographs": photo_crops(n, size, seed),
        "uniform noise (synthetic)": rng.integers(0, 256, size=(n, size, size), dtype=np.uint8),
        "inverted X-rays": 255 - chosen,
        "X-rays upside down": chosen[:, ::-1, ::-1].copy(),
        "X-rays turned 90 degrees": np.rot90(chosen, k=1, axes=(1, 2)).copy(),
    }
