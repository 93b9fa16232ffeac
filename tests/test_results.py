"""The results table and the build times: every number traces to a glued value, every reference to a
citation, and every chapter's recorded execution fits its budget."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from medai.appendix.commands import BOOK_BUDGET_SECONDS, BUDGET_SECONDS
from medai.appendix.executed import NotExecutedError, cached_values, code_fingerprint, glued
from medai.appendix.results import ROWS, Row, collect, results_markdown
from medai.core.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
GLUE = re.compile(r"prose\.glue\(\s*\"([A-Za-z0-9_]+)\"")
BIB_KEYS = set(re.findall(r"^@\w+\{([^,]+),", (ROOT / "book" / "references.bib").read_text(), flags=re.M))


def glued_names(stem: str) -> set[str]:
    cells = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4).cells
    return {n for c in cells if c.cell_type == "code" for n in GLUE.findall(c.source)}


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"ch{r.chapter}-{r.value}")
def test_every_row_traces_to_glued_values_and_a_citation(row):
    names = glued_names(row.notebook)
    for key in (row.value, row.low, row.high):
        assert key is None or key in names, f"{row.notebook} never glues {key!r}"
    assert (row.low is None) == (row.high is None)
    assert row.citation in BIB_KEYS, f"{row.citation!r} is not in book/references.bib"
    assert row.why and row.protocol and row.data


def _executed(values: dict) -> nbformat.NotebookNode:
    """A notebook whose outputs are what myst-nb's glue writes."""
    outputs = [nbformat.v4.new_output("display_data", data={"application/papermill.record/text/plain": repr(v)},
                                      metadata={"scrapbook": {"name": k, "mime_prefix": "application/papermill.record/"}})
               for k, v in values.items()]  # fmt: skip
    cell = nbformat.v4.new_code_cell("glue", outputs=outputs)
    return nbformat.v4.new_notebook(cells=[cell, nbformat.v4.new_code_cell("print(1)")])


def test_glued_values_are_read_back_as_numbers():
    assert glued(_executed({"auroc": 0.9123, "count": 58, "name": "men"})) == {"auroc": 0.9123, "count": 58, "name": "men"}


def test_collect_computes_differences_and_names_what_is_missing():
    row = Row("3", "test AUROC", "nb", "a", "lo", "hi", 0.944, "ResNet-18", "yang2023medmnist", "data", "protocol", "why")
    table = collect({"nb": {"a": 0.934, "lo": 0.91, "hi": 0.95}}, rows=(row,))
    assert table.loc[0, "difference"] == pytest.approx(-0.010)
    assert bool(table.loc[0, "reference_inside_interval"]) is True
    page = results_markdown(table, rows=(row,))
    assert "{glue:text}`../notebooks/nb.ipynb::a:.3f`" in page and "{cite:t}`yang2023medmnist`" in page
    assert "-0.010" in page and "Below the published figure: ch. 3 test AUROC." in page
    with pytest.raises(InputError, match=r"nb did not glue \['hi'\]"):
        collect({"nb": {"a": 0.9, "lo": 0.8}}, rows=(row,))
    with pytest.raises(InputError, match="no values for notebook nb"):
        collect({}, rows=(row,))


def test_rows_that_are_not_comparable_print_no_difference():
    row = Row("7", "nDCG@10", "nb", "a", None, None, 0.6, "MiniLM", "mteb_medicalqa", "data", "protocol", "why",
              comparable=False)  # fmt: skip
    unpublished = Row("6", "macro-F1", "nb", "b", None, None, None, "none on this protocol", "dechazal2004", "data",
                      "protocol", "why", comparable=False)  # fmt: skip
    table = collect({"nb": {"a": 0.5, "b": 0.4}}, rows=(row, unpublished))
    assert table["difference"].isna().all()
    page = results_markdown(table, rows=(row, unpublished))
    assert page.count("| not comparable |") == 2 and "-0.100" not in page
    assert "none on this protocol ({cite:t}`dechazal2004`)" in page and "Below the published figure: none." in page
    with pytest.raises(InputError, match="must say it is not comparable"):
        collect({"nb": {"b": 0.4}}, rows=(Row("6", "x", "nb", "b", None, None, None, "", "k", "d", "p", "w"),))


def test_the_committed_page_and_csv_agree():
    csv = pd.read_csv(ROOT / "benchmarks" / "results" / "results.csv", dtype={"chapter": str})
    assert list(csv["glued_value"]) == [r.value for r in ROWS], "rows changed: run `python -m medai results`"
    values = {}
    for row, line in zip(ROWS, csv.itertuples()):
        values.setdefault(row.notebook, {})[row.value] = line.ours
        if row.low:
            values[row.notebook][row.low], values[row.notebook][row.high] = line.ours_low, line.ours_high
    for row, line in zip(ROWS, csv.itertuples()):  # a "why" that says so must be true of the numbers
        if "interval includes their figure" in row.why:
            assert line.ours_low <= row.reference <= line.ours_high, row.result
    page = (ROOT / "book" / "results.md").read_text()
    assert page == results_markdown(collect(values)), "book/results.md is out of date: run `python -m medai results`"


def test_a_missing_cache_is_a_clear_error(tmp_path):
    with pytest.raises(NotExecutedError, match="make book"):
        cached_values(ROOT / "notebooks" / "01_data.ipynb", tmp_path)
    done = subprocess.run([sys.executable, "-m", "medai", "results", "--cache", str(tmp_path / "none")],
                          capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert done.returncode == 1 and "no execution cache" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("command", ["results", "times"])
def test_a_junk_cache_database_is_a_clear_error(tmp_path, command):
    (tmp_path / "global.db").write_bytes(b"this is not a database" * 100)
    done = subprocess.run([sys.executable, "-m", "medai", command, "--cache", str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert done.returncode == 1 and "not a readable execution cache" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_recorded_build_times_cover_every_notebook_within_budget():
    record = pd.read_csv(ROOT / "benchmarks" / "results" / "book-times.csv")
    notebooks = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert set(record["notebook"]) == notebooks, "record the times: `make book`, then `make record`"
    assert record["current"].all(), "some notebooks were not executed since their last change"
    edited = [name for name, code in zip(record["notebook"], record["code"])
              if code != code_fingerprint(ROOT / "notebooks" / f"{name}.ipynb")]  # fmt: skip
    assert not edited, f"edited after their times were recorded (`make book`, then `make record`): {edited}"
    over = record.loc[record["seconds"] > BUDGET_SECONDS, "notebook"].tolist()
    assert not over, f"over {BUDGET_SECONDS} s in the default profile: {over}"
    assert record["seconds"].sum() <= BOOK_BUDGET_SECONDS


def test_gpu_check_refuses_without_cuda():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: the refusal cannot be seen here")
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gpu_check.py")], capture_output=True, text=True)
    assert done.returncode == 2 and "needs a CUDA GPU" in done.stderr and "Traceback" not in done.stderr
