"""Did training on the written documents help? The fourth tagger against the fifth, on the same validation notes.

The fourth tagger (trained on Faker notes only; set F's one scoring is ``deid-seeds-fourth-tagger.csv``)
and the fifth (the same recipe with the written documents among its training notes) are read from the
model cache at seed 0, each given the threshold and anchor ``choose_threshold`` picks on the fifth
recipe's validation notes (written documents neither was trained on, and fresh Faker notes), and
scored there. Set G plays no part. The record is kept as made: the fourth tagger's code is gone from
this commit, so it cannot be trained again here (run ``benchmarks/deid_seeds.py`` at commit 039fa06 to
remake its cache file).

    python benchmarks/deid_written_documents.py   # minutes on two CPU cores once both taggers are cached
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd

from medai.core.checkpoint import load_checkpoint
from medai.datasets import cache_dir
from medai.text.deid import rule_phi
from medai.text.deid_model import ModelDetector, union
from medai.text.deid_scoring import detector_table
from medai.text.deid_threshold import choose_threshold
from medai.text.deid_trained import recommended_detector, validation_notes, written_documents
from medai.text.transformer import load_tokenizer, token_classifier

OUT = Path(__file__).resolve().parent / "results" / "deid-written-documents.csv"
FOURTH = "deid-minilm-e917d43c995f32c78b9c.pt"  # the fourth recipe at seed 0, named by its recipe key


def main() -> None:
    if OUT.exists():
        raise SystemExit(f"{OUT} exists: a record is kept as made, not overwritten")
    file = cache_dir() / "models" / FOURTH
    if not file.is_file():
        raise SystemExit(f"{file} is missing: train the fourth tagger at commit 039fa06 first")
    validation, (_, held) = validation_notes(), written_documents()
    model = token_classifier(2)
    model.load_state_dict(load_checkpoint(file))
    fourth = ModelDetector(model, load_tokenizer(), 128)
    (fourth.threshold, fourth.anchor), _ = choose_threshold(fourth, validation, rule_phi)
    fifth = recommended_detector(progress=True)  # its threshold is chosen on the same notes
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    rows = []
    for notes_name, notes in (("written documents", held), ("all validation notes", validation)):
        for name, tagger in (("fourth (Faker notes only)", fourth), ("fifth (with written documents)", fifth)):
            table, _ = detector_table(notes, {"rules + tagger": union(rule_phi, tagger.find), "tagger": tagger.find})
            for detector, row in table.iterrows():
                rows.append({"notes": notes_name, "tagger": name, "detector": detector, "threshold": tagger.threshold,
                             "anchor": tagger.anchor, **row.to_dict(), "made_with": f"commit {commit}, seed 0"})  # fmt: skip
    frame = pd.DataFrame(rows)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(OUT, index=False, float_format="%.4f")
    print(frame.drop(columns="made_with").round(3).to_string())


if __name__ == "__main__":
    main()
