"""Real medical sentences with no identifiers in them, to stand beside the SYNTHETIC identifiers of
``faker_notes`` as text a de-identifier must leave alone.

The sentences come from two real corpora in the mirror: the answers of MedQuAD (NIH pages, lay words)
and the medical abstracts (research prose). A tagger trained only on template notes sees little running
text and learns that any unusual word may be a name; real sentences teach it what medicine reads like.
Sentences that could hold an identifier are left out rather than labelled: anything with a date, a
month, a phone number, an e-mail or web address, a named institution, or an age over 89.
"""

from __future__ import annotations

import re
from functools import cache

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
_RISKY = re.compile(
    r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}"  # a written date
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d"  # a month and a day or year
    r"|\b(?:january|february|march|april|june|july|august|september|october|november|december)\b"
    r"|\d{3}\W{0,2}\d{3}\W?\d{3,4}|\b1-800\b"  # a phone number
    r"|@|https?:|www\.|\.(?:com|org|gov|edu|net)\b"  # an address on the web
    r"|\b(?:hospital|clinic|university|institute|center|centre|college|foundation|infirmary)\b"  # an institution
    r"|\b(?:9\d|1[0-2]\d)[- ]?(?:years?|yrs?)\b",  # an age over 89
    re.IGNORECASE,
)


def medical_sentences(min_chars: int = 40, max_chars: int = 260) -> list[str]:
    """The identifier-free sentences of MedQuAD's answers and the medical abstracts, in corpus order."""
    return list(_sentences(min_chars, max_chars))


@cache
def _sentences(min_chars: int, max_chars: int) -> tuple[str, ...]:
    from .medquad import load_medquad
    from .text import load_medical_abstracts

    texts = load_medquad().frame["answer"].tolist() + load_medical_abstracts().data
    kept, seen = [], set()
    for text in texts:
        for sentence in _SENTENCE_END.split(" ".join(text.split())):
            if min_chars <= len(sentence) <= max_chars and not _RISKY.search(sentence) and sentence not in seen:
                seen.add(sentence)
                kept.append(sentence)
    return tuple(kept)
