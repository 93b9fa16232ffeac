"""MedQuAD as a retrieval corpus, and splits that hold out whole topics.

A question about a disease is easy to answer if another question about the same disease was
used for tuning, so every split here keeps all questions of one *focus* (the topic: a disease,
a drug, a test) on one side.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.errors import InputError

SPLITS = ("tune", "dev", "test")


def answer_corpus(frame: pd.DataFrame) -> pd.DataFrame:
    """The answerable pairs of ``load_medquad().frame``, one row each, with ``doc_id`` (0..N-1)
    and ``answer_id``: pairs with word-for-word the same answer share one id, so retrieving
    either copy counts as retrieving the answer."""
    needed = {"question", "answer", "focus", "qtype", "source", "url"}
    if missing := needed - set(frame.columns):
        raise InputError(f"the MedQuAD frame lacks column(s) {sorted(missing)}")
    corpus = frame[frame["answer"].str.strip() != ""].reset_index(drop=True)
    corpus.insert(0, "doc_id", np.arange(len(corpus)))
    corpus["answer_id"] = corpus.groupby("answer", sort=False).ngroup()
    return corpus


def focus_split(
    corpus: pd.DataFrame, dev_share: float = 0.15, test_share: float = 0.15, seed: int = 0
) -> pd.Series:
    """'tune', 'dev' or 'test' per row, drawn by focus topic (all rows of a topic together).

    Case and surrounding spaces do not make a topic new ("Asthma" and "asthma " are one)."""
    if not (0 < dev_share < 1 and 0 < test_share < 1 and dev_share + test_share < 1):
        raise InputError(f"shares must be in (0, 1) and sum below 1, got {dev_share}, {test_share}")
    topics = corpus["focus"].str.strip().str.lower()
    unique = np.array(sorted(topics.unique()))
    order = np.random.default_rng(seed).permutation(len(unique))
    n_test, n_dev = round(test_share * len(unique)), round(dev_share * len(unique))
    side = np.empty(len(unique), dtype=object)
    side[order[:n_test]] = "test"
    side[order[n_test : n_test + n_dev]] = "dev"
    side[order[n_test + n_dev :]] = "tune"
    return topics.map(dict(zip(unique, side))).rename("split")


def topic_slice(corpus: pd.DataFrame, topics: int, keep: pd.Series | None = None, seed: int = 0) -> pd.DataFrame:
    """A smaller corpus of whole topics: ``topics`` drawn at random plus every topic where ``keep``
    (a boolean Series over ``corpus``) is true; ``doc_id`` is renumbered, ``answer_id`` kept."""
    names = corpus["focus"].str.strip().str.lower()
    rng = np.random.default_rng(seed)
    unique = names.unique()
    chosen = set(rng.choice(unique, size=min(topics, len(unique)), replace=False))
    if keep is not None:
        chosen |= set(names[keep.to_numpy()])
    part = corpus[names.isin(chosen).to_numpy()].reset_index(drop=True)
    part["doc_id"] = np.arange(len(part))
    return part
