"""Did the 2,400 messages added after set F's scoring change the detector? Seed 0 trained without and
with them, scored on the validation messages both versions share.

The validation split is a hash of each message, so a message keeps its side when others are added:
the two detectors are compared on the same held-out messages (the added file's own validation
messages are left out). Each row is one shared validation message with its route, language and the
probability of danger each detector gave it; chapter 7.2 reads the record and compares the two at the
same sensitivity. Training twice takes about 15 minutes on two CPU cores, so the record is kept as made
(at commit 7eed8b2, seed 0) and is not remade by the tests.

    python benchmarks/triage_added_messages.py --out benchmarks/results/triage-added-messages.csv
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import pandas as pd

ADDED = "triage_train_multilingual.tsv"


def shared_scores(without: pd.DataFrame, with_added: pd.DataFrame) -> pd.DataFrame:
    """One row per validation message the two trainings share: route, language, and each one's danger."""
    keep = ["message", "route", "language", "danger"]
    both = without[keep].merge(with_added[["message", "danger"]], on="message", suffixes=(" without", " with"))
    # The record names each message by a digest only: the messages themselves are in the package.
    both.insert(0, "message sha256", [hashlib.sha256(m.encode()).hexdigest()[:16] for m in both["message"]])
    return both.drop(columns="message")


def main() -> None:
    import medai.datasets.triage_training as training
    from medai.chat import safety_models

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.out.exists():
        raise SystemExit(f"{args.out} exists: a record is kept as made, not overwritten")
    every = training.FEELING_FILES
    frames = []
    for files in (tuple(f for f in every if f != ADDED), every):
        training.FEELING_FILES = files  # read by load_triage_training when it is called
        frames.append(safety_models.train_triage(seed=0).validation)
    training.FEELING_FILES = every
    shared_scores(*frames).to_csv(args.out, index=False)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
