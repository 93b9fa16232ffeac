"""Splice junctions: the consensus-rule baseline and near-identical twins across splits.

In the UCI sequences the junction lies between positions 30 and 31 (1-based). An intron almost
always starts with GT (the donor, class EI) and ends with AG (the acceptor, class IE).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..core.errors import InputError

JUNCTION = 30  # 0-based index of the first base after the junction


def consensus_rule(sequences: Sequence[str], classes: Sequence[str] = ("EI", "IE", "N")) -> np.ndarray:
    """Class index per sequence: EI if GT follows the junction, else IE if AG precedes it, else N."""
    donor, acceptor, neither = (classes.index(c) for c in ("EI", "IE", "N"))
    out = np.full(len(sequences), neither)
    for row, sequence in enumerate(sequences):
        if len(sequence) < JUNCTION + 2:
            raise InputError(
                f"sequence {row} has {len(sequence)} letters; the rule reads positions {JUNCTION - 1} to {JUNCTION + 2}"
            )
        if sequence[JUNCTION : JUNCTION + 2].upper() == "GT":
            out[row] = donor
        elif sequence[JUNCTION - 2 : JUNCTION].upper() == "AG":
            out[row] = acceptor
    return out


def nearest_identity(queries: Sequence[str], references: Sequence[str], chunk: int = 256) -> np.ndarray:
    """For each query, the highest share of identical positions with any reference (same length, no gaps)."""
    q, r = _letters(queries), _letters(references)
    if q.shape[1] != r.shape[1]:
        raise InputError(f"queries have {q.shape[1]} letters, references {r.shape[1]}")
    best = np.zeros(len(q))
    for start in range(0, len(q), chunk):
        same = (q[start : start + chunk, None, :] == r[None, :, :]).mean(axis=2)
        best[start : start + chunk] = same.max(axis=1)
    return best


def _letters(sequences: Sequence[str]) -> np.ndarray:
    if len(sequences) == 0:
        raise InputError("no sequences given")
    lengths = {len(s) for s in sequences}
    if len(lengths) != 1:
        raise InputError(f"sequences must share one length, got lengths {sorted(lengths)[:5]}")
    joined = "".join(sequences).upper().encode("ascii")
    return np.frombuffer(joined, np.uint8).reshape(len(sequences), -1)
