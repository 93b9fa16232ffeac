"""Is one model's AUROC really higher than another's on the same cases?

Both models score the same patients, so their AUROCs are correlated and two separate intervals
that overlap say little. DeLong's test (DeLong et al. 1988, in the fast form of Sun and Xu 2014)
estimates the variance of the difference from the structural components of the two AUROCs; the
paired bootstrap resamples patients once for both models. They should agree.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm, rankdata

from ..core.errors import InputError
from ..core.metrics import auroc


def _inputs(y_true, score_a, score_b) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = np.asarray(y_true)
    a, b = np.asarray(score_a, dtype=float), np.asarray(score_b, dtype=float)
    if not (y.ndim == a.ndim == b.ndim == 1 and len(y) == len(a) == len(b)):
        raise InputError(f"need three 1-D arrays of one length, got {y.shape}, {a.shape}, {b.shape}")
    if not np.isin(y, (0, 1)).all() or len(np.unique(y)) < 2:
        raise InputError("y_true must hold both classes, as 0 and 1")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise InputError("scores must be finite")
    return y.astype(int), a, b


def _placements(positives: np.ndarray, negatives: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-positive and per-negative components of the AUROC (ties count one half), via ranks."""
    m, n = len(positives), len(negatives)
    pooled = rankdata(np.concatenate([positives, negatives]))
    v10 = (pooled[:m] - rankdata(positives)) / n  # share of negatives each positive beats
    v01 = 1.0 - (pooled[m:] - rankdata(negatives)) / m  # share of positives that beat each negative
    return v10, v01


def delong_test(y_true, score_a, score_b) -> dict[str, float]:
    """AUROC of each model, their difference (a - b) with a 95% interval, and the two-sided p-value."""
    y, a, b = _inputs(y_true, score_a, score_b)
    pos, neg = y == 1, y == 0
    v10 = np.stack([_placements(s[pos], s[neg])[0] for s in (a, b)])
    v01 = np.stack([_placements(s[pos], s[neg])[1] for s in (a, b)])
    aucs = v10.mean(axis=1)
    s10, s01 = np.cov(v10), np.cov(v01)
    variance = (s10[0, 0] + s10[1, 1] - 2 * s10[0, 1]) / pos.sum() + (s01[0, 0] + s01[1, 1] - 2 * s01[0, 1]) / neg.sum()
    difference = float(aucs[0] - aucs[1])
    if variance <= 0:  # identical rankings: no difference to test
        return {"auroc_a": float(aucs[0]), "auroc_b": float(aucs[1]), "difference": difference,
                "ci_low": difference, "ci_high": difference, "p_value": 1.0}  # fmt: skip
    se = float(np.sqrt(variance))
    return {"auroc_a": float(aucs[0]), "auroc_b": float(aucs[1]), "difference": difference,
            "ci_low": difference - 1.959964 * se, "ci_high": difference + 1.959964 * se,
            "p_value": float(2 * norm.sf(abs(difference) / se))}  # fmt: skip


def paired_bootstrap_auroc(y_true, score_a, score_b, n_boot: int = 2000, seed: int = 0) -> dict[str, float]:
    """The AUROC difference (a - b) with a 95% percentile interval from resampling patients once
    for both models, and a two-sided p-value: twice the share of resamples on the far side of 0."""
    y, a, b = _inputs(y_true, score_a, score_b)
    if n_boot < 1:
        raise InputError(f"n_boot must be at least 1, got {n_boot}")
    rng = np.random.default_rng(seed)
    differences = []
    for _ in range(n_boot):
        index = rng.integers(0, len(y), len(y))
        if 0 < y[index].sum() < len(y):
            differences.append(auroc(y[index], a[index]) - auroc(y[index], b[index]))
    differences = np.asarray(differences)
    low, high = np.percentile(differences, [2.5, 97.5])
    tail = min((differences <= 0).mean(), (differences >= 0).mean())
    return {"difference": auroc(y, a) - auroc(y, b), "ci_low": float(low), "ci_high": float(high),
            "p_value": float(min(1.0, 2 * tail))}  # fmt: skip
