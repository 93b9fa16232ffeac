"""Tiny notebooks with claims (seconds to run), for the tests of reader mode and of the seed sweep."""

from __future__ import annotations

from pathlib import Path

import nbformat


def claim_notebook(path: Path, code: str) -> Path:
    """Write a notebook to ``path``: a ``parameters`` cell (``profile = "default"``, ``seed = 0``)
    and one cell with ``code``, which has ``Prose`` imported and ``prose = Prose(profile)``."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = nbformat.v4.new_code_cell('profile = "default"\nseed = 0')
    parameters.metadata["tags"] = ["parameters"]
    body = nbformat.v4.new_code_cell("from medai.core.claims import Prose\nprose = Prose(profile)\n" + code)
    notebook.cells = [parameters, body]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path
