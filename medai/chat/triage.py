"""Triage of one message: crisis, emergency, urgent or none, by rules and a learned detector.

Every message passes here before any other check (length, language, scope). The rules
(``triage_rules``) and the detector (``triage_model``) each propose a route; the more serious
one wins, in the order crisis > emergency > urgent > none, except that a rule's crisis or emergency
counts only where the detector gives danger a probability of at least ``RULE_FLOOR``: a rule reads
words ("heart attack", "seizure"), not whether they are a past event, a school question or a denied
sign, and where the detector is all but sure there is no danger, the rule was wrong far more often
than right on the validation messages. A crisis, an emergency or an urgent
problem gets a fixed text written by people (``safety``), in the message's language where one
exists, never retrieved or generated text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.errors import InputTypeError
from .safety import SAFETY_TEXTS, detect_language
from .triage_rules import ROUTES, rule_triage

EMERGENCY_MESSAGE = SAFETY_TEXTS["en"]["emergency"]
CRISIS_MESSAGE = SAFETY_TEXTS["en"]["crisis"]
URGENT_MESSAGE = SAFETY_TEXTS["en"]["urgent"]
MAX_TRIAGE_CHARACTERS = 20_000  # read this much of any message, however long
# Chosen on the validation messages (seed 0) among 0, .05, .10 and .15, the highest that misses no
# crisis or emergency more than no floor does: the messages that need neither but are escalated fell
# from .229 to .209 (English ones from .112 to .081); .15 missed one more of 920.
RULE_FLOOR = 0.10


@dataclass(frozen=True)
class Triage:
    """The route, what raised it (a rule's category and words, or the detector), the message's
    language and the detector's scores."""

    route: str
    category: str | None = None
    evidence: str | None = None
    language: str = "en"
    scores: dict = field(default_factory=dict)

    @property
    def escalated(self) -> bool:
        """Crisis or emergency: the message gets emergency or crisis information, nothing else."""
        return self.route in ("crisis", "emergency")


def triage(message: str, detector=None) -> Triage:
    """The route of ``message`` by the rules, and by ``detector`` (a ``TriageDetector``) if given."""
    if not isinstance(message, str):
        raise InputTypeError(f"expected the message as text (str), got {type(message).__name__}")
    text = message[:MAX_TRIAGE_CHARACTERS]
    language = detect_language(text)
    if not text.strip():
        return Triage("none", language=language)
    hit = rule_triage(text)
    scores = detector.scores(text) if detector is not None else {}
    if hit and hit.route in ("crisis", "emergency") and scores and scores["danger"] < RULE_FLOOR:
        hit = None  # the detector is all but sure: the rule's words were about something else
    learned = detector.route(scores) if detector is not None else "none"
    by_rule = hit.route if hit else "none"
    if ROUTES.index(learned) < ROUTES.index(by_rule):
        return Triage(learned, "detector", None, language, scores)
    if hit:
        return Triage(hit.route, hit.category, hit.evidence, language, scores)
    return Triage("none", language=language, scores=scores)
