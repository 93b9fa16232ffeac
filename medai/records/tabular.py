"""The two baselines a table deserves, on the same fields the network reads.

Logistic regression sees each token as a 0/1 column (a network with one-dimensional embeddings and
no hidden layer). Gradient-boosted trees (scikit-learn's HistGradientBoosting) see each field as one
categorical column, with the same rare values pooled, and the counts as numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from .tokens import COUNTS, RecordVocabulary


def token_matrix(ids, vocabulary_size: int) -> sparse.csr_matrix:
    """One row per encounter, one 0/1 column per token (the padding token never occurs)."""
    ids = np.asarray(ids)
    rows = np.repeat(np.arange(len(ids)), ids.shape[1])
    data = np.ones(ids.size, dtype=np.float32)
    return sparse.csr_matrix((data, (rows, ids.ravel())), shape=(len(ids), vocabulary_size))


def tree_table(frame: pd.DataFrame, vocabulary: RecordVocabulary) -> pd.DataFrame:
    """Each token field as a pandas categorical (its categories fixed by the vocabulary, so every
    split agrees), with the counts kept as numbers rather than quantile bins."""
    ids = vocabulary.encode(frame).numpy()
    columns = {}
    for j, name in enumerate(vocabulary.fields):
        if name in COUNTS:
            columns[name] = frame[name].to_numpy(dtype=float)
            continue
        allowed = sorted(i for word, i in vocabulary.tokens.items() if word.split("=", 1)[0] == name)
        columns[name] = pd.Categorical(ids[:, j], categories=allowed)
    return pd.DataFrame(columns)


def logistic_readmission(c: float = 0.1, seed: int = 0) -> LogisticRegression:
    """L2-penalised logistic regression; ``c`` is chosen on validation data."""
    return LogisticRegression(C=c, max_iter=3000, random_state=seed)


def boosted_readmission(seed: int = 0, max_iter: int = 1000) -> HistGradientBoostingClassifier:
    """Gradient-boosted trees with early stopping on an inner 10% of the training rows. The tree
    size and learning rate were chosen on the validation split (seed 0) from three settings."""
    return HistGradientBoostingClassifier(
        learning_rate=0.05, max_iter=max_iter, max_leaf_nodes=15, min_samples_leaf=100, l2_regularization=1.0,
        categorical_features="from_dtype", early_stopping=True, validation_fraction=0.1,
        n_iter_no_change=30, scoring="roc_auc", random_state=seed,
    )  # fmt: skip
