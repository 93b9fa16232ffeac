"""UCI heart disease: 920 patients from four hospitals, 13 clinical attributes, angiographic diagnosis."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ..core.errors import InputError
from .bundle import DataBundle, credits
from .errors import DataError, reading
from .resolve import local_file

NAME = "uci-heart-disease"
HEART_SITES = ("cleveland", "hungarian", "switzerland", "va")
HEART_COLUMNS = (
    "age", "sex", "cp", "trestbps", "chol", "fbs", "restecg",
    "thalach", "exang", "oldpeak", "slope", "ca", "thal", "num",
)  # fmt: skip
# The files write a missing cholesterol or resting blood pressure as 0 (all 123 Swiss rows, 49 VA rows).
ZERO_MEANS_MISSING = ("chol", "trestbps")
# What each attribute can be (the data's notes; ranges wide enough for any living adult): a row outside
# them is damage, refused with its file, line and column, never scored. Missing ('?') is allowed.
CODES = {"sex": {0, 1}, "cp": {1, 2, 3, 4}, "fbs": {0, 1}, "restecg": {0, 1, 2}, "exang": {0, 1},
         "slope": {1, 2, 3}, "ca": {0, 1, 2, 3}, "thal": {3, 6, 7}, "num": {0, 1, 2, 3, 4}}  # fmt: skip
RANGES = {"age": (1, 120), "trestbps": (50, 300), "chol": (50, 1000), "thalach": (30, 250), "oldpeak": (-10, 10)}


def load_uci_heart_disease(
    sites: Sequence[str] = HEART_SITES, zero_as_missing: bool = True
) -> DataBundle:
    """``data`` the 13 attributes (NaN where missing), ``target`` 1 when any major vessel is
    narrowed by more than 50% (``num > 0``); ``frame`` adds ``site`` and the graded ``num``.

    ``zero_as_missing`` reads 0 in ``chol`` and ``trestbps`` as missing, as the data's notes advise.
    """
    if isinstance(sites, str):
        sites = (sites,)
    unknown = [s for s in sites if s not in HEART_SITES]
    if unknown or not sites:
        raise InputError(
            f"sites must be a non-empty subset of {HEART_SITES}, got {list(sites)}"
        )
    parts = {}
    for site in sites:
        file = local_file(NAME, f"processed.{site}.data")
        with reading(file):
            lines = file.read_text("ascii").splitlines()
            table = pd.read_csv(file, header=None, na_values="?")
        # pandas pads a short row with NaN; a short row here is damage, not missing data.
        for number, line in enumerate(lines, start=1):
            if line.strip() and line.count(",") != len(HEART_COLUMNS) - 1:
                raise DataError(
                    f"{file}: line {number} has {line.count(',') + 1} columns, "
                    f"expected {len(HEART_COLUMNS)}"
                )
        table.columns = list(HEART_COLUMNS)
        with reading(file):
            parts[site] = table.astype(float)
        _check_values(parts[site], file)
    frame = (
        pd.concat(parts, names=["site", "row"])
        .reset_index("site")
        .reset_index(drop=True)
    )
    if zero_as_missing:
        for column in ZERO_MEANS_MISSING:
            frame.loc[frame[column] == 0, column] = np.nan
    features = [c for c in HEART_COLUMNS if c != "num"]
    target = (frame["num"] > 0).astype(np.int64).to_numpy()
    frame["target"] = target
    counts = frame.groupby("site", sort=False)["target"].agg(["size", "sum"])
    return DataBundle(
        name=NAME,
        data=frame[features],
        target=target,
        feature_names=tuple(features),
        target_names=("no disease", "disease"),
        frame=frame,
        description="UCI heart disease: "
        + "; ".join(
            f"{s} {n} patients, {d} with disease" for s, (n, d) in counts.iterrows()
        ),
        **credits(NAME),
    )


def _check_values(table: pd.DataFrame, file) -> None:
    """Refuse an impossible value (age -500, sex 7, cholesterol 99,999, inf), naming where it is."""
    for column in HEART_COLUMNS:
        values = table[column]
        if column in CODES:
            bad = values.notna() & ~values.isin(CODES[column])
            allowed = f"one of {sorted(CODES[column])}"
        else:
            low, high = RANGES[column]
            zero_ok = column in ZERO_MEANS_MISSING  # the files' way of writing 'not measured'
            bad = values.notna() & ~(values.between(low, high) | (zero_ok & (values == 0)))
            allowed = f"between {low:g} and {high:g}" + (" (or 0: not measured)" if zero_ok else "")
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"{file}: line {row + 1}, {column} is {values.iloc[row]:g}; it must be {allowed}")
