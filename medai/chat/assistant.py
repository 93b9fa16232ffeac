"""The assistant: triage first, then retrieval, then an answer from the NIH text or a polite refusal.

Every reply is either fixed text written here (emergency, refusal, input problems) or a passage
from MedQuAD with its source (or a rewording of it whose every sentence the passage supports),
so no instruction hidden in a message can make it say anything else. ``Reply`` is what the notebook shows and what ``python -m medai chat --json`` prints.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from .abstain import risk_controlled_threshold
from .grounding import grounded, topic_words
from .intent import rerank_by_type
from .scope import closest_similarity, scope_floor
from .triage import EMERGENCY_MESSAGE, SUPPORT_MESSAGE, triage

DISCLAIMER = "This is general information from the NIH, not medical advice; ask a clinician about your own case."
DECLINE = (
    "I can only answer questions about diseases, tests and treatments that NIH health pages cover, "
    "and I did not find a reliable answer to this one. Please ask a doctor or pharmacist."
)
OUT_OF_SCOPE = (
    "I can only answer questions about health topics that NIH pages cover, and this one seems to be "
    "about something else. For a health worry, please ask a doctor or pharmacist."
)
MAX_CHARACTERS = 2000
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass
class Reply:
    """One answer: the text shown, where it came from, and why."""

    reply: str
    source: str | None = None
    url: str | None = None
    focus: str | None = None
    confidence: float | None = None
    abstained: bool = False
    emergency: bool = False
    distress: bool = False
    problem: str | None = None  # what was wrong with the input, if anything
    generated: bool = False  # the text is SmolLM2's rewording (every sentence checked against the source)
    scores: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def check_message(message) -> str | None:
    """A short description of what makes ``message`` unanswerable, or None when it is fine."""
    if not isinstance(message, str):
        return f"the message must be text, not {type(message).__name__}"
    letters = _LETTERS.findall(message)
    if not message.strip():
        return "the message is empty"
    if len(message) > MAX_CHARACTERS:
        return f"the message has {len(message):,} characters; please ask in under {MAX_CHARACTERS:,}"
    if not letters:
        return "the message has no words"
    if sum(c.isascii() for c in letters) / len(letters) < 0.5:
        return "I can answer in English only"
    return None


def first_sentences(text: str, limit: int = 600) -> str:
    """The answer's opening sentences, up to about ``limit`` characters, ending at a sentence."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
    return cut[: end + 1] if end > limit // 3 else cut.rsplit(" ", 1)[0] + " ..."


