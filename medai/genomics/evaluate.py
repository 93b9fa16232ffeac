"""Accuracy as a function of (truth, prediction), the form ``medai.core.metrics.bootstrap_ci`` takes."""

from __future__ import annotations

import numpy as np


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))
