"""Beat features for a streaming monitor: everything is fitted on a baseline period and applied
forward, so a beat's features never depend on the signal after it.

The offline analysis (``anomaly.beat_features``) may look at a whole record; a bedside
monitor may not. Here the signal's scale, the typical RR interval and the principal
components of the beat shape all come from the first ``baseline_s`` seconds. A beat's
features do need its own window (0.45 s after the R peak) and the next R peak, so an
alert comes one beat late.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import PCA

from ..core.errors import InputError
from .beat_windows import beat_windows, rr_features


@dataclass(frozen=True)
class BeatStream:
    """``features`` per beat (shape components, then RR features), ``time_s`` of each R peak,
    ``kept`` indexes the input peaks that had a full window, ``baseline`` marks the reference beats."""

    features: np.ndarray
    time_s: np.ndarray
    kept: np.ndarray
    baseline: np.ndarray


def causal_beat_features(
    ecg: np.ndarray,
    fs: float,
    peaks: np.ndarray,
    *,
    baseline_s: float = 300.0,
    components: int = 8,
    seed: int = 0,
) -> BeatStream:
    """Features of every beat, using only the baseline period to fit scales and components."""
    peaks = np.asarray(peaks)
    if baseline_s <= 0:
        raise InputError(f"baseline_s must be positive, got {baseline_s}")
    windows, kept = beat_windows(ecg, fs, peaks, scale_until_s=baseline_s)
    time_s = peaks / fs
    in_baseline = time_s < baseline_s
    if in_baseline.sum() < 3:
        raise InputError(
            f"the first {baseline_s} s hold {in_baseline.sum()} beats; a baseline needs at least three"
        )
    typical_rr = float(np.median(np.diff(peaks[in_baseline]) / fs))
    rr = rr_features(peaks, fs, typical_rr_s=typical_rr)[kept]
    baseline = in_baseline[kept]
    components = min(components, windows.shape[1], int(baseline.sum()))
    pca = PCA(n_components=components, random_state=seed).fit(windows[baseline])
    features = np.concatenate([pca.transform(windows), rr], axis=1)
    return BeatStream(features, time_s[kept], kept, baseline)


def record_stream(
    name: str, *, baseline_s: float = 300.0, lead: str = "MLII", seed: int = 0
) -> tuple[BeatStream, np.ndarray]:
    """A MIT-BIH record as a monitor sees it: causal features of every annotated beat, and each
    beat's AAMI class (used only to score the alerts afterwards)."""
    from ..datasets.physionet import load_mitbih  # the data layer, not needed by the features
    from .beat_windows import aami_class

    record = load_mitbih(name)
    classes = aami_class(record.annotations.symbol)
    is_beat = classes != ""
    stream = causal_beat_features(
        record.channel(lead), record.fs, record.annotations.sample[is_beat],
        baseline_s=baseline_s, seed=seed,
    )  # fmt: skip
    return stream, classes[is_beat][stream.kept]
