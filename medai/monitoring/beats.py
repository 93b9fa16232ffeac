"""Heartbeat classification data: beats of MIT-BIH records as windows with RR features and AAMI
labels, split by record (no patient on both sides) or by beat, and scored per class."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import LeaveOneGroupOut, StratifiedKFold

from ..core.errors import InputError
from ..core.metrics import macro_f1_from_logits
from ..core.runtime import seed_everything
from ..core.tensors import TensorPairs
from ..core.train import fit, predict
from ..datasets.physionet import MITBIH_PACED, MITBIH_RECORDS, load_mitbih
from .beat_windows import AAMI_CLASSES, aami_class, beat_windows, rr_features


@dataclass(frozen=True)
class BeatSet:
    """``windows`` (N, L) standardised ECG around each R peak; ``rr`` (N, 4) rhythm features;
    ``labels`` index into ``classes``; ``record`` names the patient of each beat and
    ``time_s`` its time in the record."""

    windows: np.ndarray
    rr: np.ndarray
    labels: np.ndarray
    record: np.ndarray
    time_s: np.ndarray
    classes: tuple[str, ...] = AAMI_CLASSES

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, index: np.ndarray) -> "BeatSet":
        return BeatSet(
            self.windows[index], self.rr[index], self.labels[index], self.record[index],
            self.time_s[index], self.classes,
        )  # fmt: skip

    def counts(self) -> pd.DataFrame:
        """Beats per record and AAMI class."""
        names = np.asarray(self.classes)[self.labels]
        table = pd.crosstab(
            pd.Series(self.record, name="record"), pd.Series(names, name="class")
        )
        return table.reindex(columns=list(self.classes), fill_value=0)

    def as_dataset(self) -> TensorPairs:
        """Inputs (N, 1, L + 4): the window with the RR features appended (``BeatCNN`` splits them)."""
        packed = np.concatenate([self.windows, self.rr], axis=1)[:, None, :]
        return TensorPairs(torch.from_numpy(packed), torch.from_numpy(self.labels))


def load_beats(records: Sequence[str] | None = None, lead: str = "MLII") -> BeatSet:
    """Every labelled beat of ``records`` (default: all but the paced record), at the reference R peaks.

    Classification studies use the annotated beat positions so that detection
    errors do not mix with classification errors; the detector is evaluated
    separately.
    """
    records = (
        [r for r in MITBIH_RECORDS if r not in MITBIH_PACED]
        if records is None
        else list(records)
    )
    if not records:
        raise InputError("no records given")
    parts = []
    for name in records:
        rec = load_mitbih(name)
        ann = rec.annotations
        labels = aami_class(ann.symbol)
        is_beat = labels != ""
        peaks, labels = ann.sample[is_beat], labels[is_beat]
        windows, kept = beat_windows(rec.channel(lead), rec.fs, peaks)
        rr = rr_features(peaks, rec.fs)[kept]
        index = np.array([AAMI_CLASSES.index(c) for c in labels[kept]], dtype=np.int64)
        parts.append(
            (windows, rr, index, np.full(len(kept), name), peaks[kept] / rec.fs)
        )
    windows, rr, labels, record, time_s = (np.concatenate(p) for p in zip(*parts))
    return BeatSet(windows, rr, labels, record, time_s)


def leave_records_out(beats: BeatSet) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index pairs, one per record: each patient is tested by a model that never saw them."""
    yield from LeaveOneGroupOut().split(
        beats.windows, beats.labels, groups=beats.record
    )


def random_beat_folds(
    beats: BeatSet, folds: int = 5, seed: int = 0
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds over beats, ignoring patients: the easier, flattering protocol."""
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    yield from splitter.split(beats.windows, beats.labels)


def class_weights(
    labels: np.ndarray, num_classes: int, max_weight: float = 50.0
) -> torch.Tensor:
    """Inverse-frequency weights for the cross-entropy, capped so a class with a handful of beats
    does not dominate; absent classes get weight 0."""
    counts = np.bincount(labels, minlength=num_classes).astype(float)
    weights = np.where(
        counts > 0, counts.sum() / (num_classes * np.maximum(counts, 1)), 0.0
    )
    return torch.tensor(np.minimum(weights, max_weight), dtype=torch.float32)


def per_class_report(
    y_true: np.ndarray, y_pred: np.ndarray, classes: Sequence[str]
) -> pd.DataFrame:
    """Sensitivity (recall), PPV (precision), F1 and support per class, and macro-F1 over the
    classes present in ``y_true`` (a class that never occurs cannot be scored)."""
    labels = list(range(len(classes)))
    ppv, sens, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    table = pd.DataFrame(
        {"sensitivity": sens, "PPV": ppv, "F1": f1, "beats": support},
        index=pd.Index(classes, name="class"),
    )
    present = [k for k in labels if support[k] > 0]
    table.attrs["macro_f1"] = float(
        f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)
    )
    table.attrs["accuracy"] = float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))
    return table


def validation_split(
    beats: BeatSet,
    train_index: np.ndarray,
    test_index: np.ndarray,
    val_fraction: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Split a fold's training beats into (train, validation) the way the fold splits its test beats.

    When no test record occurs in training (a by-patient split), validation holds out
    whole records too, so that early stopping, like the test, sees only unseen
    patients; otherwise a random ``val_fraction`` of the beats.
    """
    train_records = np.unique(beats.record[train_index])
    by_patient = set(train_records).isdisjoint(beats.record[test_index])
    if by_patient and len(train_records) > 1:
        n_val = min(len(train_records) - 1, max(1, round(val_fraction * len(train_records))))
        val_records = rng.choice(train_records, n_val, replace=False)
        is_val = np.isin(beats.record[train_index], val_records)
        return train_index[~is_val], train_index[is_val]
    shuffled = rng.permutation(train_index)
    n_val = max(1, int(val_fraction * len(shuffled)))
    return shuffled[n_val:], shuffled[:n_val]


def cross_validated_predictions(
    beats: BeatSet,
    splits: Iterator[tuple[np.ndarray, np.ndarray]],
    make_model,
    config,
    *,
    val_fraction: float = 0.1,
    seed: int = 0,
) -> np.ndarray:
    """Train a fresh ``make_model()`` per split and predict its test beats; returns a class per beat.

    Early stopping uses a validation part of each split's training beats, held out
    as the split holds out its test beats (see ``validation_split``); the test beats
    are never seen before the prediction.
    """

    predicted = np.full(len(beats), -1, dtype=np.int64)
    rng = np.random.default_rng(seed)
    for fold, (train_index, test_index) in enumerate(splits):
        train_part, val_part = validation_split(
            beats, train_index, test_index, val_fraction, rng
        )
        train, val = beats.subset(train_part), beats.subset(val_part)
        weights = class_weights(train.labels, len(beats.classes))

        def weighted_loss(logits, target, w=weights):
            return torch.nn.functional.cross_entropy(
                logits, target, weight=w.to(logits.device)
            )

        # Seed before building the model: its initial weights would otherwise
        # depend on whatever used the global generator before this call.
        seed_everything(seed + fold)
        model = make_model()
        fit(
            model,
            train.as_dataset(),
            val.as_dataset(),
            config,
            loss_fn=weighted_loss,
            score_fn=macro_f1_from_logits,
        )
        logits = predict(model, beats.subset(test_index).as_dataset())
        predicted[test_index] = logits.argmax(axis=1)
    if (predicted < 0).any():
        raise InputError("the splits did not cover every beat")
    return predicted