class Assistant:
    """Answers one message at a time from ``corpus`` (``answer_corpus``) with a hybrid retriever.

    ``confidence`` (see ``confidences``) is how clearly the chosen answer stands out from the best
    answer about another topic or type; below ``threshold`` the assistant declines (set it with
    ``calibrate``); a message whose closest answer is less similar than ``floor`` is out of scope
    (set it with ``calibrate_scope``). ``intent`` (optional) predicts the question type from the query vector.
    ``rewriter`` (optional, ``generate.Rewriter``) rewords the NIH passage; the rewording is shown
    only when ``grounding.grounded`` finds every sentence supported by the passage, else the
    passage itself is.
    """

    def __init__(self, corpus: pd.DataFrame, hybrid, dense, threshold: float = np.inf, intent=None,
                 rewriter=None) -> None:  # fmt: skip
        self.corpus, self.hybrid, self.dense = corpus, hybrid, dense
        self.threshold, self.intent, self.rewriter = float(threshold), intent, rewriter
        self.floor = -np.inf  # no scope check until calibrate_scope
        self.groups, self.answers = answer_groups(corpus), corpus["answer_id"].to_numpy()
        self.types = corpus["qtype"].to_numpy()
        self.names = topic_words(corpus["focus"].unique())  # a rewording may name no other topic

    def rank(self, questions) -> tuple[np.ndarray, np.ndarray]:
        """Top-10 document ids per question (type re-ranked when there is an intent model) and
        the confidence of the first."""
        questions = list(questions)
        ids, _ = self.hybrid.search(questions, k=min(10, self.hybrid.size))
        if self.intent is not None:
            ids = rerank_by_type(ids, self.types, self.intent.predict(self.dense.query_vectors(questions)))
        return ids, confidences(self.dense, questions, ids, self.groups, self.answers)

    def calibrate(self, questions, gold_groups, target: float = 0.1, confidence: float = 0.9) -> float:
        """Set the refusal threshold on calibration questions whose right ``answer_groups`` are
        known, so that the wrong-answer rate among answered ones is at most ``target`` with
        ``confidence`` (``abstain.risk_controlled_threshold``). Returns it (inf: never answer)."""
        ids, scores = self.rank(questions)
        right = self.groups[ids[:, 0]] == np.asarray(gold_groups)
        self.threshold = risk_controlled_threshold(scores, right, target=target, confidence=confidence)
        return self.threshold

    def calibrate_scope(self, questions, miss_rate: float = 0.02) -> float:
        """Set the scope floor from in-scope questions so that at most ``miss_rate`` of questions
        like them are refused as out of scope (``scope.scope_floor``). Returns it."""
        self.floor = scope_floor(closest_similarity(self.dense, questions), miss_rate)
        return self.floor

    def in_scope(self, questions) -> np.ndarray:
        """True where a question is close enough to some answer to be about a covered topic."""
        return closest_similarity(self.dense, questions) >= self.floor

    def answer(self, message) -> Reply:
        problem = check_message(message)
        if problem is not None:
            return Reply(f"Sorry, {problem}. Please type a short health question in English.",
                         abstained=True, problem=problem)  # fmt: skip
        flags = triage(message)
        if flags.emergency:
            return Reply(EMERGENCY_MESSAGE, emergency=True, distress=flags.distress,
                         scores={"red_flag": flags.category})  # fmt: skip
        lead = SUPPORT_MESSAGE + "\n\n" if flags.distress else ""
        closest = float(closest_similarity(self.dense, [message])[0])
        if closest < self.floor:
            return Reply(lead + OUT_OF_SCOPE, abstained=True, distress=flags.distress,
                         scores={"closest_similarity": closest})  # fmt: skip
        ids, scores = self.rank([message])
        best, confidence = int(ids[0, 0]), float(scores[0])
        if confidence < self.threshold:
            return Reply(lead + DECLINE, confidence=confidence, abstained=True, distress=flags.distress)
        row = self.corpus.iloc[best]
        passage = first_sentences(row["answer"])
        body, used_draft, details = passage, False, {"doc_id": best, "qtype": row["qtype"]}
        if self.rewriter is not None:
            draft = self.rewriter.rewrite(message, passage)
            used_draft, _ = grounded(draft, passage, names=self.names)
            details.update(draft=draft, grounded=used_draft)
            body = draft if used_draft else passage
        text = f"{lead}{body}\n\nSource: {row['source']}, {row['url']}\n{DISCLAIMER}"
        return Reply(text, source=row["source"], url=row["url"], focus=row["focus"], confidence=confidence,
                     distress=flags.distress, generated=used_draft, scores=details)  # fmt: skip


def answer_groups(corpus: pd.DataFrame) -> np.ndarray:
    """One label per document for what it answers: its topic and question type. Several NIH sites
    answer "what causes gout?"; their answers are rivals only to answers about something else."""
    return (corpus["focus"].str.strip().str.lower() + " | " + corpus["qtype"]).to_numpy()


def confidences(dense, queries, ids: np.ndarray, doc_groups: np.ndarray, doc_answers: np.ndarray) -> np.ndarray:
    """How clearly the top answer stands out: its dense cosine similarity to the query minus that
    of the best-ranked rival, a document in another group (``answer_groups``: another topic or
    type) with another answer text."""
    vectors = dense.query_vectors(list(queries))
    ids, groups, answers = np.asarray(ids), np.asarray(doc_groups), np.asarray(doc_answers)
    top = np.einsum("ij,ij->i", vectors, dense.vectors[ids[:, 0]])
    rival = (groups[ids] != groups[ids[:, :1]]) & (answers[ids] != answers[ids[:, :1]])
    other = rival.argmax(axis=1)  # 0 when no rival is in the list
    runner = ids[np.arange(len(ids)), np.where(other > 0, other, ids.shape[1] - 1)]
    second = np.einsum("ij,ij->i", vectors, dense.vectors[runner])
    return top - second
