"""Scores with percentile bootstrap intervals, for any metric of (truth, prediction)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..core.errors import InputError


def bootstrap_ci(
    metric: Callable[[np.ndarray, np.ndarray], float], y_true, y_pred,
    n_boot: int = 1000, confidence: float = 0.95, seed: int = 0,
) -> tuple[float, float, float]:  # fmt: skip
    """``metric`` on the whole set, and the interval of its values over resampled cases.

    A resample with a single class is skipped (AUROC and AUPRC need both)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if len(y_true) != len(y_pred) or len(y_true) == 0:
        raise InputError(f"need equal, non-zero lengths; got {len(y_true)} and {len(y_pred)}")
    if not 0 < confidence < 1:
        raise InputError(f"confidence must be in (0, 1), got {confidence}")
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n_boot):
        index = rng.integers(0, len(y_true), len(y_true))
        if len(np.unique(y_true[index])) > 1:
            values.append(metric(y_true[index], y_pred[index]))
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(metric(y_true, y_pred)), float(low), float(high)


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))
