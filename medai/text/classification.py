"""Document classification: TF-IDF + logistic regression, MiniLM sentence embeddings + logistic
regression, and a fine-tuned MiniLM, trained on the same documents under the same stratified
cross-validation, scored by macro-F1; learning curves over the training-set size."""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import pandas as pd
import torch
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.pipeline import make_pipeline

from ..core.errors import InputError
from ..core.metrics import macro_f1_from_logits
from ..core.runtime import seed_everything
from ..core.sampling import stratified_subsample
from ..core.tensors import TensorPairs
from ..core.train import TrainConfig, fit, predict
from .transformer import (
    document_logits,
    encode_documents,
    load_tokenizer,
    sequence_classifier,
)


def folds(labels: np.ndarray, n_splits: int, seed: int = 0, groups=None):
    """Stratified folds: every class in every fold in about its overall proportion. With ``groups``
    (such as the text itself), rows of one group never fall on both sides of a split: a document that
    occurs twice cannot be trained on and tested on at once."""
    X = np.zeros(len(labels))
    if groups is None:
        return list(StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed).split(X, labels))
    groups = np.asarray(groups)
    if len(groups) != len(labels):
        raise InputError(f"{len(groups)} groups for {len(labels)} labels")
    return list(StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed).split(X, labels, groups))


def training_documents(
    labels: np.ndarray, train: np.ndarray, size: int | None, seed: int = 0
) -> np.ndarray:
    """``size`` of a fold's training documents, drawn stratified by class (all of them when ``size``
    is None or not smaller); every method of a comparison trains on exactly these."""
    train = np.asarray(train)
    if size is None or size >= len(train):
        return train
    return train[stratified_subsample(labels[train], size=size, seed=seed)]


def tfidf_logreg():
    """Word uni- and bigrams weighted by TF-IDF, then a multinomial logistic regression."""
    return make_pipeline(
        TfidfVectorizer(
            ngram_range=(1, 2), min_df=2, sublinear_tf=True, stop_words="english"
        ),
        LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced"),
    )


def embedding_logreg():
    """A multinomial logistic regression on fixed document vectors (MiniLM sentence embeddings)."""
    return LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced")


def learning_curve(
    methods: dict[str, tuple[Callable[[], object], object]],
    labels: np.ndarray,
    splits,
    sizes: Sequence[int | None],
    seed: int = 0,
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Macro-F1 of every method at every training size in every fold, all methods trained on the
    same documents.

    ``methods`` maps a name to (make_estimator, inputs): a scikit-learn estimator
    factory and what it reads (an array of texts, or a matrix of vectors), indexed
    by document. ``None`` in ``sizes`` means the whole training part of a fold
    (labelled by its smallest size over the folds). A size is drawn stratified, so
    the count may differ from the one asked for by rounding; rows carry the size
    asked for. Returns the scores (one row per method, size and fold) and, per
    method, the out-of-fold predictions at the last size.
    """
    splits = list(splits)
    whole = min(len(train) for train, _ in splits)
    labels = np.asarray(labels)
    inputs = {name: np.asarray(x, dtype=object if np.ndim(x) == 1 else None) for name, (_, x) in methods.items()}
    for name, x in inputs.items():
        if len(x) != len(labels):
            raise InputError(f"{name}: {len(x)} inputs for {len(labels)} labels")
    rows, predicted = [], {name: np.full(len(labels), -1) for name in methods}
    for fold, (train, test) in enumerate(splits):
        for size in sizes:
            chosen = training_documents(labels, train, size, seed=seed + fold)
            for name, (make, _) in methods.items():
                x = inputs[name]
                guess = make().fit(x[chosen], labels[chosen]).predict(x[test])
                if size == sizes[-1]:
                    predicted[name][test] = guess
                rows.append(
                    {
                        "method": name, "training documents": whole if size is None else size,
                        "fold": fold,
                        "macro-F1": f1_score(labels[test], guess, average="macro"),
                    }
                )  # fmt: skip
    return pd.DataFrame(rows), predicted


def curve_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation over folds of the macro-F1, per method and training size."""
    table = scores.groupby(["method", "training documents"], sort=False)["macro-F1"]
    return table.agg(["mean", "std", "count"]).rename(
        columns={"mean": "macro-F1 mean", "std": "macro-F1 sd", "count": "folds"}
    )


def cross_validate_minilm(
    texts: Sequence[str],
    labels: np.ndarray,
    splits,
    config: TrainConfig,
    *,
    max_length: int = 128,
    train_size: int | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, list[float]]:
    """Fine-tune a fresh MiniLM per fold on the first chunk of each training document; predict
    each test document from all its chunks.

    The training documents are ``training_documents(labels, train, train_size)``, the
    ones ``learning_curve`` gives the other methods at that size and fold; the best
    epoch is chosen on a tenth of the fold's other training documents (taken out of
    the training documents when ``train_size`` leaves too few over).
    """
    tokenizer = load_tokenizer()
    texts = list(texts)
    n_classes = int(labels.max()) + 1
    predicted = np.full(len(labels), -1)
    scores = []
    rng = np.random.default_rng(seed)
    for fold, (pool, test) in enumerate(splits):
        train = training_documents(labels, pool, train_size, seed=seed + fold)
        unused = np.setdiff1d(pool, train)
        n_val = max(n_classes, len(pool) // 10)
        if len(unused) >= n_val:
            val = rng.choice(unused, n_val, replace=False)
        else:  # the whole pool trains: the best epoch is chosen on a part of it instead
            shuffled = rng.permutation(train)
            val, train = shuffled[:n_val], shuffled[n_val:]

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
