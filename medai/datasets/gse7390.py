"""GSE7390 (TRANSBIG): 198 node-negative breast cancers, 76-gene signature, time to distant metastasis."""

from __future__ import annotations

import pandas as pd
from scipy.io import arff

from .bundle import DataBundle, credits
from .errors import DataError, reading
from .resolve import local_file

NAME = "breast-cancer-gse7390"
CLINICAL = ("age", "size", "grade", "er")
OUTCOME = ("t.tdm", "e.tdm")  # days to distant metastasis or censoring; 1 = metastasis


def load_breast_cancer_gse7390() -> DataBundle:
    """``data`` age, tumour size, grade, ER status and 76 expression values per patient;
    ``target`` a table with ``time`` (days) and ``event`` (True = distant metastasis)."""
    file = local_file(NAME, "breast_cancer_GSE7390-metastasis.arff")
    try:
        records, _ = arff.loadarff(file)
    except (
        ValueError,
        arff.ParseArffError,
        OSError,
        IndexError,
        StopIteration,
    ) as error:
        raise DataError(f"{file} is not a readable ARFF file: {error}") from None
    table = pd.DataFrame(records)
    with reading(file):
        for column in table.select_dtypes(include="object").columns:
            table[column] = table[column].str.decode("utf-8")
    missing = [c for c in CLINICAL + OUTCOME if c not in table]
    if missing:
        raise DataError(f"{file} has no column(s) {missing}")
    target = pd.DataFrame(
        {
            "time": table["t.tdm"].astype(float),
            "event": table["e.tdm"].astype(float) == 1,
        }
    )
    data = table.drop(columns=list(OUTCOME))
    return DataBundle(
        name=NAME,
        data=data,
        target=target,
        feature_names=tuple(data.columns),
        target_names=("time", "event"),
        frame=table,
        description=f"GSE7390: {len(table)} patients, {len(data.columns) - len(CLINICAL)} genes, "
        f"{int(target['event'].sum())} distant metastases.",
        **credits(NAME),
    )
