"""When to acknowledge a feeling: a check learned from health messages, over the GoEmotions classifier.

The GoEmotions classifier (``emotion``) learned from Reddit comments, and its thresholds were
chosen on Reddit comments too; on messages to a health assistant it misses many worried or sad
writers and answers factual questions about sad topics with sympathy. ``FeelingCheck`` decides
*whether* to acknowledge: a logistic regression on the message's MiniLM embedding and the
classifier's label probabilities, trained on health messages whose writers marked whether a caring
reply would acknowledge a feeling, with its threshold chosen for the best F1 on validation messages.
*Which* words to use still comes from GoEmotions: the acknowledgeable feeling (``FEELINGS``) that
stands highest above its own threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

from ..core.errors import InputError
from .emotion import FEELINGS, EmotionClassifier, best_f1_threshold


@dataclass
class FeelingCheck:
    """The GoEmotions classifier, and a learned yes/no on top of it with its validation threshold."""

    emotions: EmotionClassifier
    coef: np.ndarray  # (dims + labels,)
    intercept: float
    threshold: float

    def features(self, vectors: np.ndarray) -> np.ndarray:
        """Embedding and GoEmotions probabilities side by side."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        return np.hstack([vectors, self.emotions.probabilities(vectors)])

    def probability(self, vectors: np.ndarray) -> np.ndarray:
        """(n,) probability that a caring reply would acknowledge a feeling."""
        return 1.0 / (1.0 + np.exp(-(self.features(vectors) @ self.coef + self.intercept)))

    def feelings(self, vector: np.ndarray) -> list[str]:
        """The feelings to acknowledge in one message (empty when the check says no), strongest first."""
        if self.probability(vector)[0] < self.threshold:
            return []
        found = self.emotions.feelings(vector)
        if found:
            return found
        p = self.emotions.probabilities(vector)[0]  # none over its threshold: the nearest one
        ratios = {n: p[i] / self.emotions.thresholds[i] for i, n in enumerate(self.emotions.names) if n in FEELINGS}
        return [max(ratios, key=ratios.get)]


def train_feeling_check(emotions: EmotionClassifier, vectors: np.ndarray, felt, val_vectors: np.ndarray, val_felt,
                        c: float = 1.0, seed: int = 0) -> FeelingCheck:  # fmt: skip
    """Fit the yes/no on ``vectors`` (MiniLM embeddings) and ``felt`` (bool per message); choose its
    threshold on the validation messages."""
    felt, val_felt = np.asarray(felt, dtype=bool), np.asarray(val_felt, dtype=bool)
    if len(vectors) != len(felt) or len(val_vectors) != len(val_felt):
        raise InputError("need one yes/no per message")
    if felt.all() or not felt.any() or not val_felt.any():
        raise InputError("the training and validation messages must include messages with a feeling, and without")
    check = FeelingCheck(emotions, np.zeros(0), 0.0, 0.5)
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=seed)
    model.fit(check.features(vectors), felt)
    check.coef, check.intercept = model.coef_[0].astype(np.float32), float(model.intercept_[0])
    check.threshold = best_f1_threshold(val_felt, check.probability(val_vectors))
    return check
