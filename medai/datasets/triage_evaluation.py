"""A frozen evaluation set for the assistant's triage, written by someone who had not read its code.

543 invented messages (``data/triage_eval.tsv``): emergencies, crises and urgent problems said in
lay words, typos, the third person, long stories and 11 languages, beside ordinary questions,
feelings, denied signs, past history, off-topic requests, prompt injections and requests for a
personal dose or diagnosis. It was written from a description of these kinds before any rule,
training message or threshold of the new triage existed, and frozen (its sha256 is pinned in
``tests/test_triage.py``). It is only scored, once, never used to choose anything.
"""

from __future__ import annotations

import pandas as pd

from .bundle import DataBundle
from .errors import DataError
from .written import labelled_messages, packaged_text, tab_rows

ROUTES = ("crisis", "emergency", "urgent", "none")
EVAL_FILES = {
    "A": "triage_eval.tsv", "B": "triage_eval_b.tsv", "C": "triage_eval_c.tsv", "D": "triage_eval_d.tsv",
    "E": "triage_eval_e.tsv", "F": "triage_eval_f.tsv", "G": "triage_eval_g.tsv", "H": "triage_eval_h.tsv",
    "I": "triage_eval_i.tsv", "J": "triage_eval_j.tsv",
}
EVAL_FILE = EVAL_FILES["A"]


def load_triage_evaluation(version: str = "A") -> DataBundle:
    """A frozen set: ``data`` the messages, ``target`` the route each needs, ``frame`` route,
    kind, language, feeling (whether a person would acknowledge an emotion) and message.

    Each set is the test of one detector, scored once, and joins the training messages afterwards.
    Set A (543 messages) was scored with the first detector; what it showed (too many false alarms)
    led to changes made on validation data only. Set B (725 messages, by another writer, frozen
    before those changes) was scored with the second, set C (470 messages by two more writers, 150 of
    them in 15 languages besides English) with the third (``benchmarks/results/triage-set-{b,c}-
    first-scoring.csv``). Set D (508 messages by two more writers, 174 of them in 22 languages besides
    English, frozen on 2026-12-06 after set C's scoring) was the test of the fourth
    (``benchmarks/results/triage-set-d-first-scoring.csv``). Set E (505 messages by a new writer, 265
    of them in 30 languages besides English, frozen after set D's scoring) was the test of the fifth
    (``benchmarks/results/triage-seeds.csv`` as recorded then). Set F (592 messages by a new writer,
    270 of them in 23 languages besides English, 157 ordinary questions, frozen on 2026-12-06 after
    set E's scoring and before any change that followed it) was the test of the sixth
    (``benchmarks/results/triage-set-f-first-scoring.csv``). Set G (834 messages by a new writer, 375 of
    them in 26 languages besides English, 269 ordinary questions, frozen after set F's scoring and before
    any change that followed it) was the test of the seventh (``triage-set-g-first-scoring.csv``). Set H
    (867 messages by a new writer, 395 of them in 26 languages besides English, 273 ordinary questions,
    177 long, frozen after set G's scoring and before any change that followed it) was the test of the
    eighth. Set I (937 messages by a new writer, 451 of them in 27 languages besides English, 300 ordinary
    questions, 200 longer than 500 characters, frozen on 2026-12-07 after set H's scoring and before
    any change that followed it) was the test of the ninth (``triage-set-i-first-scoring.csv``). Set J
    (900 messages by a new writer, in 50 languages, 290 ordinary questions, 222 longer than 500
    characters, frozen on 2026-12-07 after set I's scoring and before any change that followed it) is
    the test of the present detector and is never trained on."""
    if version not in EVAL_FILES:
        raise DataError(f"version must be one of {tuple(EVAL_FILES)}, got {version!r}")
    file = EVAL_FILES[version]
    rows = tab_rows(packaged_text(file), 5, file, first_in=ROUTES)
    frame = pd.DataFrame(rows, columns=["route", "kind", "language", "feeling", "message"])
    if not frame["feeling"].isin(["yes", "no"]).all():
        raise DataError(f"{file}: the feeling column must be yes or no")
    frame["feeling"] = frame["feeling"] == "yes"
    about = "messages written outside the project for a frozen triage test"
    return labelled_messages(f"triage-evaluation-{version}", frame, "route", ROUTES, about, file)
