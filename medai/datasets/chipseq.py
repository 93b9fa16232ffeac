"""ChIP-seq peaks of two transcription factors (Oct4, MafK): 200 bp of human DNA each."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.errors import InputError, InputTypeError
from .bundle import DataBundle, credits
from .errors import DataError, reading
from .resolve import local_file

NAME = "chipseq-oct4-mafk"
CHIPSEQ_CLASSES = ("MafK", "Oct4")  # target 1 = Oct4, as in janggu
PEAK_LENGTH = 200
_FILES = {
    "train": {"Oct4": "sample.fa", "MafK": "sample2.fa"},
    "test": {"Oct4": "sample_test.fa", "MafK": "sample2_test.fa"},
}


_DNA = set("ACGTNacgtn")  # lower case marks soft-masked repeats


def read_fasta(text: str, source: str = "input") -> tuple[list[str], list[str]]:
    """Headers (without ``>``) and DNA sequences of a FASTA text; sequences may span several lines.
    An empty record or a letter that is not DNA is refused, naming the record."""
    if not isinstance(text, str):
        raise InputTypeError(
            f"{source}: expected FASTA text (str), got {type(text).__name__}"
        )
    headers: list[str] = []
    sequences: list[list[str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if line.startswith(">"):
            headers.append(line[1:].strip())
            sequences.append([])
        elif not headers:
            raise DataError(
                f"{source}, line {number}: sequence before the first '>' header"
            )
        else:
            sequences[-1].append(line)
    if not headers:
        raise DataError(f"{source}: no FASTA record (no line starts with '>')")
    joined = ["".join(parts) for parts in sequences]
    for header, sequence in zip(headers, joined):
        if not sequence:
            raise DataError(f"{source}: record {header!r} has no sequence")
        stray = set(sequence) - _DNA
        if stray:
            raise DataError(f"{source}: record {header!r} has {''.join(sorted(stray))[:10]!r}, which is not DNA "
                            "(A, C, G, T or N, in either case)")  # fmt: skip
    return headers, joined


def load_chipseq_oct4_mafk(split: str = "train") -> DataBundle:
    """``data`` the 200 bp peak sequences (lower case marks soft-masked repeats), ``target`` 1 for
    Oct4 and 0 for MafK; ``frame`` adds chromosome, start and end of each peak (hg19, 0-based)."""
    if split not in _FILES:
        raise InputError(f"split must be one of {sorted(_FILES)}, got {split!r}")
    parts = []
    for factor, name in _FILES[split].items():
        file = local_file(NAME, name)
        with reading(file):
            headers, sequences = read_fasta(file.read_text("ascii"), source=str(file))
        lengths = {len(s) for s in sequences}
        if lengths != {PEAK_LENGTH}:
            raise DataError(
                f"{file}: sequences of {sorted(lengths)} bp, expected all {PEAK_LENGTH} bp"
            )
        where = pd.Series(headers).str.extract(r"^(chr\w+):(\d+)-(\d+)$")
        if where.isna().any().any():
            row = int(np.flatnonzero(where.isna().any(axis=1))[0])
            raise DataError(f"{file}: header {headers[row]!r} is not 'chrN:start-end'")
        parts.append(
            pd.DataFrame(
                {
                    "chrom": where[0],
                    "start": where[1].astype(np.int64),
                    "end": where[2].astype(np.int64),
                    "sequence": sequences,
                    "factor": factor,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    target = (frame["factor"] == "Oct4").to_numpy(np.int64)
    return DataBundle(
        name=NAME,
        data=frame["sequence"].to_numpy(),
        target=target,
        target_names=CHIPSEQ_CLASSES,
        frame=frame,
        description=f"ChIP-seq peaks, {split} split: {int(target.sum())} Oct4 and "
        f"{int((1 - target).sum())} MafK sequences of {frame['sequence'].str.len().max()} bp.",
        **credits(NAME),
    )
