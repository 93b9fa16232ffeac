"""The frozen de-identification evaluation set (issue: notes nobody here wrote)."""

from __future__ import annotations

import hashlib
from importlib import resources

from medai.datasets.handwritten_notes import PHI_CATEGORIES, load_deid_evaluation

# Pinned when the set arrived, before any de-identification rule or model was tuned on it.
FROZEN_DEID_SHA256 = "fb7532862af2d0e9c1a36c2d2571875001d46eb6b611b5ba0a393659ce799cde"


def test_the_deid_evaluation_set_is_the_frozen_one():
    data = resources.files("medai.datasets").joinpath("data", "deid_eval.txt").read_bytes()
    assert hashlib.sha256(data).hexdigest() == FROZEN_DEID_SHA256


def test_the_deid_evaluation_set_parses_with_every_mark_inside_its_note():
    bundle = load_deid_evaluation()
    assert len(bundle) >= 60 and sum(len(note.phi) for note in bundle.data) >= 600
    for note in bundle.data:
        for start, end, kind in note.phi:
            assert kind in PHI_CATEGORIES and 0 <= start < end <= len(note.text)
            assert "[[" not in note.text[start:end]
