"""GoEmotions (Demszky et al. 2020): Reddit comments labelled with 27 emotions or neutral.

The simplified release keeps a label when at least two raters chose it, so a comment can carry
several. ``load_goemotions(split)`` returns the texts and a 0/1 matrix with one column per label;
``goemotions_groups()`` gives the paper's Ekman grouping (six emotions; neutral stays its own).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from .bundle import DataBundle, credits
from .errors import DataError
from .resolve import path

GOEMOTIONS_SPLITS = ("train", "dev", "test")


def _labels(folder) -> tuple[str, ...]:
    return tuple((folder / "emotions.txt").read_text("utf-8").split())


def load_goemotions(split: str = "train") -> DataBundle:
    """One official split: ``data`` the comments, ``target`` an (n, 28) 0/1 matrix in the order of
    ``target_names`` (27 emotions, then neutral), ``frame`` text, label ids and comment id."""
    if split not in GOEMOTIONS_SPLITS:
        raise DataError(f"split must be one of {GOEMOTIONS_SPLITS}, got {split!r}")
    folder = path("goemotions")
    names = _labels(folder)
    # Quoted texts use CSV doubling (""); pandas' default quoting un-escapes them.
    frame = pd.read_csv(folder / f"{split}.tsv", sep="\t", header=None, names=["text", "labels", "id"],
                        dtype=str, keep_default_na=False)  # fmt: skip
    target = np.zeros((len(frame), len(names)), dtype=np.int8)
    for row, ids in enumerate(frame["labels"]):
        target[row, [int(i) for i in ids.split(",")]] = 1
    return DataBundle(
        name="goemotions",
        data=frame["text"].tolist(),
        target=target,
        target_names=names,
        frame=frame,
        description=f"GoEmotions {split}: {len(frame):,} Reddit comments, {len(names)} labels (multi-label).",
        **credits("goemotions"),
    )


def goemotions_groups() -> dict[str, tuple[str, ...]]:
    """The Ekman groups (anger, disgust, fear, joy, sadness, surprise), each with its emotions,
    then ``neutral`` alone: the paper's second evaluation."""
    folder = path("goemotions", ["ekman_mapping.json"])
    groups = {name: tuple(members) for name, members in json.loads((folder / "ekman_mapping.json").read_text("utf-8")).items()}
    return {**groups, "neutral": ("neutral",)}
