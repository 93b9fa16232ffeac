"""Is every sentence of a generated reply supported by the passage it was written from?

A sentence counts as supported when most of its content words (lower-cased, Porter-stemmed,
stop words left out) occur in the passage, every number in it occurs there too, and it names
no topic the passage does not name (``names``: the words of every topic in the corpus, such as
disease and drug names), and it is negated exactly when the passage sentence it draws most words from
is ("no", "not", "never", "without", "-n't": stop words to the overlap, but they flip the meaning,
so a reworded "does not spread" becoming "spreads" fails). A language model that restates the passage passes; one that brings in
another disease, a drug, a dose or a statistic of its own does not. It is a lexical check, so a faithful paraphrase in new words
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
_NEGATIONS = frozenset({"no", "not", "never", "none", "nor", "neither", "nobody", "nothing", "nowhere", "without", "cannot"})


@lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem.porter import PorterStemmer  # pure Python: no NLTK data download

    return PorterStemmer()


def content_words(text: str) -> set[str]:
    """Stems of the words that carry meaning (no stop words, no one- or two-letter words)."""
    stem = _stemmer().stem
    return {stem(w) for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in ENGLISH_STOP_WORDS}


def negated(text: str) -> bool:
    """Whether ``text`` carries a negation word ("not", "no", "never", "without", "can't", ...)."""
    return any(w in _NEGATIONS or w.endswith("n't") for w in _WORD.findall(text.lower().replace("\u2019", "'")))


def split_sentences(text: str) -> list[str]:
    """Sentences of a reply: split after . ! ? before a capital, digit or quote."""
    return [s.strip() for s in _SENTENCE_END.split(" ".join(str(text).split())) if s.strip()]


@dataclass(frozen=True)
class Support:
    """How well one sentence is backed by the passage."""

    sentence: str
    overlap: float  # share of its content words found in the passage (1.0 if it has none)
    new_numbers: tuple[str, ...]  # numbers in it that the passage does not contain
    new_names: tuple[str, ...]  # topic words (stems) in it that the passage does not contain
    supported: bool
    flipped: bool = False  # negated where its closest passage sentence is not, or the other way round


def topic_words(topics) -> frozenset[str]:
    """The content words of topic names (MedQuAD's ``focus``: diseases, drugs, tests), stemmed."""
    words: set[str] = set()
    for topic in topics:
        words |= content_words(str(topic))
    return frozenset(words)


def sentence_support(sentence: str, passage: str, min_overlap: float = 0.8,
                     names: frozenset[str] = frozenset()) -> Support:  # fmt: skip
    """``Support`` of one sentence by ``passage``; ``names`` as made by ``topic_words``."""
    words, known = content_words(sentence), content_words(passage)
    overlap = len(words & known) / len(words) if words else 1.0
    numbers = set(_NUMBER.findall(passage))
    new_numbers = tuple(n for n in _NUMBER.findall(sentence) if n not in numbers)
    new_names = tuple(sorted((words - known) & names))
    # The passage sentence it shares most content words with sets the polarity; on a tie, the one
    # with the fewest other words (a sentence of the passage itself is then always its own closest),
    # and if several are still as close, any of them may match.
    def closeness(candidate: str) -> tuple[int, float]:
        theirs = content_words(candidate)
        return len(words & theirs), len(words & theirs) / max(1, len(words | theirs))

    candidates = split_sentences(passage) or [""]
    best = max(map(closeness, candidates))
    flipped = all(negated(c) != negated(sentence) for c in candidates if closeness(c) == best)
    return Support(sentence, overlap, new_numbers, new_names,
                   overlap >= min_overlap and not new_numbers and not new_names and not flipped, flipped)  # fmt: skip


def grounded(reply: str, passage: str, min_overlap: float = 0.8,
             names: frozenset[str] = frozenset()) -> tuple[bool, list[Support]]:  # fmt: skip
    """Whether every sentence of ``reply`` is supported (an empty reply is not), and each one's support."""
    supports = [sentence_support(s, passage, min_overlap, names) for s in split_sentences(reply)]
    return bool(supports) and all(s.supported for s in supports), supports


def probe_sentences(passages, focuses, qtypes, seed: int = 0):
    """Sentences with a known answer for measuring the check, one row each (``kind``,
    ``sentence``, ``passage``, ``should_pass``), from each passage:

    - ``own``: its own sentences (supported by construction);
    - ``other topic``: a sentence from a passage about another focus with the same question type
      (the reply a retrieval or generation mix-up would give);
    - ``swapped name``: its own sentence naming its focus, with that name replaced by another
      passage's focus (a fluent, confident error);
    - ``changed number``: its own sentence with one number changed;
    - ``flipped negation``: its own sentence with its negation taken out ("is not" -> "is"), or,
      if it has none, one put in ("is" -> "is not").
    """
    import numpy as np
    import pandas as pd

    passages, focuses, qtypes = list(passages), list(focuses), list(qtypes)
    rng = np.random.default_rng(seed)
    sentences = [split_sentences(p) for p in passages]
    rows = []
    for i, passage in enumerate(passages):
        own = sentences[i]
        rows += [("own", s, passage, True) for s in own]
        others = [j for j in range(len(passages))
                  if qtypes[j] == qtypes[i] and focuses[j].lower() != focuses[i].lower() and sentences[j]]  # fmt: skip
        if others:
            j = others[rng.integers(len(others))]
            rows.append(("other topic", sentences[j][rng.integers(len(sentences[j]))], passage, False))
            name = re.compile(re.escape(focuses[i].strip()), re.IGNORECASE)
            named = [s for s in own if name.search(s)]
            if named and not name.search(focuses[j]):
                rows.append(("swapped name", name.sub(focuses[j].strip(), named[0]), passage, False))
        numbered = [s for s in own if _NUMBER.search(s)]
        if numbered:
            number = _NUMBER.search(numbered[0]).group()
            changed = str(int(number.replace(",", "").split(".")[0]) + 1)
            rows.append(("changed number", numbered[0].replace(number, changed, 1), passage, False))
        for sentence in own:
            flipped = _flip_negation(sentence)
            if flipped:
                rows.append(("flipped negation", flipped, passage, False))
                break
    return pd.DataFrame(rows, columns=["kind", "sentence", "passage", "should_pass"])


_NEGATED_VERB = re.compile(r"\b(is|are|was|were|does|do|did|can|will|should|may|has|have) not\b")
_PLAIN_VERB = re.compile(r"\b(is|are|was|were|can|will|should|may)\b")


def _flip_negation(sentence: str) -> str | None:
    """``sentence`` with its first "<verb> not" made "<verb>", or its first plain verb negated;
    None when it has neither (or another negation word the edit would leave in place)."""
    if _NEGATED_VERB.search(sentence):
        flipped = _NEGATED_VERB.sub(r"\1", sentence, count=1)
    elif not negated(sentence) and _PLAIN_VERB.search(sentence):
        flipped = _PLAIN_VERB.sub(r"\1 not", sentence, count=1)
    else:
        return None
    return flipped if negated(flipped) != negated(sentence) else None
