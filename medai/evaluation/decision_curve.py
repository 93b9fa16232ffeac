"""Would acting on the model do more good than harm? Decision-curve analysis (Vickers and Elkin 2006).

At a threshold probability t a clinician treats when the risk is above t, which says that missing
a case is (1 - t) / t times worse than treating someone who did not need it. The net benefit of a
strategy is its true positives minus its false positives weighted by t / (1 - t), per patient. A
model is useful at t when its net benefit beats both treating everyone and treating no one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.errors import InputError


def net_benefit(y_true, prob, thresholds) -> np.ndarray:
    """Net benefit of treating the patients whose ``prob`` is at or above each threshold."""
    y, p = np.asarray(y_true), np.asarray(prob, dtype=float)
    t = np.asarray(thresholds, dtype=float)
    if y.shape != p.shape or y.ndim != 1 or len(y) == 0:
        raise InputError(f"need two equal, non-empty 1-D arrays, got {y.shape} and {p.shape}")
    if not ((t > 0) & (t < 1)).all():
        raise InputError("threshold probabilities must lie strictly between 0 and 1")
    treated = p[None, :] >= t[:, None]
    tp = (treated & (y == 1)).sum(axis=1)
    fp = (treated & (y == 0)).sum(axis=1)
    return (tp - fp * t / (1 - t)) / len(y)


def decision_curve(y_true, models: dict[str, np.ndarray], thresholds=None) -> pd.DataFrame:
    """Net benefit per threshold for each model and for treating all and none (one column each)."""
    thresholds = np.arange(0.01, 1.0, 0.01) if thresholds is None else np.asarray(thresholds, dtype=float)
    y = np.asarray(y_true)
    table = {name: net_benefit(y, p, thresholds) for name, p in models.items()}
    table["treat all"] = net_benefit(y, np.ones(len(y)), thresholds)
    table["treat none"] = np.zeros(len(thresholds))
    return pd.DataFrame(table, index=pd.Index(np.round(thresholds, 4), name="threshold probability"))
