"""Messages written for this book to train the assistant's triage detector.

4,028 invented messages (``data/triage_train_*.tsv``, ``route<TAB>message``) in English,
Chinese, Spanish and a dozen other languages: crises said directly and indirectly, emergencies
described by their signs, urgent problems, and everything that needs none of these (ordinary and
general questions, denied signs, past history, feelings, off-topic requests, prompt injections,
requests for a personal dose or diagnosis). They were written by helpers who saw neither the
frozen evaluation set (``load_triage_evaluation``) nor the rules. ``validation_split`` holds out a
stratified share for choosing the threshold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .bundle import DataBundle
from .errors import DataError
from .triage_evaluation import ROUTES
from .written import labelled_messages, packaged_text, tab_rows

TRAINING_FILES = {"en": "triage_train_en.tsv", "zh": "triage_train_zh.tsv", "es": "triage_train_es.tsv",
                  "other": "triage_train_other.tsv"}  # fmt: skip


def load_triage_training() -> DataBundle:
    """All training messages: ``data`` the texts, ``target`` the routes, ``frame`` route, message and
    language (``other`` for the ten smaller languages)."""
    frames = []
    for language, file in TRAINING_FILES.items():
        rows = tab_rows(packaged_text(file), 2, file, first_in=ROUTES)
        frames.append(pd.DataFrame(rows, columns=["route", "message"]).assign(language=language))
    frame = pd.concat(frames, ignore_index=True).drop_duplicates("message", ignore_index=True)
    about = "messages written to train triage"
    return labelled_messages("triage-training", frame, "route", ROUTES, about, "triage_train_en.tsv")


def validation_split(frame: pd.DataFrame, share: float = 0.2, seed: int = 0) -> np.ndarray:
    """True for the held-out validation rows: ``share`` of each route x language cell, at random."""
    if not 0 < share < 1:
        raise DataError(f"share must be between 0 and 1, got {share}")
    rng = np.random.default_rng(seed)
    held = np.zeros(len(frame), dtype=bool)
    for _, rows in frame.groupby(["route", "language"]).indices.items():
        picked = rng.permutation(rows)[: int(round(share * len(rows)))]
        held[picked] = True
    return held
