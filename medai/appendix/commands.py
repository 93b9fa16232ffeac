"""``python -m medai results`` and ``python -m medai times``: the book's results table and build times."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..core.errors import InputError
from .executed import CACHE, ROOT, cached_values, execution_times, fresh_values
from .results import ROWS, collect, write_results

BUDGET_SECONDS = 300  # each chapter's default profile on the 2-core CPU
BOOK_BUDGET_SECONDS = 45 * 60


def add_results_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--run", action="store_true", help="execute the notebooks now instead of reading the book's cache")
    parser.add_argument("--cache", type=Path, default=CACHE, help=f"jupyter-cache folder (default {CACHE})")
    parser.add_argument("--markdown", type=Path, default=ROOT / "book" / "results.md", help="page to write")
    parser.add_argument("--csv", type=Path, default=ROOT / "benchmarks" / "results" / "results.csv", help="CSV to write")


def run_results(args: argparse.Namespace) -> None:
    values = {}
    for stem in dict.fromkeys(row.notebook for row in ROWS):
        notebook = ROOT / "notebooks" / f"{stem}.ipynb"
        values[stem] = fresh_values(notebook) if args.run else cached_values(notebook, args.cache)
    table = collect(values)
    write_results(table, args.markdown, args.csv)
    shown = table[["chapter", "result", "ours", "ours_low", "ours_high", "reference", "difference"]]
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"wrote {args.markdown} and {args.csv}")


def add_times_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cache", type=Path, default=CACHE, help=f"jupyter-cache folder (default {CACHE})")
    parser.add_argument("--record", type=Path, help="also write the table to this CSV (tests check it)")


def run_times(args: argparse.Namespace) -> None:
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not notebooks:
        raise InputError(f"no notebooks in {ROOT / 'notebooks'}")
    table = execution_times(notebooks, args.cache)
    table["within 5 min"] = table["seconds"] <= BUDGET_SECONDS
    print(table.to_string(index=False, float_format=lambda v: f"{v:.0f}"))
    total = table["seconds"].sum()
    print(f"total {total:.0f} s ({total / 60:.1f} min; budget {BOOK_BUDGET_SECONDS // 60} min)")
    stale = table.loc[~table["current"], "notebook"].tolist()
    if stale:
        print(f"not executed since their last change: {', '.join(stale)} (run `make book`)")
    if args.record:
        args.record.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.record, index=False, float_format="%.1f")
