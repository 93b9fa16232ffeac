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
import papermill
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


def _settings_table(notebook: Path) -> dict | None:
    """The profile table a notebook hands to ``settings_for`` (a literal by convention), or None."""
    import ast

    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code" or "settings_for(" not in cell.source:
            continue
        call = next(node for node in ast.walk(ast.parse(cell.source.replace("%pip", "#")))
                    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "settings_for")  # fmt: skip
        try:
            return ast.literal_eval(call.args[1])
        except ValueError:
            return None
    return None


@pytest.mark.notebook
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_full_profile_dry_runs_on_the_cpu(notebook: Path, tmp_path: Path, monkeypatch) -> None:
    """A reader's first ``full`` run (on a GPU) must not die on a typo in the full settings: every
    notebook runs with ``profile="full"`` under ``MEDAI_DRY_RUN=1`` (its shape settings, smoke-sized
    work; medai.core.profiles). Where that equals the smoke run already tested, it is not repeated."""
    from medai.core.profiles import settings_for

    table = _settings_table(notebook)
    monkeypatch.setenv("MEDAI_DRY_RUN", "1")
    if table is not None and settings_for("full", table) == settings_for("smoke", table):
        pytest.skip("the dry run of the full profile is the smoke run, tested above")
    papermill.execute_notebook(str(notebook), str(tmp_path / notebook.name), parameters={"profile": "full"},
                               kernel_name="python3", cwd=str(notebook.parent), progress_bar=False, log_output=False)  # fmt: skip


def test_a_dry_run_keeps_the_shapes_and_takes_the_smoke_amounts(monkeypatch):
    from medai.core.errors import InputError
    from medai.core.profiles import settings_for

    table = {"smoke": {"epochs": 1, "max_length": 32, "records": ["100"]},
             "default": {"epochs": 10, "max_length": 64, "records": None},
             "full": {"epochs": 40, "max_length": 128, "records": None}}  # fmt: skip
    assert settings_for("full", table) == table["full"]
    monkeypatch.setenv("MEDAI_DRY_RUN", "1")
    assert settings_for("full", table) == {"epochs": 1, "max_length": 128, "records": ["100"]}
    # A typo in the full profile is caught in every run, dry or not, before any work.
    monkeypatch.delenv("MEDAI_DRY_RUN")
    broken = {**table, "full": {**table["full"], "epochs": "40"}}
    with pytest.raises(InputError, match="'full' sets 'epochs' to '40'"):
        settings_for("default", broken)
    monkeypatch.setenv("MEDAI_DRY_RUN", "maybe")
    with pytest.raises(InputError, match="MEDAI_DRY_RUN"):
        settings_for("full", table)
