"""Do passages of long ordinary training messages, labelled none, cut false alarms? Seed 0 trained
without them (``PASSAGES = 0``) and with them, scored on the same validation messages.

The passages are added to the training side only, so both detectors are judged on the same held-out
messages; long messages there are read whole and in passages, as the assistant reads them. Each row
is one validation message with its route, language, length in word pieces and the danger each
detector gave it. Training twice takes about 15 minutes on two CPU cores, so the record is kept as
made and is not remade by the tests.

    python benchmarks/triage_long_passages.py --out benchmarks/results/triage-long-passages.csv
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd


def compare(frames: dict[int, pd.DataFrame], sensitivity: float) -> pd.DataFrame:
    """Per recipe: the threshold for ``sensitivity`` and the share of ordinary messages flagged, long and all."""
    from medai.chat.triage_model import DANGER, QUERY_LENGTH, _pieces, danger_threshold

    rows = []
    for passages, frame in frames.items():
        danger = frame["route"].isin(DANGER).to_numpy()
        threshold = danger_threshold(frame["danger"], danger, sensitivity)
        flagged = frame["danger"].to_numpy() >= threshold
        ordinary = (frame["route"] == "none").to_numpy()
        long = np.array([_pieces(m) > QUERY_LENGTH for m in frame["message"]])
        rows.append({"passages": passages, "threshold": round(threshold, 3),
                     "danger found": f"{(flagged & danger).sum()}/{danger.sum()}",
                     "ordinary flagged": f"{(flagged & ordinary).sum()}/{ordinary.sum()}",
                     "long ordinary flagged": f"{(flagged & ordinary & long).sum()}/{(ordinary & long).sum()}",
                     "short ordinary flagged": f"{(flagged & ordinary & ~long).sum()}/{(ordinary & ~long).sum()}"})  # fmt: skip
    return pd.DataFrame(rows)


def main() -> None:
    from medai.chat import safety_models

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--passages", type=int, nargs="+", default=[0, safety_models.PASSAGES])
    args = parser.parse_args()
    if args.out.exists():
        raise SystemExit(f"{args.out} exists: a record is kept as made, not overwritten")
    chosen, frames = safety_models.PASSAGES, {}
    for passages in args.passages:
        safety_models.PASSAGES = passages  # read by train_triage when it is called
        frames[passages] = safety_models.train_triage(seed=0).validation
    safety_models.PASSAGES = chosen
    print(compare(frames, safety_models.SENSITIVITY).to_string(index=False))
    record = frames[args.passages[0]][["message", "route", "language"]].copy()
    for passages, frame in frames.items():
        record[f"danger, {passages} passages"] = frame["danger"].to_numpy()
    # The record names each message by a digest only: the messages themselves are in the package.
    record.insert(0, "message sha256", [hashlib.sha256(m.encode()).hexdigest()[:16] for m in record["message"]])
    record.drop(columns="message").to_csv(args.out, index=False)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
