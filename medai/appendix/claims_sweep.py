"""``python -m medai claims``: run notebooks at several seeds and record whether each claim held.

A sentence of the book must hold at seeds 0, 1 and 2, not just at the seed the book was built
with. Each notebook runs with papermill in its default profile once per seed, in parallel
processes, with ``MEDAI_CLAIMS_RECORD`` set: every claim it checks appends a JSON line (and a
false one does not stop the run). The lines become one CSV with the notebook's code
fingerprint, so a later edit shows the record is stale (``tests/test_claims_record.py``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from ..core.claims import NOTEBOOK_ENV, RECORD_ENV, SEED_ENV
from ..core.errors import InputError, MedaiError
from .executed import ROOT, code_fingerprint

COLUMNS = ["notebook", "fingerprint", "seed", "sentence", "held", "values", "error"]
OUT = ROOT / "benchmarks" / "results" / "claims-seeds.csv"
Row = dict[str, object]


class ClaimsFailedError(MedaiError):
    """A claim was false at some seed, or a notebook failed to run."""


def _count(minimum: int):
    """An argparse type: an integer of at least ``minimum`` (anything else is a one-line usage error)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


class _Distinct(argparse.Action):
    """Refuse a value given twice (a seed run twice would count its claims twice)."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        if len(set(values)) != len(values):
            parser.error(f"{option_string} names a value twice: {' '.join(map(str, values))}")
        setattr(namespace, self.dest, values)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds", type=_count(0), nargs="+", default=[0, 1, 2], metavar="SEED", action=_Distinct,
                        help="seeds to run each notebook with (default: 0 1 2)")  # fmt: skip
    parser.add_argument("--notebooks", nargs="+", metavar="NOTEBOOK", action=_Distinct,
                        help="numbers, stems or paths (default: every chapter)")  # fmt: skip
    parser.add_argument("--workers", type=_count(1), default=os.cpu_count() or 1,
                        help="notebooks run at once (default: the number of cores)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=OUT, help=f"CSV to write (default {OUT.relative_to(ROOT)})")


def chapter_notebooks() -> list[Path]:
    """Every chapter notebook of the book (``notebooks/NN_topic.ipynb``)."""
    found = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    if not found:
        raise InputError(f"no notebooks in {ROOT / 'notebooks'}: run from a checkout of the book")
    return found


def _error_of(executed: Path, stderr: str) -> str:
    """The exception a failed run stopped on: from the executed notebook, else papermill's last line."""
    try:
        cells = nbformat.read(executed, as_version=4).cells
    except (OSError, ValueError):  # papermill failed before it wrote the notebook
        cells = []
    for cell in cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "error":
                return f"{output['ename']}: {output['evalue']}"[:500]
    lines = [line for line in stderr.splitlines() if line.strip()]
    return lines[-1][:500] if lines else "papermill failed without a message"


def _recorded(record: Path) -> list[dict]:
    if not record.exists():
        return []
    return [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines() if line.strip()]


