"""De-identification of free-text clinical notes (HIPAA Safe Harbor categories for text).

``rule_phi`` runs the rules: each detector is a regular expression or a context rule. ``find_phi``
is the detector the book recommends, the rules together with a MiniLM tagger trained on synthetic
Faker notes (``medai.text.deid_trained``; trained once, then cached). ``deidentify`` replaces what
a detector found: names, identifiers,
contacts and addresses with a bracketed tag, dates shifted by a per-patient
offset (so intervals between a patient's dates survive), and ages over 89
with "90+". Overlapping findings are merged, keeping the longest span, because
a missed identifier is worse than an over-redaction.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left

import numpy as np
import pandas as pd

from ..core.errors import InputError, InputTypeError
from .deid_names import SERVICES, name_spans
from .deid_patterns import (
    AGE,
    SIMPLE_PATTERNS,
    Span,
    age_value,
    date_spans,
    shift_date,
)

PHI_TYPES = (
    "NAME", "DATE", "AGE", "PHONE", "FAX", "EMAIL", "SSN", "MRN", "ACCOUNT", "ADDRESS", "ZIP", "URL", "IP",
    "HOSPITAL",
)  # fmt: skip


def rule_phi(text: str | bytes) -> list[Span]:
    """Every PHI span the rules find in ``text``, sorted, overlaps merged (the longer span wins)."""
    return _find_phi(_check_text(text))[0]


def find_phi(text: str | bytes) -> list[Span]:
    """The recommended detector's spans: whatever the rules or the cached tagger remove (``rule_phi``
    for the rules alone). The first call may train the tagger (minutes), later calls read it."""
    text = _check_text(text)
    return _combine(text, rule_phi(text), _tagger_spans(text))


def _tagger_spans(text: str) -> list[Span]:
    from .deid_trained import recommended_detector

    return recommended_detector().find(text) if text.strip() else []


def _combine(text: str, rules: list[Span], extra: list[Span]) -> list[Span]:
    """The union of two detectors, as spans: a stretch equal to one rule span keeps that span (and its
    kind); any other removed stretch takes the kind of the first rule span inside it, else "NAME"."""
    removed = np.zeros(len(text) + 1, dtype=bool)
    for span in rules + extra:
        removed[span.start : span.end] = True
    by_place = {(span.start, span.end): span for span in rules}
    edges = np.flatnonzero(np.diff(np.concatenate([[0], removed[: len(text)].astype(np.int8), [0]])))
    starts = [span.start for span in rules]  # rule spans come sorted and apart (``rule_phi``)
    spans = []
    for start, end in zip(edges[::2].tolist(), edges[1::2].tolist()):
        first = bisect_left(starts, start)  # the first rule span inside the stretch, found without a scan
        kind = rules[first].kind if first < len(rules) and rules[first].start < end else "NAME"
        spans.append(by_place.get((start, end)) or Span(start, end, kind, text[start:end]))
    return spans


def _keep_special(text: str, combined: list[Span], rules: list[Span], dates: dict) -> list[Span]:
    """Split merged stretches around the rule spans that are replaced by something better than a tag: a
    date the rules can shift, an age they cap at 90+. When the tagger joins "2023-03-11. Age 94" into one
    stretch, the date is still shifted and the age still capped; what lies between is tagged with the
    kind of a rule span inside it, else "[PHI]", without the spaces and punctuation at its edges."""
    special = [s for s in rules if s.kind == "AGE" or (s.kind == "DATE" and (s.start, s.end) in dates)]
    special_starts, rule_starts = [s.start for s in special], [s.start for s in rules]
    is_special = {(s.start, s.end) for s in special}
    out = []
    for span in combined:  # both lists are sorted: look up each span's rule spans, never scan them all
        inside = [s for s in special[bisect_left(special_starts, span.start):bisect_left(special_starts, span.end)]
                  if s.end <= span.end]  # fmt: skip
        if not inside or (len(inside) == 1 and (inside[0].start, inside[0].end) == (span.start, span.end)):
            out.append(span)
            continue
        cursor = span.start
        for piece in sorted(inside, key=lambda s: s.start) + [None]:
            stop = piece.start if piece else span.end
            gap = text[cursor:stop]
            core = re.search(r"\w(?:.*\w)?", gap, flags=re.S)  # the gap without its edge punctuation
            if core:
                start, end = cursor + core.start(), cursor + core.end()
                kinds = [s.kind for s in rules[bisect_left(rule_starts, start):bisect_left(rule_starts, end)]
                         if (s.start, s.end) not in is_special]  # fmt: skip
                out.append(Span(start, end, kinds[0] if kinds else "PHI", core.group()))
            if piece:
                out.append(piece)
                cursor = piece.end
    return out


def _find_phi(
    text: str,
) -> tuple[list[Span], dict[tuple[int, int], tuple[re.Match, str]]]:
    """The merged spans, and each date match with its style by (start, end), for ``deidentify``."""
    dates = {(s, e): (m, style) for s, e, m, style in date_spans(text)}
    spans = [Span(start, end, "DATE", text[start:end]) for start, end in dates]
    for kind, pattern in SIMPLE_PATTERNS:
        for m in pattern.finditer(text):
            start, end = (
                m.span("v") if "v" in pattern.groupindex and m.group("v") else m.span()
            )
            if kind == "HOSPITAL" and all(re.sub(r"['’]s$|\.", "", w.lower()) in SERVICES for w in m.group().split()):
                continue  # "Fracture Clinic", "General Surgery": a service of any hospital, not a place
            spans.append(Span(start, end, kind, text[start:end]))
    for m in AGE.finditer(text):
        value, group = age_value(m)
        if value > 89:
            spans.append(Span(m.start(group), m.end(group), "AGE", m.group(group)))
    for start, end in name_spans(text):
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


def deidentify(
    text: str | bytes, patient_id: str, secret: str, *, rules_only: bool = False
) -> tuple[str, list[Span]]:
    """Replace the PHI of ``text`` that ``find_phi`` finds (``rule_phi`` with ``rules_only``); returns the
    new text and the spans that were replaced."""
    text = _check_text(text)
    spans, dates = _find_phi(text)
    if not rules_only:
        spans = _keep_special(text, _combine(text, spans, _tagger_spans(text)), spans, dates)
    days = date_shift_days(patient_id, secret)
    pieces, cursor = [], 0
    for span in spans:
        pieces.append(text[cursor : span.start])
        replacement = None
        if span.kind == "DATE" and (span.start, span.end) in dates:
            replacement = shift_date(*dates[span.start, span.end], days)
        elif span.kind == "AGE":
            replacement = "90+"
        pieces.append(replacement or f"[{span.kind}]")
        cursor = span.end
    pieces.append(text[cursor:])
    return "".join(pieces), spans


def evaluate(notes) -> pd.DataFrame:
    """Recall per PHI type and overall precision of the rules (``rule_phi``) on notes with known PHI spans.

    A planted identifier counts as caught only if every one of its characters lies
    inside a found span (a half-redacted name still identifies). A found span is
    correct if it overlaps a planted identifier; the rest are over-redactions.
    """
    planted_by_type: dict[str, list[int]] = {}
    found_total = found_correct = 0
    for note in notes:
        found = rule_phi(note.text)
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
