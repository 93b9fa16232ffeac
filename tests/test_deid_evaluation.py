"""The frozen de-identification evaluation sets (issue: notes nobody here wrote): A, scored once blind and
development data since, and C, the final test."""

from __future__ import annotations

import pytest

from medai.datasets.errors import DataError
from medai.datasets.handwritten_notes import PHI_CATEGORIES, load_deid_evaluation
from medai.datasets.written import packaged_sha256

# Each pinned when its set arrived: A before any rule or model was tuned on it, C before any change
# that set A's one blind scoring led to.
FROZEN = {
    "deid_eval.txt": "fb7532862af2d0e9c1a36c2d2571875001d46eb6b611b5ba0a393659ce799cde",
    "deid_eval_c.txt": "33147a9edb4d2d3a6008f8951ee1cc90f0192bb5c394bf8ce42e915597c71a6d",
}


@pytest.mark.parametrize("file", sorted(FROZEN))
def test_the_deid_evaluation_sets_are_the_frozen_ones(file):
    assert packaged_sha256(file) == FROZEN[file]


@pytest.mark.parametrize("which", ["A", "C"])
def test_the_deid_evaluation_sets_parse_with_every_mark_inside_its_note(which):
    bundle = load_deid_evaluation(which)
    assert len(bundle) >= 60 and sum(len(note.phi) for note in bundle.data) >= 1000
    for note in bundle.data:
        for start, end, kind in note.phi:
            assert kind in PHI_CATEGORIES and 0 <= start < end <= len(note.text)
            assert "[[" not in note.text[start:end]


def test_an_unknown_set_is_refused():
    with pytest.raises(DataError, match="one of"):
        load_deid_evaluation("B")