def _environment(notebook: Path, seed: int, record: Path, workers: int) -> dict[str, str]:
    """The kernel's environment: where to record claims, which notebook and seed, and a share of
    the cores. Each kernel's torch and BLAS would otherwise start one thread per core, and
    ``workers`` kernels would fight over them (an explicit OMP_NUM_THREADS is kept)."""
    threads = str(max(1, (os.cpu_count() or 1) // workers))
    shares = {k: os.environ.get(k, threads) for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    return {**os.environ, **shares, RECORD_ENV: str(record), NOTEBOOK_ENV: notebook.stem, SEED_ENV: str(seed)}


def run_notebook(notebook: Path, seed: int, folder: Path, fingerprint: str, workers: int = 1) -> list[Row]:
    """Run ``notebook`` at ``seed`` (default profile) into ``folder`` beside ``workers - 1`` other
    runs; one row per checked claim, plus one row with the error (``held`` empty) if the run failed."""
    name = f"{notebook.stem}.seed{seed}"
    executed, record = folder / f"{name}.ipynb", folder / f"{name}.jsonl"
    env = _environment(notebook, seed, record, workers)
    command = [sys.executable, "-m", "papermill", str(notebook), str(executed), "-p", "profile", "default",
               "-p", "seed", str(seed), "--cwd", str(notebook.parent), "-k", "python3", "--no-progress-bar"]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    base: Row = {"notebook": notebook.stem, "fingerprint": fingerprint, "seed": seed}
    rows: list[Row] = [
        {**base, "sentence": line["sentence"], "held": bool(line["held"]),
         "values": json.dumps(line["values"], ensure_ascii=False), "error": ""}
        for line in _recorded(record)
    ]  # fmt: skip
    if done.returncode != 0:
        rows.append({**base, "sentence": "", "held": "", "values": "", "error": _error_of(executed, done.stderr)})
    return rows


def _progress(notebook: Path, seed: int, rows: list[Row], seconds: float) -> str:
    claims = [r for r in rows if r["held"] != ""]
    false = sum(r["held"] is False for r in claims)
    failed = next((r["error"] for r in rows if r["held"] == ""), None)
    status = f"failed: {failed}" if failed else ("all hold" if not false else f"{false} false")
    return f"{notebook.stem} seed {seed}: {len(claims)} claims, {status} ({seconds:.0f} s)"


def sweep(notebooks: list[Path], seeds: list[int], workers: int) -> list[Row]:
    """Every notebook at every seed, ``workers`` at a time; rows in notebook and seed order."""
    fingerprints = {nb: code_fingerprint(nb) for nb in notebooks}  # the code as it was when run
    jobs = [(nb, seed) for nb in notebooks for seed in seeds]
    # Threads only wait: each run is its own papermill process with its own kernel.
    with tempfile.TemporaryDirectory(prefix="medai-claims-") as tmp, ThreadPoolExecutor(workers) as pool:

        def one(job: tuple[Path, int]) -> list[Row]:
            start = time.perf_counter()
            rows = run_notebook(job[0], job[1], Path(tmp), fingerprints[job[0]], min(workers, len(jobs)))
            print(_progress(*job, rows, time.perf_counter() - start), file=sys.stderr, flush=True)
            return rows

        return [row for rows in pool.map(one, jobs) for row in rows]


def write_csv(rows: list[Row], out: Path) -> None:
    """Write ``rows`` to ``out`` atomically: an interrupted sweep leaves the old record whole."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    partial.replace(out)


def summary(rows: list[Row], notebooks: list[Path], seeds: list[int]) -> list[str]:
    """One line per notebook (claims per seed, all hold or which are false at which seed), then
    one line per false claim and per failed run."""
    lines = [f"claims at seeds {', '.join(map(str, seeds))} (default profile):"]
    for notebook in notebooks:
        mine = [r for r in rows if r["notebook"] == notebook.stem]
        counts = sorted({sum(r["seed"] == s and r["held"] != "" for r in mine) for s in seeds})
        false = [r for r in mine if r["held"] is False]
        failed = [r for r in mine if r["held"] == ""]
        problems = [f"{len(false)} false"] if false else []
        if failed:
            problems.append(f"failed at seed {', '.join(str(r['seed']) for r in failed)}")
        status = ", ".join(problems) or "all hold"
        lines.append(f"  {notebook.stem}: {'/'.join(map(str, counts))} claims per seed, {status}")
        lines += [f"    false at seed {r['seed']}: {r['sentence']} ({r['values']})" for r in false]
        lines += [f"    failed at seed {r['seed']}: {r['error']}" for r in failed]
    return lines


def read_csv(out: Path) -> list[Row]:
    """The rows of an earlier record (none if there is no record yet)."""
    if not out.exists():
        return []
    with out.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def run(notebooks: list[Path] | None, seeds: list[int], workers: int, out: Path) -> list[Row]:
    """Sweep ``notebooks`` (None: every chapter), write the CSV, print the summary; raise
    ``ClaimsFailedError`` if a claim was false or a run failed.

    The record keeps the rows of notebooks this run did not cover: re-running one edited
    chapter replaces that chapter's rows and loses nobody else's."""
    notebooks = list(dict.fromkeys(notebooks or chapter_notebooks()))  # "2" and "02" are one notebook
    print(f"{len(notebooks)} notebooks x {len(seeds)} seeds, {workers} at a time", file=sys.stderr)
    rows = sweep(notebooks, seeds, workers)
    ran = {notebook.stem for notebook in notebooks}
    kept = [row for row in read_csv(out) if row["notebook"] not in ran]
    write_csv(sorted(kept + rows, key=lambda row: str(row["notebook"])), out)  # stable: seed order stays
    print("\n".join(summary(rows, notebooks, seeds)))
    print(f"wrote {out}")
    false = sum(r["held"] is False for r in rows)
    failed = sum(r["held"] == "" for r in rows)
    if false or failed:
        raise ClaimsFailedError(f"{false} false claims and {failed} failed runs: see {out}")
    return rows
