"""Numbers that stay in a clinical record: lab results as HL7 segments and CSV rows, vital signs, and the
technical fields of a DICOM header. Written for this book, for the SYNTHETIC training notes of
``faker_notes``.

Structured records are mostly numbers, and most of those numbers are not identifiers: a potassium of 4.1,
a reference range 3.5-5.1, a slice thickness of 1.25, 512 rows. A tagger that only ever sees the
identifying numbers of a record (its dates, IDs and phone numbers) learns that every number in a pipe-
or bracket-delimited line is one. The values below are drawn from plausible ranges; the codes are the
LOINC codes of the tests (https://loinc.org) and the DICOM tags of the fields (DICOM PS3.6).
"""

from __future__ import annotations

import re

import numpy as np

# test, LOINC code, unit, reference low and high, decimals shown
LAB_TESTS = (
    ("Hemoglobin", "718-7", "g/dL", 12.0, 16.0, 1), ("WBC", "6690-2", "10*3/uL", 4.0, 11.0, 1),
    ("Platelets", "777-3", "10*3/uL", 150, 400, 0), ("Sodium", "2951-2", "mmol/L", 135, 145, 0),
    ("Potassium", "2823-3", "mmol/L", 3.5, 5.1, 1), ("Chloride", "2075-0", "mmol/L", 98, 107, 0),
    ("Bicarbonate", "1963-8", "mmol/L", 22, 29, 0), ("Urea nitrogen", "3094-0", "mg/dL", 7, 20, 0),
    ("Creatinine", "2160-0", "mg/dL", 0.6, 1.2, 2), ("Glucose", "2345-7", "mg/dL", 70, 99, 0),
    ("Calcium", "17861-6", "mg/dL", 8.6, 10.3, 1), ("Magnesium", "19123-9", "mg/dL", 1.7, 2.2, 1),
    ("ALT", "1742-6", "U/L", 7, 56, 0), ("AST", "1920-8", "U/L", 10, 40, 0),
    ("Alkaline phosphatase", "6768-6", "U/L", 44, 147, 0), ("Bilirubin total", "1975-2", "mg/dL", 0.1, 1.2, 1),
    ("Albumin", "1751-7", "g/dL", 3.5, 5.0, 1), ("C reactive protein", "1988-5", "mg/L", 0, 10, 1),
    ("Hemoglobin A1c", "4548-4", "%", 4.0, 5.6, 1), ("INR", "6301-6", "", 0.8, 1.2, 1),
    ("TSH", "3016-3", "mIU/L", 0.4, 4.0, 2), ("Cholesterol", "2093-3", "mg/dL", 0, 200, 0),
    ("Triglyceride", "2571-8", "mg/dL", 0, 150, 0), ("Lactate", "2524-7", "mmol/L", 0.5, 2.2, 1),
    ("Troponin I", "10839-9", "ng/mL", 0, 0.04, 2), ("NT-proBNP", "33762-6", "pg/mL", 0, 125, 0),
    ("Heart rate", "8867-4", "/min", 60, 100, 0), ("Respiratory rate", "9279-1", "/min", 12, 20, 0),
    ("Body temperature", "8310-5", "Cel", 36.1, 37.8, 1), ("Oxygen saturation", "59408-5", "%", 92, 100, 0),
    ("Systolic blood pressure", "8480-6", "mm[Hg]", 90, 140, 0), ("Body weight", "29463-7", "kg", 0, 0, 1),
)  # fmt: skip

# keyword, tag, value representation, and a function of the random generator that writes a value
_DICOM_FIELDS = (
    ("Modality", "0008,0060", "CS", lambda r: _pick(r, ("CT", "MR", "CR", "DX", "US", "NM", "PT"))),
    ("ImageType", "0008,0008", "CS", lambda r: _pick(r, ("ORIGINAL\\PRIMARY\\AXIAL", "DERIVED\\SECONDARY"))),
    ("Manufacturer", "0008,0070", "LO", lambda r: _pick(r, ("SIEMENS", "GE MEDICAL SYSTEMS", "Philips", "Canon Medical Systems", "FUJIFILM"))),
    ("BodyPartExamined", "0018,0015", "CS", lambda r: _pick(r, ("CHEST", "ABDOMEN", "HEAD", "PELVIS", "KNEE"))),
    ("SliceThickness", "0018,0050", "DS", lambda r: _pick(r, ("0.625", "1.25", "2.5", "3", "5"))),
    ("KVP", "0018,0060", "DS", lambda r: str(_pick(r, (80, 100, 110, 120, 140)))),
    ("ExposureTime", "0018,1150", "IS", lambda r: str(int(r.integers(2, 1500)))),
    ("XRayTubeCurrent", "0018,1151", "IS", lambda r: str(int(r.integers(20, 600)))),
    ("PatientPosition", "0018,5100", "CS", lambda r: _pick(r, ("HFS", "FFS", "HFP", "PA", "AP"))),
    ("SeriesNumber", "0020,0011", "IS", lambda r: str(int(r.integers(1, 12)))),
    ("InstanceNumber", "0020,0013", "IS", lambda r: str(int(r.integers(1, 400)))),
    ("Rows", "0028,0010", "US", lambda r: _pick(r, ("256", "512", "1024", "2048", "3000"))),
    ("Columns", "0028,0011", "US", lambda r: _pick(r, ("256", "512", "1024", "2500"))),
    ("PixelSpacing", "0028,0030", "DS", lambda r: "\\".join([f"{r.uniform(0.14, 1.0):.4f}"] * 2)),
    ("BitsStored", "0028,0101", "US", lambda r: _pick(r, ("8", "12", "16"))),
    ("WindowCenter", "0028,1050", "DS", lambda r: str(int(r.integers(-600, 400)))),
    ("WindowWidth", "0028,1051", "DS", lambda r: str(int(r.integers(80, 2000)))),
    ("RescaleIntercept", "0028,1052", "DS", lambda r: _pick(r, ("-1024", "0", "-1000"))),
)  # fmt: skip


