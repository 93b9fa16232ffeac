"""Is a finding present, absent or uncertain? Cue-based assertion in the spirit of NegEx (Chapman et al. 2001).

A cue ("denies", "no evidence of", "possible") before a finding, in the same
clause and within a few words, changes its status; a few cues work after the
finding ("... was ruled out"). Clause boundaries ("but", "however", ";", ".")
end a cue's reach, so in "no fever but chest pain" only fever is negated.
"""

from __future__ import annotations

import re

from ..core.errors import InputError

NEGATED, UNCERTAIN, AFFIRMED = "negated", "uncertain", "affirmed"

_BEFORE = {
    NEGATED: [
        "no", "not", "denies", "denied", "deny", "without", "negative for", "no evidence of",
        "no sign of", "no signs of", "free of", "absence of", "absent", "never had", "resolved",
        "no history of", "no complaints of", "rules out", "ruled out for",
    ],
    UNCERTAIN: [
        "possible", "possibly", "probable", "probably", "likely", "suspected", "suspicious for",
        "may", "might", "could be", "rule out", "r/o", "questionable", "concern for",
        "cannot exclude", "cannot be excluded", "cannot rule out", "differential includes", "versus",
    ],
}  # fmt: skip
_AFTER = {
    NEGATED: [
        "was ruled out",
        "is ruled out",
        "has been ruled out",
        "was excluded",
        "is absent",
        "not seen",
    ],
    UNCERTAIN: ["is suspected", "cannot be excluded", "is possible", "is likely", "?"],
}
_BOUNDARY = re.compile(
    r"[.;:!?\n]|\b(?:but|however|although|though|except|aside from|apart from|which|who)\b",
    re.I,
)
_WORD = re.compile(r"[\w/?']+")


def _compile(cues: list[str]) -> re.Pattern:
    ordered = sorted(
        cues, key=len, reverse=True
    )  # longest cue first: "no evidence of" before "no"
    return re.compile(
        r"(?<![\w])(?:" + "|".join(re.escape(c) for c in ordered) + r")(?![\w])", re.I
    )


_BEFORE_RE = {status: _compile(cues) for status, cues in _BEFORE.items()}
_AFTER_RE = {status: _compile(cues) for status, cues in _AFTER.items()}


def assertion(text: str, start: int, end: int, window: int = 6) -> str:
    """``"negated"``, ``"uncertain"`` or ``"affirmed"`` for the finding at ``text[start:end]``.

    Cues count within ``window`` words before the finding (or after it, for the
    few post-cues), never across a clause boundary. Negation wins over
    uncertainty when both apply ("no definite evidence of" is a negation).
    """
    if not (0 <= start < end <= len(text)):
        raise InputError(
            f"span ({start}, {end}) is not inside a text of length {len(text)}"
        )
    before = text[:start]
    boundaries = list(_BOUNDARY.finditer(before))
    clause = before[boundaries[-1].end() :] if boundaries else before
    words = list(_WORD.finditer(clause))
    reach = clause[words[-window].start() :] if len(words) > window else clause
    after_text = text[end:]
    stop = _BOUNDARY.search(after_text)
    # '?' is both a boundary and an uncertainty cue; keep it in the after-clause.
    after_clause = after_text[: stop.end() if stop else len(after_text)]
    after_words = " ".join(after_clause.split()[:window])
    for status in (NEGATED, UNCERTAIN):
        if _BEFORE_RE[status].search(reach) or _AFTER_RE[status].search(after_words):
            return status
    return AFFIRMED
