"""Knowing when not to answer: a score threshold with a bound on the wrong-answer rate.

Among the questions whose confidence score clears a threshold, the assistant answers; the rest
it declines. ``risk_controlled_threshold`` picks the lowest threshold (so the most answers)
whose wrong-answer rate on calibration questions has a one-sided Clopper-Pearson upper bound
at or below the target. Thresholds are tested from the strictest down and the search stops at
the first failure (fixed-sequence testing, as in Learn-then-Test, Angelopoulos et al. 2021), so
the guarantee holds for the chosen threshold and not only for each one alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import beta

from ..core.errors import InputError


def clopper_pearson_upper(errors: int, n: int, confidence: float = 0.9) -> float:
    """One-sided upper confidence bound of a binomial rate (1.0 when n is 0)."""
    if n == 0:
        return 1.0
    if errors >= n:
        return 1.0
    return float(beta.ppf(confidence, errors + 1, n - errors))


def risk_controlled_threshold(
    scores, correct, target: float = 0.1, confidence: float = 0.9, min_answered: int = 20
) -> float:
    """The lowest score threshold whose wrong-answer rate among answered calibration questions
    is at most ``target`` with ``confidence`` (np.inf when even the strictest one fails)."""
    scores, correct = np.asarray(scores, float), np.asarray(correct, bool)
    if scores.shape != correct.shape or scores.ndim != 1 or len(scores) == 0:
        raise InputError(f"need equal-length 1-D scores and outcomes, got {scores.shape} and {correct.shape}")
    if not 0 < target < 1 or not 0 < confidence < 1:
        raise InputError(f"target and confidence must be in (0, 1), got {target}, {confidence}")
    order = np.argsort(-scores, kind="stable")
    wrong = np.cumsum(~correct[order])  # errors among the k highest-scoring questions
    chosen = np.inf
    # The sequence starts where answering could pass at all (zero errors among k): that
    # depends on k alone, not on the outcomes, so skipping the smaller k keeps the guarantee.
    first = next((k for k in range(min_answered, len(scores) + 1)
                  if clopper_pearson_upper(0, k, confidence) <= target), len(scores) + 1)  # fmt: skip
    for k in range(first, len(scores) + 1):
        if k < len(scores) and scores[order[k]] == scores[order[k - 1]]:
            continue  # a threshold cannot split tied scores
        if clopper_pearson_upper(int(wrong[k - 1]), k, confidence) > target:
            break
        chosen = float(scores[order[k - 1]])
    return chosen


def risk_coverage(scores, correct) -> pd.DataFrame:
    """For every threshold: the share of questions answered (coverage) and the wrong-answer rate among them."""
    scores, correct = np.asarray(scores, float), np.asarray(correct, bool)
    order = np.argsort(-scores, kind="stable")
    answered = np.arange(1, len(scores) + 1)
    wrong = np.cumsum(~correct[order])
    return pd.DataFrame({"threshold": scores[order], "coverage": answered / len(scores), "risk": wrong / answered})


def answer_or_decline(scores, threshold: float) -> np.ndarray:
    """True where the assistant answers."""
    return np.asarray(scores, float) >= threshold
