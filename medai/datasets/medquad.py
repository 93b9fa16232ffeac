"""MedQuAD: 16,412 question-answer pairs from NIH web sites, with question type and focus."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pandas as pd

from .bundle import DataBundle, credits
from .errors import DataError
from .registry import get
from .resolve import path

NAME = "medquad"


def load_medquad() -> DataBundle:
    """One row per QA pair in ``frame`` (document, source, url, focus, question, qtype, answer);
    ``data`` the questions, ``target`` the question types (``target_names`` lists them)."""
    folder = path(NAME)
    rows = []
    for file in get(NAME).files:
        if not file.endswith(".xml"):
            continue
        try:
            root = ET.parse(folder / file).getroot()
        except ET.ParseError as error:
            raise DataError(
                f"{folder / file} is not well-formed XML: {error}"
            ) from None
        for pair in root.iter("QAPair"):
            question = pair.find("Question")
            if question is None:
                raise DataError(f"{folder / file}: a QAPair without a Question")
            rows.append(
                {
                    "document": file,
                    "source": root.get("source", ""),
                    "url": root.get("url", ""),
                    "focus": (root.findtext("Focus") or "").strip(),
                    "question": (question.text or "").strip(),
                    "qtype": question.get("qtype", ""),
                    "answer": (pair.findtext("Answer") or "").strip(),
                }
            )
    frame = pd.DataFrame(rows)
    types = tuple(sorted(frame["qtype"].unique()))
    return DataBundle(
        name=NAME,
        data=frame["question"].tolist(),
        target=frame["qtype"].to_numpy(),
        target_names=types,
        frame=frame,
        description=f"MedQuAD: {len(frame)} question-answer pairs about {frame['focus'].nunique()} topics "
        f"from {frame['source'].nunique()} NIH sources, {int((frame['answer'] != '').sum())} with an answer.",
        **credits(NAME),
    )
