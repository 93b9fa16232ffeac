"""Document classification: TF-IDF + logistic regression, and a fine-tuned MiniLM, under the same
stratified cross-validation, scored by macro-F1."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import torch
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline

from ..core.metrics import macro_f1_from_logits
from ..core.runtime import seed_everything
from ..core.tensors import TensorPairs
from ..core.train import TrainConfig, fit, predict
from .transformer import (
    document_logits,
    encode_documents,
    load_tokenizer,
    sequence_classifier,
)


def folds(labels: np.ndarray, n_splits: int, seed: int = 0):
    """Stratified folds: every class in every fold in its overall proportion."""
    return list(
        StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed).split(
            np.zeros(len(labels)), labels
        )
    )


def tfidf_logreg():
    """Word uni- and bigrams weighted by TF-IDF, then a multinomial logistic regression."""
    return make_pipeline(
        TfidfVectorizer(
            ngram_range=(1, 2), min_df=2, sublinear_tf=True, stop_words="english"
        ),
        LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced"),
    )


def cross_validate_tfidf(
    texts: Sequence[str], labels: np.ndarray, splits
) -> tuple[np.ndarray, list[float]]:
    """Out-of-fold predictions and the macro-F1 of each fold."""
    texts = np.asarray(texts, dtype=object)
    predicted = np.full(len(labels), -1)
    scores = []
    for train, test in splits:
        model = tfidf_logreg().fit(texts[train], labels[train])
        predicted[test] = model.predict(texts[test])
        scores.append(f1_score(labels[test], predicted[test], average="macro"))
    return predicted, scores


def cross_validate_minilm(
    texts: Sequence[str],
    labels: np.ndarray,
    splits,
    config: TrainConfig,
    *,
    max_length: int = 128,
    train_limit: int | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, list[float]]:
    """Fine-tune a fresh MiniLM per fold on the first chunk of each training document; predict
    each test document from all its chunks. ``train_limit`` caps the training documents per fold
    (a stratified-by-chance sample), to fit a CPU budget."""
    tokenizer = load_tokenizer()
    texts = list(texts)
    n_classes = int(labels.max()) + 1
    predicted = np.full(len(labels), -1)
    scores = []
    rng = np.random.default_rng(seed)
    for fold, (train, test) in enumerate(splits):
        train = rng.permutation(train)
        n_val = max(n_classes, len(train) // 10)
        val, train = train[:n_val], train[n_val:]
        if train_limit:
            train = train[:train_limit]

        def data(index, first_only=True):
            inputs, owner = encode_documents(
                tokenizer,
                [texts[i] for i in index],
                max_length,
                first_chunk_only=first_only,
            )
            return TensorPairs(
                inputs, torch.as_tensor(labels[index][owner], dtype=torch.long)
            ), owner

        seed_everything(
            seed + fold
        )  # the new classification head starts the same each run
        model = sequence_classifier(n_classes)
        fit(model, data(train)[0], data(val)[0], config, score_fn=macro_f1_from_logits)
        chunks, owner = data(test, first_only=False)
        logits = document_logits(
            predict(model, chunks.inputs, batch_size=64), owner, len(test)
        )
        predicted[test] = logits.argmax(axis=1)
        scores.append(f1_score(labels[test], predicted[test], average="macro"))
    return predicted, scores


def summary(scores: dict[str, list[float]]) -> pd.DataFrame:
    """Mean and standard deviation of per-fold macro-F1 for each method."""
    return pd.DataFrame(
        {
            name: {
                "macro-F1 mean": np.mean(s),
                "macro-F1 sd": np.std(s, ddof=1) if len(s) > 1 else np.nan,
                "folds": len(s),
            }
            for name, s in scores.items()
        }  # fmt: skip
    ).T.astype({"folds": int})
