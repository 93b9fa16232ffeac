"""UCI splice-junction sequences: 3,190 stretches of 60 nucleotides, exon/intron boundaries or neither."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .bundle import DataBundle, credits
from .errors import DataError, reading
from .resolve import local_file

NAME = "uci-splice-junction"
SPLICE_CLASSES = (
    "EI",
    "IE",
    "N",
)  # donor (exon->intron), acceptor (intron->exon), neither
SEQUENCE_LENGTH = 60


def load_splice_junction() -> DataBundle:
    """``data`` the 60-letter sequences (upper case, IUPAC ambiguity letters kept), ``target`` the
    class index into ``target_names`` (EI, IE, N); ``frame`` adds each sequence's instance name."""
    file = local_file(NAME, "splice.csv")
    with reading(file):
        table = pd.read_csv(file, skipinitialspace=True, dtype=str)
    expected = {"label", "instance_name", "sequence"}
    if not expected <= set(table.columns):
        raise DataError(
            f"{file}: expected columns {sorted(expected)}, got {list(table.columns)}"
        )
    frame = pd.DataFrame(
        {
            "instance": table["instance_name"].str.strip(),
            "sequence": table["sequence"].str.strip().str.upper(),
            "label": table["label"].str.strip(),
        }
    )
    unknown = sorted(set(frame["label"]) - set(SPLICE_CLASSES))
    if unknown:
        raise DataError(
            f"{file}: unknown class label(s) {unknown}; expected {SPLICE_CLASSES}"
        )
    lengths = frame["sequence"].str.len()
    if (lengths != SEQUENCE_LENGTH).any():
        row = int(np.flatnonzero(lengths != SEQUENCE_LENGTH)[0])
        raise DataError(
            f"{file}: sequence {frame['instance'][row]} has {lengths[row]} letters, expected {SEQUENCE_LENGTH}"
        )
    target = frame["label"].map(SPLICE_CLASSES.index).to_numpy(np.int64)
    return DataBundle(
        name=NAME,
        data=frame["sequence"].to_numpy(),
        target=target,
        target_names=SPLICE_CLASSES,
        frame=frame,
        description=f"{len(frame)} primate DNA sequences of {SEQUENCE_LENGTH} nt: "
        + ", ".join(
            f"{c} {n}" for c, n in zip(SPLICE_CLASSES, np.bincount(target, minlength=3))
        ),
        **credits(NAME),
    )
