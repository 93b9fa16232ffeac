"""Questions written for this book to test the chapter 7 assistant: lay rephrasings and off-topic requests.

``data/lay_paraphrases.txt`` rephrases 110 MedQuAD questions the way people ask them (lower
case, typos, no template words), each from a topic held out of all tuning.
``data/off_topic_questions.txt`` holds requests the assistant should decline: not about health
("off-topic"), or health questions that NIH consumer pages cannot answer ("uncovered").
"""

from __future__ import annotations

import pandas as pd

from .bundle import DataBundle
from .written import packaged_text, tab_rows, written_credits

OFF_TOPIC_KINDS = ("off-topic", "uncovered")


def load_lay_questions() -> DataBundle:
    """``data`` the lay rephrasings; ``frame`` adds the MedQuAD document and original question
    whose answer is the right one."""
    file = "lay_paraphrases.txt"
    frame = pd.DataFrame(tab_rows(packaged_text(file), 3, file), columns=["document", "question", "paraphrase"])
    return DataBundle(
        name="lay-questions",
        data=frame["paraphrase"].tolist(),
        target=frame["question"].to_numpy(),
        frame=frame,
        description=f"{len(frame)} lay rephrasings of MedQuAD questions, written for this book",
        **written_credits(file),
    )


def load_off_topic_questions() -> DataBundle:
    """``data`` the requests; ``target`` their kind ("off-topic" or "uncovered")."""
    file = "off_topic_questions.txt"
    frame = pd.DataFrame(tab_rows(packaged_text(file), 2, file, first_in=OFF_TOPIC_KINDS), columns=["kind", "message"])
    return DataBundle(
        name="off-topic-questions",
        data=frame["message"].tolist(),
        target=frame["kind"].to_numpy(),
        target_names=OFF_TOPIC_KINDS,
        frame=frame,
        description=f"{len(frame)} requests an NIH-grounded assistant should decline, written for this book",
        **written_credits(file),
    )
