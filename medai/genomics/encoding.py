"""DNA as tensors: one-hot encoding with every IUPAC code, and reverse complements.

Channels are ordered A, C, G, T, so the complement of a base is the channel read backwards
and a one-hot reverse complement is a flip along both axes. An ambiguity letter becomes the
average of the bases it stands for (R = A or G -> 0.5 A + 0.5 G; N -> 0.25 each).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..core.errors import InputError, InputTypeError

BASES = "ACGT"
IUPAC = {
    "A": "A", "C": "C", "G": "G", "T": "T", "U": "T",
    "R": "AG", "Y": "CT", "S": "CG", "W": "AT", "K": "GT", "M": "AC",
    "B": "CGT", "D": "AGT", "H": "ACT", "V": "ACG", "N": "ACGT",
}  # fmt: skip
_COMPLEMENT = str.maketrans(
    "ACGTURYSWKMBDHVNacgturyswkmbdhvn", "TGCAAYRSWMKVHDBNtgcaayrswmkvhdbn"
)

# One row per byte: the base probabilities of that letter; letters outside IUPAC stay invalid.
_TABLE = np.zeros((256, 4), dtype=np.float32)
_VALID = np.zeros(256, dtype=bool)
for _letter, _bases in IUPAC.items():
    for _case in (_letter, _letter.lower()):
        _TABLE[ord(_case), [BASES.index(b) for b in _bases]] = 1.0 / len(_bases)
        _VALID[ord(_case)] = True


def one_hot(sequences: str | Sequence[str], pad: bool = False) -> np.ndarray:
    """(N, 4, L) float32 one-hot codes of ``sequences`` (channels A, C, G, T).

    Upper and lower case are the same base. Sequences must share one length unless
    ``pad=True``, which fills shorter ones at the end with zeros (no base).
    """
    if isinstance(sequences, str):
        sequences = [sequences]
    if not isinstance(sequences, Sequence) or isinstance(sequences, bytes):
        raise InputTypeError(
            f"expected a DNA string or a list of them, got {type(sequences).__name__}"
        )
    if len(sequences) == 0:
        raise InputError("no sequences to encode")
    for number, sequence in enumerate(sequences):
        if not isinstance(sequence, str):
            raise InputTypeError(
                f"sequence {number} is a {type(sequence).__name__}, expected str"
            )
    lengths = np.array([len(s) for s in sequences])
    if lengths.min() == 0:
        raise InputError(f"sequence {int(np.argmin(lengths))} is empty")
    if not pad and (lengths != lengths[0]).any():
        other = int(np.flatnonzero(lengths != lengths[0])[0])
        raise InputError(
            f"sequence {other} has {lengths[other]} letters but sequence 0 has {lengths[0]}; "
            "pass pad=True to pad shorter sequences with zeros"
        )
    width = int(lengths.max())
    codes = np.zeros((len(sequences), width), dtype=np.uint8)  # byte 0 encodes to all zeros
    for row, sequence in enumerate(sequences):
        try:
            codes[row, : len(sequence)] = np.frombuffer(sequence.encode("ascii"), np.uint8)
        except UnicodeEncodeError as error:
            _raise_letter(row, error.start, sequence[error.start])
    filled = np.arange(width)[None, :] < lengths[:, None]
    bad = filled & ~_VALID[codes]
    if bad.any():
        row, position = (int(i[0]) for i in np.nonzero(bad))
        _raise_letter(row, position, sequences[row][position])
    return np.ascontiguousarray(_TABLE[codes].transpose(0, 2, 1))


def _raise_letter(row: int, position: int, letter: str) -> None:
    raise InputError(
        f"sequence {row}, position {position}: {letter!r} is not a nucleotide letter "
        f"(IUPAC: {''.join(IUPAC)}, either case)"
    )


def reverse_complement(sequence: str) -> str:
    """The other strand, read 5' to 3' (ambiguity letters complemented: R <-> Y, K <-> M, ...)."""
    if not isinstance(sequence, str):
        raise InputTypeError(f"expected a DNA string, got {type(sequence).__name__}")
    one_hot(sequence)  # refuses letters outside IUPAC, with their position
    return sequence.translate(_COMPLEMENT)[::-1]


def reverse_complement_one_hot(x):
    """Reverse complement of one-hot codes (..., 4, L): flip the bases and the positions."""
    if x.shape[-2] != 4:
        raise InputError(f"expected 4 base channels in axis -2, got shape {tuple(x.shape)}")
    if isinstance(x, np.ndarray):
        return np.ascontiguousarray(x[..., ::-1, ::-1])
    return x.flip(-2, -1)  # a torch tensor


def decode(x: np.ndarray) -> list[str]:
    """The most likely base at each position of (N, 4, L) codes ('N' where a column is flat or zero)."""
    x = np.asarray(x)
    letters = np.array(list(BASES))[x.argmax(axis=1)]
    flat = np.isclose(x.max(axis=1), x.min(axis=1))
    letters[flat] = "N"
    return ["".join(row) for row in letters]
