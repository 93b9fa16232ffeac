"""House style of every notebook: header, Colab-only setup, one literal parameters cell, no outputs."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest
import yaml
from smoke_runs import NOTEBOOKS, ROOT

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPO = CONFIG["repository"]["url"].removeprefix("https://github.com/").rstrip("/")
BRANCH = CONFIG["repository"]["branch"]


def load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


pytestmark = pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)


def test_header_cell_has_title_badge_and_runtime(path):
    header = load(path).cells[0]
    assert header.cell_type == "markdown"
    assert header.source.startswith("# "), (
        "the first cell starts with the notebook's title"
    )
    badge = f"https://colab.research.google.com/github/{REPO}/blob/{BRANCH}/notebooks/{path.name}"
    assert badge in header.source, (
        f"Colab badge must link to {badge} (repository.url in _config.yml)"
    )
    assert "(colab-badge.svg)" in header.source, (
        "use the local badge image: the book loads nothing remote"
    )
    assert "**Runtime:**" in header.source


def test_setup_cell_installs_medai_only_on_colab(path):
    setup = load(path).cells[1]
    assert setup.cell_type == "code"
    assert 'if "google.colab" in sys.modules:' in setup.source
    install_lines = [
        line for line in setup.source.splitlines() if "pip install" in line
    ]
    assert install_lines and all(line.startswith("    ") for line in install_lines), (
        "install only inside the if"
    )
    assert f"git+https://github.com/{REPO}" in setup.source


def test_exactly_one_parameters_cell_with_literals_only(path):
    cells = load(path).cells
    tagged = [
        i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])
    ]
    assert tagged == [2], (
        "exactly one cell tagged 'parameters', right after the setup cell"
    )
    tree = ast.parse(cells[2].source)
    names = []
    for statement in tree.body:
        assert isinstance(statement, ast.Assign) and len(statement.targets) == 1, (
            ast.unparse(statement)
        )
        ast.literal_eval(statement.value)  # raises for anything but a literal
        names.append(statement.targets[0].id)
    assert names[0] == "profile" and "seed" in names
    assert ast.literal_eval(tree.body[0].value) == "default", (
        "the book renders the default profile"
    )


def test_setup_prints_the_versions_that_matter(path):
    configuration = load(path).cells[3]
    assert configuration.cell_type == "code"
    assert "from medai.core.versions import print_versions" in configuration.source
    assert "print_versions(" in configuration.source


def test_no_stored_outputs(path):
    for cell in load(path).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                "strip outputs before committing"
            )


def test_notebook_is_listed_in_the_table_of_contents(path):
    toc = (ROOT / "_toc.yml").read_text()
    assert f"notebooks/{path.stem}" in toc
