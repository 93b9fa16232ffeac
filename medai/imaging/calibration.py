"""Temperature scaling (Guo et al. 2017): one number, fitted on validation logits, that softens or
sharpens every probability without changing the ranking (AUROC) or the arg-max."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax

from ..core.errors import InputError


def _check(logits, labels=None) -> tuple[np.ndarray, np.ndarray | None]:
    z = np.asarray(logits, dtype=float)
    if z.ndim != 2 or z.shape[1] < 2 or len(z) == 0:
        raise InputError(f"logits must be (N, classes) with at least 2 classes, got shape {z.shape}")
    if not np.isfinite(z).all():
        raise InputError("logits contain NaN or infinite values")
    if labels is None:
        return z, None
    y = np.asarray(labels).ravel()
    if len(y) != len(z):
        raise InputError(f"{len(z)} logits but {len(y)} labels")
    if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= z.shape[1]:
        raise InputError(f"labels must be class numbers 0..{z.shape[1] - 1}")
    return z, y


def fit_temperature(logits, labels) -> float:
    """The temperature T > 0 that minimises the negative log-likelihood of ``softmax(logits / T)``."""
    z, y = _check(logits, labels)

    def nll(log_t: float) -> float:
        return float(-log_softmax(z / np.exp(log_t), axis=1)[np.arange(len(y)), y].mean())

    # T between 1/20 and 20: wide enough for any network met in this book, and always finite.
    best = minimize_scalar(nll, bounds=(-np.log(20), np.log(20)), method="bounded")
    return float(np.exp(best.x))


def scaled_probabilities(logits, temperature: float) -> np.ndarray:
    """``softmax(logits / temperature)``; for two classes, the probability of class 1."""
    z, _ = _check(logits)
    if not (np.isfinite(temperature) and temperature > 0):
        raise InputError(f"temperature must be a positive number, got {temperature!r}")
    p = softmax(z / temperature, axis=1)
    return p[:, 1] if p.shape[1] == 2 else p
