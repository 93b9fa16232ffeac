"""Personalised glucose forecasts: a population network adapted to one patient's first day.

The population forecaster learns from many patients. ``personalise`` copies it and fine-tunes the
copy on one new patient's first hours, stopping on the last quarter of those hours (in time order,
so the stopping point never sees the future); the patient's later days are the test. The recipe
(learning rate, epochs, patience) is fixed here in advance, not tuned on anyone's later days.
``sham`` adapts to a *different* patient's first day: if that helps as much, the gain came from
more training steps on recent simulator data, not from the patient.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from ..core.errors import InputError
from ..core.tensors import TensorPairs
from ..core.train import TrainConfig, fit, predict
from ..datasets.glucose_sim import SAMPLE_MINUTES
from .glucose import CHANGE_SCALE_MG_DL, Windows, make_windows, to_glucose

ADAPT_LR = 5e-4  # a quarter of the population model's rate: nudge it, don't retrain it
ADAPT_EPOCHS = 20
ADAPT_PATIENCE = 3
STOP_SHARE = 0.25  # the last quarter of the adaptation hours decides when to stop


def split_by_time(cohort: pd.DataFrame, hours: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each patient's first ``hours`` (for adaptation) and the rest of the trace (for testing)."""
    if hours <= 0:
        raise InputError(f"hours must be positive, got {hours}")
    first, later = [], []
    for patient, trace in cohort.groupby("patient", sort=False):
        cut = int(round(hours * 60 / SAMPLE_MINUTES))
        if cut >= len(trace):
            raise InputError(f"patient {patient}: the trace lasts {len(trace) * SAMPLE_MINUTES / 60:.1f} h, "
                             f"not more than the {hours:g} h of adaptation")  # fmt: skip
        first.append(trace.iloc[:cut])
        later.append(trace.iloc[cut:])
    return pd.concat(first), pd.concat(later)


def _negative_rmse(targets: np.ndarray, outputs: np.ndarray) -> float:
    return -float(np.sqrt(np.mean((targets - outputs) ** 2)))


def personalise(model: nn.Module, first: Windows, patient: str, device: str = "auto", seed: int = 0) -> nn.Module:
    """A copy of ``model`` fine-tuned on ``patient``'s windows in ``first`` (its adaptation
    hours); the last ``STOP_SHARE`` of them, in time order, choose the epoch kept."""
    rows = np.flatnonzero(first.patient == patient)
    if len(rows) < 8:
        raise InputError(f"patient {patient}: {len(rows)} adaptation windows; need at least 8")
    cut = int(len(rows) * (1 - STOP_SHARE))
    inputs = torch.from_numpy(first.inputs[rows])
    change = torch.from_numpy(((first.future[rows] - first.last[rows, None]) / CHANGE_SCALE_MG_DL).astype(np.float32))
    adapted = copy.deepcopy(model)
    config = TrainConfig(epochs=ADAPT_EPOCHS, batch_size=64, lr=ADAPT_LR, patience=ADAPT_PATIENCE, device=device,
                         seed=seed, progress=False)  # fmt: skip
    fit(adapted, TensorPairs(inputs[:cut], change[:cut]), TensorPairs(inputs[cut:], change[cut:]), config,
        loss_fn=F.mse_loss, score_fn=_negative_rmse)  # fmt: skip
    return adapted.eval()


def personal_errors(model: nn.Module, cohort: pd.DataFrame, adapt_hours: float = 24, history_min: int = 120,
                    horizons_min: tuple[int, ...] = (30, 60), device: str = "auto", seed: int = 0) -> pd.DataFrame:  # fmt: skip
    """Per new patient, the 30-minute RMSE (mg/dL) on the hours after ``adapt_hours`` of four
    forecasts: persistence, the population ``model``, the model adapted to the patient's own first
    hours (``personalised``) and to the next patient's (``sham``). Also the test windows' count."""
    first_frame, later_frame = split_by_time(cohort, adapt_hours)
    first = make_windows(first_frame, history_min, horizons_min)
    later = make_windows(later_frame, history_min, horizons_min)
    patients = list(dict.fromkeys(cohort["patient"]))
    if len(patients) < 2:
        raise InputError("need at least two patients (the sham adapts to another patient's day)")
    adapted = {p: personalise(model, first, p, device, seed) for p in patients}
    rows = []
    for k, patient in enumerate(patients):
        mask = later.patient == patient
        truth = later.future[mask, 0]
        inputs = torch.from_numpy(later.inputs[mask])

        def rmse(net: nn.Module) -> float:
            forecast = to_glucose(later, mask, predict(net, inputs))[:, 0]
            return float(np.sqrt(np.mean((forecast - truth) ** 2)))

        rows.append({
            "patient": patient,
            "test windows": int(mask.sum()),
            "persistence": float(np.sqrt(np.mean((later.last[mask] - truth) ** 2))),
            "population": rmse(model),
            "personalised": rmse(adapted[patient]),
            "sham": rmse(adapted[patients[(k + 1) % len(patients)]]),
        })  # fmt: skip
    return pd.DataFrame(rows).set_index("patient")
