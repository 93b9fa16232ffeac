"""Diabetes 130-US hospitals 1999-2008 (Strack et al. 2014): 101,766 inpatient encounters.

One row is one hospital stay of a diabetic patient: demographics, admission and discharge codes,
three ICD-9-CM diagnoses, lab, procedure and medication counts, HbA1c, 23 diabetes drugs and whether
the patient came back (``<30`` days, ``>30`` days, ``NO``). ``load_diabetes_encounters()`` keeps every
value as the source wrote it, except that ``?`` becomes missing; ``None`` in ``A1Cresult`` and
``max_glu_serum`` is a real category (test not done) and stays a string.
"""

from __future__ import annotations

import io

import pandas as pd

from .bundle import DataBundle, credits
from .errors import DataError, reading
from .resolve import local_file

NAME = "diabetes-130-us-hospitals"
READMISSION_CLASSES = ("<30", ">30", "NO")
# Columns the rest of the book relies on; the loader refuses a table without them.
REQUIRED = (
    "encounter_id", "patient_nbr", "race", "gender", "age", "admission_type_id",
    "discharge_disposition_id", "admission_source_id", "time_in_hospital", "diag_1", "diag_2",
    "diag_3", "A1Cresult", "insulin", "readmitted",
)  # fmt: skip


def load_diabetes_encounters() -> DataBundle:
    """Every encounter: ``data`` the table without the outcome, ``target`` the ``readmitted``
    column (one of ``target_names``: ``<30``, ``>30``, ``NO``), ``frame`` both together."""
    file = local_file(NAME, "diabetic_data.csv")
    with reading(file):
        # keep_default_na=False keeps the string "None" (test not done) as a category.
        frame = pd.read_csv(file, na_values="?", keep_default_na=False, low_memory=False,
                            dtype={"diag_1": str, "diag_2": str, "diag_3": str})  # fmt: skip
    missing = [c for c in REQUIRED if c not in frame]
    if missing:
        raise DataError(f"{file} has no column(s) {missing}")
    unknown = set(frame["readmitted"]) - set(READMISSION_CLASSES)
    if unknown:
        raise DataError(f"{file}: readmitted holds {sorted(unknown)}, expected {READMISSION_CLASSES}")
    if frame["encounter_id"].duplicated().any():
        raise DataError(f"{file}: encounter_id is not unique")
    return DataBundle(
        name=NAME,
        data=frame.drop(columns="readmitted"),
        target=frame["readmitted"].to_numpy(),
        feature_names=tuple(c for c in frame.columns if c != "readmitted"),
        target_names=READMISSION_CLASSES,
        frame=frame,
        description=f"Diabetes 130-US hospitals: {len(frame):,} encounters of "
        f"{frame['patient_nbr'].nunique():,} patients, 1999-2008.",
        **credits(NAME),
    )


def load_diabetes_code_names() -> dict[str, dict[int, str]]:
    """The data set's ``IDs_mapping.csv``: for ``admission_type_id``, ``discharge_disposition_id``
    and ``admission_source_id``, what each number means."""
    file = local_file(NAME, "IDs_mapping.csv")
    with reading(file):
        text = file.read_text("ascii").replace("\r\n", "\n").strip()
        tables = {}
        # Three two-column tables stacked, separated by a line holding only ",".
        for block in text.split("\n,\n"):
            table = pd.read_csv(io.StringIO(block), dtype=str, keep_default_na=False)
            tables[table.columns[0]] = {
                int(code): meaning.strip() for code, meaning in zip(table.iloc[:, 0], table.iloc[:, 1])
            }
    expected = {"admission_type_id", "discharge_disposition_id", "admission_source_id"}
    if set(tables) != expected:
        raise DataError(f"{file} holds tables {sorted(tables)}, expected {sorted(expected)}")
    return tables
