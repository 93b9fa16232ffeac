"""The frozen de-identification evaluation sets (issue: notes nobody here wrote): A, scored once blind and
development data since; C, the test of the first tagger; D, the test of every change made after C; E, F
and G, each the test of the next change."""

from __future__ import annotations

import pytest

from medai.datasets.errors import DataError
from medai.datasets.handwritten_notes import PHI_CATEGORIES, load_deid_evaluation
from medai.datasets.written import packaged_sha256

# Each pinned when its set arrived: A before any rule or model was tuned on it, C before any change
# that set A's one blind scoring led to, D (written by a helper who saw no code) before the tagger's
# training notes were given real medical sentences; E (by another helper who saw no code) after D's one
# scoring, before any change that followed it; F (by a new helper who saw no code) after E's one scoring,
# before any change that followed it; G (by a new helper who saw no code) after F's one scoring, before any
# change that followed it; H (by a new helper who saw no code) after G's one scoring, before any change that
# followed it.
# I (by a new helper who saw no code) while H was being scored, before any change that followed.
# J (60 documents, 1,811 identifiers, by a new helper who saw no code) after I's one scoring, before any change
# that follows it; pinned by its bytes only until the round that tests on it loads it.
FROZEN = {
    "deid_eval.txt": "fb7532862af2d0e9c1a36c2d2571875001d46eb6b611b5ba0a393659ce799cde",
    "deid_eval_c.txt": "33147a9edb4d2d3a6008f8951ee1cc90f0192bb5c394bf8ce42e915597c71a6d",
    "deid_eval_d.txt": "30f424e38669c4a0bbad86024c3f54d75389b6a33eba552b3646ae088bef4160",
    "deid_eval_e.txt": "d3dd638fca5be46eb44cb447c3e5c7b532d2d2b9615a2eff3eb5503a0b5fbe07",
    "deid_eval_f.txt": "4236597d69e0336911bb0346e621552c0ee118a642325d0c4148a1692dfc97ec",
    "deid_eval_g.txt": "16d965317dd2a10170480510ff022f589720caa12a802e38fb8562d35185c71f",
    "deid_eval_h.txt": "64371007ecc4d24a2198d2951435d1eefae965cafca2fd4deffb9b0a6dcff3e3",
    "deid_eval_i.txt": "c217c8ba78cc83f6238d3776bdfaa29ec58c7810cae925eeb63799603ad47aad",
    "deid_eval_j.txt": "aece96f2a650fe96afc0c1cc64e864b0983e5b266443ac4159a08dfd5a5c8fbf",
}


@pytest.mark.parametrize("file", sorted(FROZEN))
def test_the_deid_evaluation_sets_are_the_frozen_ones(file):
    assert packaged_sha256(file) == FROZEN[file]


@pytest.mark.parametrize(("which", "identifiers"), [("A", 1000), ("C", 1000), ("D", 900), ("E", 1300), ("F", 1300), ("G", 1500), ("H", 1450)])
def test_the_deid_evaluation_sets_parse_with_every_mark_inside_its_note(which, identifiers):
    bundle = load_deid_evaluation(which)
    assert len(bundle) >= 60 and sum(len(note.phi) for note in bundle.data) >= identifiers
    for note in bundle.data:
        for start, end, kind in note.phi:
            assert kind in PHI_CATEGORIES and 0 <= start < end <= len(note.text)
            assert "[[" not in note.text[start:end]


def test_an_unknown_set_is_refused():
    with pytest.raises(DataError, match="one of"):
        load_deid_evaluation("B")
