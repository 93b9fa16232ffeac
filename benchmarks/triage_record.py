"""Every message of a frozen triage set with the route the assistant gave it: a record kept as made.

Chapter 7.2 reports each frozen set once, with the detector of its time. When the detector
changes, the old scoring would be lost with it; this script writes it down first, one row per
message (its true route, kind, language and feeling, the route given by the rules with the detector
and by the rules alone, and whether the emotion classifier found a feeling, alone and with the feeling
check; set B's record, made before the check existed, has the first only), so the chapter can still show the earlier result beside the new one.

    python benchmarks/triage_record.py B --out benchmarks/results/triage-set-b-first-scoring.csv
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

from medai.chat import safety_models
from medai.chat.triage import triage
from medai.datasets.triage_evaluation import EVAL_FILES, load_triage_evaluation


def commit() -> str:
    """The commit the record was made at (with '+changes' when the tree differs from it)."""
    root = Path(__file__).resolve().parents[1]
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "medai"], cwd=root, capture_output=True, text=True)
    return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("version", choices=sorted(EVAL_FILES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.out.exists():
        raise SystemExit(f"{args.out} exists: a record is kept as made, not overwritten")
    detector = safety_models.train_triage(seed=args.seed).detector
    frame = load_triage_evaluation(args.version).frame.drop(columns="message")
    messages = load_triage_evaluation(args.version).data
    frame["given"] = [triage(m, detector).route for m in messages]
    frame["rules alone"] = [triage(m).route for m in messages]
    vectors = safety_models.embed(messages)
    emotions = safety_models.train_emotions(seed=args.seed)
    frame["feeling found"] = [bool(emotions.feelings(v[None])) for v in vectors]  # GoEmotions alone
    check = safety_models.train_feelings(seed=args.seed).check
    frame["feeling check"] = [bool(check.feelings(v[None])) for v in vectors]  # the check over it
    frame["made_with"] = f"commit {commit()}, seed {args.seed}, danger threshold {detector.threshold:.3f}"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out, index=False)
    escalated = frame["given"].isin(["crisis", "emergency"])
    danger = frame["route"].isin(["crisis", "emergency"])
    print(f"set {args.version}: {int(escalated[danger].sum())}/{int(danger.sum())} crises and emergencies escalated; "
          f"wrote {args.out}")


if __name__ == "__main__":
    main()
