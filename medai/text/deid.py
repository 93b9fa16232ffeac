"""Rule-based de-identification of free-text clinical notes (HIPAA Safe Harbor categories for text).

Each detector is a regular expression or a context rule; ``find_phi`` returns
every span it found, and ``deidentify`` replaces them: names, identifiers,
contacts and addresses with a bracketed tag, dates shifted by a per-patient
offset (so intervals between a patient's dates survive), and ages over 89
with "90+". Overlapping findings are merged, keeping the longest span, because
a missed identifier is worse than an over-redaction.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ..core.errors import InputError, InputTypeError

PHI_TYPES = (
    "NAME", "DATE", "AGE", "PHONE", "FAX", "EMAIL", "SSN", "MRN", "ACCOUNT", "ADDRESS", "ZIP", "URL", "IP",
)  # fmt: skip


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    text: str


# --- patterns -------------------------------------------------------------------------

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_MONTH_NUMBER = {
    name.lower(): i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )  # fmt: skip
    for name in names
}

_DATE_PATTERNS = [
    # 2023-04-17, 2023/04/17
    (re.compile(r"\b(?P<y>(?:19|20)\d{2})[-/](?P<m>0?[1-9]|1[0-2])[-/](?P<d>0?[1-9]|[12]\d|3[01])\b"), "ymd"),
    # 04/17/2023, 4-17-23
    (re.compile(r"\b(?P<m>0?[1-9]|1[0-2])[/-](?P<d>0?[1-9]|[12]\d|3[01])[/-](?P<y>(?:19|20)?\d{2})\b"), "mdy"),
    # April 17, 2023 / Apr 17 2023 / April 17th
    (re.compile(rf"\b(?P<mon>{_MONTHS})\.?\s+(?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?:,?\s+(?P<y>(?:19|20)\d{{2}}))?\b", re.I), "monthname"),
    # 17 April 2023
    (re.compile(rf"\b(?P<d>[12]\d|3[01]|0?[1-9])\s+(?P<mon>{_MONTHS})\.?,?\s+(?P<y>(?:19|20)\d{{2}})\b", re.I), "monthname"),
]  # fmt: skip

_SIMPLE = [
    ("EMAIL", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("URL", re.compile(r"\b(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:)]", re.I)),
    ("IP", re.compile(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b")),
    ("SSN", re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),
    ("FAX", re.compile(r"(?i)\bfax(?:\s*(?:no\.?|number|#))?\s*[:.]?\s*(?P<v>\+?1?[\s.-]?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4})")),
    ("PHONE", re.compile(r"(?<![\w-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}\b")),
    ("MRN", re.compile(r"(?i)\b(?:MRN|medical record(?: number| no\.?)?|record #|chart #|patient id)\s*[:#]?\s*(?P<v>[A-Z]{0,3}-?\d{5,10})\b")),
    ("ACCOUNT", re.compile(r"(?i)\b(?:account|acct|billing|insurance|member id|policy)(?:\s*(?:number|no\.?|#))?\s*[:#]?\s*(?P<v>[A-Z]{0,4}-?\d{4,12})\b")),
    ("ADDRESS", re.compile(
        r"\b\d{1,5}\s+(?:[NSEW]\.?\s+)?(?:[A-Z][a-z]+\s+){1,3}"
        r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Circle|Parkway)\b\.?"
        r"(?:,?\s+(?:Apt|Suite|Unit|#)\.?\s*\w+)?"
        r"(?:,\s*(?:[A-Z][a-z]+\s?){1,3},\s*[A-Z]{2}(?:\s+\d{5}(?:-\d{4})?)?)?"
    )),
    ("ZIP", re.compile(r"\b[A-Z]{2}\s+(?P<v>\d{5}(?:-\d{4})?)\b")),
]  # fmt: skip

_AGE = re.compile(
    r"(?i)\b(?P<v>\d{2,3})(?:\s*-?\s*(?:year|yr)s?\s*-?\s*old|\s*y/?o\b|\s*yo\b)|\b(?:age|aged)\s*[:]?\s*(?P<v2>\d{2,3})\b"
)

# Names: a title or a role word before capitalised words, or a "Name:" style field.
_NAME_WORD = (
    r"(?:[A-Z]'[A-Z][a-z]+|[A-Z][a-z]+(?:-[A-Z][a-z]+)?)"  # also O'Brien, Smith-Jones
)
_NAME = rf"{_NAME_WORD}(?:\s+[A-Z]\.)?(?:\s+{_NAME_WORD}){{0,2}}"
_NAME_CONTEXTS = [
    re.compile(rf"\b(?:Dr|Mr|Mrs|Ms|Miss|Prof)\.?\s+(?P<v>{_NAME})"),
    re.compile(rf"(?i:\b(?:patient|pt|name|patient name|attending|physician|provider|nurse|rn|np|pa|"
               rf"signed|seen by|referred by|dictated by|cc|contact|emergency contact|spouse|wife|husband|"
               rf"daughter|son|mother|father|sister|brother|guardian))\s*[:,-]?\s+(?P<v>{_NAME})"),
    re.compile(rf"(?P<v>{_NAME}),\s*(?:MD|DO|RN|NP|PA-C|PhD)\b"),
    re.compile(rf"(?P<v>{_NAME})\s+(?:is|was)\s+an?\s+\d{{1,3}}\s*[- ]?(?:year|yr|y/o|yo\b)"),
]  # fmt: skip
# Words that follow those contexts without being names.
_NOT_NAMES = {
    "The", "This", "He", "She", "They", "His", "Her", "Is", "Was", "Has", "Had", "Denies", "Reports",
    "States", "Presents", "Complains", "Notes", "Patient", "Unknown", "Not", "No", "None",
    "Dr", "Mr", "Mrs", "Ms", "Miss", "Prof",  # titles: the name after them is found by the title rule
}  # fmt: skip


def _date_spans(text: str) -> list[tuple[int, int, re.Match, str]]:
    found = []
    for pattern, style in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            found.append((m.start(), m.end(), m, style))
    return found


def find_phi(text: str) -> list[Span]:
    """Every PHI span found in ``text``, sorted, overlaps merged (the longer span wins)."""
    return _find_phi(_check_text(text))[0]


def _find_phi(
    text: str,
) -> tuple[list[Span], dict[tuple[int, int], tuple[re.Match, str]]]:
    """The merged spans, and each date match with its style by (start, end), for ``deidentify``."""
    dates = {(s, e): (m, style) for s, e, m, style in _date_spans(text)}
    spans = [Span(start, end, "DATE", text[start:end]) for start, end in dates]
    for kind, pattern in _SIMPLE:
        for m in pattern.finditer(text):
            start, end = (
                m.span("v") if "v" in pattern.groupindex and m.group("v") else m.span()
            )
            spans.append(Span(start, end, kind, text[start:end]))
    for m in _AGE.finditer(text):
        group = "v" if m.group("v") else "v2"
        if int(m.group(group)) > 89:
            spans.append(Span(m.start(group), m.end(group), "AGE", m.group(group)))
    for pattern in _NAME_CONTEXTS:
        for m in pattern.finditer(text):
            start, end = m.span("v")
            words = m.group("v").split()
            while words and words[0] in _NOT_NAMES:
                start += len(words.pop(0)) + 1
            if words:
                spans.append(Span(start, end, "NAME", text[start:end]))
    return _merge(spans), dates


def _merge(spans: list[Span]) -> list[Span]:
    ordered = sorted(spans, key=lambda s: (s.start, -(s.end - s.start)))
    merged: list[Span] = []
    for span in ordered:
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            if (
                span.end > last.end
            ):  # partial overlap: extend, keep the first span's type
                merged[-1] = Span(
                    last.start,
                    span.end,
                    last.kind,
                    last.text + span.text[last.end - span.start :],
                )
            continue
        merged.append(span)
    return merged


def _check_text(text) -> str:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(
                f"the note is not valid UTF-8 (byte {error.start}: {text[error.start : error.start + 1]!r}); "
                "decode it with its real encoding first"
            ) from None
    if not isinstance(text, str):
        raise InputTypeError(
            f"expected text (str or UTF-8 bytes), got {type(text).__name__}"
        )
    return text


def date_shift_days(patient_id: str, secret: str, max_days: int = 365) -> int:
    """A per-patient shift in [-max_days, -1] days, fixed by a keyed hash of the patient id.

    The same patient always gets the same shift (intervals survive); without the
    secret the shift cannot be recomputed.
    """
    if not patient_id:
        raise InputError("patient_id must be a non-empty string")
    digest = hashlib.sha256(f"{secret}:{patient_id}".encode()).digest()
    return -(int.from_bytes(digest[:4], "big") % max_days + 1)


def _shift_date(match: re.Match, style: str, days: int) -> str | None:
    try:
        if style == "monthname":
            month = _MONTH_NUMBER[match.group("mon").lower().rstrip(".")]
        else:
            month = int(match.group("m"))
        day = int(match.group("d"))
        year_text = match.group("y")
        year = (
            int(year_text) if year_text else 2000
        )  # a year is needed to shift; it is not printed
        if year_text and len(year_text) == 2:
            year += 2000 if year < 50 else 1900
        shifted = date(year, month, day) + timedelta(days=days)
    except (ValueError, KeyError):
        return None  # not a real calendar date: it will be replaced by a tag instead
    if style == "ymd":
        return shifted.isoformat()
    if style == "mdy":
        return f"{shifted.month:02d}/{shifted.day:02d}/{shifted.year}"
    name = shifted.strftime("%B")
    return (
        f"{name} {shifted.day}, {shifted.year}"
        if year_text
        else f"{name} {shifted.day}"
    )


def deidentify(
    text: str | bytes, patient_id: str, secret: str
) -> tuple[str, list[Span]]:
    """Replace the PHI of ``text``; returns the new text and the spans that were replaced."""
    text = _check_text(text)
    spans, dates = _find_phi(text)
    days = date_shift_days(patient_id, secret)
    pieces, cursor = [], 0
    for span in spans:
        pieces.append(text[cursor : span.start])
        replacement = None
        if span.kind == "DATE" and (span.start, span.end) in dates:
            replacement = _shift_date(*dates[span.start, span.end], days)
        elif span.kind == "AGE":
            replacement = "90+"
        pieces.append(replacement or f"[{span.kind}]")
        cursor = span.end
    pieces.append(text[cursor:])
    return "".join(pieces), spans


def evaluate(notes) -> pd.DataFrame:
    """Recall per PHI type and overall precision of ``find_phi`` on notes with known PHI spans.

    A planted identifier counts as caught only if every one of its characters lies
    inside a found span (a half-redacted name still identifies). A found span is
    correct if it overlaps a planted identifier; the rest are over-redactions.
    """
    planted_by_type: dict[str, list[int]] = {}
    found_total = found_correct = 0
    for note in notes:
        found = find_phi(note.text)
        covered = np.zeros(len(note.text) + 1, dtype=bool)
        for span in found:
            covered[span.start : span.end] = True
        for start, end, kind in note.phi:
            planted_by_type.setdefault(kind, []).append(int(covered[start:end].all()))
        for span in found:
            found_total += 1
            found_correct += any(
                span.start < end and start < span.end for start, end, _ in note.phi
            )
    rows = {
        kind: {
            "planted": len(hits),
            "caught": sum(hits),
            "recall": sum(hits) / len(hits),
        }
        for kind, hits in sorted(planted_by_type.items())
    }
    table = pd.DataFrame(rows).T
    everything = sum(len(h) for h in planted_by_type.values())
    caught = sum(sum(h) for h in planted_by_type.values())
    table.loc["all"] = {
        "planted": everything,
        "caught": caught,
        "recall": caught / everything,
    }
    table.attrs["precision"] = (
        found_correct / found_total if found_total else float("nan")
    )
    table.attrs["found"] = found_total
    return table.astype({"planted": int, "caught": int})
