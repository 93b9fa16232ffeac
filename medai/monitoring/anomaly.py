"""Unsupervised anomaly scores with scikit-learn's Isolation Forest and Local Outlier Factor.

Both are fitted on standardised features; ``score`` is higher for more unusual
rows. ``baseline_scores`` fits on a reference period (a patient's first minutes) and
scores what follows, as a bedside monitor would; ``alarm_threshold`` sets the
alarm level on baseline scores from detectors that did not see those rows.
"""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.model_selection import KFold
from sklearn.neighbors import LocalOutlierFactor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ..core.errors import InputError

METHODS = ("iforest", "lof")


def _detector(method: str, seed: int, novelty: bool):
    if method == "iforest":
        return IsolationForest(n_estimators=200, random_state=seed)
    if method == "lof":
        return LocalOutlierFactor(n_neighbors=35, novelty=novelty)
    raise InputError(f"method must be one of {METHODS}, got {method!r}")


def _check(features: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(features, dtype=float)
    if x.ndim != 2 or len(x) < 2:
        raise InputError(
            f"{name}: expected a 2-D table with at least two rows, got shape {x.shape}"
        )
    if not np.isfinite(x).all():
        raise InputError(f"{name}: contains NaN or infinite values")
    return x


def anomaly_scores(
    features: np.ndarray, method: str = "iforest", seed: int = 0
) -> np.ndarray:
    """Fit on all rows and score them (transductive); higher is more anomalous."""
    x = StandardScaler().fit_transform(_check(features, "features"))
    detector = _detector(method, seed, novelty=False)
    if method == "lof":
        detector.fit(x)
        return -detector.negative_outlier_factor_
    return -detector.fit(x).score_samples(x)


def baseline_scores(
    baseline: np.ndarray,
    stream: np.ndarray,
    method: str = "iforest",
    seed: int = 0,
    folds: int = 5,
) -> tuple[np.ndarray, np.ndarray]:
    """Scores for setting an alarm threshold on ``baseline`` and for the ``stream`` that follows it;
    higher is more anomalous.

    Returns (calibration scores, stream scores). A detector scores rows it was fitted
    on too low (for LOF each row is its own nearest neighbour), so each baseline row
    is scored by a detector fitted on the other ``folds - 1`` parts of the baseline
    (cross-fitting); the stream is scored by a detector fitted on the whole baseline.
    """
    base, rows = _check(baseline, "baseline"), _check(stream, "stream")
    if not isinstance(folds, (int, np.integer)) or folds < 2:
        raise InputError(f"folds must be an integer of at least 2, got {folds!r}")
    if len(base) < 2 * folds:
        raise InputError(
            f"baseline: {len(base)} rows are too few for {folds} folds of at least two rows"
        )

    def fitted(x):
        return make_pipeline(StandardScaler(), _detector(method, seed, novelty=True)).fit(x)

    calibration = np.empty(len(base))
    for fit_rows, held_out in KFold(folds, shuffle=True, random_state=seed).split(base):
        calibration[held_out] = -fitted(base[fit_rows]).score_samples(base[held_out])
    return calibration, -fitted(base).score_samples(rows)


def alarm_threshold(calibration_scores: np.ndarray, false_alarm_rate: float) -> float:
    """The score above which an alarm fires, so that a new row like the calibration rows raises one
    with probability at most ``false_alarm_rate`` (the split-conformal order statistic).

    ``np.percentile`` interpolates between the top scores and, on a few hundred
    rows, fires more often than asked.
    """
    scores = np.sort(np.asarray(calibration_scores, dtype=float).ravel())
    if not 0 < false_alarm_rate < 1:
        raise InputError(f"false_alarm_rate must be between 0 and 1, got {false_alarm_rate}")
    rank = int(np.ceil((len(scores) + 1) * (1 - false_alarm_rate)))
    if rank > len(scores):
        raise InputError(
            f"{len(scores)} calibration scores cannot guarantee a false-alarm rate of "
            f"{false_alarm_rate}: at least {int(np.ceil(1 / false_alarm_rate)) - 1} are needed"
        )
    return float(scores[rank - 1])


def beat_features(
    windows: np.ndarray, rr: np.ndarray, components: int = 8, seed: int = 0
) -> np.ndarray:
    """Per beat: the first principal components of the waveform and the RR features."""
    components = min(components, windows.shape[1], len(windows))
    shape = PCA(n_components=components, random_state=seed).fit_transform(windows)
    return np.concatenate([shape, rr], axis=1)
