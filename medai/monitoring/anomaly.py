"""Unsupervised anomaly scores with scikit-learn's Isolation Forest and Local Outlier Factor.

Both are fitted on standardised features; ``score`` is higher for more unusual
rows. ``baseline`` fits on a reference period (a patient's first minutes) and
scores what follows, as a bedside monitor would.
"""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
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
    baseline: np.ndarray, stream: np.ndarray, method: str = "iforest", seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Fit on ``baseline`` rows, then score ``baseline`` and ``stream``; higher is more anomalous."""
    base, rows = _check(baseline, "baseline"), _check(stream, "stream")
    model = make_pipeline(StandardScaler(), _detector(method, seed, novelty=True)).fit(
        base
    )
    return -model.score_samples(base), -model.score_samples(rows)


def beat_features(
    windows: np.ndarray, rr: np.ndarray, components: int = 8, seed: int = 0
) -> np.ndarray:
    """Per beat: the first principal components of the waveform and the RR features."""
    components = min(components, windows.shape[1], len(windows))
    shape = PCA(n_components=components, random_state=seed).fit_transform(windows)
    return np.concatenate([shape, rr], axis=1)
