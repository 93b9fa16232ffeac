"""Who is in the analysis: the paper's readmission cohort, and splits that keep a patient on one side."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.errors import InputError

# Discharged to hospice or dead (Strack et al. 2014): such a patient cannot be readmitted.
EXCLUDED_DISCHARGES = (11, 13, 14, 19, 20, 21)


def readmission_cohort(frame: pd.DataFrame) -> pd.DataFrame:
    """Strack et al.'s protocol: each patient's first encounter (lowest ``encounter_id``), without
    discharges to hospice or death. Returns those rows with a 0/1 column ``readmitted_30``."""
    for column in ("encounter_id", "patient_nbr", "discharge_disposition_id", "readmitted"):
        if column not in frame:
            raise InputError(f"the encounter table has no column {column!r}")
    first = frame.sort_values("encounter_id").drop_duplicates("patient_nbr", keep="first")
    cohort = first[~first["discharge_disposition_id"].isin(EXCLUDED_DISCHARGES)].copy()
    cohort["readmitted_30"] = (cohort["readmitted"] == "<30").astype(np.int64)
    return cohort.reset_index(drop=True)


def patient_split(
    patients, fractions: tuple[float, float, float] = (0.7, 0.15, 0.15), seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row indices of train, validation and test, drawn by patient: all rows of one patient go
    to the same side, so no patient is scored on what the model saw of them."""
    patients = np.asarray(patients)
    if len(fractions) != 3 or min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-9:
        raise InputError(f"fractions must be three positive shares summing to 1, got {fractions}")
    unique = np.unique(patients)
    if len(unique) < 3:
        raise InputError(f"need at least 3 patients to split, got {len(unique)}")
    shuffled = np.random.default_rng(seed).permutation(unique)
    cut_train = int(round(fractions[0] * len(unique)))
    cut_val = cut_train + int(round(fractions[1] * len(unique)))
    side = pd.Series(0, index=shuffled)
    side.iloc[cut_train:cut_val] = 1
    side.iloc[cut_val:] = 2
    where = side.loc[patients].to_numpy()
    return tuple(np.flatnonzero(where == k) for k in range(3))  # type: ignore[return-value]
