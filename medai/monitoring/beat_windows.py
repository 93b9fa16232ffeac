"""Beats as model inputs: AAMI classes, fixed windows around R peaks, and RR-interval features."""

from __future__ import annotations

import numpy as np
from scipy.signal import resample_poly

from ..core.errors import InputError
from .quality import check_signal

# ANSI/AAMI EC57 groups the MIT-BIH beat labels into five classes.
AAMI_CLASSES = ("N", "S", "V", "F", "Q")
AAMI_MAP = {
    **dict.fromkeys("NLRej", "N"),  # normal, bundle branch blocks, escape beats
    **dict.fromkeys("AaJS", "S"),  # supraventricular ectopic
    **dict.fromkeys("VE", "V"),  # ventricular ectopic
    "F": "F",  # fusion of ventricular and normal
    **dict.fromkeys("/fQ", "Q"),  # paced, fusion of paced and normal, unclassifiable
}


def aami_class(symbols) -> np.ndarray:
    """AAMI class of each MIT-BIH beat symbol; non-beat symbols map to ``""``."""
    return np.array([AAMI_MAP.get(str(s), "") for s in np.asarray(symbols).ravel()])


def beat_windows(
    ecg: np.ndarray,
    fs: float,
    centres: np.ndarray,
    *,
    before_s: float = 0.25,
    after_s: float = 0.45,
    target_fs: float | None = 180.0,
    scale_until_s: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Fixed-length windows around each R peak, standardised per record.

    Returns (windows, kept) where ``kept`` indexes the centres whose window lies
    inside the signal. With ``target_fs`` the signal is first resampled (polyphase
    filter), so records at different rates give windows of one length. The
    standardisation uses the whole record, or with ``scale_until_s`` only its first
    seconds (a monitor cannot know the rest of the record).
    """
    x = check_signal(ecg, fs, name="ECG")
    centres = np.asarray(centres)
    if target_fs is not None and target_fs != fs:
        up, down = _ratio(target_fs, fs)
        x = resample_poly(x, up, down)
        centres = np.round(centres * target_fs / fs).astype(np.int64)
        fs = target_fs
    # Per-record scale: electrode gain differs between patients.
    reference = x if scale_until_s is None else x[: int(round(scale_until_s * fs))]
    if len(reference) < 2:
        raise InputError(f"scale_until_s={scale_until_s} leaves no signal to scale by")
    x = (x - np.median(reference)) / (np.std(reference) + 1e-8)
    left, right = int(round(before_s * fs)), int(round(after_s * fs))
    kept = np.flatnonzero((centres - left >= 0) & (centres + right <= len(x)))
    index = centres[kept, None] + np.arange(-left, right)[None, :]
    return x[index].astype(np.float32), kept


def _ratio(target: float, source: float) -> tuple[int, int]:
    from fractions import Fraction

    f = Fraction(target / source).limit_denominator(1000)
    return f.numerator, f.denominator


def rr_features(
    peaks: np.ndarray, fs: float, typical_rr_s: float | None = None
) -> np.ndarray:
    """Per beat: previous RR, next RR and their ratio to the typical RR (seconds).

    Premature beats (S and V) come early and are followed by a pause; the rhythm
    says as much about them as the waveform. Edge beats repeat their neighbour.
    The typical RR is the record's median unless ``typical_rr_s`` gives one (a
    monitor takes it from the past).
    """
    rr = np.diff(np.asarray(peaks, dtype=np.float64)) / fs
    if len(rr) < 2:
        raise InputError("need at least three beats for RR features")
    previous = np.concatenate([[rr[0]], rr])
    following = np.concatenate([rr, [rr[-1]]])
    median = np.median(rr) if typical_rr_s is None else float(typical_rr_s)
    if not median > 0:
        raise InputError(f"typical RR must be positive, got {median}")
    return np.stack(
        [previous, following, previous / median, following / median], axis=1
    ).astype(np.float32)
