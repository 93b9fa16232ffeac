"""Shared test set-up: a non-interactive plotting backend and absolute data-mirror paths."""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]

# Notebooks run with their own working directory, so a relative mirror path would point elsewhere.
if os.environ.get("MEDAI_DATA_MIRROR"):
    os.environ["MEDAI_DATA_MIRROR"] = os.pathsep.join(
        str(Path(p).expanduser().resolve()) for p in os.environ["MEDAI_DATA_MIRROR"].split(os.pathsep) if p
    )
os.environ.setdefault("MPLBACKEND", "Agg")
