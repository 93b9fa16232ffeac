"""How the tagger's threshold and anchor are chosen, on validation notes only.

Kept apart from the training recipe (``deid_trained``): changing how the threshold is chosen chooses
it again, in seconds, without training the tagger again.
"""

from __future__ import annotations

import numpy as np

from .deid_patterns import Span

THRESHOLDS = (0.02, 0.03, *(round(t, 2) for t in np.arange(0.05, 0.96, 0.05)))
ANCHORS = (0.2, 0.35, 0.5, 0.65, 0.8)  # a stretch's most confident piece must reach one of these, or the threshold


def choose_threshold(detector, notes, rules, tolerance: float = 0.002) -> tuple[tuple[float, float], "pd.DataFrame"]:
    """The (threshold, anchor) pair at which the union of ``rules`` and ``detector`` comes within
    ``tolerance`` of its best recall on ``notes`` and removes the least other text (privacy first, then
    as little of the medicine as that allows); returns it with the recall and over-removal of every pair
    tried (an anchor equal to the threshold is no anchor)."""
    import pandas as pd

    from .deid_model import _word_spans, union
    from .deid_scoring import character_scores

    probabilities = {note.text: detector.probabilities(note.text) for note in notes}  # once, for every pair
    found_by_rules = {note.text: rules(note.text) for note in notes}
    rows = []
    for threshold in THRESHOLDS:
        # each stretch with its most confident piece: the anchors then only filter the stretches
        stretches = {text: [(span, p[span.start : span.end].max()) for span in _word_spans(text, p >= threshold)]
                     for text, p in probabilities.items()}  # fmt: skip
        for anchor in (threshold, *(a for a in ANCHORS if a > threshold)):
            def tagged(text: str, anchor: float = anchor) -> list[Span]:
                return [span for span, top in stretches[text] if top >= anchor]

            table, _ = character_scores(notes, union(found_by_rules.__getitem__, tagged))
            rows.append({"threshold": threshold, "anchor": anchor, "recall": table.loc["all", "recall"],
                         "over-removal": table.attrs["over-removal"]})  # fmt: skip
    scores = pd.DataFrame(rows).set_index(["threshold", "anchor"])
    close = scores[scores["recall"] >= scores["recall"].max() - tolerance - 1e-12]
    best = close.sort_values("over-removal", kind="stable").index[0]
    return (float(best[0]), float(best[1])), scores
