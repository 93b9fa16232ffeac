"""Named-entity recognition helpers: BIO entities, entity-level scores, word-piece label alignment,
and a dictionary baseline.

Entity-level scoring follows the CoNLL convention: an entity counts as found
only if its type and both boundaries match exactly.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from ..core.errors import InputError

IGNORE = -100  # the label PyTorch's cross-entropy skips


def entities(tags: Sequence[str]) -> set[tuple[int, int, str]]:
    """(start, end, type) of each entity in a BIO sequence; ``end`` is exclusive.

    An ``I-`` tag that does not continue an entity of its type starts a new one,
    as the CoNLL evaluation script does.
    """
    found, start, kind = set(), None, None
    for i, tag in enumerate(list(tags) + ["O"]):
        prefix, _, label = tag.partition("-")
        continues = prefix == "I" and kind == label
        if start is not None and not continues:
            found.add((start, i, kind))
            start, kind = None, None
        if prefix == "B" or (prefix == "I" and not continues):
            start, kind = i, label
        elif prefix not in ("O", "I", "B"):
            raise InputError(
                f"tag {tag!r} at position {i} is not O, B-<type> or I-<type>"
            )
    return found


def entity_scores(
    true_tags: Iterable[Sequence[str]], pred_tags: Iterable[Sequence[str]]
) -> dict[str, float]:
    """Micro-averaged entity precision, recall and F1 over sentences."""
    tp = n_true = n_pred = 0
    for number, (truth, pred) in enumerate(zip(true_tags, pred_tags, strict=True)):
        if len(truth) != len(pred):
            raise InputError(
                f"sentence {number}: {len(truth)} true tags but {len(pred)} predicted"
            )
        t, p = entities(truth), entities(pred)
        tp += len(t & p)
        n_true += len(t)
        n_pred += len(p)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_true if n_true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "F1": f1,
        "entities": n_true,
        "predicted": n_pred,
    }


def entity_f1_interval(
    true_tags: Sequence[Sequence[str]], pred_tags: Sequence[Sequence[str]], n_boot: int = 1000,
    confidence: float = 0.95, seed: int = 0,
) -> tuple[float, float]:
    """A percentile bootstrap interval for the entity F1 of ``entity_scores``, resampling whole sentences
    (the entities of one sentence are not independent of each other)."""
    import numpy as np

    if n_boot < 1 or not 0 < confidence < 1:
        raise InputError(f"need n_boot >= 1 and 0 < confidence < 1, got {n_boot}, {confidence}")
    counts = []
    for truth, pred in zip(true_tags, pred_tags, strict=True):
        t, p = entities(truth), entities(pred)
        counts.append((len(t & p), len(t), len(p)))
    if not counts:
        raise InputError("no sentences to resample")
    counts = np.array(counts, dtype=float)
    rows = np.random.default_rng(seed).integers(0, len(counts), size=(n_boot, len(counts)))
    tp, n_true, n_pred = (counts[:, k][rows].sum(axis=1) for k in range(3))
    f1 = np.divide(2 * tp, n_true + n_pred, out=np.zeros(n_boot), where=(n_true + n_pred) > 0)  # = 2PR/(P+R)
    tail = (1 - confidence) / 2
    return float(np.quantile(f1, tail)), float(np.quantile(f1, 1 - tail))


def align_labels(
    word_ids: Sequence[int | None], word_labels: Sequence[int]
) -> list[int]:
    """Labels for word pieces: each word's label on its first piece, ``IGNORE`` elsewhere.

    ``word_ids`` is what a fast tokenizer's ``word_ids()`` returns: the word each
    piece came from, ``None`` for special tokens. Continuation pieces are ignored
    by the loss, so a word split into five pieces is not counted five times, and
    prediction reads each word's label from its first piece.
    """
    labels, previous = [], None
    for word in word_ids:
        if word is None or word == previous:
            labels.append(IGNORE)
        else:
            if not 0 <= word < len(word_labels):
                raise InputError(
                    f"word index {word} outside the {len(word_labels)} labelled words"
                )
            labels.append(int(word_labels[word]))
        previous = word
    return labels


def _key(tokens: Sequence[str]) -> tuple[str, ...]:
    # Abbreviations keep their case: "AT" (ataxia-telangiectasia) must not match the word "at".
    return tuple(t if t.isupper() and len(t) > 1 else t.lower() for t in tokens)


class DictionaryTagger:
    """Tags every longest exact match of a phrase seen as an entity in training.

    Matching ignores case except for all-capital abbreviations.
    """

    def __init__(self, sentences, entity_type: str = "Disease") -> None:
        self.type = entity_type
        self.phrases: set[tuple[str, ...]] = set()
        for sentence in sentences:
            for start, end, kind in entities(sentence.tags):
                if kind == entity_type:
                    self.phrases.add(_key(sentence.tokens[start:end]))
        if not self.phrases:
            raise InputError(f"no {entity_type} entities in the training sentences")
        self.longest = max(len(p) for p in self.phrases)

    def tag(self, tokens: Sequence[str]) -> list[str]:
        lowered = list(_key(tokens))
        tags, i = ["O"] * len(tokens), 0
        while i < len(tokens):
            for size in range(min(self.longest, len(tokens) - i), 0, -1):
                if tuple(lowered[i : i + size]) in self.phrases:
                    tags[i] = f"B-{self.type}"
                    for j in range(i + 1, i + size):
                        tags[j] = f"I-{self.type}"
                    i += size
                    break
            else:
                i += 1
        return tags
