"""Clinical text a de-identifier must leave alone: a keep-list written outside the project, frozen by hash."""

from __future__ import annotations

import pytest

from medai.datasets import load_clinical_keep_list
from medai.datasets.written import packaged_sha256
from medai.text.deid import find_phi, rule_phi

FROZEN = {
    "clinical_keep_terms.tsv": "32ee475d6daf66f9bd0494d3f2afd06e28e09ba9417cda8e24f4ad3a64738618",
    "clinical_keep_sentences.txt": "15121fdf94823fbc77c377b6d0646855af9dbf52687dd27c6092c3c803ed81be",
}


@pytest.mark.parametrize("file", sorted(FROZEN))
def test_the_keep_list_is_the_one_frozen_on_arrival(file):
    assert packaged_sha256(file) == FROZEN[file]


@pytest.fixture(scope="module")
def keep():
    return load_clinical_keep_list()


def test_the_keep_list_holds_at_least_300_terms_of_every_kind(keep):
    counts = keep.frame["category"].value_counts()
    assert len(keep.frame) >= 300 and counts.min() >= 40 and len(counts) == 7
    assert len(keep.data) >= 150
    used = {term for term in keep.frame["term"] if any(term in line for line in keep.data)}
    assert len(used) >= 300


def removed_terms(keep, find) -> list[tuple[str, str]]:
    """(term, line) for every keep-list term of which ``find`` removes any character in a line that uses it."""
    lost = []
    for line in keep.data:
        removed = set()
        for span in find(line):
            removed.update(range(span.start, span.end))
        for term in keep.frame["term"]:
            at = line.find(term)
            while at >= 0:
                if removed & set(range(at, at + len(term))):
                    lost.append((term, line))
                at = line.find(term, at + 1)
    return lost


def test_the_rules_remove_no_keep_list_term(keep):
    assert removed_terms(keep, rule_phi) == []


def test_the_recommended_detector_removes_few_keep_list_terms(keep):
    # The goal is none; the tagger trained on synthetic notes removes some (drug names next to numbers,
    # eponyms that are surnames), as chapter 4.1 reports. The same recipe retrained on two 2-core machines
    # lost 42 and 71 terms (its threshold landed on .10 and .05), so the bound is a tenth of the list:
    # it catches a broken or mis-thresholded tagger, not the spread between processors.
    lost = {term for term, _ in removed_terms(keep, find_phi)}
    assert len(lost) <= len(keep.frame) // 10, sorted(lost)


@pytest.mark.xfail(strict=True, reason="issue 32's goal, missed: the tagger removes some keep-list terms")
def test_the_recommended_detector_removes_no_keep_list_term(keep):
    assert removed_terms(keep, find_phi) == []
