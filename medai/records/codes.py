"""ICD-9-CM diagnosis codes as the data set stores them (``250.83``, ``V57``, ``E909``, ``8``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.errors import InputError

# The chapters of ICD-9-CM (first code of each range), with diabetes (250.xx) its own group:
# every encounter here is a diabetic one, so the group says how prominent diabetes was.
CHAPTERS = (
    (1, "infectious"), (140, "neoplasms"), (240, "endocrine/metabolic"), (280, "blood"),
    (290, "mental"), (320, "nervous/sense organs"), (390, "circulatory"), (460, "respiratory"),
    (520, "digestive"), (580, "genitourinary"), (630, "pregnancy"), (680, "skin"),
    (710, "musculoskeletal"), (740, "congenital"), (760, "perinatal"), (780, "symptoms/ill-defined"),
    (800, "injury/poisoning"),
)  # fmt: skip
GROUPS = tuple(name for _, name in CHAPTERS) + ("diabetes", "supplementary (V)", "external cause (E)")
_STARTS = np.array([start for start, _ in CHAPTERS])


def icd9_group(code) -> str | None:
    """The chapter group of one ICD-9-CM code, ``None`` for a missing code; ``InputError`` for text
    that is not a code."""
    if code is None or (isinstance(code, float) and np.isnan(code)):
        return None
    text = str(code).strip().upper()
    if text.startswith("V"):
        return "supplementary (V)"
    if text.startswith("E"):
        return "external cause (E)"
    try:
        number = float(text)
    except ValueError:
        raise InputError(f"{code!r} is not an ICD-9-CM code (001-999.99, Vxx or Exxx)") from None
    if not 1 <= number < 1000:
        raise InputError(f"{code!r} is outside the ICD-9-CM range 001-999")
    if int(number) == 250:
        return "diabetes"
    return CHAPTERS[int(np.searchsorted(_STARTS, number, side="right")) - 1][1]


def icd9_groups(codes: pd.Series) -> pd.Series:
    """``icd9_group`` for a column, each distinct code looked up once."""
    lookup = {code: icd9_group(code) for code in codes.dropna().unique()}
    return codes.map(lookup)
