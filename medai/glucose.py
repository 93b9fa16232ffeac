"""Glucose forecasting on simulated type-1 diabetes patients (simglucose, the UVA/Padova simulator).

The traces are SIMULATED: virtual patients of the simulator eat random meals and
dose insulin with a basal-bolus controller that, like real patients, misjudges
the carbohydrates of each meal. This module runs the cohort, cuts the traces
into (history, future) windows, provides the two baselines every forecast
must beat, and scores forecasts clinically (Clarke error grid, hypoglycaemia
alerts).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

import numpy as np
import pandas as pd

SAMPLE_MINUTES = 3  # the simulator's Dexcom CGM reports every 3 minutes
PATIENTS = tuple(
    f"{group}#{k:03d}"
    for group in ("adolescent", "adult", "child")
    for k in range(1, 11)
)
HYPO_MG_DL = 70.0


def _simglucose() -> SimpleNamespace:
    """The simulator's classes, imported on first use (simglucose is slow to import and noisy)."""
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore"
        )  # simglucose imports the deprecated pkg_resources and gym
        from simglucose.actuator.pump import InsulinPump
        from simglucose.controller.basal_bolus_ctrller import BBController
        from simglucose.patient.t1dpatient import T1DPatient
        from simglucose.sensor.cgm import CGMSensor
        from simglucose.simulation.env import T1DSimEnv
        from simglucose.simulation.scenario_gen import RandomScenario
        from simglucose.simulation.sim_engine import SimObj
    logging.getLogger("simglucose").setLevel(logging.WARNING)
    return SimpleNamespace(
        InsulinPump=InsulinPump, BBController=BBController, T1DPatient=T1DPatient, CGMSensor=CGMSensor,
        T1DSimEnv=T1DSimEnv, RandomScenario=RandomScenario, SimObj=SimObj,
    )  # fmt: skip


def simulate_patient(
    patient: str, days: float, seed: int, carb_error: float = 0.3
) -> pd.DataFrame:
    """One virtual patient for ``days`` days: CGM, true blood glucose, carbohydrates and insulin.

    ``carb_error`` is the spread (log scale) of the patient's carbohydrate
    estimate for each meal: 0.3 means a typical misjudgement of about 30%.
    """
    if patient not in PATIENTS:
        raise ValueError(
            f"unknown virtual patient {patient!r}; choose from {PATIENTS[0]} ... {PATIENTS[-1]}"
        )
    if days <= 0:
        raise ValueError(f"days must be positive, got {days}")
    sg = _simglucose()

    class CarbCountingController(sg.BBController):
        """Basal-bolus dosing with a misjudged carbohydrate count per meal."""

        def __init__(self, rng: np.random.Generator) -> None:
            super().__init__()
            self.rng, self.factor, self.eating = rng, 1.0, False

        def policy(self, observation, reward, done, **info):
            meal = info.get("meal", 0.0)
            if meal > 0 and not self.eating:
                self.factor = float(np.exp(self.rng.normal(0.0, carb_error)))
            self.eating = meal > 0
            info["meal"] = meal * self.factor
            return super().policy(observation, reward, done, **info)

    start = datetime(2026, 1, 1)
    env = sg.T1DSimEnv(
        sg.T1DPatient.withName(patient),
        sg.CGMSensor.withName("Dexcom", seed=seed),
        sg.InsulinPump.withName("Insulet"),
        sg.RandomScenario(start_time=start, seed=seed),
    )
    controller = CarbCountingController(np.random.default_rng(seed))
    run = sg.SimObj(
        env, controller, timedelta(days=days), animate=False, path=os.devnull
    )
    with contextlib.redirect_stdout(io.StringIO()):  # the simulator prints its progress
        run.simulate()
    frame = run.results()[["CGM", "BG", "CHO", "insulin"]].iloc[:-1].copy()
    frame.insert(0, "patient", patient)
    frame.index.name = "time"
    return frame


