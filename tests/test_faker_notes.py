"""The Faker training notes: reproducible, varied, every identifier where its marks say, medicine unmarked."""

from __future__ import annotations

import collections
import os
import subprocess
import sys

import pytest

from medai.core.errors import InputError
from medai.datasets import make_faker_notes
from medai.datasets.faker_notes import LOCALES, _layouts
from medai.datasets.handwritten_notes import PHI_CATEGORIES


@pytest.fixture(scope="module")
def notes():
    return make_faker_notes(400, seed=3).data


def test_the_same_seed_writes_the_same_notes_and_another_seed_other_notes():
    first, again, other = (make_faker_notes(20, seed=s).data for s in (5, 5, 6))
    assert [n.text for n in first] == [n.text for n in again] and [n.phi for n in first] == [n.phi for n in again]
    assert [n.text for n in first] != [n.text for n in other]


def test_the_notes_do_not_depend_on_the_process_string_hashing():
    # Python hashes strings with a new random key in every process, so anything built from a set can come
    # out in another order; Faker's Italian cities did, and the same seed trained another tagger each run.
    script = ("import hashlib; from medai.datasets import make_faker_notes; "
              "notes = make_faker_notes(600, seed=0).data; "
              "print(hashlib.sha256(repr([(n.text, n.phi) for n in notes]).encode()).hexdigest())")  # fmt: skip
    digests = {
        subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONHASHSEED": key},
                       capture_output=True, text=True, check=True).stdout  # fmt: skip
        for key in ("1", "2")
    }
    assert len(digests) == 1


def test_marks_lie_inside_the_text_do_not_overlap_and_cover_real_characters(notes):
    for note in notes:
        previous_end = 0
        for start, end, kind in sorted(note.phi):
            assert 0 <= previous_end <= start < end <= len(note.text), note.text
            assert kind in PHI_CATEGORIES and note.text[start:end].strip() == note.text[start:end]
            previous_end = end


def test_every_identifier_kind_and_many_layouts_and_scripts_occur(notes):
    kinds = collections.Counter(kind for note in notes for *_, kind in note.phi)
    assert set(kinds) == set(PHI_CATEGORIES) - {"ZIP"} or set(kinds) == set(PHI_CATEGORIES)
    assert kinds["NAME"] > 500 and kinds["DATE"] > 300
    names = [note.text[s:e] for note in notes for s, e, k in note.phi if k == "NAME"]
    assert any("^" in n for n in names)  # HL7 and DICOM
    assert any(n.islower() for n in names)  # text messages and dictation
    assert any(any("\u4e00" <= c <= "\u9fff" for c in n) for n in names)  # Chinese characters
    assert any(c in "ÓóÉéÍíÁáŁłŚśüÜöÖ" for n in names for c in n)  # accents and particles
    dates = [note.text[s:e] for note in notes for s, e, k in note.phi if k == "DATE"]
    assert any(d.isdigit() and len(d) == 8 for d in dates) and any("'" in d for d in dates)
    assert len({note.text.split("\n")[0][:12] for note in notes}) > 20
    assert len(LOCALES) >= 30 and len(_layouts()) >= 25


def test_clinical_words_are_in_the_notes_and_never_marked(notes):
    clinical = ("Parkinson's disease", "Glasgow Coma Scale", "Eliquis", "Swan-Ganz catheter", "Cardiology", "HbA1c")
    found = collections.Counter()
    for note in notes:
        for word in clinical:
            at = note.text.find(word)
            if at >= 0:
                found[word] += 1
                assert not any(s < at + len(word) and at < e for s, e, _ in note.phi), (word, note.text)
    assert len(found) >= 4


def test_bad_sizes_are_refused():
    with pytest.raises(InputError, match="at least 1"):
        make_faker_notes(0)


def test_structured_records_carry_numbers_that_are_not_identifiers(notes):
    # Lab results, vital signs and DICOM technical fields are mostly numbers; none of them is marked, while
    # the observation times and patient IDs beside them are.
    hl7 = [note for note in notes if "|NM|" in note.text]
    dicom = [note for note in notes if "SliceThickness" in note.text or "Slice Thickness" in note.text or "Rows" in note.text]
    assert len(hl7) >= 5 and len(dicom) >= 5
    for note in hl7:
        for line in note.text.splitlines():
            if line.startswith("OBX|"):
                at = note.text.find(line)
                value_end = at + line.index("|||F") + 4
                assert not any(s < value_end and at < e for s, e, _ in note.phi), line
                assert any(s >= value_end and k == "DATE" for s, e, k in note.phi)  # its observation time


def test_lab_results_are_flagged_against_their_reference_range():
    import numpy as np

    from medai.datasets.clinical_values import dicom_fields, lab_result

    rng = np.random.default_rng(0)
    for _ in range(500):
        _, code, value, _, reference, flag = lab_result(rng)
        assert "-" in code and float(value) >= 0
        if reference:
            low, high = (float(x) for x in reference.split("-"))
            assert flag == ("H" if float(value) > high else "L" if float(value) < low else "N"), (value, reference, flag)
    assert len(dicom_fields(rng, "dump", 5)) == 5 and dicom_fields(rng, "pydicom", 1)[0].startswith("(00")


def test_dates_without_a_year_are_marked_and_clinical_fractions_are_not(notes):
    import re

    from medai.datasets.faker_notes import _vocabulary

    short_dates = [n.text[s:e] for n in notes for s, e, kind in n.phi if kind == "DATE" and re.fullmatch(r"\d{1,2}/\d{1,2}", n.text[s:e])]
    assert len(short_dates) >= 20  # "3/14" as a follow-up is written, marked as a date
    lookalikes = _vocabulary()["lookalike"]
    assert len(lookalikes) >= 150 and len(_vocabulary()["foreign"]) >= 500
    fractions = re.compile(r"\b\d{1,2}/\d{1,2}\b")
    seen = 0
    for note in notes:
        marked = [(s, e) for s, e, _ in note.phi]
        for phrase in lookalikes:
            at = note.text.find(phrase)
            if at >= 0 and fractions.search(phrase):
                seen += 1  # a clinical fraction ("4/5 power", "20/40 vision") is text, never an identifier
                assert not any(s < at + len(phrase) and at < e for s, e in marked), phrase
    assert seen >= 3
