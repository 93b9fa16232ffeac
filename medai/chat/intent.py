"""What kind of answer a question wants (MedQuAD's question types), and re-ranking by it.

The same topic has answers of many types (what it is, symptoms, treatment, inheritance ...), and
a retriever that finds the topic often returns the wrong one first. A classifier on sentence
embeddings predicts the type; answers of that type then move ahead of the others.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from ..core.errors import InputError


def train_intent_classifier(vectors: np.ndarray, qtypes, c: float = 10.0, seed: int = 0) -> LogisticRegression:
    """Multinomial logistic regression from question embeddings to question types."""
    vectors, qtypes = np.asarray(vectors), np.asarray(qtypes)
    if len(vectors) != len(qtypes) or len(vectors) == 0:
        raise InputError(f"need one type per embedding, got {len(vectors)} and {len(qtypes)}")
    return LogisticRegression(C=c, max_iter=3000, random_state=seed).fit(vectors, qtypes)


def rerank_by_type(ids: np.ndarray, doc_types, predicted) -> np.ndarray:
    """Reorder each row of ``ids`` so documents whose type equals the row's predicted type come
    first, keeping the retriever's order within each group."""
    ids, doc_types = np.asarray(ids), np.asarray(doc_types)
    predicted = np.asarray(predicted)
    if len(ids) != len(predicted):
        raise InputError(f"{len(ids)} rankings but {len(predicted)} predicted types")
    match = doc_types[ids] == predicted[:, None]
    order = np.argsort(~match, axis=1, kind="stable")  # matches (False after ~) first, stable
    return np.take_along_axis(ids, order, axis=1)
