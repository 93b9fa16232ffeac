"""Score a de-identifier by characters: an identifier counts as removed only when every one of its
characters is removed, and precision is the share of removed characters that were identifiers.

Span-level scores flatter a de-identifier twice: a span that removes half a surname counts as
a hit, and a span that swallows a whole sentence counts as precise. Characters do not.
"""

from __future__ import annotations

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


def character_scores(
    notes, find: Callable[[str], list]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-category table (identifiers, removed, recall, characters) and the list of leaks.

    ``notes`` have ``text``, ``phi`` [(start, end, kind)] and ``patient_id``; ``find(text)``
    returns spans with ``start`` and ``end`` (``medai.text.deid.find_phi`` does). The table's
    ``attrs`` hold the character precision and the removed non-identifier text.
    """
    rows, leaks, over = [], [], []
    removed_chars = removed_phi_chars = 0
    for note in notes:
        found = [(s.start, s.end) for s in find(note.text)]
        removed = removed_mask(note.text, found)
        is_phi = removed_mask(note.text, [(s, e) for s, e, _ in note.phi])
        removed_chars += int(removed.sum())
        removed_phi_chars += int((removed & is_phi).sum())
        for start, end, kind in note.phi:
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
