"""Questions written for this book to test the chapter 7 assistant: lay rephrasings and off-topic requests.

``data/lay_paraphrases.txt`` rephrases 110 MedQuAD questions the way people ask them (lower
case, typos, no template words), each from a topic held out of all tuning.
``data/off_topic_questions.txt`` holds requests the assistant should decline: not about health
("off-topic"), or health questions that NIH consumer pages cannot answer ("uncovered").
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from .bundle import DataBundle
from .errors import DataError

OFF_TOPIC_KINDS = ("off-topic", "uncovered")


def _rows(name: str, fields: int) -> list[list[str]]:
    text = resources.files(__package__).joinpath("data", name).read_text("utf-8")
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != fields or not all(p.strip() for p in parts):
            raise DataError(f"{name}, line {number}: expected {fields} tab-separated, non-empty fields")
        rows.append([p.strip() for p in parts])
    if not rows:
        raise DataError(f"{name}: no rows")
    return rows


def load_lay_questions() -> DataBundle:
    """``data`` the lay rephrasings; ``frame`` adds the MedQuAD document and original question
    whose answer is the right one."""
    frame = pd.DataFrame(_rows("lay_paraphrases.txt", 3), columns=["document", "question", "paraphrase"])
    return DataBundle(
        name="lay-questions",
        data=frame["paraphrase"].tolist(),
        target=frame["question"].to_numpy(),
        frame=frame,
        description=f"{len(frame)} lay rephrasings of MedQuAD questions, written for this book",
        licence="MIT (written for this book)",
        citation="Written for medai; see medai/datasets/data/lay_paraphrases.txt.",
    )


def load_off_topic_questions() -> DataBundle:
    """``data`` the requests; ``target`` their kind ("off-topic" or "uncovered")."""
    frame = pd.DataFrame(_rows("off_topic_questions.txt", 2), columns=["kind", "message"])
    if unknown := set(frame["kind"]) - set(OFF_TOPIC_KINDS):
        raise DataError(f"off_topic_questions.txt: unknown kind(s) {sorted(unknown)}")
    return DataBundle(
        name="off-topic-questions",
        data=frame["message"].tolist(),
        target=frame["kind"].to_numpy(),
        target_names=OFF_TOPIC_KINDS,
        frame=frame,
        description=f"{len(frame)} requests an NIH-grounded assistant should decline, written for this book",
        licence="MIT (written for this book)",
        citation="Written for medai; see medai/datasets/data/off_topic_questions.txt.",
    )
