"""Do the predicted probabilities mean what they say? Brier score, and temperature scaling.

A network trained with cross-entropy often ranks cases well but is over- or under-confident.
Temperature scaling (Guo et al. 2017) divides the logits by one number T, fitted on validation
data by minimising the negative log-likelihood; it changes no ranking (AUROC stays the same) and
only how far probabilities sit from 0.5. Expected calibration error and reliability tables are in
``medai.core.metrics``.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import expit, log_softmax, softmax

from ..core.errors import InputError


def brier_score(y_true, prob) -> float:
    """Mean squared difference between the probability of class 1 and the outcome (0 is perfect)."""
    y, p = np.asarray(y_true, dtype=float), np.asarray(prob, dtype=float)
    if y.shape != p.shape or y.ndim != 1 or len(y) == 0:
        raise InputError(f"need two equal, non-empty 1-D arrays, got {y.shape} and {p.shape}")
    return float(np.mean((p - y) ** 2))


def _check_logits(logits, labels=None) -> tuple[np.ndarray, np.ndarray | None]:
    z = np.asarray(logits, dtype=float)
    if z.ndim != 2 or z.shape[1] < 2 or not np.isfinite(z).all():
        raise InputError(f"logits must be a finite (cases, classes >= 2) array, got shape {z.shape}")
    if labels is None:
        return z, None
    y = np.asarray(labels)
    if y.shape != (len(z),) or not np.isin(y, np.arange(z.shape[1])).all():
        raise InputError(f"labels must be {len(z)} class indices in 0..{z.shape[1] - 1}")
    return z, y.astype(int)


def fit_temperature(logits, labels, bounds: tuple[float, float] = (0.05, 20.0)) -> float:
    """The temperature T > 0 that minimises the negative log-likelihood of softmax(logits / T)."""
    z, y = _check_logits(logits, labels)

    def nll(log_t: float) -> float:
        return float(-log_softmax(z / np.exp(log_t), axis=1)[np.arange(len(y)), y].mean())

    result = minimize_scalar(nll, bounds=np.log(bounds), method="bounded")
    return float(np.exp(result.x))


def scaled_probabilities(logits, temperature: float = 1.0) -> np.ndarray:
    """Class probabilities softmax(logits / T), shape (cases, classes)."""
    z, _ = _check_logits(logits)
    if not temperature > 0:
        raise InputError(f"temperature must be positive, got {temperature}")
    return softmax(z / temperature, axis=1)


def calibration_line(y_true, prob, max_iter: int = 50) -> tuple[float, float]:
    """Calibration-in-the-large and calibration slope (Cox 1958; Van Calster et al. 2016): (0, 1) is calibrated.

    The slope b is fitted in logit P(y = 1) = c + b * logit(p): below 1, predictions are too extreme;
    above 1, too timid. The intercept a is fitted with the slope held at 1, logit P(y = 1) = a + logit(p):
    below 0, the model predicts more events than happen. Both by Newton's method; NaN where a group
    lacks one outcome or the fit does not converge (perfect separation).
    """
    y, p = np.asarray(y_true, dtype=float), np.asarray(prob, dtype=float)
    if y.shape != p.shape or y.ndim != 1 or len(y) == 0:
        raise InputError(f"need two equal, non-empty 1-D arrays, got {y.shape} and {p.shape}")
    if y.min() == y.max():
        return float("nan"), float("nan")
    z = np.log(np.clip(p, 1e-6, 1 - 1e-6)) - np.log1p(-np.clip(p, 1e-6, 1 - 1e-6))
    intercept = 0.0
    for _ in range(max_iter):
        mu = expit(intercept + z)
        step = (y - mu).sum() / max((mu * (1 - mu)).sum(), 1e-12)
        intercept += step
        if abs(step) < 1e-9:
            break
    design = np.column_stack([np.ones_like(z), z])
    beta = np.array([0.0, 1.0])
    for _ in range(max_iter):
        mu = expit(design @ beta)
        hessian = design.T @ (design * (mu * (1 - mu))[:, None])
        if np.linalg.cond(hessian) > 1e12:
            return float(intercept), float("nan")
        step = np.linalg.solve(hessian, design.T @ (y - mu))
        beta += step
        if np.abs(step).max() < 1e-9:
            return float(intercept), float(beta[1])
    return float(intercept), float("nan")
