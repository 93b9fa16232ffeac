"""Patient tracking, Doctor AI-style (Choi et al. 2016): from a patient's earlier encounters, what
comes next? A GRU reads the encounters in order and predicts the next encounter's diagnosis groups
and whether it comes within 30 days of the last discharge.

Encounter order is ``encounter_id`` order: the data set has no dates, and its ids rise with time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from ..core.errors import InputError
from .codes import GROUPS, icd9_groups
from .tokens import DIAGNOSES, RecordVocabulary


@dataclass(frozen=True)
class VisitSequences:
    """``inputs`` ``(examples, max_visits, fields)`` token ids, earlier encounters first, padded
    with zeros at the end; ``targets`` ``(examples, groups + 1)``: the next encounter's diagnosis
    groups (0/1, in ``GROUPS`` order), then 1 if it came within 30 days; ``patients`` one id per
    example; ``last_groups`` the groups of each example's latest earlier encounter."""

    inputs: torch.Tensor
    targets: torch.Tensor
    patients: np.ndarray
    last_groups: np.ndarray

    def __len__(self) -> int:
        return len(self.targets)


def diagnosis_groups(frame: pd.DataFrame) -> np.ndarray:
    """``(encounters, groups)`` 0/1: which ICD-9 groups an encounter's three diagnoses fall in."""
    out = np.zeros((len(frame), len(GROUPS)), dtype=np.float32)
    column = {name: k for k, name in enumerate(GROUPS)}
    for diag in DIAGNOSES:
        groups = icd9_groups(frame[diag]).to_numpy()
        rows = np.flatnonzero(pd.notna(groups))
        out[rows, [column[g] for g in groups[rows]]] = 1
    return out


def visit_sequences(frame: pd.DataFrame, vocabulary: RecordVocabulary, max_visits: int = 8) -> VisitSequences:
    """One example per encounter that has an earlier one of the same patient: up to ``max_visits``
    earlier encounters in, that encounter's groups (and whether it was a 30-day readmission) out."""
    if max_visits < 1:
        raise InputError(f"max_visits must be at least 1, got {max_visits}")
    frame = frame.sort_values(["patient_nbr", "encounter_id"]).reset_index(drop=True)
    tokens = vocabulary.encode(frame)
    groups = diagnosis_groups(frame)
    # The earlier encounter's own outcome says whether this one came within 30 days of it.
    within_30 = (frame["readmitted"] == "<30").to_numpy(dtype=np.float32)
    position = frame.groupby("patient_nbr").cumcount().to_numpy()
    examples = np.flatnonzero(position > 0)
    inputs = torch.zeros((len(examples), max_visits, tokens.shape[1]), dtype=torch.long)
    for k, row in enumerate(examples):
        start = max(row - position[row], row - max_visits)
        inputs[k, : row - start] = tokens[start:row]
    targets = np.concatenate([groups[examples], within_30[examples - 1, None]], axis=1)
    return VisitSequences(
        inputs=inputs,
        targets=torch.from_numpy(targets),
        patients=frame["patient_nbr"].to_numpy()[examples],
        last_groups=groups[examples - 1],
    )


class NextVisitGRU(nn.Module):
    """Encounters -> summed token embeddings -> GRU -> logits for the next encounter's groups and
    for a return within 30 days."""

    def __init__(self, vocabulary_size: int, outputs: int, dim: int = 32, hidden: int = 64,
                 dropout: float = 0.2) -> None:  # fmt: skip
        super().__init__()
        self.embed = nn.EmbeddingBag(vocabulary_size, dim, mode="sum", padding_idx=0)
        self.gru = nn.GRU(dim, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden, outputs))

    def forward(self, visits: torch.Tensor) -> torch.Tensor:
        batch, steps, fields = visits.shape
        vectors = self.embed(visits.reshape(batch * steps, fields)).reshape(batch, steps, -1)
        lengths = (visits[:, :, 0] != 0).sum(1).clamp(min=1).cpu()
        packed = pack_padded_sequence(vectors, lengths, batch_first=True, enforce_sorted=False)
        _, last = self.gru(packed)
        return self.head(last[-1])


def recall_at_k(targets, scores, k: int = 3) -> float:
    """Doctor AI's recall@k: of the groups the next encounter has, the share among the ``k``
    highest-scored, averaged over encounters that have any."""
    targets, scores = np.asarray(targets), np.asarray(scores)
    if targets.shape != scores.shape or targets.ndim != 2:
        raise InputError(f"targets {targets.shape} and scores {scores.shape} must be equal 2-D shapes")
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    hits = np.take_along_axis(targets, top, axis=1).sum(1)
    true = targets.sum(1)
    keep = true > 0
    return float(np.mean(hits[keep] / true[keep]))


def tracking_loss(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy over every group and the 30-day flag."""
    return nn.functional.binary_cross_entropy_with_logits(outputs, targets.float())


def groups_recall_at_3(targets: np.ndarray, outputs: np.ndarray) -> float:
    """The validation score ``fit`` maximises: recall@3 of the diagnosis groups."""
    return recall_at_k(targets[:, :-1], outputs[:, :-1], k=3)
