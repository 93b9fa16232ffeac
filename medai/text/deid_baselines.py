"""A public de-identifier to compare with: Microsoft Presidio's analyzer, run offline.

Presidio finds names with a statistical spaCy model (``en_core_web_lg`` by default), which is not on
PyPI and cannot be downloaded here. ``presidio_finder`` therefore runs Presidio 2.2's predefined
recognizers (dates, phone numbers, e-mail, URLs, IP addresses, US SSN, licence and passport numbers,
NHS numbers, credit cards and more; their regular expressions, checksums and context words) over a
blank spaCy English tokenizer: the configuration one gets without the model, which finds no names.
Every entity it reports is removed, whatever its score, which is the most removal it can give.
"""

from __future__ import annotations

import logging
from functools import cache

from .deid_patterns import Span


@cache
def _analyzer():
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)  # it tries the network once, then uses its copy
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    class BlankEnglish(SpacyNlpEngine):
        """spaCy's English tokenizer with no trained pipeline (Presidio's default model is not installable here)."""

        def __init__(self) -> None:
            super().__init__(models=[{"lang_code": "en", "model_name": "blank:en"}])

        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}

    engine = BlankEnglish()
    engine.load()
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(nlp_engine=engine)
    return AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["en"])


def presidio_finder(text: str) -> list[Span]:
    """The spans Presidio's predefined recognizers report in ``text`` (English), any score."""
    found = _analyzer().analyze(text=text, language="en", score_threshold=0.0)
    return sorted(
        (Span(r.start, r.end, r.entity_type, text[r.start : r.end]) for r in found), key=lambda s: (s.start, s.end)
    )


def presidio_recognizers() -> list[str]:
    """The names of the recognizers ``presidio_finder`` runs (for the book's configuration note)."""
    return sorted(r.name for r in _analyzer().registry.recognizers)
