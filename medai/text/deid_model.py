"""A learned de-identifier beside the rules: MiniLM tags each word piece as identifier or not.

It is trained on SYNTHETIC notes (``medai.datasets.make_synthetic_notes``), whose identifiers
sit at known characters, so no real record is needed. A word piece is labelled 1 when any of
its characters belongs to an identifier. At prediction time every word touched by a tagged
piece is removed whole, because half a name still identifies. ``union`` joins its spans with
the rules', the way the best i2b2 2014 systems combined learned models with rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

from ..core.errors import InputError
from ..core.tensors import TensorPairs
from ..core.train import TrainConfig, fit, predict
from .deid_patterns import Span
from .ner import IGNORE
from .transformer import load_tokenizer, token_classifier, token_f1, token_loss

_WORD_CHARS = str.isalnum


def encode_notes(
    tokenizer, notes: Sequence, max_length: int = 128, stride: int = 32
) -> tuple[TensorPairs, list[tuple[int, list[tuple[int, int]]]]]:
    """Notes as overlapping windows of word pieces, labelled 1 where a piece touches an identifier.

    Returns the packed inputs with labels, and for each window the note it came from and each
    piece's character offsets (special tokens and padding have (0, 0)).
    """
    if max_length < 8 or not 0 <= stride < max_length - 2:
        raise InputError(
            f"need max_length >= 8 and 0 <= stride < max_length - 2, got {max_length}, {stride}"
        )
    ids, labels, index = [], [], []
    for number, note in enumerate(notes):
        encoded = tokenizer(
            note.text, truncation=True, max_length=max_length, stride=stride,
            return_overflowing_tokens=True, return_offsets_mapping=True,
        )  # fmt: skip
        phi = np.zeros(len(note.text) + 1, dtype=bool)
        for start, end, _ in note.phi:
            phi[start:end] = True
        for window, offsets in zip(encoded["input_ids"], encoded["offset_mapping"]):
            row = [IGNORE if a == b else int(phi[a:b].any()) for a, b in offsets]
            ids.append(window)
            labels.append(row)
            index.append((number, [tuple(o) for o in offsets]))
    packed = torch.zeros(len(ids), 2, max_length, dtype=torch.long)
    packed[:, 0] = tokenizer.pad_token_id
    targets = torch.full((len(ids), max_length), IGNORE, dtype=torch.long)
    for row, (window, label) in enumerate(zip(ids, labels)):
        packed[row, 0, : len(window)] = torch.tensor(window)
        packed[row, 1, : len(window)] = 1
        targets[row, : len(label)] = torch.tensor(label)
    return TensorPairs(packed, targets), index


class ModelDetector:
    """A trained MiniLM token tagger that finds identifier spans in text (``find``).

    A word piece is tagged when the model gives it a probability of being an identifier of at least
    ``threshold``, and a stretch of tagged words is removed when one of its pieces reaches ``anchor``
    (hysteresis, as in edge detection: a faint piece beside a confident one goes with it, a faint piece
    alone stays). Both are chosen on validation notes, see ``choose_threshold``; an ``anchor`` of None is
    the threshold itself.
    """

    def __init__(
        self, model, tokenizer, max_length: int = 128, stride: int = 32, threshold: float = 0.5,
        anchor: float | None = None,
    ) -> None:  # fmt: skip
        self.model, self.tokenizer = model.eval(), tokenizer
        self.max_length, self.stride, self.threshold, self.anchor = max_length, stride, threshold, anchor
        # A chapter scores the same notes with the tagger alone, in the union, strictly and with titles
        # allowed: the model's probabilities do not depend on the threshold, so each text runs once.
        self._seen: dict[str, np.ndarray] = {}

    def probabilities(self, text: str) -> np.ndarray:
        """Each character's highest identifier probability over the word pieces that cover it."""
        if text not in self._seen:
            if len(self._seen) >= 4096:  # a bound on memory for long-running services
                self._seen.clear()
            self._seen[text] = self._probabilities(text)
        return self._seen[text].copy()

    def _probabilities(self, text: str) -> np.ndarray:
        data, index = encode_notes(self.tokenizer, [_Plain(text)], self.max_length, self.stride)
        logits = torch.from_numpy(predict(self.model, data.inputs, batch_size=32))
        phi = torch.softmax(logits, dim=-1)[..., 1].numpy()
        chars = np.zeros(len(text) + 1)
        for row, (_, offsets) in enumerate(index):
            for position, (start, end) in enumerate(offsets):
                if start != end:
                    chars[start:end] = np.maximum(chars[start:end], phi[row, position])
        return chars

    def find(self, text: str) -> list[Span]:
        """Identifier spans of ``text``, widened to whole words."""
        if not text:
            return []
        p = self.probabilities(text)
        return _word_spans(text, p >= self.threshold, None if self.anchor is None else p >= self.anchor)


