"""An encounter as a bag of tokens: every field's value becomes one word of a learned vocabulary.

``race=Caucasian``, ``admission_type_id=1``, ``diag_1=428``, ``insulin=Up``,
``num_medications=q7`` (counts cut at training quantiles), ``weight=?`` (missing is information
too). A network then learns one vector per token, the way a language model learns one per word, so
an ICD-9 code or a drug is an embedding and not one of hundreds of one-hot columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from ..core.errors import InputError
from .codes import icd9_groups

DIAGNOSES = ("diag_1", "diag_2", "diag_3")
DRUGS = (
    "metformin", "repaglinide", "nateglinide", "chlorpropamide", "glimepiride", "acetohexamide",
    "glipizide", "glyburide", "tolbutamide", "pioglitazone", "rosiglitazone", "acarbose", "miglitol",
    "troglitazone", "tolazamide", "examide", "citoglipton", "insulin", "glyburide-metformin",
    "glipizide-metformin", "glimepiride-pioglitazone", "metformin-rosiglitazone", "metformin-pioglitazone",
)  # fmt: skip
CATEGORICAL = (
    "race", "gender", "age", "weight", "admission_type_id", "discharge_disposition_id",
    "admission_source_id", "payer_code", "medical_specialty", "max_glu_serum", "A1Cresult",
    "change", "diabetesMed",
) + DRUGS  # fmt: skip
COUNTS = (
    "time_in_hospital", "num_lab_procedures", "num_procedures", "num_medications",
    "number_outpatient", "number_emergency", "number_inpatient", "number_diagnoses",
)  # fmt: skip
PAD, UNKNOWN = "<pad>", "<unknown>"


@dataclass
class RecordVocabulary:
    """Tokens learned from training encounters only; values seen fewer than ``min_count`` times
    fall back to their field's rare token (a rare ICD-9 code to its chapter)."""

    min_count: int = 20
    bins: int = 8
    tokens: dict[str, int] = field(default_factory=dict)
    edges: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def fields(self) -> tuple[str, ...]:
        return CATEGORICAL + COUNTS + DIAGNOSES + tuple(f"{d}_group" for d in DIAGNOSES)

    def fit(self, frame: pd.DataFrame) -> "RecordVocabulary":
        missing = [c for c in CATEGORICAL + COUNTS + DIAGNOSES if c not in frame]
        if missing:
            raise InputError(f"the encounter table has no column(s) {missing}")
        for column in COUNTS:
            # Quantile edges, deduplicated: most counts are small whole numbers with ties.
            qs = np.quantile(frame[column].astype(float), np.linspace(0, 1, self.bins + 1)[1:-1])
            self.edges[column] = np.unique(qs)
        words = self._words(frame, fitted=False)
        counts = pd.Series(words.to_numpy().ravel()).value_counts()
        kept = sorted(counts[counts >= self.min_count].index)
        rare = sorted({f"{c}=<rare>" for c in self.fields})
        self.tokens = {w: i for i, w in enumerate([PAD, UNKNOWN] + rare + [w for w in kept if w not in rare])}
        return self

    def _words(self, frame: pd.DataFrame, fitted: bool = True) -> pd.DataFrame:
        out = {}
        for column in CATEGORICAL + DIAGNOSES:
            out[column] = column + "=" + frame[column].astype("string").fillna("?").astype(str)
        for column in COUNTS:
            values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
            bucket = np.searchsorted(self.edges[column], values, side="right")
            out[column] = np.where(np.isnan(values), f"{column}=?", [f"{column}=q{b}" for b in bucket])
        for column in DIAGNOSES:
            out[f"{column}_group"] = f"{column}_group=" + icd9_groups(frame[column]).fillna("?").astype(str)
        return pd.DataFrame(out, index=frame.index)[list(self.fields)]

    def encode(self, frame: pd.DataFrame) -> torch.Tensor:
        """A ``(encounters, fields)`` tensor of token ids; one column per field, in ``fields`` order."""
        if not self.tokens:
            raise InputError("fit the vocabulary on training encounters before encoding")
        words = self._words(frame)
        ids = np.empty(words.shape, dtype=np.int64)
        for j, column in enumerate(words.columns):
            rare = self.tokens[f"{column}=<rare>"]
            ids[:, j] = words[column].map(self.tokens).fillna(rare).to_numpy(dtype=np.int64)
        return torch.from_numpy(ids)

    def __len__(self) -> int:
        return len(self.tokens)
