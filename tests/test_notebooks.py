"""Every notebook in notebooks/ runs in the smoke profile, then runs again with identical outputs.

papermill executes the notebook with ``profile="smoke"`` into a temporary folder; nbval then re-executes
that executed copy and compares each cell's output with the first run (after the sanitising regexes in
nbval_sanitize.cfg). A notebook whose second run prints something different is not reproducible.
Adding a notebook needs no change here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from smoke_runs import NOTEBOOKS, execute_smoke, executed_copy

SANITIZE = Path(__file__).with_name("nbval_sanitize.cfg")


def test_there_are_notebooks_to_test():
    assert NOTEBOOKS, "notebooks/ holds no .ipynb files"


def rerun_with_nbval(executed: Path) -> subprocess.CompletedProcess:
    """nbval re-executes an executed notebook and compares every output with the stored one."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval",
            "--nbval-current-env",
            "--nbval-sanitize-with",
            str(SANITIZE),
            "--nbval-cell-timeout",
            "600",
            "-p",
            "no:cacheprovider",
            "-q",
            "-W",
            "ignore::DeprecationWarning",
            executed.name,
        ],
        cwd=executed.parent,
        capture_output=True,
        text=True,
        timeout=1200,
    )


@pytest.mark.notebook
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_reproduces(notebook: Path) -> None:
    second_run = rerun_with_nbval(executed_copy(notebook))
    assert second_run.returncode == 0, (
        f"{notebook.name}: the re-run differs from the first run or fails\n{second_run.stdout[-6000:]}"
    )


@pytest.mark.notebook
def test_harness_catches_a_notebook_that_does_not_reproduce(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [
        nbformat.v4.new_code_cell(
            'profile = "default"', metadata={"tags": ["parameters"]}
        ),
        nbformat.v4.new_code_cell("import random\nprint(random.random())"),
    ]
    nbformat.write(notebook, source / "unseeded.ipynb")
    (tmp_path / "run").mkdir()
    second_run = rerun_with_nbval(
        execute_smoke(source / "unseeded.ipynb", tmp_path / "run")
    )
    assert second_run.returncode != 0
    assert (
        "Cell outputs differ" in second_run.stdout
        and "mismatch 'stdout'" in second_run.stdout
    )
