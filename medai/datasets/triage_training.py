"""Messages written for this book to train the assistant's triage detector and its feeling check.

Invented messages in English, Chinese, Spanish and about twenty other languages: crises said
directly and indirectly, emergencies described by their signs, urgent problems, and everything that
needs none of these (ordinary and general questions, denied signs, past history, feelings,
off-topic requests, prompt injections, requests for a personal dose or diagnosis). The first files
(``data/triage_train_{en,zh,es,other}.tsv``, ``route<TAB>message``, 4,028 messages) were written by
helpers who saw neither the frozen evaluation sets (``load_triage_evaluation``) nor the rules; the
second (``data/triage_train_{crisis,emergency,everyday}.tsv``, ``route<TAB>language<TAB>feeling<TAB>
message``) by three more who saw no code and no evaluation set, after set B had been reported.
Those add whether a caring reply would acknowledge a feeling. A fourth file
(``data/triage_train_languages.tsv``, same columns, 1,420 messages in 43 languages and none in English)
was written by another helper after set D's scoring, whose two misses were in Thai, a language no
training message was in. A fifth (``data/triage_train_boundaries.tsv``, same columns, 1,600 messages
in 23 languages) was written by another helper after set E's scoring, where a third of the ordinary
questions were flagged: ordinary questions that use serious words (warning signs, past events, denied
signs, first-aid courses), urgent problems that are no emergency, and understated emergencies and
crises, so the boundary is learned from both sides. A sixth (``data/triage_train_multilingual.tsv``,
same columns) was written by another helper after set F's scoring, whose false alarms were mostly
messages in languages other than English: ordinary questions beside crises, emergencies and urgent
problems, three quarters of them in about 30 languages besides English. A seventh
(``data/triage_train_long.tsv``, same columns) was written by another helper after set H's scoring,
where most long ordinary questions were escalated and the training messages held a few dozen long
ordinary ones: 400 to 1,500 characters each, two thirds of them ordinary questions told with history,
medicines, results and worries, the rest emergencies, crises and urgent problems buried in long
stories. An eighth (``data/triage_train_doses.tsv``, ``route<TAB>language<TAB>message``, no feeling
column) was written by another helper after set I's scoring, whose one crisis sent to the ordinary route
at every seed asked how much of a medicine would be fatal: about 1,100 messages in 29 languages about
amounts of medicines, questions after lethal doses said bluntly, indirectly or as curiosity (crises),
overdoses already taken (emergencies), medication problems for today (urgent), and the ordinary dose,
interaction and safety questions that share their words. Sets A to I of the evaluation messages, each
reported once already, join the training messages (``spent``); set J, the test, never does, and a
training message that set J also holds is dropped. ``validation_split`` holds out a share
for choosing thresholds.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from .bundle import DataBundle
from .errors import DataError
from .triage_evaluation import ROUTES, load_triage_evaluation
from .written import labelled_messages, packaged_text, tab_rows

TRAINING_FILES = {"en": "triage_train_en.tsv", "zh": "triage_train_zh.tsv", "es": "triage_train_es.tsv",
                  "other": "triage_train_other.tsv"}  # fmt: skip
FEELING_FILES = ("triage_train_crisis.tsv", "triage_train_emergency.tsv", "triage_train_everyday.tsv",
                 "triage_train_languages.tsv", "triage_train_boundaries.tsv", "triage_train_multilingual.tsv",
                 "triage_train_long.tsv")  # fmt: skip
LANGUAGE_FILES = ("triage_train_doses.tsv",)  # route, language, message: no feeling column
SPENT = ("A", "B", "C", "D", "E", "F", "G", "H", "I")  # evaluation sets reported once already; set J is the test and never trains
TEST = "J"
LANGUAGES = ("en", "zh", "es")  # each other language is counted as "other"


def _language(code: str) -> str:
    return code if code in LANGUAGES else "other"


def _key(message: str) -> str:
    """A message compared as triage reads it: lower case, straight apostrophes, single spaces."""
    return " ".join(message.lower().replace("\u2019", "'").replace("\u2018", "'").split())


def load_triage_training(spent: tuple[str, ...] = SPENT) -> DataBundle:
    """All training messages: ``data`` the texts, ``target`` the routes, ``frame`` route, message,
    language (``en``, ``zh``, ``es`` or ``other``), feeling (True/False, or None where the file does
    not say) and source (the file). ``spent``: the evaluation sets that join them."""
    if TEST in spent:
        raise DataError(f"set {TEST} is the frozen test of triage and must not be trained on")
    frames = []
    for language, file in TRAINING_FILES.items():
        rows = tab_rows(packaged_text(file), 2, file, first_in=ROUTES)
        frames.append(pd.DataFrame(rows, columns=["route", "message"]).assign(language=language, feeling=None, source=file))
    for file in FEELING_FILES:
        rows = tab_rows(packaged_text(file), 4, file, first_in=ROUTES)
        frame = pd.DataFrame(rows, columns=["route", "language", "feeling", "message"])
        if not frame["feeling"].isin(["yes", "no"]).all():
            raise DataError(f"{file}: the feeling column must be yes or no")
        frames.append(frame.assign(language=frame["language"].map(_language), feeling=frame["feeling"] == "yes", source=file))
    for file in LANGUAGE_FILES:
        frame = pd.DataFrame(tab_rows(packaged_text(file), 3, file, first_in=ROUTES), columns=["route", "language", "message"])
        frames.append(frame.assign(language=frame["language"].map(_language), feeling=None, source=file))
    for version in spent:
        frame = load_triage_evaluation(version).frame
        frames.append(frame[["route", "message", "language", "feeling"]].assign(
            language=frame["language"].map(_language), source=f"evaluation set {version}"))  # fmt: skip
    frame = pd.concat(frames, ignore_index=True).drop_duplicates("message", ignore_index=True)
    # A short message two writers both wrote ("is this normal?") must not teach the test's answer.
    test = {_key(m) for m in load_triage_evaluation(TEST).data}
    frame = frame[~frame["message"].map(_key).isin(test)].reset_index(drop=True)
    frame["feeling"] = frame["feeling"].astype(object)
    about = "messages written to train triage"
    return labelled_messages("triage-training", frame, "route", ROUTES, about, "triage_train_en.tsv")


def validation_split(frame: pd.DataFrame, share: float = 0.2, seed: int = 0) -> np.ndarray:
    """True for the held-out validation rows: each message is held out when a hash of it and ``seed``
    falls below ``share``. A message keeps its side when messages are added, so two recipes trained on
    different messages are compared on the same validation messages they share; with every route and
    language cell holding hundreds of messages, each gets close to ``share`` of them."""
    if not 0 < share < 1:
        raise DataError(f"share must be between 0 and 1, got {share}")
    def draw(message: str) -> float:
        digest = hashlib.sha256(f"{seed}\t{_key(message)}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    return np.array([draw(m) < share for m in frame["message"]], dtype=bool)
