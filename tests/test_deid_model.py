"""The learned de-identifier's plumbing: labels from character spans, whole-word removal, union with rules."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from medai.datasets.synthetic_notes import Note
from medai.text.deid import rule_phi
from medai.text.deid_model import ModelDetector, encode_notes, union
from medai.text.deid_patterns import Span
from medai.text.ner import IGNORE


@pytest.fixture(scope="module")
def tokenizer(minilm_path):
    from medai.text.transformer import load_tokenizer

    return load_tokenizer()


def test_pieces_touching_an_identifier_are_labelled_one(tokenizer):
    text = "Seen by Dr. Okonkwo today for pneumonia."
    start = text.index("Okonkwo")
    note = Note(text, [(start, start + len("Okonkwo"), "NAME")])
    data, index = encode_notes(tokenizer, [note], max_length=32, stride=8)
    (_, offsets), labels = index[0], data.targets[0].tolist()
    tagged = [text[a:b] for (a, b), y in zip(offsets, labels) if y == 1]
    assert "".join(tagged) == "Okonkwo"  # every piece of the surname, nothing else
    assert labels[0] == IGNORE  # [CLS]
    untagged = [text[a:b] for (a, b), y in zip(offsets, labels) if y == 0]
    assert "today" in untagged


def test_long_notes_become_overlapping_windows(tokenizer):
    note = Note("word " * 300, [])
    data, index = encode_notes(tokenizer, [note], max_length=64, stride=16)
    assert len(data) > 5 and data.inputs.shape[1:] == (2, 64)
    assert {number for number, _ in index} == {0}
    with pytest.raises(ValueError, match="max_length"):
        encode_notes(tokenizer, [note], max_length=4)


class _TagsToken(nn.Module):
    """A stand-in model: class 1 wherever the input id is ``token_id``."""

    def __init__(self, token_id: int) -> None:
        super().__init__()
        self.token_id = token_id
        self.dummy = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hit = (x[:, 0] == self.token_id).float()
        return torch.stack([1 - hit, hit], dim=-1) + 0 * self.dummy


def test_a_tagged_piece_removes_its_whole_word(tokenizer):
    text = "Pt Okonkwo was seen."
    piece = tokenizer(text)["input_ids"][2]  # the first piece of the surname
    detector = ModelDetector(_TagsToken(piece), tokenizer, max_length=32, stride=8)
    spans = detector.find(text)
    assert [s.text for s in spans] == ["Okonkwo"]


def test_union_removes_what_either_finder_removes():
    text = "Call (415) 555-0182 or ask Bob."

    def finds_bob(t: str) -> list[Span]:
        i = t.index("Bob")
        return [Span(i, i + 3, "NAME", "Bob")]

    spans = union(rule_phi, finds_bob)(text)
    removed = "".join(text[s.start : s.end] for s in spans)
    assert "555-0182" in removed and "Bob" in removed
    assert np.all([s.kind == "PHI" for s in spans])


def test_short_gaps_between_tagged_words_go_too(tokenizer):
    text = "Seen by Maarten de Jong, then O'Neill.\nNext line."
    pieces = tokenizer(text, return_offsets_mapping=True)
    surname = {text.index(w) for w in ("Maarten", "de", "Jong")}
    wanted = {i for i, (a, b) in enumerate(pieces["offset_mapping"]) if a in surname}

    class _TagsPositions(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.dummy = nn.Parameter(torch.zeros(1))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            hit = torch.zeros(x.shape[0], x.shape[2])
            hit[:, sorted(wanted)] = 1.0
            return torch.stack([1 - hit, hit], dim=-1) + 0 * self.dummy

    spans = ModelDetector(_TagsPositions(), tokenizer, max_length=32, stride=8).find(text)
    # one span over the whole name, spaces included; the comma after it and "then" stay
    assert [s.text for s in spans] == ["Maarten de Jong"]


def test_an_anchor_keeps_faint_pieces_beside_a_confident_one_and_drops_faint_pieces_alone():
    from medai.text.deid_model import _word_spans

    text = "Seen by Anna Kowalska on ward 4 today."
    p = np.zeros(len(text) + 1)
    p[text.index("Anna") : text.index("Anna") + 4] = 0.9  # confident
    p[text.index("Kowalska") : text.index("Kowalska") + 8] = 0.1  # faint, beside it
    p[text.index("4")] = 0.1  # faint, alone
    assert [s.text for s in _word_spans(text, p >= 0.05)] == ["Anna Kowalska", "4"]
    assert [s.text for s in _word_spans(text, p >= 0.05, p >= 0.5)] == ["Anna Kowalska"]
