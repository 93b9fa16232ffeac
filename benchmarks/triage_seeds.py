"""The triage detector and feeling check trained at seeds 0, 1 and 2: how much set D's scores move.

Each seed draws its own validation share, typo copy and fine-tuning order, chooses its danger
threshold and feeling threshold on that share, and is scored on set D (the test, never trained on).
The rows go to ``benchmarks/results/triage-seeds.csv``, which chapter 7.2 reads; a test checks that
the record was made with the current code and messages (``safety_models.triage_recipe_key``).

    python benchmarks/triage_seeds.py   # about 15 minutes on two CPU cores; seconds once the models are cached
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from medai.chat import safety_models
from medai.chat.triage import triage
from medai.chat.triage_report import frozen_report
from medai.datasets.triage_evaluation import load_triage_evaluation

OUT = Path(__file__).resolve().parent / "results" / "triage-seeds.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    test = load_triage_evaluation("D").frame
    felt = test["feeling"].to_numpy()
    rows = []
    for seed in args.seeds:
        detector = safety_models.train_triage(seed=seed).detector
        given = [triage(m, detector).route for m in test["message"]]
        report = frozen_report(test, given, [triage(m).route for m in test["message"]])
        check = safety_models.train_feelings(seed=seed).check
        found = np.array([bool(check.feelings(v[None])) for v in safety_models.embed(test["message"])])
        rows.append({"seed": seed, "danger threshold": detector.threshold, "danger": report.danger,
                     "sensitivity": report.sensitivity, "ordinary": report.ordinary,
                     "false alarms": report.false_alarms, "crisis unanswered": report.crisis_unanswered,
                     "feeling found where shown": found[felt].mean(), "feeling found elsewhere": found[~felt].mean(),
                     "recipe": safety_models.triage_recipe_key()})  # fmt: skip
        print(rows[-1], flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(args.out, index=False, float_format="%.4f")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
