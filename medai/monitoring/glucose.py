"""Glucose forecasting on SIMULATED patients (``medai.datasets.make_glucose_cohort``).

This module cuts the traces into (history, future) windows, splits patients,
scales the targets for a network, and provides the two baselines every forecast
must beat. ``glucose_alerts`` scores forecasts clinically.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from ..core.errors import InputError, InputKeyError
from ..core.tensors import TensorPairs
from ..datasets.glucose_sim import SAMPLE_MINUTES

# --- windows and baselines -----------------------------------------------------------


@dataclass(frozen=True)
class Windows:
    """``inputs`` (N, history, 3): CGM/100, insulin (U/min), carbohydrates (g/min/10);
    ``last`` the last CGM reading; ``future`` (N, horizons) the CGM at each horizon; ``patient``."""

    inputs: np.ndarray
    last: np.ndarray
    future: np.ndarray
    patient: np.ndarray
    horizons_min: tuple[int, ...]


def make_windows(
    cohort: pd.DataFrame,
    history_min: int = 120,
    horizons_min: tuple[int, ...] = (30, 60),
    stride: int = 1,
) -> Windows:
    """Slide over each patient's trace: ``history_min`` of inputs, then the CGM ``horizons_min`` later."""
    for name in ("patient", "CGM", "insulin", "CHO"):
        if name not in cohort:
            raise InputKeyError(f"the cohort table has no {name!r} column")
    steps = [h // SAMPLE_MINUTES for h in horizons_min]
    if any(h % SAMPLE_MINUTES for h in horizons_min) or history_min % SAMPLE_MINUTES:
        raise InputError(
            f"history and horizons must be multiples of {SAMPLE_MINUTES} minutes"
        )
    length = history_min // SAMPLE_MINUTES
    parts = []
    for patient, trace in cohort.groupby("patient", sort=False):
        if trace[["CGM", "insulin", "CHO"]].isna().any().any():
            raise InputError(f"patient {patient}: missing values in the trace")
        features = np.stack(
            [
                trace["CGM"].to_numpy() / 100,
                trace["insulin"].to_numpy(),
                trace["CHO"].to_numpy() / 10,
            ],
            axis=1,
        ).astype(np.float32)
        cgm = trace["CGM"].to_numpy(np.float32)
        ends = np.arange(length, len(trace) - max(steps) + 1, stride)
        if len(ends) == 0:
            continue
        idx = ends[:, None] - length + np.arange(length)[None, :]
        future = np.stack([cgm[ends - 1 + s] for s in steps], axis=1)
        parts.append(
            (features[idx], cgm[ends - 1], future, np.full(len(ends), patient))
        )
    if not parts:
        raise InputError(
            "no trace is long enough for one window of history and horizon"
        )
    inputs, last, future, patient = (np.concatenate(p) for p in zip(*parts))
    return Windows(inputs, last, future, patient, tuple(horizons_min))


def persistence_forecast(w: Windows) -> np.ndarray:
    """Tomorrow looks like today: the last reading, at every horizon."""
    return np.repeat(w.last[:, None], len(w.horizons_min), axis=1)


def linear_forecast(w: Windows, fit_min: int = 30) -> np.ndarray:
    """Extend the straight line fitted (least squares) to the last ``fit_min`` minutes of CGM."""
    n = fit_min // SAMPLE_MINUTES
    y = w.inputs[:, -n:, 0] * 100
    t = np.arange(n) * SAMPLE_MINUTES
    slope = ((t - t.mean()) * (y - y.mean(axis=1, keepdims=True))).sum(axis=1) / (
        (t - t.mean()) ** 2
    ).sum()
    level = y.mean(axis=1) + slope * (t[-1] - t.mean())
    return level[:, None] + slope[:, None] * np.asarray(w.horizons_min)[None, :]


def regression_errors(truth: np.ndarray, forecast: np.ndarray) -> dict[str, float]:
    """RMSE and MAE in mg/dL."""
    error = np.asarray(forecast, dtype=float) - np.asarray(truth, dtype=float)
    return {
        "RMSE": float(np.sqrt(np.mean(error**2))),
        "MAE": float(np.mean(np.abs(error))),
    }


def split_patients(
    patients, val_per_group: int = 1, test_per_group: int = 1
) -> dict[str, list[str]]:
    """Split patients into train/val/test so that each age group is on every side.

    The last ``test_per_group`` patients of each group (adolescent, adult, child)
    are tested, the ``val_per_group`` before them validate, the rest train.
    """
    split = {"train": [], "val": [], "test": []}
    groups: dict[str, list[str]] = {}
    for p in patients:
        groups.setdefault(p.split("#")[0], []).append(p)
    for group, members in groups.items():
        if len(members) < val_per_group + test_per_group + 1:
            raise InputError(
                f"group {group!r} has {len(members)} patients; need at least {val_per_group + test_per_group + 1}"
            )
        cut_test = len(members) - test_per_group
        cut_val = cut_test - val_per_group
        split["train"] += members[:cut_val]
        split["val"] += members[cut_val:cut_test]
        split["test"] += members[cut_test:]
    return split


# Networks learn the change from the last reading, divided by this, so targets are about unit size.
CHANGE_SCALE_MG_DL = 50


def patient_mask(w: Windows, patients) -> np.ndarray:
    """Which windows belong to ``patients`` (boolean, one per window)."""
    return np.isin(w.patient, list(patients))


def forecast_dataset(w: Windows, patients) -> TensorPairs:
    """The windows of ``patients`` as network inputs and scaled change targets (see ``CHANGE_SCALE_MG_DL``)."""
    mask = patient_mask(w, patients)
    change = (w.future[mask] - w.last[mask, None]) / CHANGE_SCALE_MG_DL
    return TensorPairs(
        torch.from_numpy(w.inputs[mask]), torch.from_numpy(change.astype(np.float32))
    )


def to_glucose(w: Windows, mask: np.ndarray, change: np.ndarray) -> np.ndarray:
    """Undo the scaling of ``forecast_dataset``: predicted changes back to glucose in mg/dL."""
    return w.last[mask, None] + CHANGE_SCALE_MG_DL * change
