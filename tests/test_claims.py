"""The book's numbers are glued from executed code and its sentences are checked on the results."""

from __future__ import annotations

import csv
import json
import re
import warnings
from pathlib import Path

import nbformat
import numpy as np
import papermill
import pytest
from claim_notebooks import claim_notebook

from medai.appendix import claims_sweep
from medai.appendix.executed import code_fingerprint
from medai.core.claims import RECORD_ENV, STRICT_ENV, ClaimError, ClaimWarning, Prose

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


@pytest.fixture
def reader(monkeypatch):
    """A reader's run: neither strict nor recording, whatever the caller's environment says."""
    for name in (STRICT_ENV, RECORD_ENV, "MEDAI_NOTEBOOK", "MEDAI_SEED"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_strict_a_false_claim_fails_with_the_sentence_but_not_in_the_smoke_profile(reader):
    reader.setenv(STRICT_ENV, "1")
    Prose("default").claim("AUROC is above 0.9", 0.95 > 0.9)
    with pytest.raises(ClaimError, match=r"the book says 'AUROC is above 0.9'.*auroc=0.85"):
        Prose("default").claim("AUROC is above 0.9", 0.85 > 0.9, auroc=0.85)
    with pytest.raises(AssertionError):  # a ClaimError is an AssertionError too
        Prose("full").claim("x", False, profiles=("default", "full"))
    Prose("smoke").claim("meaningless in a tiny run", False)


def test_a_reader_sees_a_warning_with_the_sentence_and_the_values_and_goes_on(reader):
    for off in (None, "0", "false"):
        if off is not None:
            reader.setenv(STRICT_ENV, off)
        with pytest.warns(ClaimWarning) as caught:
            assert Prose("default").claim("AUROC is above 0.9", 0.85 > 0.9, auroc=0.85) is None
        message = str(caught[0].message)
        assert "The book says: AUROC is above 0.9" in message and "this run shows: auroc=0.85" in message
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a claim that holds says nothing
        Prose("default").claim("AUROC is above 0.9", 0.95 > 0.9, auroc=0.95)


def test_a_strict_switch_that_is_neither_on_nor_off_is_refused(reader):
    reader.setenv(STRICT_ENV, "maybe")
    with pytest.raises(ValueError, match="MEDAI_STRICT_CLAIMS must be 1 or 0"):
        Prose("default").claim("x", False)


def test_claims_are_checked_only_in_the_profiles_they_were_written_for(reader):
    reader.setenv(STRICT_ENV, "1")
    Prose("full").claim("checked on the CPU only", False)  # default profiles: ("default",)
    Prose("default").claim("checked on the GPU only", False, profiles=("full",))
    Prose("full").claim("one profile may be named alone", False, profiles="default")
    with pytest.raises(ClaimError):
        Prose("full").claim("checked in full too", False, profiles=("default", "full"))
    with pytest.raises(ClaimError):
        Prose("default").claim("checked in full too", False, profiles=("default", "full"))
    for bad in (("smoke",), ("default", "smoke"), ("fast",), ()):
        with pytest.raises(ValueError, match="claim"):  # refused even where nothing is checked
            Prose("smoke").claim("x", True, profiles=bad)


def test_recording_writes_one_json_line_per_checked_claim_and_never_raises(reader, tmp_path):
    record = tmp_path / "claims.jsonl"
    reader.setenv(RECORD_ENV, str(record))
    reader.setenv(STRICT_ENV, "1")  # even strict: a sweep must see every claim
    reader.setenv("MEDAI_NOTEBOOK", "02_theory")
    reader.setenv("MEDAI_SEED", "1")
    prose = Prose("default")
    prose.claim("AUROC is above 0.9", np.float64(0.95) > 0.9, auroc=np.float64(0.95))
    with pytest.warns(ClaimWarning):
        prose.claim("no NaN", False, loss=float("nan"), curve=np.arange(3), table={"a": [1, (2, 3)]})
    prose.claim("only on a GPU", False, profiles=("full",))  # not checked: not recorded
    Prose("smoke").claim("tiny run", False)
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert [(line["sentence"], line["held"]) for line in lines] == [("AUROC is above 0.9", True), ("no NaN", False)]
    assert lines[0] == {"notebook": "02_theory", "profile": "default", "seed": 1,
                        "sentence": "AUROC is above 0.9", "held": True, "values": {"auroc": 0.95}}  # fmt: skip
    assert lines[1]["values"] == {"loss": "nan", "curve": "array([0, 1, 2])", "table": {"a": [1, [2, 3]]}}


def test_a_notebook_with_a_false_claim_warns_for_a_reader_and_fails_when_strict(reader, tmp_path):
    path = claim_notebook(
        tmp_path / "claim.ipynb",
        "accuracy = prose.glue('accuracy', 0.81)\n"
        "prose.claim('accuracy is above 90%', accuracy > 0.9, accuracy=accuracy)\n"
        "print('carried on')",
    )
    out = tmp_path / "reader.ipynb"
    papermill.execute_notebook(str(path), str(out), progress_bar=False)
    outputs = json.dumps(nbformat.read(out, as_version=4).cells[-1].outputs)
    assert "The book says:" in outputs and "accuracy is above 90%" in outputs
    assert "this run shows:" in outputs and "accuracy=0.81" in outputs
    assert "ClaimWarning" in outputs and "carried on" in outputs
    reader.setenv(STRICT_ENV, "1")  # the kernel inherits this process's environment
    with pytest.raises(papermill.PapermillExecutionError, match="accuracy is above 90%"):
        papermill.execute_notebook(str(path), str(tmp_path / "strict.ipynb"), progress_bar=False)
    papermill.execute_notebook(
        str(path), str(tmp_path / "smoke.ipynb"), parameters={"profile": "smoke"}, progress_bar=False
    )


# --- python -m medai claims: each notebook at several seeds (tiny notebooks, seconds) ----------


def test_the_seed_sweep_records_every_claim_and_reports_a_failed_run(reader, tmp_path):
    reader.setenv(STRICT_ENV, "1")  # recording never stops on a false claim, even when strict
    below = claim_notebook(tmp_path / "01_below.ipynb", "prose.claim('the seed is below 2', seed < 2, seed=seed)")
    broken = claim_notebook(tmp_path / "02_broken.ipynb",
                            "prose.claim('always', True)\nif seed == 1:\n    raise ValueError('no data for seed 1')")  # fmt: skip
    rows = claims_sweep.sweep([below, broken], seeds=[0, 1, 2], workers=2)
    claims = [(r["notebook"], r["seed"], r["sentence"], r["held"]) for r in rows if r["held"] != ""]
    assert claims == [("01_below", 0, "the seed is below 2", True), ("01_below", 1, "the seed is below 2", True),
                      ("01_below", 2, "the seed is below 2", False), ("02_broken", 0, "always", True),
                      ("02_broken", 1, "always", True), ("02_broken", 2, "always", True)]  # fmt: skip
    assert json.loads(rows[2]["values"]) == {"seed": 2}
    failed = [r for r in rows if r["held"] == ""]
    assert [(r["notebook"], r["seed"]) for r in failed] == [("02_broken", 1)]
    assert failed[0]["error"] == "ValueError: no data for seed 1"
    assert {r["fingerprint"] for r in rows if r["notebook"] == "01_below"} == {code_fingerprint(below)}
    text = "\n".join(claims_sweep.summary(rows, [below, broken], [0, 1, 2]))
    assert "01_below: 1 claims per seed, 1 false" in text and "false at seed 2: the seed is below 2" in text
    assert "02_broken: 1 claims per seed, failed at seed 1" in text  # claimed before it failed


def test_the_sweep_writes_its_csv_and_fails_only_on_a_false_claim_or_a_failed_run(reader, tmp_path, capsys):
    holds = claim_notebook(tmp_path / "01_holds.ipynb", "prose.claim('seeds are small', seed < 9, seed=seed)")
    out = tmp_path / "record" / "claims.csv"
    claims_sweep.run([holds], seeds=[0, 1], workers=1, out=out)
    assert "01_holds: 1 claims per seed, all hold" in capsys.readouterr().out
    with out.open() as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == claims_sweep.COLUMNS
    assert [(r["seed"], r["held"], r["error"]) for r in rows] == [("0", "True", ""), ("1", "True", "")]
    falls = claim_notebook(tmp_path / "02_falls.ipynb", "prose.claim('the seed is 0', seed == 0, seed=seed)")
    with pytest.raises(claims_sweep.ClaimsFailedError, match="1 false claims and 0 failed runs"):
        claims_sweep.run([falls], seeds=[0, 1], workers=2, out=out)
    assert "False" in out.read_text()  # written before it fails
    with out.open() as file:  # the first notebook's rows are kept: only the re-run one is replaced
        assert [(r["notebook"], r["seed"], r["held"]) for r in csv.DictReader(file)] == [
            ("01_holds", "0", "True"), ("01_holds", "1", "True"), ("02_falls", "0", "True"), ("02_falls", "1", "False")]


def test_parallel_runs_share_the_cores_unless_the_caller_chose_a_thread_count(reader, tmp_path):
    reader.delenv("OMP_NUM_THREADS", raising=False)
    reader.setattr(claims_sweep.os, "cpu_count", lambda: 8)
    env = claims_sweep._environment(Path("05_genomics.ipynb"), 2, tmp_path / "r.jsonl", workers=4)
    assert env["OMP_NUM_THREADS"] == env["MKL_NUM_THREADS"] == "2"
    assert (env["MEDAI_NOTEBOOK"], env["MEDAI_SEED"], env[RECORD_ENV]) == ("05_genomics", "2", str(tmp_path / "r.jsonl"))
    assert claims_sweep._environment(Path("x.ipynb"), 0, tmp_path, workers=16)["OMP_NUM_THREADS"] == "1"
    reader.setenv("OMP_NUM_THREADS", "3")
    assert claims_sweep._environment(Path("x.ipynb"), 0, tmp_path, workers=4)["OMP_NUM_THREADS"] == "3"


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
