"""Signal checks that turn a bad recording into a sentence instead of a wrong number."""

from __future__ import annotations

import numbers

import numpy as np

from ..core.errors import InputError


def check_signal(
    x: np.ndarray,
    fs: float,
    *,
    min_fs: float = 50.0,
    max_gap_s: float = 0.5,
    name: str = "signal",
) -> np.ndarray:
    """A clean 1-D float copy of ``x``, or an ``InputError`` (a ``ValueError``) that says what is wrong.

    - ``fs`` must be a positive number of at least ``min_fs`` Hz (QRS complexes
      last about 0.1 s; below 50 Hz they are a sample or two wide).
    - Gaps of NaN up to ``max_gap_s`` seconds are filled by linear interpolation
      (short dropouts are common in ICU recordings); longer gaps raise, because an
      interpolated half-minute would invent beats.
    - A flat line (no variation at all) raises: a disconnected lead is not asystole
      that an algorithm should report as such.
    """
    # NumPy scalars (np.float32(360), np.int64(360)) are numbers too; True is not a rate.
    if (
        not isinstance(fs, numbers.Real)
        or isinstance(fs, bool)
        or not np.isfinite(fs)
        or fs <= 0
    ):
        raise InputError(
            f"{name}: the sampling rate must be a positive number of Hz, got {fs!r}"
        )
    if fs < min_fs:
        raise InputError(
            f"{name}: sampled at {fs:g} Hz, below the {min_fs:g} Hz this analysis needs"
        )
    fs = float(fs)
    try:
        x = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        dtype = f" of dtype {x.dtype}" if hasattr(x, "dtype") else ""
        raise InputError(
            f"{name}: expected an array of numbers, got {type(x).__name__}{dtype}"
        ) from None
    if x.ndim != 1:
        raise InputError(
            f"{name}: expected one channel (a 1-D array), got shape {x.shape}"
        )
    if len(x) < 2 * fs:
        raise InputError(f"{name}: {len(x)} samples is under 2 seconds at {fs:g} Hz")
    missing = np.isnan(x)
    if missing.all():
        raise InputError(f"{name}: every sample is NaN")
    if missing.any():
        longest = _longest_run(missing)
        if longest > max_gap_s * fs:
            raise InputError(
                f"{name}: a gap of {longest / fs:.2f} s of missing samples (NaN) is longer than "
                f"max_gap_s={max_gap_s} s; cut the record around it"
            )
        x = x.copy()
        index = np.arange(len(x))
        x[missing] = np.interp(index[missing], index[~missing], x[~missing])
    if not np.isfinite(x).all():
        raise InputError(f"{name}: contains infinite values")
    if np.ptp(x) == 0:
        raise InputError(
            f"{name}: a flat line (every sample equals {x[0]:g}); is the sensor disconnected?"
        )
    return x


def _longest_run(mask: np.ndarray) -> int:
    padded = np.concatenate([[0], mask.astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(padded))
    return int((edges[1::2] - edges[::2]).max()) if len(edges) else 0
