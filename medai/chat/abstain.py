"""Knowing when not to answer: a score threshold with a bound on the wrong-answer rate.

Among the questions whose confidence score clears a threshold, the assistant answers; the rest
it declines. ``risk_controlled_threshold`` picks the lowest threshold (so the most answers)
whose wrong-answer rate on calibration questions has a one-sided Clopper-Pearson upper bound
at or below the target. A fixed grid of thresholds is tested from the strictest down and the
search stops at the first failure (fixed-sequence testing, as in Learn-then-Test, Angelopoulos
et al. 2021), so the guarantee holds for the chosen threshold and not only for each one alone.
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
    scores, correct, target: float = 0.1, confidence: float = 0.9, steps: int = 20
) -> float:
    """The lowest score threshold whose wrong-answer rate among answered calibration questions
    is at most ``target`` with ``confidence`` (np.inf when even the strictest one fails).

    Candidates answer 1/steps, 2/steps, ... of the calibration questions (most confident
    first); a fixed, coarse grid keeps each test's sample large, and the sequence stops at the
    first candidate whose Clopper-Pearson bound exceeds the target.
    """
    scores, correct = np.asarray(scores, float), np.asarray(correct, bool)
    if scores.shape != correct.shape or scores.ndim != 1 or len(scores) == 0:
        raise InputError(f"need equal-length 1-D scores and outcomes, got {scores.shape} and {correct.shape}")
    if not 0 < target < 1 or not 0 < confidence < 1:
        raise InputError(f"target and confidence must be in (0, 1), got {target}, {confidence}")
    if steps < 1:
        raise InputError(f"steps must be at least 1, got {steps}")
    order = np.argsort(-scores, kind="stable")
    chosen = np.inf
    for step in range(1, steps + 1):
        threshold = float(scores[order[max(int(round(step / steps * len(scores))) - 1, 0)]])
        answered = scores >= threshold
        errors = int((~correct[answered]).sum())
        if clopper_pearson_upper(errors, int(answered.sum()), confidence) > target:
            break
        chosen = threshold
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
