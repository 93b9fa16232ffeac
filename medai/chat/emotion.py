"""Feelings in a message, from a classifier trained on GoEmotions (Demszky et al. 2020).

A logistic regression per label on frozen MiniLM sentence embeddings (one-vs-rest, so a message
can carry several feelings); each label's threshold is the one that maximises its F1 on the
``dev`` split, never on ``test``. ``group_targets`` folds the 27 emotions into the paper's Ekman
groups. The assistant acknowledges a feeling only when the classifier finds one of ``FEELINGS``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_recall_curve

from ..core.errors import InputError

# Feelings a carer would answer with a word of acknowledgement before the information, by the
# acknowledgement that fits them.
FEELINGS = {
    "fear": "worry", "nervousness": "worry", "confusion": "worry",
    "sadness": "sadness", "grief": "sadness", "disappointment": "sadness", "remorse": "sadness",
}  # fmt: skip


@dataclass
class EmotionClassifier:
    """One logistic regression per label and the dev-chosen threshold of each."""

    names: tuple[str, ...]
    coef: np.ndarray  # (labels, dims)
    intercept: np.ndarray  # (labels,)
    thresholds: np.ndarray  # (labels,)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """(n, labels) probabilities of each label."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        if vectors.shape[1] != self.coef.shape[1]:
            raise InputError(f"expected {self.coef.shape[1]}-dimensional embeddings, got {vectors.shape[1]}")
        return 1.0 / (1.0 + np.exp(-(vectors @ self.coef.T + self.intercept)))

    def predict(self, vectors: np.ndarray) -> np.ndarray:
        """(n, labels) 0/1: each label whose probability reaches its threshold."""
        return (self.probabilities(vectors) >= self.thresholds).astype(np.int8)

    def feelings(self, vector: np.ndarray) -> list[str]:
        """The acknowledgeable feelings (``FEELINGS``) found in one message, strongest first."""
        p = self.probabilities(vector)[0]
        found = [(p[i] / self.thresholds[i], n) for i, n in enumerate(self.names) if n in FEELINGS and p[i] >= self.thresholds[i]]
        return [name for _, name in sorted(found, reverse=True)]


def best_f1_threshold(truth: np.ndarray, scores: np.ndarray) -> float:
    """The score threshold with the highest F1 for one label (0.5 when the label never occurs)."""
    if truth.sum() == 0:
        return 0.5
    precision, recall, thresholds = precision_recall_curve(truth, scores)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    return float(thresholds[int(np.argmax(f1[:-1]))])


def train_emotion_classifier(
    train_x: np.ndarray, train_y: np.ndarray, dev_x: np.ndarray, dev_y: np.ndarray,
    names, c: float = 1.0, seed: int = 0,
) -> EmotionClassifier:  # fmt: skip
    """Fit one logistic regression per label on ``train``; choose each threshold on ``dev``."""
    train_y, dev_y = np.asarray(train_y), np.asarray(dev_y)
    names = tuple(names)
    if train_y.shape[1] != len(names) or dev_y.shape[1] != len(names):
        raise InputError(f"{len(names)} label names but targets with {train_y.shape[1]} / {dev_y.shape[1]} columns")
    if len(train_x) != len(train_y) or len(dev_x) != len(dev_y):
        raise InputError("need one target row per embedding")
    coef, intercept = [], []
    for j in range(len(names)):
        if train_y[:, j].min() == train_y[:, j].max():  # a rare label missing from a small sample
            coef.append(np.zeros(np.shape(train_x)[1])), intercept.append(20.0 if train_y[0, j] else -20.0)
            continue
        model = LogisticRegression(C=c, max_iter=2000, random_state=seed).fit(train_x, train_y[:, j])
        coef.append(model.coef_[0]), intercept.append(model.intercept_[0])
    classifier = EmotionClassifier(names, np.array(coef, dtype=np.float32), np.array(intercept, dtype=np.float32),
                                   np.full(len(names), 0.5))  # fmt: skip
    dev_p = classifier.probabilities(dev_x)
    classifier.thresholds = np.array([best_f1_threshold(dev_y[:, j], dev_p[:, j]) for j in range(len(names))])
    return classifier


def group_targets(targets: np.ndarray, names, groups: dict[str, tuple[str, ...]]) -> np.ndarray:
    """(n, groups) 0/1: a group is present when any of its labels is."""
    index = {name: i for i, name in enumerate(names)}
    missing = sorted({m for members in groups.values() for m in members} - set(index))
    if missing:
        raise InputError(f"groups name unknown labels: {missing}")
    targets = np.asarray(targets)
    return np.stack([targets[:, [index[m] for m in members]].max(axis=1) for members in groups.values()], axis=1)


def macro_f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    """Mean over labels of each label's F1 (the paper's headline figure)."""
    return float(f1_score(truth, predicted, average="macro", zero_division=0))
