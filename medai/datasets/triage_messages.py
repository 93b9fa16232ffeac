"""Messages to a health assistant written by hand for this book: a triage and distress test set.

Five kinds (``TRIAGE_LABELS``): true emergencies, emergency signs that are denied, questions
about a symptom rather than reports of one, distress without an emergency, and ordinary
questions. The file (``data/triage_messages.txt``) was frozen before any detector was written.
Within each kind, messages alternate between "tune" (for writing rules) and "test" (only scored).
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

from .bundle import DataBundle
from .errors import DataError

TRIAGE_LABELS = ("emergency", "negated", "educational", "distress", "routine")
SPLITS = ("tune", "test")


def parse_triage_messages(text: str, source: str = "input") -> pd.DataFrame:
    """``label<TAB>message`` lines (``#`` comments and blank lines skipped) as a table with a split."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        label, tab, message = line.partition("\t")
        if not tab or not message.strip():
            raise DataError(f"{source}, line {number}: expected 'label<TAB>message', got {line!r}")
        if label not in TRIAGE_LABELS:
            raise DataError(f"{source}, line {number}: unknown label {label!r}; expected one of {TRIAGE_LABELS}")
        rows.append({"label": label, "message": message.strip()})
    if not rows:
        raise DataError(f"{source}: no messages found")
    frame = pd.DataFrame(rows)
    order = frame.groupby("label").cumcount()
    frame["split"] = np.where(order % 2 == 0, "tune", "test")
    return frame


def load_triage_messages(split: str | None = None) -> DataBundle:
    """The messages (``split`` "tune", "test" or None): ``data`` the texts, ``target`` the labels,
    ``frame`` label, message and split."""
    if split is not None and split not in SPLITS:
        raise DataError(f"split must be one of {SPLITS} or None, got {split!r}")
    source = resources.files(__package__).joinpath("data", "triage_messages.txt")
    frame = parse_triage_messages(source.read_text("utf-8"), source="triage_messages.txt")
    if split is not None:
        frame = frame[frame["split"] == split].reset_index(drop=True)
    return DataBundle(
        name="triage-messages",
        data=frame["message"].tolist(),
        target=frame["label"].to_numpy(),
        target_names=TRIAGE_LABELS,
        frame=frame,
        description=f"{len(frame)} messages to a health assistant written for this book ({split or 'all'} split): "
        + ", ".join(f"{(frame['label'] == k).sum()} {k}" for k in TRIAGE_LABELS),
        licence="MIT (written for this book)",
        citation="Written for medai; see medai/datasets/data/triage_messages.txt.",
    )
