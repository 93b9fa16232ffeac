"""The assistant: triage first, then input checks, then retrieval, then an answer or a refusal.

Every message is triaged before anything else, whatever its length or language: a crisis, an
emergency or an urgent problem gets a fixed text (``safety``). Then come the input checks, a
request for a personal dose or diagnosis, the scope check and the confidence check, each refusal
saying its true reason and ending with what to do in an emergency. A feeling is acknowledged only
when the feeling check (``feelings``, over the GoEmotions classifier of ``emotion``) finds one.

Every reply is either fixed text written here (crisis, emergency, urgent, refusal, input problems) or a passage
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
from .emotion import FEELINGS
from .scope import closest_similarity, scope_floor
from .safety import safety_text
from .triage import triage

DISCLAIMER = "This is general information from the NIH, not medical advice; ask a clinician about your own case."
DECLINE = (
    "I can only answer questions about diseases, tests and treatments that NIH health pages cover, "
    "and I am not confident I found the right answer to this one. Please ask a doctor or pharmacist."
)
OUT_OF_SCOPE = (
    "I can only answer questions about health topics that NIH pages cover, and this one does not "
    "seem to be about health. For a health worry, please ask a doctor or pharmacist."
)
PERSONAL = (
    "I cannot tell you your own dose or diagnosis: that needs a clinician who knows your history. "
    "Please ask your doctor or pharmacist; I can explain a condition or a medicine in general."
)
ACKNOWLEDGEMENT = {
    "worry": "It is understandable to feel worried about this.",
    "sadness": "I'm sorry you are going through this.",
}
URGENT_PAGE = "Meanwhile, this NIH page may help:"
# A request for one's own dose or diagnosis (a reader can check these few phrases).
_PERSONAL = re.compile(
    r"\b(how (much|many)\b[^.?!]{0,40}\b(should|can|do|must) i (take|give|use)|(can|should) i (double|increase|"
    r"lower|stop|skip|take more)|what dose should|my dose|do i have|have i got|is (it|this|my \w+) (cancer|serious)|"
    r"what('s| is) wrong with me|diagnose (me|my))\b"
)
MAX_CHARACTERS = 2000
ENGLISH_ONLY = "I can answer health questions in English only"
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_SURROGATE = re.compile("[\ud800-\udfff]")  # lone surrogates: undecodable bytes, or broken text


@dataclass
class Reply:
    """One answer: the text shown, where it came from, and why."""

    reply: str
    source: str | None = None
    url: str | None = None
    focus: str | None = None
    confidence: float | None = None
    abstained: bool = False
    route: str = "none"  # crisis, emergency, urgent or none (triage)
    language: str = "en"
    feelings: list = field(default_factory=list)  # acknowledged feelings (emotion classifier)
    problem: str | None = None  # what was wrong with the input, if anything
    generated: bool = False  # the text is SmolLM2's rewording (every sentence checked against the source)
    scores: dict = field(default_factory=dict)

    @property
    def emergency(self) -> bool:
        """Whether the reply is crisis or emergency information."""
        return self.route in ("crisis", "emergency")

    def as_dict(self) -> dict:
        return {**asdict(self), "emergency": self.emergency}


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
        return ENGLISH_ONLY
    return None


def readable(message: str) -> str:
    """``message`` as text every model can take: bytes a terminal could not decode (kept as lone
    surrogates) become U+FFFD, the replacement character, so one bad byte spoils a word, not the reply."""
    if not _SURROGATE.search(message):
        return message
    try:
        return message.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        return _SURROGATE.sub("\ufffd", message)


def closing(text: str, language: str = "en") -> str:
    """A reply that is not an answer, ending with what to do in an emergency."""
    return f"{text}\n\n{safety_text('emergency_line', language)}"


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
                 rewriter=None, detector=None, emotions=None) -> None:  # fmt: skip
        self.corpus, self.hybrid, self.dense = corpus, hybrid, dense
        self.detector, self.emotions = detector, emotions  # triage_model.TriageDetector, feelings.FeelingCheck
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
        if not isinstance(message, str):
            problem = check_message(message)
            return Reply(closing(f"Sorry, {problem}."), abstained=True, problem=problem)
        message = readable(message)
        flags = triage(message, self.detector)
        language, scores = flags.language, {"triage": flags.scores, "rule": flags.category}
        if flags.escalated:
            text = safety_text(flags.route, language)
            text = closing(text, language) if flags.route == "crisis" else text
            return Reply(text, route=flags.route, language=language, scores=scores)
        problem = check_message(message)
        if problem is None and language != "en":
            problem = ENGLISH_ONLY  # the corpus and the checks are English: say so in the reader's language
        if problem is not None:
            said = safety_text("urgent", language) + "\n\n" if flags.route == "urgent" else ""
            # A message it cannot read may hold a crisis triage missed (no training message is in every
            # language): it gets the crisis line as well as the emergency line.
            reason = (safety_text("english_only", language) + " " + safety_text("crisis_line", language)
                      if problem == ENGLISH_ONLY else f"Sorry, {problem}.")  # fmt: skip
            return Reply(closing(said + reason, language), abstained=True, problem=problem, route=flags.route,
                         language=language, scores=scores)  # fmt: skip
        feelings = self.emotions.feelings(self.dense.query_vectors([message])) if self.emotions is not None else []
        lead = ACKNOWLEDGEMENT[FEELINGS[feelings[0]]] + " " if feelings else ""
        details = dict(route=flags.route, language=language, feelings=feelings)
        if flags.route == "urgent":
            return self._urgent(message, lead, scores, details)
        if _PERSONAL.search(message.lower()):
            return Reply(closing(lead + PERSONAL), abstained=True, scores=scores, **details)
        closest = float(closest_similarity(self.dense, [message])[0])
        if closest < self.floor:  # "not about health" is no place to say "I'm sorry you are going through this"
            return Reply(closing(OUT_OF_SCOPE), abstained=True, scores={**scores, "closest_similarity": closest},
                         **{**details, "feelings": []})  # fmt: skip
        ids, confidence_of = self.rank([message])
        best, confidence = int(ids[0, 0]), float(confidence_of[0])
        if confidence < self.threshold:
            return Reply(closing(lead + DECLINE), confidence=confidence, abstained=True, scores=scores, **details)
        row = self.corpus.iloc[best]
        passage = first_sentences(row["answer"])
        body, used_draft = passage, False
        scores.update(doc_id=best, qtype=row["qtype"])
        if self.rewriter is not None:
            draft = self.rewriter.rewrite(message, passage)
            used_draft, _ = grounded(draft, passage, names=self.names)
            scores.update(draft=draft, grounded=used_draft)
            body = draft if used_draft else passage
        lead = lead + "Here is what the NIH says:\n\n" if lead else ""
        text = f"{lead}{body}\n\nSource: {row['source']}, {row['url']}\n{DISCLAIMER}"
        return Reply(text, source=row["source"], url=row["url"], focus=row["focus"], confidence=confidence,
                     generated=used_draft, scores=scores, **details)  # fmt: skip

    def _urgent(self, message: str, lead: str, scores: dict, details: dict) -> Reply:
        """The urgent text, and the NIH page the assistant would answer with, if it is confident."""
        text = lead + safety_text("urgent", "en")
        source = url = None
        if closest_similarity(self.dense, [message])[0] >= self.floor:
            ids, confidence_of = self.rank([message])
            if confidence_of[0] >= self.threshold:
                row = self.corpus.iloc[int(ids[0, 0])]
                source, url = row["source"], row["url"]
                text += f"\n\n{URGENT_PAGE} {row['focus']} ({source}, {url})"
        return Reply(text, source=source, url=url, abstained=True, scores=scores, **details)


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
