"""Is a message about anything the corpus covers? A floor on its similarity to the closest answer.

The refusal threshold (``abstain``) asks whether the best answer clearly beats its rivals; it
cannot tell that "will it rain in Berlin?" is not a health question at all. Here a message is in
scope when its cosine similarity to the closest answer reaches a floor set from in-scope
questions only: the k-th lowest of n calibration similarities, k = floor(miss_rate * (n + 1)).
For a new question exchangeable with the calibration ones, the chance of falling below it is at
most k / (n + 1) <= miss_rate (a one-class split-conformal bound; Vovk et al. 2005). How many
out-of-scope messages it stops is not guaranteed: chapter 7 measures that on requests written
for this book.
"""

from __future__ import annotations

import numpy as np

from ..core.errors import InputError


def scope_floor(similarities, miss_rate: float = 0.02) -> float:
    """The floor that refuses at most ``miss_rate`` of in-scope questions like these (-inf when
    there are too few of them to refuse any: k = 0)."""
    values = np.sort(np.asarray(similarities, dtype=float))
    if values.ndim != 1 or len(values) == 0 or not np.isfinite(values).all():
        raise InputError(f"need a non-empty 1-D array of finite similarities, got shape {values.shape}")
    if not 0 < miss_rate < 1:
        raise InputError(f"miss_rate must be in (0, 1), got {miss_rate}")
    k = int(np.floor(miss_rate * (len(values) + 1)))
    return float(values[k - 1]) if k >= 1 else -np.inf


def closest_similarity(dense, questions) -> np.ndarray:
    """Cosine similarity of each question to its closest document (``DenseRetriever``)."""
    return dense.search(list(questions), k=1)[1][:, 0]
