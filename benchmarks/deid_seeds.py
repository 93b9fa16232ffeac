"""The recommended de-identifier trained at seeds 0, 1 and 2: how much its scores move with the seed.

Each seed trains the tagger with the book's recipe (``medai.text.deid_trained.RECIPE``; the seed
changes the Faker notes, which written documents train and which validate, and the initial weights),
chooses its threshold on validation notes, and is scored on the validation notes and on set I of the
documents written outside the project (the final test, never trained or tuned on). The rows go to
``benchmarks/results/deid-seeds.csv``, which chapter 4.1 reads; a test checks that the record was made
with the current recipe and code. Earlier records are kept as made: ``deid-seeds-first-tagger.csv``
(the first tagger, set C's one scoring), ``deid-seeds-second-tagger.csv`` (the tagger trained with real
medical sentences, set D's one scoring), ``deid-seeds-third-tagger.csv`` (lab values, vital signs and
DICOM fields, and an anchor; set E's), ``deid-seeds-fourth-tagger.csv`` (dates without a year and
1,100 entries of text that stays; set F's) and ``deid-seeds-fifth-tagger.csv`` (the written documents
among the training notes; set G's) and ``deid-seeds-sixth-tagger.csv`` (sets A and C-G among them; set H's).

    python benchmarks/deid_seeds.py   # about 30 minutes on two CPU cores; the models stay cached
"""

from __future__ import annotations

from pathlib import Path

from medai.datasets import load_deid_evaluation
from medai.text.deid import rule_phi
from medai.text.deid_model import union
from medai.text.deid_scoring import detector_table
from medai.text.deid_trained import RECIPE, TEST, recipe_key, recommended_detector, validation_notes
from seed_record import record_seeds  # benchmarks/seed_record.py, beside this script

OUT = Path(__file__).resolve().parent / "results" / "deid-seeds.csv"


def main() -> None:
    tests = {f"set {TEST}": load_deid_evaluation(TEST).data}

    def rows_for_seed(seed: int) -> list[dict]:
        tagger = recommended_detector(seed=seed, progress=True)
        finders = {"tagger": tagger.find, "rules + tagger": union(rule_phi, tagger.find)}
        rows = []
        for name, notes in (("validation", validation_notes({**RECIPE, "seed": seed})), *tests.items()):
            table, _ = detector_table(notes, finders)
            for detector, row in table.iterrows():
                rows.append({"seed": seed, "threshold": tagger.threshold, "anchor": tagger.anchor, "notes": name, "detector": detector,
                             **row.to_dict()})  # fmt: skip
        return rows

    record_seeds(__doc__.split("\n")[0], OUT, rows_for_seed, recipe_key({**RECIPE, "seed": None}))


if __name__ == "__main__":
    main()