def train_model_detector(
    notes: Sequence, val_notes: Sequence, config: TrainConfig, max_length: int = 128
) -> ModelDetector:
    """Fine-tune MiniLM to tag identifier word pieces of ``notes`` (validated on ``val_notes``)."""
    tokenizer = load_tokenizer()
    train_data, _ = encode_notes(tokenizer, notes, max_length)
    val_data, _ = encode_notes(tokenizer, val_notes, max_length)
    torch.manual_seed(config.seed)  # the new head's initial weights
    model = token_classifier(2)
    fit(model, train_data, val_data, config, loss_fn=token_loss, score_fn=token_f1)
    return ModelDetector(model, tokenizer, max_length)


def union(*finders: Callable[[str], list]) -> Callable[[str], list[Span]]:
    """A finder that removes what any of ``finders`` removes."""

    def find(text: str) -> list[Span]:
        removed = np.zeros(len(text) + 1, dtype=bool)
        for finder in finders:
            for span in finder(text):
                removed[span.start : span.end] = True
        return _runs(text, removed, "PHI")

    return find


class _Plain:
    """A text with no known identifiers, in the shape ``encode_notes`` reads."""

    def __init__(self, text: str) -> None:
        self.text, self.phi = text, []


def _word_spans(text: str, tagged: np.ndarray, anchored: np.ndarray | None = None) -> list[Span]:
    """Widen each tagged stretch to whole words, then return the stretches as spans (with ``anchored``,
    only those that hold an anchored character)."""
    widened = tagged.copy()
    for position in np.flatnonzero(tagged[: len(text)]):
        left = position
        while left > 0 and _WORD_CHARS(text[left - 1]) and not widened[left - 1]:
            left -= 1
            widened[left] = True
        right = position
        while (
            right + 1 < len(text)
            and _WORD_CHARS(text[right + 1])
            and not widened[right + 1]
        ):
            right += 1
            widened[right] = True
    spans = _runs(text, _bridge_gaps(text, widened), "PHI")
    if anchored is not None:
        spans = [span for span in spans if anchored[span.start : span.end].any()]
    return spans


# Between two removed words, a short gap of these characters goes too ("van Dijk", "K. Lind",
# "D'Souza"): left in place, it would show where a multi-word name stood and how it was written.
_GAP_CHARS = frozenset(" .'-")  # not commas: the tagger tags the comma of "Lind, K." itself
_MAX_GAP = 3


def _bridge_gaps(text: str, removed: np.ndarray) -> np.ndarray:
    """Also remove short runs of spaces and name punctuation that sit between two removed stretches."""
    bridged = removed.copy()
    edges = np.flatnonzero(
        np.diff(np.concatenate([[0], removed[: len(text)].astype(np.int8), [0]]))
    )
    for end, start in zip(edges[1:-1:2], edges[2::2]):  # each gap: (end of one run, start of next)
        gap = text[end:start]
        if len(gap) <= _MAX_GAP and set(gap) <= _GAP_CHARS:
            bridged[end:start] = True
    return bridged


def _runs(text: str, mask: np.ndarray, kind: str) -> list[Span]:
    edges = np.flatnonzero(
        np.diff(np.concatenate([[0], mask[: len(text)].astype(np.int8), [0]]))
    )
    return [
        Span(int(a), int(b), kind, text[a:b]) for a, b in zip(edges[::2], edges[1::2])
    ]
