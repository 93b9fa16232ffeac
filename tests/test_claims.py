"""The book's numbers are glued from executed code and its sentences are checked on the results."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import papermill
import pytest

from medai.core.claims import ClaimError, Prose

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PAGES = sorted((ROOT / "book").glob("*.md"))
# {glue:text}`key:.3f` in a notebook, {glue:text}`../notebooks/NAME.ipynb::key:.3f` on a page
PASTE = re.compile(r"\{glue:(?:text|any|md)?\}`(?:([^`:]+\.ipynb)::)?([A-Za-z0-9_]+)(?::[^`]*)?`")
GLUE = re.compile(r"prose\.glue\(\s*\"([A-Za-z0-9_]+)\"")


def glued_names(notebook: Path) -> list[str]:
    cells = nbformat.read(notebook, as_version=4).cells
    return [n for c in cells if c.cell_type == "code" for n in GLUE.findall(c.source)]


def test_glue_stores_plain_numbers_once_and_refuses_what_cannot_be_quoted():
    prose = Prose("default")
    assert prose.glue("auroc", np.float64(0.9512)) == 0.9512
    assert type(prose.glued["auroc"]) is float
    assert type(prose.glue("events", np.int64(51))) is int
    with pytest.raises(ValueError, match="glued twice"):
        prose.glue("auroc", 0.9)
    with pytest.raises(ValueError, match="cannot be quoted"):
        prose.glue("missing", float("nan"))
    with pytest.raises(TypeError, match="a number or a string, got list"):
        prose.glue("table", [1, 2])
    with pytest.raises(ValueError, match="glue name"):
        prose.glue("two words", 1)


def test_a_false_claim_fails_with_the_sentence_but_not_in_the_smoke_profile():
    Prose("default").claim("AUROC is above 0.9", 0.95 > 0.9)
    with pytest.raises(ClaimError, match=r"the book says 'AUROC is above 0.9'.*auroc=0.85"):
        Prose("default").claim("AUROC is above 0.9", 0.85 > 0.9, auroc=0.85)
    with pytest.raises(AssertionError):  # a ClaimError is an AssertionError too
        Prose("full").claim("x", False)
    Prose("smoke").claim("meaningless in a tiny run", False)


def test_a_notebook_with_a_false_claim_fails_to_execute(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = nbformat.v4.new_code_cell('profile = "default"')
    parameters.metadata["tags"] = ["parameters"]
    check = nbformat.v4.new_code_cell(
        "from medai.core.claims import Prose\n"
        "prose = Prose(profile)\n"
        "accuracy = prose.glue('accuracy', 0.81)\n"
        "prose.claim('accuracy is above 90%', accuracy > 0.9, accuracy=accuracy)"
    )
    notebook.cells = [parameters, check]
    path = tmp_path / "claim.ipynb"
    nbformat.write(notebook, path)
    with pytest.raises(papermill.PapermillExecutionError, match="accuracy is above 90%"):
        papermill.execute_notebook(str(path), str(tmp_path / "out.ipynb"), progress_bar=False)
    papermill.execute_notebook(
        str(path), str(tmp_path / "smoke.ipynb"), parameters={"profile": "smoke"}, progress_bar=False
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_pasted_number_is_glued_once_in_its_notebook(notebook):
    names = glued_names(notebook)
    assert len(names) == len(set(names)), f"{notebook.name}: a name is glued twice"
    markdown = "\n".join(
        c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "markdown"
    )
    for other, key in PASTE.findall(markdown):
        assert not other, f"{notebook.name} pastes from another notebook: {other}::{key}"
        assert key in names, f"{notebook.name} pastes {key!r}, which it never glues"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_number_a_chapter_page_pastes_is_glued_by_that_notebook(page):
    for other, key in PASTE.findall(page.read_text()):
        assert other, f"{page.name} pastes {key!r} without naming its notebook"
        notebook = (page.parent / other).resolve()
        assert notebook.exists(), f"{page.name} pastes from {other}, which does not exist"
        assert key in glued_names(notebook), f"{page.name} pastes {key!r}; {other} never glues it"


def test_every_glued_number_is_pasted_somewhere():
    pasted = set()
    for path in [*PAGES, *NOTEBOOKS]:
        text = path.read_text()
        pasted |= {key for _, key in PASTE.findall(text.replace('\\"', '"'))}
    for notebook in NOTEBOOKS:
        unused = set(glued_names(notebook)) - pasted
        assert not unused, f"{notebook.name} glues {sorted(unused)} but no text pastes them"


def test_every_notebook_with_results_checks_its_claims():
    for notebook in NOTEBOOKS:
        cells = nbformat.read(notebook, as_version=4).cells
        claims = [c for c in cells if "prose.claim(" in c.source]
        assert claims, f"{notebook.name} checks no sentence of its prose"
        for cell in claims:
            assert "remove-cell" in cell.metadata.get("tags", []), (
                f"{notebook.name}: a cell with claims must be hidden (tag remove-cell)"
            )
