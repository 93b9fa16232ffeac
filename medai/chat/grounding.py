"""Is every sentence of a generated reply supported by the passage it was written from?

A sentence counts as supported when most of its content words (lower-cased, Porter-stemmed,
stop words left out) occur in the passage and every number in it occurs there too. A language
model that restates the passage passes; one that brings in another disease, a drug, a dose or
a statistic of its own does not. It is a lexical check, so a faithful paraphrase in new words
can fail it (a false alarm costs only the fallback to the NIH text) and a sentence that
reorders the passage's words into a false statement can pass it: chapter 7 measures both kinds
of error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


@lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem.porter import PorterStemmer  # pure Python: no NLTK data download

    return PorterStemmer()


def content_words(text: str) -> set[str]:
    """Stems of the words that carry meaning (no stop words, no one- or two-letter words)."""
    stem = _stemmer().stem
    return {stem(w) for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in ENGLISH_STOP_WORDS}


def split_sentences(text: str) -> list[str]:
    """Sentences of a reply: split after . ! ? before a capital, digit or quote."""
    return [s.strip() for s in _SENTENCE_END.split(" ".join(str(text).split())) if s.strip()]


@dataclass(frozen=True)
class Support:
    """How well one sentence is backed by the passage."""

    sentence: str
    overlap: float  # share of its content words found in the passage (1.0 if it has none)
    new_numbers: tuple[str, ...]  # numbers in it that the passage does not contain
    supported: bool


def sentence_support(sentence: str, passage: str, min_overlap: float = 0.8) -> Support:
    """``Support`` of one sentence by ``passage``."""
    words = content_words(sentence)
    overlap = len(words & content_words(passage)) / len(words) if words else 1.0
    numbers = set(_NUMBER.findall(passage))
    new = tuple(n for n in _NUMBER.findall(sentence) if n not in numbers)
    return Support(sentence, overlap, new, overlap >= min_overlap and not new)


def grounded(reply: str, passage: str, min_overlap: float = 0.8) -> tuple[bool, list[Support]]:
    """Whether every sentence of ``reply`` is supported (an empty reply is not), and each one's support."""
    supports = [sentence_support(s, passage, min_overlap) for s in split_sentences(reply)]
    return bool(supports) and all(s.supported for s in supports), supports