def _pick(rng: np.random.Generator, options):
    return options[int(rng.integers(len(options)))]


def lab_result(rng: np.random.Generator) -> tuple[str, str, str, str, str, str]:
    """One result: (test, code, value, unit, reference range, flag), mostly normal, some high or low."""
    name, code, unit, low, high, decimals = LAB_TESTS[int(rng.integers(len(LAB_TESTS)))]
    spread = (high - low) or max(high, 40.0)
    value = rng.uniform(low - 0.4 * spread, high + 0.6 * spread) if rng.random() < 0.4 else rng.uniform(low, high or 90)
    value = round(max(value, 0.0), decimals)  # flagged as printed: 107 is in 98-107 even if drawn as 107.3
    flag = "H" if high and value > high else "L" if value < low else "N"
    reference = f"{low:.{decimals}f}-{high:.{decimals}f}" if high else ""
    return name, code, f"{value:.{decimals}f}", unit, reference, flag


def hl7_result(rng: np.random.Generator, set_id: int = 1) -> str:
    """An HL7 v2 OBX segment up to its result status (the observation time, an identifier, follows)."""
    name, code, value, unit, reference, flag = lab_result(rng)
    return f"OBX|{set_id}|NM|{code}^{name}^LN||{value}|{unit}|{reference}|{flag}|||F"


def csv_result(rng: np.random.Generator) -> str:
    """A lab result as the columns test,code,value,unit,range,flag of a CSV export."""
    return ",".join(lab_result(rng))


def result_line(rng: np.random.Generator) -> str:
    """A lab result as a laboratory system prints it in a report: name, value, unit, range and flag."""
    name, _, value, unit, reference, flag = lab_result(rng)
    mark = {"H": " H", "L": " L", "N": ""}[flag]
    return f"{name:<24}{value:>8} {unit:<9}({reference}){mark}" if reference else f"{name:<24}{value:>8} {unit}"


def vital_signs(rng: np.random.Generator) -> str:
    """A set of observations written the ways charts and notes write them."""
    hr, sbp, dbp, rr = int(rng.integers(48, 140)), int(rng.integers(80, 190)), int(rng.integers(40, 110)), int(rng.integers(10, 34))
    temp, sat, oxygen = rng.uniform(35.5, 40.2), int(rng.integers(84, 101)), _pick(rng, ("RA", "room air", "2L NC", "4 L/min", "FiO2 0.4"))
    return _pick(rng, (
        f"HR {hr}, BP {sbp}/{dbp}, RR {rr}, T {temp:.1f} C, SpO2 {sat}% on {oxygen}",
        f"Obs: P {hr} BP {sbp}/{dbp} RR {rr} sats {sat}% {oxygen} T {temp:.1f}",
        f"pulse {hr} bpm, blood pressure {sbp}/{dbp} mmHg, resp {rr}/min, temp {temp:.1f}, O2 sat {sat}%",
        f"NEWS2 {int(rng.integers(0, 12))}: RR {rr}, SpO2 {sat}, BP {sbp}, HR {hr}, T {temp:.1f}",
        f"{int(rng.integers(0, 24)):02d}:{_pick(rng, ('00', '15', '30', '45'))} obs HR {hr} BP {sbp}/{dbp} SpO2 {sat}%",
    ))  # fmt: skip


def dicom_fields(rng: np.random.Generator, style: str, count: int) -> list[str]:
    """``count`` technical header fields, printed as a DICOM dump (``style="dump"``) or as pydicom
    prints a dataset (``"pydicom"``)."""
    chosen = rng.choice(len(_DICOM_FIELDS), size=min(count, len(_DICOM_FIELDS)), replace=False)
    lines = []
    for index in sorted(chosen):
        keyword, tag, vr, write = _DICOM_FIELDS[index]
        if style == "dump":
            lines.append(f"({tag}) {vr} [{write(rng)}]  {keyword}")
        else:
            words = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", keyword)
            lines.append(f"({tag[:4]}, {tag[5:]}) {words:<36}{vr}: '{write(rng)}'")
    return lines
