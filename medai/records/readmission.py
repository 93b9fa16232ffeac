"""Chapter 4.3's readmission set-up in one call, for the chapters that reuse it (10's fairness audit)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from ..core.metrics import auroc
from .cohort import patient_split, readmission_cohort
from .tabular import logistic_readmission, token_matrix
from .tokens import RecordVocabulary

C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3)


@dataclass(frozen=True)
class Readmission:
    """The cohort, its 0/1 outcome ``y``, the patient split, and the encounters as tokens (ids and
    0/1 columns) from a vocabulary learned on the training patients."""

    cohort: pd.DataFrame
    y: np.ndarray
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    vocabulary: RecordVocabulary
    tokens: torch.Tensor
    tokens_01: sparse.csr_matrix


def readmission_data(encounters: pd.DataFrame, seed: int = 0) -> Readmission:
    """Strack et al.'s cohort from the encounter table, split 70/15/15 by patient, tokenised."""
    cohort = readmission_cohort(encounters)
    train, val, test = patient_split(cohort["patient_nbr"], seed=seed)
    vocabulary = RecordVocabulary().fit(cohort.iloc[train])
    tokens = vocabulary.encode(cohort)
    return Readmission(cohort, cohort["readmitted_30"].to_numpy(), train, val, test, vocabulary, tokens,
                       token_matrix(tokens.numpy(), len(vocabulary)))  # fmt: skip


def tuned_logistic(data: Readmission, c_grid=C_GRID, seed: int = 0) -> tuple[LogisticRegression, dict[float, float]]:
    """Logistic regression on the tokens, its penalty the one of ``c_grid`` with the best validation
    AUROC; returns the model and every candidate's validation AUROC."""
    scores = {}
    for c in c_grid:
        candidate = logistic_readmission(c, seed=seed).fit(data.tokens_01[data.train], data.y[data.train])
        scores[c] = auroc(data.y[data.val], candidate.predict_proba(data.tokens_01[data.val])[:, 1])
    best = max(scores, key=scores.get)
    return logistic_readmission(best, seed=seed).fit(data.tokens_01[data.train], data.y[data.train]), scores
