"""How triage did on an evaluation set: sensitivity per route with exact intervals, and false alarms."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from ..core.errors import InputError


def exact_interval(hits: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Clopper-Pearson interval for a proportion ``hits / n`` (nan, nan when n is 0)."""
    if n == 0:
        return float("nan"), float("nan")
    interval = binomtest(int(hits), int(n)).proportion_ci(confidence_level=confidence, method="exact")
    return float(interval.low), float(interval.high)


def escalation_table(frame: pd.DataFrame, predicted, by: str = "route") -> pd.DataFrame:
    """For each value of ``frame[by]``: messages, how many were escalated (crisis or emergency) or
    sent to urgent care, and the share escalated with its exact 95% interval."""
    predicted = np.asarray(predicted)
    if len(predicted) != len(frame):
        raise InputError(f"{len(predicted)} predicted routes for {len(frame)} messages")
    rows = []
    for value, index in frame.groupby(by).indices.items():
        escalated = int(np.isin(predicted[index], ["crisis", "emergency"]).sum())
        low, high = exact_interval(escalated, len(index))
        rows.append({by: value, "messages": len(index), "escalated": escalated,
                     "urgent": int((predicted[index] == "urgent").sum()),
                     "share escalated": escalated / len(index), "95% CI low": low, "95% CI high": high})  # fmt: skip
    return pd.DataFrame(rows).set_index(by)
