"""What every seed benchmark does around its own measurement: read ``--seeds`` and ``--out``, run one
seed after another, print each seed's rows as they come, and write them all to one CSV with the
recipe key that tells a test whether the record is stale."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pandas as pd


def record_seeds(description: str, out: Path, rows_for_seed: Callable[[int], list[dict]], recipe: str) -> None:
    """Parse the command line, collect ``rows_for_seed(seed)`` for each seed, write the record."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", type=Path, default=out)
    args = parser.parse_args()
    rows = []
    for seed in args.seeds:
        new = rows_for_seed(seed)
        print(pd.DataFrame(new).round(3).to_string(index=False), flush=True)
        rows += new
    record = pd.DataFrame(rows).assign(recipe=recipe)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    record.to_csv(args.out, index=False, float_format="%.4f")
    print(f"wrote {args.out}")
