"""Blood pressure per beat from an arterial line, and pulse peaks from a PPG."""

from __future__ import annotations

import warnings

import neurokit2 as nk
import numpy as np
import pandas as pd
from scipy.signal import find_peaks

from ..core.errors import InputError
from .quality import check_signal

# ACC/AHA 2017 categories (Whelton et al., Hypertension 2018), for office readings in mmHg.
BP_CATEGORIES = (
    "normal",
    "elevated",
    "stage 1 hypertension",
    "stage 2 hypertension",
    "hypertensive crisis",
)


def bp_category(systolic: np.ndarray, diastolic: np.ndarray) -> np.ndarray:
    """The ACC/AHA 2017 category of each (systolic, diastolic) pair; the higher category wins."""
    s, d = np.asarray(systolic, dtype=float), np.asarray(diastolic, dtype=float)
    level = np.zeros(s.shape, dtype=int)
    level = np.where((s >= 120) & (s < 130) & (d < 80), 1, level)
    level = np.where((s >= 130) | (d >= 80), 2, level)
    level = np.where((s >= 140) | (d >= 90), 3, level)
    level = np.where((s > 180) | (d > 120), 4, level)
    return np.asarray(BP_CATEGORIES, dtype=object)[level]


def blood_pressure_per_beat(abp: np.ndarray, fs: float) -> pd.DataFrame:
    """Systolic (peak) and diastolic (preceding trough) pressure of each beat of an arterial line.

    Peaks must be at least 0.3 s apart and stand 10 mmHg above their surroundings;
    the diastolic value is the minimum between the previous peak and this one.
    Beats outside physiological limits (systolic 40-300, diastolic 10-200 mmHg)
    are marked ``implausible`` rather than dropped silently. MAP is the usual
    estimate of mean arterial pressure, (systolic + 2 x diastolic) / 3.
    """
    x = check_signal(abp, fs, min_fs=20.0, name="ABP")
    peaks, _ = find_peaks(x, distance=max(1, int(0.3 * fs)), prominence=10)
    if len(peaks) < 2:
        raise InputError(
            "ABP: fewer than two pulses found; is this an arterial pressure waveform?"
        )
    systolic = x[peaks[1:]]
    diastolic = np.array([x[a:b].min() for a, b in zip(peaks[:-1], peaks[1:])])
    frame = pd.DataFrame(
        {"time_s": peaks[1:] / fs, "systolic": systolic, "diastolic": diastolic}
    )
    frame["implausible"] = ~(
        frame["systolic"].between(40, 300) & frame["diastolic"].between(10, 200)
    )
    frame["MAP"] = (frame["systolic"] + 2 * frame["diastolic"]) / 3
    frame["category"] = bp_category(frame["systolic"], frame["diastolic"])
    # The hypertension categories say nothing about low pressure; in intensive care a mean
    # arterial pressure under 65 mmHg is the usual alarm (Surviving Sepsis Campaign 2021).
    frame["hypotension"] = (frame["MAP"] < 65) | (frame["systolic"] < 90)
    return frame


def pulse_peaks(ppg: np.ndarray, fs: float) -> np.ndarray:
    """Systolic peaks of a photoplethysmogram (neurokit2's default PPG detector)."""
    x = check_signal(ppg, fs, min_fs=20.0, name="PPG")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cleaned = nk.ppg_clean(x, sampling_rate=fs)
        info = nk.ppg_findpeaks(cleaned, sampling_rate=fs)
    return np.asarray(info["PPG_Peaks"], dtype=np.int64)
