"""SYNTHETIC clinical notes with planted PHI at known character offsets, to measure de-identification.

No real notes with identifiers can be shared, so the evaluation set is generated:
every name, date, number and address below is invented from the word lists in
this file, and each note records where its identifiers are. Formats vary on
purpose (several date styles, phone layouts, titles and fields), and some notes
hold things that look like identifiers but are not (doses, lab values, ages
under 90), so that over-redaction shows up as lost precision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.errors import InputError
from .bundle import SIMULATED, DataBundle

FIRST = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan "
    "Joseph Jessica Thomas Sarah Charles Karen Maria Daniel Nancy Matthew Lisa Anthony Betty Mark Sandra "
    "Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian "
    "Melissa George Deborah Wei Priya Ahmed Fatima Hiroshi Olga Carlos Aisha Mateo Ingrid"
).split()
LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
    "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams "
    "Nelson Baker Hall Rivera Campbell Mitchell Carter Chen Patel Kowalski O'Brien Schmidt Okafor Tanaka"
).split()
STREETS = "Maple Oak Pine Cedar Elm Washington Lake Hill Park Sunset River Highland Meadow Franklin".split()
SUFFIXES = "Street St Avenue Ave Road Rd Drive Dr Lane Boulevard Court Way".split()
CITIES = [("Springfield", "IL"), ("Riverside", "CA"), ("Fairview", "TN"), ("Madison", "WI"),
          ("Georgetown", "TX"), ("Salem", "OR"), ("Clinton", "NY"), ("Franklin", "MA")]  # fmt: skip
MONTHS = "January February March April May June July August September October November December".split()
FINDINGS = (
    "chest pain", "shortness of breath", "fever", "cough", "nausea", "headache", "abdominal pain",
    "dizziness", "palpitations", "lower extremity edema", "fatigue", "back pain",
)  # fmt: skip
DIAGNOSES = (
    "community-acquired pneumonia", "type 2 diabetes mellitus", "hypertension", "atrial fibrillation",
    "congestive heart failure", "chronic kidney disease", "asthma exacerbation", "urinary tract infection",
)  # fmt: skip


@dataclass
class Note:
    """A synthetic note and its planted PHI as (start, end, type) character spans."""

    text: str
    phi: list[tuple[int, int, str]] = field(default_factory=list)
    patient_id: str = ""


class _Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.phi: list[tuple[int, int, str]] = []
        self.length = 0

    def say(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def phi_(self, text: str, kind: str) -> None:
        self.phi.append((self.length, self.length + len(text), kind))
        self.say(text)


def _date(rng: np.random.Generator) -> str:
    y, m, d = (
        int(rng.integers(1990, 2025)),
        int(rng.integers(1, 13)),
        int(rng.integers(1, 29)),
    )
    style = int(rng.integers(5))
    if style == 0:
        return f"{y}-{m:02d}-{d:02d}"
    if style == 1:
        return f"{m:02d}/{d:02d}/{y}"
    if style == 2:
        return f"{m}/{d}/{y % 100:02d}"
    if style == 3:
        return f"{MONTHS[m - 1]} {d}, {y}"
    return f"{d} {MONTHS[m - 1][:3]} {y}"


def _phone(rng: np.random.Generator) -> str:
    a, b, c = rng.integers(200, 999), rng.integers(200, 999), rng.integers(1000, 9999)
    return [f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"+1 {a} {b} {c}"][
        int(rng.integers(4))
    ]


def _name(rng: np.random.Generator, first: bool = True) -> str:
    last = str(rng.choice(LAST))
    return f"{rng.choice(FIRST)} {last}" if first else last


def synthetic_note(rng: np.random.Generator, index: int) -> Note:
    """One note of a few sections, in one of several layouts; PHI offsets recorded as written."""
    w = _Writer()
    patient = _name(rng)
    age = int(rng.choice([rng.integers(18, 89), rng.integers(90, 104)]))
    doctor = _name(rng, first=bool(rng.integers(2)))
    mrn = f"{rng.integers(10**6, 10**8)}"
    layout = int(rng.integers(3))
    if layout == 0:
        w.say("Patient: ")
        w.phi_(patient, "NAME")
        w.say("\nMRN: ")
        w.phi_(mrn, "MRN")
        w.say("\nDate of admission: ")
        w.phi_(_date(rng), "DATE")
        w.say("\n\nHISTORY: ")
    elif layout == 1:
        w.say("ADMISSION NOTE ")
        w.phi_(_date(rng), "DATE")
        w.say("\nName: ")
        w.phi_(patient, "NAME")
        w.say("   Medical record number: ")
        w.phi_(mrn, "MRN")
        w.say("\n\n")
    else:
        w.say("Seen on ")
        w.phi_(_date(rng), "DATE")
        w.say(" in clinic. ")
    w.say(["Mr. ", "Ms. ", "Mrs. ", ""][int(rng.integers(4))] if layout == 2 else "")
    if layout == 2:
        w.phi_(patient, "NAME")
        w.say(" is a ")
    else:
        w.say("The patient is a ")
    if age > 89:
        w.phi_(str(age), "AGE")
    else:
        w.say(str(age))
    w.say(
        [
            f"-year-old {'man' if rng.integers(2) else 'woman'}",
            " y/o patient",
            " year old",
        ][int(rng.integers(3))]
    )
    finding, other = rng.choice(FINDINGS, size=2, replace=False)
    w.say(f" with a history of {rng.choice(DIAGNOSES)} who presents with {finding}. ")
    w.say(f"Denies {other}. Takes metformin 500 mg twice daily; last HbA1c 7.2% on ")
    w.phi_(_date(rng), "DATE")
    w.say(". BP 142/88, HR 96, temperature 38.1 C, SpO2 94% on room air.\n")
    if rng.random() < 0.6:
        w.say("Lives at ")
        city, state = CITIES[int(rng.integers(len(CITIES)))]
        street = f"{rng.integers(1, 9999)} {rng.choice(STREETS)} {rng.choice(SUFFIXES)}"
        w.phi_(f"{street}, {city}, {state} {rng.integers(10000, 99999)}", "ADDRESS")
        w.say(" with ")
        w.say(["his wife ", "her husband ", "daughter ", "son "][int(rng.integers(4))])
        w.phi_(_name(rng), "NAME")
        w.say(". ")
    if rng.random() < 0.7:
        w.say(
            ["Contact phone: ", "Home phone ", "Call back at ", "Tel: "][
                int(rng.integers(4))
            ]
        )
        w.phi_(_phone(rng), "PHONE")
        w.say(". ")
    if rng.random() < 0.4:
        w.say("Fax results to ")
        w.phi_(_phone(rng), "FAX")
        w.say(". ")
    if rng.random() < 0.5:
        w.say("Email: ")
        first, last = (
            str(rng.choice(FIRST)).lower(),
            str(rng.choice(LAST)).lower().replace("'", ""),
        )
        w.phi_(
            f"{first}.{last}{rng.integers(1, 99)}@{rng.choice(['mail.com', 'example.org', 'webpost.net'])}",
            "EMAIL",
        )
        w.say(". ")
    if rng.random() < 0.3:
        w.say("SSN ")
        w.phi_(
            f"{rng.integers(100, 899)}-{rng.integers(10, 99)}-{rng.integers(1000, 9999)}",
            "SSN",
        )
        w.say(" on file. ")
    if rng.random() < 0.4:
        w.say(
            ["Account #: ", "Insurance member ID ", "Billing account "][
                int(rng.integers(3))
            ]
        )
        w.phi_(f"{rng.integers(10**5, 10**9)}", "ACCOUNT")
        w.say(". ")
    if rng.random() < 0.3:
        w.say("Portal: ")
        w.phi_(
            f"https://portal.{rng.choice(['stmarys', 'cityhealth', 'northclinic'])}.org/p/{rng.integers(10**4, 10**6)}",
            "URL",
        )
        w.say(". ")
    if rng.random() < 0.15:
        w.say("Remote monitor at ")
        w.phi_(
            f"10.{rng.integers(0, 255)}.{rng.integers(0, 255)}.{rng.integers(1, 254)}",
            "IP",
        )
        w.say(". ")
    w.say(f"\nASSESSMENT: {rng.choice(DIAGNOSES)}. Follow-up on ")
    w.phi_(_date(rng), "DATE")
    w.say(".\n")
    signature = int(rng.integers(3))
    if signature == 0:
        w.say("Signed: Dr. ")
        w.phi_(doctor, "NAME")
    elif signature == 1:
        w.phi_(doctor if " " in doctor else f"{rng.choice(FIRST)} {doctor}", "NAME")
        w.say(", MD")
    else:
        w.say("Dictated by ")
        w.phi_(doctor if " " in doctor else f"{rng.choice(FIRST)} {doctor}", "NAME")
    w.say("\n")
    return Note("".join(w.parts), w.phi, patient_id=f"P{index:05d}")


def make_synthetic_notes(n: int, seed: int = 0) -> DataBundle:
    """``n`` SYNTHETIC notes from one seeded generator: ``data`` the notes, ``target`` each
    note's planted identifiers as (start, end, type) spans."""
    if n < 1:
        raise InputError(f"n must be at least 1, got {n}")
    rng = np.random.default_rng(seed)
    notes = [synthetic_note(rng, i) for i in range(n)]
    return DataBundle(
        name="synthetic-notes",
        data=notes,
        target=[note.phi for note in notes],
        description=f"{n} SYNTHETIC clinical notes (seed {seed}) with "
        f"{sum(len(note.phi) for note in notes)} planted identifiers at known offsets.",
        licence=SIMULATED,
        citation="Generated by medai.datasets.make_synthetic_notes.",
    )