def simulate_cohort(
    patients, days: float, seed: int = 0, workers: int | None = None
) -> pd.DataFrame:
    """``simulate_patient`` for each patient (its own seed), in parallel processes."""
    patients = list(patients)
    if not patients:
        raise ValueError("no patients given")
    seeds = [seed * 1000 + PATIENTS.index(p) for p in patients]
    workers = workers or min(len(patients), os.cpu_count() or 1)
    if workers == 1:
        parts = [simulate_patient(p, days, s) for p, s in zip(patients, seeds)]
    else:
        with ProcessPoolExecutor(workers) as pool:
            parts = list(
                pool.map(simulate_patient, patients, [days] * len(patients), seeds)
            )
    return pd.concat(parts)


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
            raise KeyError(f"the cohort table has no {name!r} column")
    steps = [h // SAMPLE_MINUTES for h in horizons_min]
    if any(h % SAMPLE_MINUTES for h in horizons_min) or history_min % SAMPLE_MINUTES:
        raise ValueError(
            f"history and horizons must be multiples of {SAMPLE_MINUTES} minutes"
        )
    length = history_min // SAMPLE_MINUTES
    parts = []
    for patient, trace in cohort.groupby("patient", sort=False):
        if trace[["CGM", "insulin", "CHO"]].isna().any().any():
            raise ValueError(f"patient {patient}: missing values in the trace")
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
        raise ValueError(
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


# --- clinical scores ----------------------------------------------------------------------


def clarke_zones(reference, prediction) -> np.ndarray:
    """Clarke error grid zone (A-E) of each (reference, prediction) pair in mg/dL (Clarke et al. 1987).

    A: within 20% of the reference, or both below 70. B: off by more, but benign.
    C: would cause an unnecessary correction. D: a dangerous failure to detect
    hypo- or hyperglycaemia. E: would treat the opposite condition.
    """
    r, p = np.asarray(reference, dtype=float), np.asarray(prediction, dtype=float)
    if r.shape != p.shape:
        raise ValueError(f"shapes differ: {r.shape} vs {p.shape}")
    zone = np.full(r.shape, "B", dtype="<U1")
    d = (
        ((r >= 240) & (p >= 70) & (p <= 180))
        | ((r <= 175 / 3) & (p >= 70) & (p <= 180))
        | ((r >= 175 / 3) & (r <= 70) & (p >= 1.2 * r))
    )
    c = ((r >= 70) & (r <= 290) & (p >= r + 110)) | (
        (r >= 130) & (r <= 180) & (p <= 7 / 5 * r - 182)
    )
    e = ((r >= 180) & (p <= 70)) | ((r <= 70) & (p >= 180))
    a = ((r <= 70) & (p <= 70)) | ((p >= 0.8 * r) & (p <= 1.2 * r))
    # Later assignments take precedence: A, then E, C, D, as in the grid's definition order.
    for mask, name in ((d, "D"), (c, "C"), (e, "E"), (a, "A")):
        zone[mask] = name
    return zone


def zone_shares(reference, prediction) -> pd.Series:
    """Share of pairs in each Clarke zone, A to E."""
    zones = pd.Series(clarke_zones(reference, prediction))
    return zones.value_counts(normalize=True).reindex(list("ABCDE"), fill_value=0.0)


def hypo_alerts(
    times_min: np.ndarray,
    forecast: np.ndarray,
    actual: np.ndarray,
    horizon_min: int,
    threshold: float = HYPO_MG_DL,
    min_lead_min: int = 10,
    alarm_below: float | None = None,
) -> dict[str, float]:
    """Score a 'low glucose ahead' alarm raised when the forecast for ``horizon_min`` ahead is below ``threshold``.

    One trace, one row per sample time (``times_min``); ``forecast`` and
    ``actual`` are the glucose at time + horizon. An *event* is the start of a run
    of actual values below the threshold after at least ``horizon_min`` minutes
    above it (a brief recovery does not start a new event). It counts as caught only if an alarm was
    raised between ``horizon_min`` and ``min_lead_min`` minutes before it: an
    alarm at the moment glucose is already low warns nobody (this is what keeps
    the persistence forecast from scoring perfectly). A *false alarm* is the start
    of a run of alarms after which glucose does not go below the threshold within
    ``horizon_min``. ``alarm_below`` (default: ``threshold``) sets the forecast
    level that raises the alarm; a higher level trades false alarms for earlier
    warnings.
    """
    if not 0 <= min_lead_min <= horizon_min:
        raise ValueError(
            f"need 0 <= min_lead_min <= horizon_min, got {min_lead_min} and {horizon_min}"
        )
    t = np.asarray(times_min, dtype=float)
    alarm = np.asarray(forecast) < (threshold if alarm_below is None else alarm_below)
    low = np.asarray(actual) < threshold
    low_times = (t + horizon_min)[low]  # real times with a low reading
    onset = low.copy()
    for lag in range(1, int(horizon_min // SAMPLE_MINUTES) + 1):
        # No low reading in the horizon before: a new event, not the same one resumed.
        onset &= ~np.concatenate([np.zeros(lag, dtype=bool), low[:-lag]])
    event_times = (t + horizon_min)[onset]
    alarm_times = t[alarm & ~np.concatenate([[False], alarm[:-1]])]
    caught = sum(
        bool(np.any(alarm & (t >= e - horizon_min) & (t <= e - min_lead_min)))
        for e in event_times
    )
    false = sum(
        not np.any((low_times >= a) & (low_times <= a + horizon_min))
        for a in alarm_times
    )
    days = (t[-1] - t[0] + SAMPLE_MINUTES) / 1440 if len(t) else np.nan
    return _alert_summary(len(event_times), caught, len(alarm_times), false, days)


def _alert_summary(
    events: int, caught: int, alarms: int, false: int, days: float
) -> dict[str, float]:
    return {
        "events": events,
        "caught": caught,
        "sensitivity": caught / events if events else np.nan,
        "alarms": alarms,
        "false alarms": false,
        "days": days,
        "false alarms per day": false / days,
    }


def pooled_hypo_alerts(
    patient: np.ndarray,
    forecast: np.ndarray,
    actual: np.ndarray,
    horizon_min: int,
    **options,
) -> dict[str, float]:
    """``hypo_alerts`` for each patient's run of consecutive windows, counts summed over patients.

    Rows are windows in time order per patient, one sample apart (``make_windows``
    with ``stride=1``); ``patient`` names the patient of each row. Sensitivity and
    false alarms per day are computed from the pooled counts, so every event and
    every day weighs the same whoever it belongs to. ``options`` go to ``hypo_alerts``.
    """
    patient = np.asarray(patient)
    forecast, actual = np.asarray(forecast), np.asarray(actual)
    if not len(patient) == len(forecast) == len(actual):
        raise ValueError(
            f"{len(patient)} patient names, {len(forecast)} forecasts, {len(actual)} actual values"
        )
    totals = dict.fromkeys(("events", "caught", "alarms", "false alarms", "days"), 0)
    for name in pd.unique(patient):
        rows = patient == name
        minutes = np.arange(rows.sum()) * SAMPLE_MINUTES
        score = hypo_alerts(
            minutes, forecast[rows], actual[rows], horizon_min, **options
        )
        for key in totals:
            totals[key] += score[key]
    return _alert_summary(
        totals["events"],
        totals["caught"],
        totals["alarms"],
        totals["false alarms"],
        totals["days"],
    )


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
            raise ValueError(
                f"group {group!r} has {len(members)} patients; need at least {val_per_group + test_per_group + 1}"
            )
        cut_test = len(members) - test_per_group
        cut_val = cut_test - val_per_group
        split["train"] += members[:cut_val]
        split["val"] += members[cut_val:cut_test]
        split["test"] += members[cut_test:]
    return split
