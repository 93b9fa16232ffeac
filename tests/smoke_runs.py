"""Execute each notebook once per test session in the smoke profile; shared by the notebook and book tests."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

import papermill

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
_OUTPUT = Path(tempfile.mkdtemp(prefix="medai-smoke-"))
atexit.register(shutil.rmtree, _OUTPUT, ignore_errors=True)


def execute_smoke(notebook: Path, output_dir: Path | None = None) -> Path:
    """papermill ``notebook`` with ``profile="smoke"``; returns the executed copy."""
    output_dir = output_dir or _OUTPUT
    executed = output_dir / notebook.name
    papermill.execute_notebook(
        str(notebook),
        str(executed),
        parameters={"profile": "smoke"},
        kernel_name="python3",
        cwd=str(notebook.parent),
        progress_bar=False,
        log_output=False,
    )
    return executed


@functools.cache
def executed_copy(notebook: Path) -> Path:
    """The session's smoke-profile run of a repository notebook (executed at most once)."""
    return execute_smoke(notebook)
