"""SYNTHETIC notes for training a de-identifier: Faker's people, places and numbers from many countries,
written into many kinds of clinical document, beside clinical text that must stay.

``make_faker_notes`` fills the layouts of ``data/deid_templates.txt`` (discharge summaries, reports,
letters, e-mails, text messages, dictations with numbers in words, HL7 messages, CSV exports, DICOM
header dumps, fax covers, scanned forms with O/0 and l/1 confusions, bilingual notes) with identifiers
from Faker in 30 locales, rendered the ways people write them ("Nowak, Piotr", "NOWAK^PIOTR", "P. Nowak",
"piotr nowak"; 2024-03-12, 12.03.2024, "Mar '24", 20240312, "the twelfth of march"), and with drug
names, eponyms, scores, lab values, doses, device settings, department names and clinical sentences in
other languages from ``data/clinical_vocabulary{,_more}.tsv`` that a de-identifier must leave alone. Every identifier's characters are recorded as it is written.
Everything is invented; nothing here comes from a real record.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np

from ..core.errors import InputError
from . import clinical_values as values
from .bundle import SIMULATED, DataBundle
from .faker_fields import LOCALES, FieldWriter
from .medical_prose import medical_sentences
from .synthetic_notes import Note
from .written import packaged_text

_OCR = str.maketrans({"O": "0", "0": "O", "l": "1", "1": "l", "I": "1", "S": "5", "5": "S", "B": "8"})
_SLOT = re.compile(r"\{(\w+)\}")


def make_faker_notes(n: int, seed: int = 0, prose: bool = True) -> DataBundle:
    """``n`` SYNTHETIC notes in many layouts and locales: ``data`` the notes, ``target`` each note's
    identifiers as (start, end, type) spans. With ``prose`` (needs MedQuAD and the medical abstracts),
    some of the clinical text is real medical sentences (``medical_prose``) rather than short phrases."""
    if n < 1:
        raise InputError(f"n must be at least 1, got {n}")
    layouts, vocabulary = _layouts(), _vocabulary()
    if prose:
        vocabulary = {**vocabulary, "prose": medical_sentences()}
    rng = np.random.default_rng(seed)
    fakers = _Fakers(seed)
    notes = []
    for index in range(n):
        style, flags, body = layouts[int(rng.integers(len(layouts)))]
        # bilingual notes are written for patients from countries whose language they mix in
        locales = ("zh_CN", "ja_JP", "ko_KR", "es_ES", "es_MX", "fr_FR", "de_DE") if "{patient_native}" in body else LOCALES
        note = _Filler(rng, fakers, vocabulary, flags, locales).fill(body, f"F{seed}-{index:05d}")
        notes.append(note)
    return DataBundle(
        name="faker-notes",
        data=notes,
        target=[note.phi for note in notes],
        description=f"{n} SYNTHETIC notes (seed {seed}{', with real medical sentences' if prose else ''}) in {len(layouts)} layouts and {len(LOCALES)} locales, "
        f"{sum(len(note.phi) for note in notes)} identifiers from Faker at known characters",
        licence=SIMULATED,
    )


@cache
def _layouts() -> list[tuple[str, frozenset, str]]:
    text, layouts = packaged_text("deid_templates.txt"), []
    for block in re.split(r"(?m)^=== ", text)[1:]:
        header, _, body = block.partition("\n")
        style, _, flags = header.partition("|")
        layouts.append((style.strip(), frozenset(flags.split()), body.strip("\n")))
    return layouts


# The second file, written by a helper who saw no code or evaluation set, adds clinical sentences in 25
# languages, department names, dictation phrases with spoken punctuation, and English fragments full of
# things that look like identifiers but are not (fractions such as 4/5 power, 20/40 vision, dose ratios).
VOCABULARY_FILES = ("clinical_vocabulary.tsv", "clinical_vocabulary_more.tsv")
_RENAMED = {"clinical": "lookalike"}  # ``clinical`` is the slot that mixes all of them


@cache
def _vocabulary() -> dict[str, list[str]]:
    words: dict[str, list[str]] = {}
    for file in VOCABULARY_FILES:
        for line in packaged_text(file).splitlines():
            if line and not line.startswith("#"):
                kind, text = line.split("\t")
                words.setdefault(_RENAMED.get(kind, kind), []).append(text)
    return words


class _Fakers:
    """One seeded Faker per locale, made when first needed."""

    def __init__(self, seed: int) -> None:
        self.seed, self.made = seed, {}

    def __getitem__(self, locale: str):
        if locale not in self.made:
            from faker import Faker

            fake = Faker(locale)
            fake.seed_instance(self.seed * 1000 + LOCALES.index(locale))
            for provider in fake.providers:
                # Faker's it_IT cities are a list made from a set, whose order changes with Python's string
                # hashing from one process to the next: the same seed gave other notes (and another tagger).
                if isinstance(getattr(provider, "cities", None), list):
                    provider.cities = sorted(provider.cities)
            self.made[locale] = fake
        return self.made[locale]


class _Filler(FieldWriter):
    """Fills one layout: literal text as written, identifiers marked where they land."""

    def __init__(self, rng, fakers: _Fakers, vocabulary, flags: frozenset, locales=LOCALES) -> None:
        self.rng, self.fakers, self.words, self.flags = rng, fakers, vocabulary, flags
        self.locale = self.pick(locales)
        self.first, self.last, self.native = self.person(self.locale)
        self.female = bool(rng.integers(2))

    def pick(self, options):
        return options[int(self.rng.integers(len(options)))]

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def fill(self, body: str, note_id: str) -> Note:
        pieces: list[tuple[str, str | None]] = []
        if "caret" not in self.flags and self.chance(0.3):
            pieces.append((self.clinical() + "\n", None))
        cursor = 0
        for match in _SLOT.finditer(body):
            pieces.append((body[cursor : match.start()], None))
            pieces += getattr(self, "slot_" + match.group(1))()
            cursor = match.end()
        pieces.append((body[cursor:], None))
        text, phi = "", []
        for piece, kind in pieces:
            if kind and piece:
                phi.append((len(text), len(text) + len(piece), kind))
            text += piece
        text = self.transform(text)
        return Note(text, phi, patient_id=note_id)

    def transform(self, text: str) -> str:
        """Lower case and scanner noise change characters, never their number, so the marks still fit."""
        if "lower" in self.flags:
            text = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        if "ocr" in self.flags:
            text = "".join(c.translate(_OCR) if self.chance(0.05) else c for c in text)
        return text

    # --- clinical text that stays ----------------------------------------------------------------
    def vocabulary(self, kind: str) -> str:
        text = self.pick(self.words[kind])
        text = text.replace("{drug}", self.pick(self.words["drug"]))
        text = re.sub(r"\{n\}", lambda m: str(int(self.rng.integers(1, 10))), text)
        text = re.sub(r"\{d\}", lambda m: f"{self.rng.uniform(0.1, 9.9):.1f}", text)
        text = re.sub(r"\{w\}", lambda m: self.spoken_number(int(self.rng.integers(1, 100))), text)
        return text.replace("{bp}", f"{int(self.rng.integers(90, 190))}/{int(self.rng.integers(50, 110))}")

    def clinical(self) -> str:
        if "prose" in self.words and self.chance(0.4):  # running text, as most of a real note is
            return " ".join(self.pick(self.words["prose"]) for _ in range(int(self.rng.integers(1, 3))))
        v = self.vocabulary
        return self.pick((
            f"History of {v('eponym')} and {v('eponym')}.", f"On {v('dose')} and {v('brand')}.", f"{v('lab')}, {v('lab')}.",
            f"{v('scale')}; {v('scale')}.", f"Known to {v('dept')} for {v('eponym')}.", f"{v('brand')} stopped, {v('drug')} started.",
            f"{v('dept')} review: {v('lab')}.", f"Plan: {v('dose')}.", f"{v('eponym').capitalize()} excluded; {v('lab')}.",
            f"Seen {v('time')} by {v('dept')}.", f"{v('drug').capitalize()} {v('time')}, then {v('dose')}.",
            f"{v('lab')} {v('time')}.", v("foreign"), v("foreign"), f"{v('lab')}, {v('lab')}, {v('lab')}, {v('lab')}.",
            values.vital_signs(self.rng) + ".", f"{values.vital_signs(self.rng)}. {v('lab')}.",
            v("lookalike"), f"{v('lookalike')} {v('lookalike')}", f"{v('dept')}: {v('foreign')}",
        ))  # fmt: skip

    def slot_hl7_results(self):
        """Two to eight OBX segments, each with its observation time."""
        pieces = []
        for number in range(1, int(self.rng.integers(3, 10))):
            pieces += [(values.hl7_result(self.rng, number) + "|||", None), *self.slot_date(), ("\n", None)]
        return pieces[:-1]

    def slot_csv_results(self):
        """Two to eight rows of a lab export: patient ID, collection time, then the result."""
        pieces = []
        for _ in range(int(self.rng.integers(2, 9))):
            pieces += [*self.slot_mrn(), (",", None), *self.slot_date(), ("," + values.csv_result(self.rng) + "\n", None)]
        return pieces

    def __getattr__(self, name: str):
        if name.startswith("slot_"):
            kind = name[5:]
            if kind in ("drug", "brand", "eponym", "scale", "lab", "dose", "dept", "foreign", "spoken"):
                return lambda: [(self.vocabulary(kind), None)]
            fixed = {
                "clinical": self.clinical, "n": lambda: str(int(self.rng.integers(1, 40))),
                "sex": lambda: self.pick(("F", "female")) if self.female else self.pick(("M", "male")),
                "sexletter": lambda: "F" if self.female else "M",
                "modality": lambda: self.pick(("CT CHEST WITH CONTRAST", "MRI BRAIN", "XR CHEST PA", "US ABDOMEN", "CT PULMONARY ANGIOGRAM")),
                "labline": lambda: values.result_line(self.rng), "vitals": lambda: values.vital_signs(self.rng),
                "dicom": lambda: "\n".join(values.dicom_fields(self.rng, "dump", int(self.rng.integers(3, 9)))),
                "pydicom": lambda: "\n".join(values.dicom_fields(self.rng, "pydicom", int(self.rng.integers(3, 9)))),
                "native_intro": lambda: {"zh_CN": "患者于", "es_ES": "Ingresó el", "es_MX": "Ingresó el", "fr_FR": "Admis le", "de_DE": "Aufnahme am"}.get(self.locale, "Admitted"),
            }  # fmt: skip
            if kind in fixed:
                return lambda: [(fixed[kind](), None)]
        raise AttributeError(name)
