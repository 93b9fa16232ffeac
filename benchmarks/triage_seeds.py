"""The triage detector and feeling check trained at seeds 0, 1 and 2: how much the test set's scores move.

Each seed draws its own validation share, typo copy and fine-tuning order, chooses its danger
threshold and feeling threshold on that share, and is scored on the test set (``TEST``, set J now,
never trained on), with the ordinary questions longer than MiniLM reads at once counted apart.
The rows go to ``benchmarks/results/triage-seeds.csv``, which chapter 7.2 reads; a test checks that
the record was made with the current code and messages (``safety_models.triage_recipe_key``).

    python benchmarks/triage_seeds.py   # about 40 minutes on two CPU cores; seconds once the models are cached
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from medai.chat import safety_models
from medai.chat.triage import triage
from medai.chat.triage_model import windows
from medai.chat.triage_report import frozen_report
from medai.datasets.triage_evaluation import load_triage_evaluation
from medai.datasets.triage_training import TEST
from seed_record import record_seeds  # benchmarks/seed_record.py, beside this script

OUT = Path(__file__).resolve().parent / "results" / "triage-seeds.csv"


def main() -> None:
    test = load_triage_evaluation(TEST).frame
    felt = test["feeling"].to_numpy()
    long_ordinary = ((test["kind"] == "routine") & test["message"].map(lambda m: len(windows(m)) > 1)).to_numpy()

    def rows_for_seed(seed: int) -> list[dict]:
        detector = safety_models.train_triage(seed=seed).detector
        given = [triage(m, detector).route for m in test["message"]]
        report = frozen_report(test, given, [triage(m).route for m in test["message"]])
        check = safety_models.train_feelings(seed=seed).check
        found = np.array([bool(check.feelings(v[None])) for v in safety_models.embed(test["message"])])
        return [{"seed": seed, "danger threshold": detector.threshold, "danger": report.danger,
                 "sensitivity": report.sensitivity, "ordinary": report.ordinary,
                 "false alarms": report.false_alarms, "crisis unanswered": report.crisis_unanswered,
                 "long ordinary": int(long_ordinary.sum()),
                 "long ordinary escalated": int(np.isin(given, ["crisis", "emergency"])[long_ordinary].sum()),
                 "feeling found where shown": found[felt].mean(), "feeling found elsewhere": found[~felt].mean()}]  # fmt: skip

    record_seeds(__doc__.split("\n")[0], OUT, rows_for_seed, safety_models.triage_recipe_key())


if __name__ == "__main__":
    main()
