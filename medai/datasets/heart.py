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
