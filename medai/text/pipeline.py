"""From a free-text note to a structured summary: de-identify, extract findings, assert them.

``summarise_note`` chains ``medai.deid``, a finding extractor and
``medai.negation``; the extractor is any callable that returns character spans,
so the dictionary tagger and the fine-tuned transformer plug in alike.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Callable, Sequence

from .deid import PHI_TYPES, deidentify
from .negation import assertion

SpanFinder = Callable[[str], Sequence[tuple[int, int]]]
_TOKEN = re.compile(r"\w+(?:[-']\w+)*|[^\w\s]")
_PLACEHOLDER = re.compile(r"\[(?:" + "|".join(PHI_TYPES) + r")\]")


def tokenize_with_offsets(text: str) -> list[tuple[str, int, int]]:
    """Words and punctuation with their character offsets (the NCBI corpus splits text the same way)."""
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def tagger_spans(tag_tokens: Callable[[list[str]], list[str]]) -> SpanFinder:
    """Turn a BIO tagger over token lists into a finder of character spans in raw text."""
    from .ner import entities

    def find(text: str) -> list[tuple[int, int]]:
        tokens = tokenize_with_offsets(text)
        if not tokens:
            return []
        tags = tag_tokens([t for t, _, _ in tokens])
        return sorted(
            (tokens[start][1], tokens[end - 1][2]) for start, end, _ in entities(tags)
        )

    return find


def summarise_note(
    text: str | bytes, patient_id: str, secret: str, find_findings: SpanFinder
) -> dict:
    """A JSON-ready summary: the de-identified note, PHI counts per type, and findings with status.

    Findings are extracted from the de-identified text, so no identifier can leak
    into the summary through a finding.
    """
    clean, phi = deidentify(text, patient_id, secret)
    placeholders = [m.span() for m in _PLACEHOLDER.finditer(clean)]
    findings = []
    for start, end in find_findings(clean):
        if any(start < b and a < end for a, b in placeholders):
            continue  # a tag such as [NAME] is not a finding
        findings.append(
            {
                "finding": clean[start:end],
                "status": assertion(clean, start, end),
                "start": start,
                "end": end,
            }
        )
    return {
        "patient": patient_id,
        "deidentified_text": clean,
        "phi_removed": dict(sorted(Counter(span.kind for span in phi).items())),
        "findings": findings,
        "present": sorted(
            {f["finding"].lower() for f in findings if f["status"] == "affirmed"}
        ),
        "absent": sorted(
            {f["finding"].lower() for f in findings if f["status"] == "negated"}
        ),
        "uncertain": sorted(
            {f["finding"].lower() for f in findings if f["status"] == "uncertain"}
        ),
    }


def to_json(summary: dict) -> str:
    return json.dumps(summary, indent=2, ensure_ascii=False)
