"""The book's headline results beside the published numbers they compare with, in one table.

Each row names the glued values of one executed notebook (ours, and its interval where the chapter
computes one) and a published figure with its citation key in ``book/references.bib``. ``collect``
reads the values; ``write_results`` writes ``book/results.md`` and a CSV. On the page, our numbers
are pasted from the notebooks' glue, so the book renders the values its own build computed; the
difference column is written from the same values when the page is generated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..core.errors import InputError


@dataclass(frozen=True)
class Row:
    chapter: str
    result: str
    notebook: str  # stem in notebooks/
    value: str  # glued key of our number
    low: str | None  # glued keys of our 95% interval; None where the chapter computes none
    high: str | None
    reference: float | None  # None: no published figure on this protocol
    reference_model: str
    citation: str  # key in book/references.bib
    data: str
    protocol: str
    why: str  # what differs, and why we are below or above
    digits: int = 3
    comparable: bool = True  # False: protocols differ too much for a difference to mean anything


def _with_interval(key: str) -> dict:
    """A glued value and its interval, glued as ``KEY_low`` and ``KEY_high``."""
    return {"value": key, "low": f"{key}_low", "high": f"{key}_high"}


# What two rows compare against, said once.
MEDMNIST_RESNET18 = {"reference": 0.944, "reference_model": "ResNet-18 at 28 pixels", "citation": "yang2023medmnist",
                     "data": "PneumoniaMNIST, official test split"}  # fmt: skip
MTEB_MEDQUAD = {"chapter": "7", "notebook": "07_chatbot", "citation": "mteb_medicalqa", "data": "MedQuAD (NIH answers)",
                "why": "different queries and a different corpus built from the same source, and a leaderboard figure "
                       "whose revision was not recorded: shown for scale, not compared", "comparable": False}  # fmt: skip

ROWS = (
    Row("2", "malignant vs benign tumours, accuracy (%)", "02_theory", "cv_accuracy", None, None, 97.5,
        "a separating plane on three features", "street1993", "Wisconsin diagnostic breast cancer (569 tumours)",
        "ours: logistic regression with a ridge penalty on all 30 features, repeated stratified 5-fold CV; theirs: a "
        "separating plane on 3 features chosen by search, 10-fold CV",
        "the same tumours, but another model on ten times the features, chosen another way: not a like-for-like "
        "comparison; the chapter shows fold-to-fold spread instead of an interval", 1, False),
    Row(chapter="3", result="pneumonia on chest X-rays, test AUROC", notebook="03_imaging",
        **_with_interval("resnet_auroc"), **MEDMNIST_RESNET18,
        protocol="ours: ResNet-18 trained three epochs on a CPU (where its validation AUROC peaked in a trial on "
                 "training and validation images, benchmarks/results/resnet-epochs.out), validation images that copy "
                 "training images removed; theirs: 100 epochs",
        why="our training copy has fewer normal images than the published split, we train three epochs against 100, "
            "and our threshold is chosen on validation images"),
    Row(chapter="4", result="disease mentions, entity F1", notebook="04_text_mining", **_with_interval("ner_f1"),
        reference=0.870, reference_model="BiLSTM-CRF", citation="giorgi2020", data="NCBI disease corpus, official test split",
        protocol="ours: MiniLM fine-tuned for one pass, interval from resampling test sentences; theirs: a BiLSTM-CRF "
                 "trained to convergence",
        why="a small general-domain encoder and one pass of training"),
    Row(chapter="4", result="30-day readmission of diabetic patients, test AUROC", notebook="04_records",
        **_with_interval("network_auroc"), reference=0.667, reference_model="XGBoost",
        citation="cureus2025readmission", data="Diabetes 130-US hospitals 1999-2008",
        protocol="ours: each patient's first stay, no discharges to hospice or death, split by patient, token-embedding "
                 "network; theirs: all 101,766 stays split 80/20 by rows",
        why="a split by rows puts stays of one patient on both sides, which flatters a model; ours scores new patients",
        comparable=False),
    Row("5", "splice junctions (EI/IE/neither), test accuracy", "05_genomics", "cnn_accuracy", "cnn_low", "cnn_high",
        0.959, "RBF network (StatLog)", "michie1994", "UCI splice junction, 3,190 sequences",
        "ours: 1-D CNN on one-hot DNA, a stratified held-out 15%; theirs: StatLog's train/test split",
        "a different split of the same data; the interval includes their figure"),
    Row("6", "heartbeat classes, accuracy, beats split at random", "06_monitoring", "cnn_by_beat_accuracy", None, None,
        0.934, "CNN (intra-patient)", "kachuee2018", "MIT-BIH arrhythmia database: ours 9 of its 48 records, theirs all",
        "ours and theirs: beats of the same patients in training and test (intra-patient); ours on 9 records' beats",
        "a ninth-size sample of the patients, so the two accuracies count different beats; accuracy is mostly the "
        "normal beats, and beats of one patient on both sides flatter every model (next row); no interval computed",
        comparable=False),
    Row("6", "heartbeat classes, macro-F1, each record held out in turn", "06_monitoring", "cnn_by_patient_macro_f1",
        None, None, None, "none on this protocol", "dechazal2004",
        "MIT-BIH arrhythmia database, 9 of its 48 records",
        "ours: leave one record out over 9 records, the five AAMI classes weighted equally; de Chazal et al.'s "
        "inter-patient protocol trains on 22 records and tests on 22 others",
        "the protocol the chapter calls honest; it is not de Chazal's, so no published figure is set beside it",
        comparable=False),
    Row(result="health questions, BM25 nDCG@10", **_with_interval("bm25_ndcg_test"), **MTEB_MEDQUAD,
        reference=0.458, reference_model="BM25 (MTEB MedicalQARetrieval)",
        protocol="ours: questions from held-out topics against all answers; theirs: MTEB's own queries and corpus"),
    Row(result="health questions, dense nDCG@10", **_with_interval("dense_ndcg_test"), **MTEB_MEDQUAD,
        reference=0.603, reference_model="all-MiniLM-L6-v2 (MTEB)",
        protocol="ours: the same model, questions from held-out topics; theirs: MTEB's queries and corpus"),
    Row(chapter="8", result="pneumonia on chest X-rays, small CNN, test AUROC", notebook="08_evaluation",
        **_with_interval("cnn_auroc"), **MEDMNIST_RESNET18,
        protocol="ours: the source's small CNN, 10 epochs with augmentation, threshold from validation; theirs: 100 epochs",
        why="a smaller network trained briefly on fewer normal images; its interval includes their figure"),
)


def collect(values: dict[str, dict[str, float | int | str]], rows=ROWS) -> pd.DataFrame:
    """One line per row: ours (and interval), the reference, and the difference (ours minus theirs).

    ``values`` maps a notebook stem to what that notebook glued."""
    table = []
    for row in rows:
        if row.notebook not in values:
            raise InputError(f"no values for notebook {row.notebook}")
        glued = values[row.notebook]
        missing = [k for k in (row.value, row.low, row.high) if k is not None and k not in glued]
        if missing:
            raise InputError(f"{row.notebook} did not glue {missing}: is its execution current?")
        if row.reference is None and row.comparable:
            raise InputError(f"{row.result}: a row without a published figure must say it is not comparable")
        ours = float(glued[row.value])
        low = float(glued[row.low]) if row.low else math.nan
        high = float(glued[row.high]) if row.high else math.nan
        table.append({"chapter": row.chapter, "result": row.result, "ours": ours, "ours_low": low, "ours_high": high,
                      "reference": row.reference, "reference_model": row.reference_model, "citation": row.citation,
                      "difference": ours - row.reference if row.comparable else math.nan,
                      "reference_inside_interval": bool(low <= row.reference <= high)
                      if row.low and row.reference is not None else None,
                      "data": row.data, "protocol": row.protocol, "why": row.why,
                      "notebook": row.notebook, "glued_value": row.value})  # fmt: skip
    return pd.DataFrame(table)


def _ours(row: Row) -> str:
    paste = "{glue:text}`../notebooks/%s.ipynb::%s:.%df`"
    text = paste % (row.notebook, row.value, row.digits)
    if row.low:
        text += " (" + paste % (row.notebook, row.low, row.digits) + "-" + paste % (row.notebook, row.high, row.digits) + ")"
    return text


def results_markdown(table: pd.DataFrame, rows=ROWS) -> str:
    """``book/results.md``: our numbers pasted from the notebooks, theirs with citations."""
    lines = [
        "# Results at a glance",
        "",
        "Every chapter's headline result beside the published figure it is closest to. Our numbers",
        "(with a 95% bootstrap interval where the chapter computes one) come from the notebooks executed",
        "for this book, in their default profile on a 2-core CPU; the difference is ours minus the",
        "published figure. Most comparisons are not one to one: the notes below the table say what differs, and",
        "where the protocols differ too much for a difference to mean anything, the table prints none.",
        "Chapters 9 and 10 compare methods with each other on the same data and have no published figure",
        "on these splits to set beside them. `python -m medai results` (or `make results`) regenerates",
        "this page and `benchmarks/results/results.csv` from the executed notebooks.",
        "",
        "| note | ch. | result | ours (95% CI) | published | difference |",
        "|---|---|---|---|---|---|",
    ]
    for number, (row, line) in enumerate(zip(rows, table.itertuples()), start=1):
        published = (f"{row.reference:.{row.digits}f} ({row.reference_model}, {{cite:t}}`{row.citation}`)"
                     if row.reference is not None else f"{row.reference_model} ({{cite:t}}`{row.citation}`)")
        difference = f"{line.difference:+.{row.digits}f}" if row.comparable else "not comparable"
        lines.append(f"| {number} | {row.chapter} | {row.result} | {_ours(row)} | {published} | {difference} |")
    below = [f"ch. {r.chapter} {r.result}" for r, d in zip(rows, table["difference"]) if d < 0]
    lines += ["", "Below the published figure: " + ("; ".join(below) or "none") + ".", "",
        "## What each comparison is", ""]  # fmt: skip
    for number, row in enumerate(rows, start=1):
        lines += [f"{number}. **{row.result}** (chapter {row.chapter}). Data: {row.data}. "
                  f"Protocol: {row.protocol}. Why they differ: {row.why}."]  # fmt: skip
    return "\n".join(lines) + "\n"


def write_results(table: pd.DataFrame, markdown_path: Path, csv_path: Path, rows=ROWS) -> None:
    """Write the page and the CSV (replacing the previous ones: both are generated)."""
    Path(markdown_path).write_text(results_markdown(table, rows))
    Path(csv_path).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(csv_path, index=False)  # full precision: the page is checked against it
