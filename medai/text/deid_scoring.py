"""Score a de-identifier by characters: an identifier counts as removed only when every one of its
characters is removed, and precision is the share of removed characters that were identifiers.

Span-level scores flatter a de-identifier twice: a span that removes half a surname counts as
a hit, and a span that swallows a whole sentence counts as precise. Characters do not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from ..core.errors import InputError

# Categories the book's goal covers (recall >= .99): names, dates, contacts, IDs, addresses.
GOAL_GROUPS = {
    "NAME": ("NAME",),
    "DATE": ("DATE",),
    "PHONE/FAX": ("PHONE", "FAX"),
    "EMAIL": ("EMAIL",),
    "ID": ("SSN", "MRN", "ACCOUNT"),
    "ADDRESS": ("ADDRESS", "ZIP"),
}


def removed_mask(text: str, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """True for each character of ``text`` that a span removes."""
    mask = np.zeros(len(text), dtype=bool)
    for start, end in spans:
        if not 0 <= start <= end <= len(text):
            raise InputError(
                f"span ({start}, {end}) is outside a text of {len(text)} characters"
            )
        mask[start:end] = True
    return mask


# A courtesy or professional title at the start of a marked name ("Dr", "Mrs."): Safe Harbor lists names,
# not titles, and most annotation guides leave titles out of the name; some writers mark them in.
TITLE = re.compile(r"(?i)^(?:dr|mr|mrs|ms|miss|mx|prof|sr|sir|dame|rev|fr)\.?\s+")


def character_scores(
    notes, find: Callable[[str], list], titles_may_stay: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-category table (identifiers, removed, recall, characters) and the list of leaks.

    ``notes`` have ``text``, ``phi`` [(start, end, kind)] and ``patient_id``; ``find(text)``
    returns spans with ``start`` and ``end`` (``medai.text.deid.find_phi`` does). The table's
    ``attrs`` hold the character precision and the removed non-identifier text. With
    ``titles_may_stay``, a title at the start of a marked name need not be removed (nor counts
    as other text when it is).
    """
    rows, leaks, over = [], [], []
    removed_chars = removed_phi_chars = other_chars = 0
    for note in notes:
        found = [(s.start, s.end) for s in find(note.text)]
        removed = removed_mask(note.text, found)
        is_phi = removed_mask(note.text, [(s, e) for s, e, _ in note.phi])
        removed_chars += int(removed.sum())
        removed_phi_chars += int((removed & is_phi).sum())
        other_chars += int((~is_phi).sum())
        for start, end, kind in note.phi:
            if titles_may_stay and kind == "NAME" and (title := TITLE.match(note.text[start:end])):
                start += title.end()
            caught = bool(removed[start:end].all())
            rows.append({"category": kind, "caught": caught, "characters": end - start})
            if not caught:
                kept = "".join(
                    c if not r else "_"
                    for c, r in zip(note.text[start:end], removed[start:end])
                )
                leaks.append(
                    {
                        "note": note.patient_id,
                        "category": kind,
                        "identifier": note.text[start:end],
                        "left in the text": kept,
                    }
                )
        over.extend(_runs(note.text, removed & ~is_phi, note.patient_id))
    table = pd.DataFrame(rows)
    summary = table.groupby("category").agg(
        identifiers=("caught", "size"), removed=("caught", "sum")
    )
    summary["recall"] = summary["removed"] / summary["identifiers"]
    summary.loc["all"] = [
        len(table),
        int(table["caught"].sum()),
        table["caught"].mean(),
    ]
    summary[["identifiers", "removed"]] = summary[["identifiers", "removed"]].astype(
        int
    )
    summary.attrs["precision"] = (
        removed_phi_chars / removed_chars if removed_chars else 1.0
    )
    summary.attrs["over-redacted"] = over
    # The share of the text that was not an identifier and was removed all the same (the medicine lost).
    summary.attrs["over-removal"] = (removed_chars - removed_phi_chars) / other_chars if other_chars else 0.0
    return summary, pd.DataFrame(
        leaks, columns=["note", "category", "identifier", "left in the text"]
    )


def goal_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Recall of the goal groups (names, dates, phone/fax, e-mail, IDs, addresses) from ``character_scores``."""
    rows = {}
    for group, kinds in GOAL_GROUPS.items():
        present = summary.loc[summary.index.intersection(kinds)]
        total, removed = (
            int(present["identifiers"].sum()),
            int(present["removed"].sum()),
        )
        rows[group] = {
            "identifiers": total,
            "removed": removed,
            "recall": removed / total if total else np.nan,
        }
    return pd.DataFrame(rows).T.astype(
        {"identifiers": int, "removed": int, "recall": float}
    )


def _runs(text: str, mask: np.ndarray, note_id: str) -> list[tuple[str, str]]:
    """The stretches of ``text`` where ``mask`` is true, as (note, text) pairs."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return [
        (note_id, text[a:b])
        for a, b in zip(edges[::2], edges[1::2])
        if text[a:b].strip()
    ]


def recall_interval(removed: int, total: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact (Clopper-Pearson) interval of a recall of ``removed`` out of ``total``."""
    from scipy.stats import binomtest

    if total == 0:
        return (np.nan, np.nan)
    interval = binomtest(removed, total).proportion_ci(confidence, method="exact")
    return float(interval.low), float(interval.high)


def detector_table(
    notes, finders: dict[str, Callable[[str], list]], titles_may_stay: bool = False
) -> tuple[pd.DataFrame, dict]:
    """One row per detector on the same ``notes``: recall of every identifier with its 95% interval,
    recall of each goal group, and the share of the other text removed; with each detector's
    ``character_scores`` (summary, leaks) by name."""
    rows, scored = {}, {}
    for name, find in finders.items():
        summary, leaks = character_scores(notes, find, titles_may_stay)
        scored[name] = (summary, leaks)
        total, removed = int(summary.loc["all", "identifiers"]), int(summary.loc["all", "removed"])
        low, high = recall_interval(removed, total)
        row = {"identifiers": total, "recall": removed / total, "95% low": low, "95% high": high}
        row.update(goal_table(summary)["recall"].to_dict())
        row["other text removed"] = summary.attrs["over-removal"]
        rows[name] = row
    return pd.DataFrame(rows).T.astype({"identifiers": int}), scored


_NOT_TYPED = ("dictat", "transcript", "hl7", "csv", "dicom", "ocr")
_NOT_TYPED_KINDS = ("dictation", "export", "ocr")  # the first word of a style in sets C and D


def style_group(style: str) -> str:
    """"dictated, exported or scanned" for speech transcripts, HL7/CSV/DICOM/FHIR exports and OCR scans;
    "typed" for everything else (the two have different goals)."""
    kind = style.split(":")[0].strip().lower()
    if kind in _NOT_TYPED_KINDS or any(k in style.lower() for k in _NOT_TYPED):
        return "dictated, exported or scanned"
    return "typed"


def record_file(name: str) -> "Path":
    """A record the book's benchmark scripts wrote (``benchmarks/results/NAME`` of the checkout).

    Found from the package's own location, so a notebook reads it from any working folder (the
    tests re-run an executed copy elsewhere); an installed package without the checkout says so."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / name
    if not path.is_file():
        raise InputError(f"{path} is missing: the benchmark records come with a checkout of the book "
                         "(git clone https://github.com/medai-book/medai)")  # fmt: skip
    return path
