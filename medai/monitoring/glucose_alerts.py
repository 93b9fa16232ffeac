"""Clinical scores of glucose forecasts: the Clarke error grid and hypoglycaemia alarms."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.errors import InputError
from ..datasets.glucose_sim import SAMPLE_MINUTES

HYPO_MG_DL = 70.0


def clarke_zones(reference, prediction) -> np.ndarray:
    """Clarke error grid zone (A-E) of each (reference, prediction) pair in mg/dL (Clarke et al. 1987).

    A: within 20% of the reference, or both below 70. B: off by more, but benign.
    C: would cause an unnecessary correction. D: a dangerous failure to detect
    hypo- or hyperglycaemia. E: would treat the opposite condition.
    """
    r, p = np.asarray(reference, dtype=float), np.asarray(prediction, dtype=float)
    if r.shape != p.shape:
        raise InputError(f"shapes differ: {r.shape} vs {p.shape}")
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
        raise InputError(
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
        raise InputError(
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
