"""Messages to a health assistant written by hand for this book: a triage and distress test set.

Five kinds (``TRIAGE_LABELS``): true emergencies, emergency signs that are denied, questions
about a symptom rather than reports of one, distress without an emergency, and ordinary
questions. The file (``data/triage_messages.txt``) was frozen before any detector was written.
Within each kind, messages alternate between "tune" (for writing rules) and "test" (only scored).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .bundle import DataBundle
from .errors import DataError
from .written import labelled_messages, packaged_text, tab_rows

TRIAGE_LABELS = ("emergency", "negated", "educational", "distress", "routine")
SPLITS = ("tune", "test")


def parse_triage_messages(text: str, source: str = "input") -> pd.DataFrame:
    """``label<TAB>message`` lines (``#`` comments and blank lines skipped) as a table with a split."""
    frame = pd.DataFrame(tab_rows(text, 2, source, first_in=TRIAGE_LABELS), columns=["label", "message"])
    order = frame.groupby("label").cumcount()
    frame["split"] = np.where(order % 2 == 0, "tune", "test")
    return frame


def load_triage_messages(split: str | None = None) -> DataBundle:
    """The messages (``split`` "tune", "test" or None): ``data`` the texts, ``target`` the labels,
    ``frame`` label, message and split."""
    if split is not None and split not in SPLITS:
        raise DataError(f"split must be one of {SPLITS} or None, got {split!r}")
    file = "triage_messages.txt"
    frame = parse_triage_messages(packaged_text(file), source=file)
    if split is not None:
        frame = frame[frame["split"] == split].reset_index(drop=True)
    about = f"messages to a health assistant written for this book ({split or 'all'} split)"
    return labelled_messages("triage-messages", frame, "label", TRIAGE_LABELS, about, file)
