"""Red flags and distress in a user's message, found by rules that a reviewer can read.

An emergency gets a fixed message written here, never text from a language model. A red-flag
phrase does not count when a negation governs it in the same clause ("no chest pain", "isn't
responding" is *not* a negation of a red flag, it is one), or when the message asks about a
symptom in general ("what causes chest pain?") instead of reporting one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.errors import InputTypeError

EMERGENCY_MESSAGE = (
    "This may be an emergency. Call your local emergency number now (911 in the US, 112 in the EU, "
    "999 in the UK), or go to the nearest emergency department. If you are thinking about ending "
    "your life, call or text a crisis line now (988 in the US). Do not wait for an online answer."
)
SUPPORT_MESSAGE = (
    "That sounds hard, and it makes sense to feel this way. You do not have to deal with it alone: "
    "the people treating you want to hear about it too. Here is what the NIH says:"
)

# Each red flag: a category and a pattern over lower-cased text.
RED_FLAGS: dict[str, str] = {
    "cardiac": r"(crushing|tight\w*|heavy|severe|sudden)[^.?!]{0,30}chest|chest[^.?!]{0,40}(arm|jaw|sweat|breath)"
               r"|heart attack|chest (pain|hurts)[^.?!]{0,25}(breath|sweat)|heart is racing[^.?!]{0,40}(faint|pass out)",
    "breathing": r"can'?t (catch my )?breath|(not|isn'?t|stopped) breathing|barely breathing|gasping"
                 r"|severe shortness of breath|lips? (look |are |turning |turned )?blue|short of breath",
    "stroke": r"having a stroke|face[^.?!]{0,20}droop|slurred|can'?t (lift|move|feel)[^.?!]{0,30}(arm|leg|side)"
              r"|worst headache|thunderclap|loss of vision|can'?t see|talking nonsense|sudden weakness",
    "anaphylaxis": r"(throat|tongue|lips?|face)[^.?!]{0,20}swell|swell\w*[^.?!]{0,20}(throat|tongue|lips?|face)",
    "bleeding": r"bleeding (a lot|heavily|badly)|won'?t stop bleeding|spurting|vomiting blood|(lot of|heavy) blood"
                r"|bleeding[^.?!]{0,30}won'?t stop|stabbed|shot\b",
    "self-harm": r"kill myself|end (my|his|her) life|suicid\w* (thought|plan)|thinking about suicide|want to die"
                 r"|don'?t want to wake up|hang (himself|herself|myself)|hurt myself|self-harm",
    "overdose": r"overdos\w*|took (too many|\d+|a whole|all)|taken (too many|\d+|a whole|all)|swallowed[^.?!]{0,30}(pills|tablets)"
                r"|drank (bleach|poison)|whole bottle|on purpose",
    "unresponsive": r"collapsed|not respond|isn'?t respond|unconscious|unresponsive|hard to wake|won'?t wake|floppy",
    "seizure": r"seizure[^.?!]{0,40}(minute|won'?t stop|lasted)|fits? one after another|having a (fit|seizure)",
    "choking": r"choking",
    "injury": r"car crash|fell[^.?!,]{0,40}(head|confus)|hit (his|her|my) head[^.?!,]{0,40}(confus|vomit)"
              r"|neck hurts[^.?!,]{0,30}numb",
    "pregnancy": r"pregnant[^.?!]{0,40}(bleeding|headache|vision)",
    "infant": r"\d+ (month|week)s? old[^.?!]{0,40}fever|baby[^.?!]{0,30}(fever|not breathing)",
    "meningitis": r"rash[^.?!]{0,40}(glass|fever)|stiff neck[^.?!]{0,40}(fever|light)",
    "burn": r"burn\w*[^.?!]{0,40}(skin|whole)|boiling water",
    "hypoglycaemia": r"blood sugar is (1|2)\b|blood sugar[^.?!]{0,30}confus",
    "violence": r"threatening to (hurt|kill)|scared for my life",
    "abdomen": r"(belly|abdomen|stomach)[^.?!]{0,20}(rigid|severe)|vomiting green",
    "spine": r"can'?t control my bladder|lost control of my bladder",
    "dying": r"about to die|going to die",
}
_RED = {name: re.compile(pattern) for name, pattern in RED_FLAGS.items()}
_NEGATION = re.compile(
    r"\b(no|not|never|denies|deny|without|don'?t have|haven'?t|hasn'?t|isn'?t having|wasn'?t|nor)\b"
)
_CLAUSE_BREAK = re.compile(r"[,.;!?]|\bbut\b|\bjust\b|\bonly\b")
_GENERAL_QUESTION = re.compile(
    r"^\s*(what|how|why|which|when|is|are|can|could|does|do|should)\b"
    r"|\b(essay|exam|homework|lecture|curious|in general)\b"
)
_REPORT = re.compile(
    r"\b(i|i'?m|i'?ve|my|me|he|she|he'?s|she'?s|we|our)\b[^.?!]{0,40}\b(have|having|has|am|is|are|took|taken|"
    r"can'?t|feel|felt|keep|collapsed|swallowed|drank|cut|fell)\b"
)
_DISTRESS = re.compile(
    r"\b(scared|terrified|frightened|afraid|worried|worry|anxious|panick?\w*|hopeless|overwhelmed|crying|alone|"
    r"burden|pointless|ashamed|devastated|nervous|stressed|freaking out|upset|frustrated|down|can'?t cope|"
    r"don'?t know how to cope|can'?t sleep|keep thinking)\b"
)


@dataclass(frozen=True)
class Triage:
    """What the rules found: an emergency (with its category and the words that raised it), distress."""

    emergency: bool
    category: str | None
    evidence: str | None
    distress: bool


def _negated(text: str, start: int) -> bool:
    """Whether a negation cue sits in the same clause, before position ``start``."""
    clause = _CLAUSE_BREAK.split(text[max(0, start - 60) : start])[-1]
    return bool(_NEGATION.search(clause))


def _is_general_question(text: str) -> bool:
    return bool(_GENERAL_QUESTION.search(text)) and not _REPORT.search(text)


def triage(message: str) -> Triage:
    """Red flags and distress cues of one message (any text; empty text is neither)."""
    if not isinstance(message, str):
        raise InputTypeError(f"expected the message as text (str), got {type(message).__name__}")
    text = " ".join(message.lower().replace("\u2019", "'").split())
    distress = bool(_DISTRESS.search(text))
    if _is_general_question(text):
        return Triage(False, None, None, distress)
    for category, pattern in _RED.items():
        for match in pattern.finditer(text):
            if not _negated(text, match.start()):
                return Triage(True, category, match.group(0), distress)
    return Triage(False, None, None, distress)
