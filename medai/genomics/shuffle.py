"""Controls for what a DNA model learns: composition alone, and sequences shuffled to keep it.

``dinucleotide_shuffle`` rearranges a sequence at random while keeping its first and last letter
and the count of every pair of neighbouring letters (so its GC content and CpG count too), by a
random Eulerian walk over the pairs (Altschul and Erickson 1985). A model that scores shuffled
peaks as it scores real ones read composition; one whose scores fall read the order of the letters,
such as a binding motif. ``gc_content`` is the share of G and C, the simplest composition there is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..core.errors import InputError, InputTypeError


def gc_content(sequences: Sequence[str]) -> np.ndarray:
    """The share of G and C letters in each sequence (case-insensitive)."""
    if isinstance(sequences, str):
        raise InputTypeError("expected a list of sequences, got one string")
    shares = []
    for number, sequence in enumerate(sequences):
        if not isinstance(sequence, str) or not sequence:
            raise InputError(f"sequence {number} must be a non-empty string")
        upper = sequence.upper()
        shares.append((upper.count("G") + upper.count("C")) / len(upper))
    return np.array(shares)


def dinucleotide_shuffle(sequence: str, rng: np.random.Generator) -> str:
    """``sequence`` rearranged at random with the same first and last letter and the same count of
    every neighbouring pair; a sequence of fewer than three letters is returned as it is."""
    if not isinstance(sequence, str):
        raise InputTypeError(f"expected a DNA string, got {type(sequence).__name__}")
    if len(sequence) < 3:
        return sequence
    following: dict[str, list[str]] = {}
    for a, b in zip(sequence, sequence[1:]):
        following.setdefault(a, []).append(b)
    end = sequence[-1]
    # Each letter but the end keeps one of its pairs for its last exit, drawn until those exits lead
    # every letter to the end (they form a tree): then a walk that leaves each letter by its kept
    # pair last uses every pair exactly once and ends where the sequence ended.
    while True:
        last = {a: int(rng.integers(len(out))) for a, out in following.items() if a != end}
        if all(_reaches_end(a, last, following, end) for a in last):
            break
    order = {}
    for a, out in following.items():
        rest = [b for i, b in enumerate(out) if i != last.get(a)]
        rest = [rest[i] for i in rng.permutation(len(rest))]
        order[a] = rest + ([out[last[a]]] if a in last else [])
    walk, position = [sequence[0]], {a: 0 for a in order}
    for _ in range(len(sequence) - 1):
        here = walk[-1]
        walk.append(order[here][position[here]])
        position[here] += 1
    return "".join(walk)


def _reaches_end(letter: str, last: dict[str, int], following: dict[str, list[str]], end: str) -> bool:
    """Whether following each letter's kept last exit from ``letter`` arrives at ``end``."""
    for _ in range(len(following) + 1):
        if letter == end:
            return True
        letter = following[letter][last[letter]]
    return False
