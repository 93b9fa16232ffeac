"""A recipe written twice is caught where no other tool looks: in the notebooks.

Every notebook's code (after its setup and parameters cells, which the house style makes alike) and every
module of ``medai`` is cut into logical lines with names, numbers and strings replaced by placeholders, so
a copy with other names or constants still matches. Five such lines in a row found in two places, at least
one a notebook, is a recipe that belongs in the package once. Imports, ``prose.glue``/``prose.claim`` lines
and prints are left out: they are alike by design.
"""

from __future__ import annotations

import io
import keyword
import tokenize
from collections import defaultdict
from pathlib import Path

import nbformat
from smoke_runs import NOTEBOOKS, ROOT

WINDOW = 5  # logical lines in a row
SKIPPED = ("import ", "from ", "prose .", "print (", "display (")


def statements(source: str) -> list[tuple[int, str, str]]:
    """(first line, shape, text) of each logical line; shape has N for names, 0 for numbers, S for strings."""
    out, shape, text, start = [], [], [], None
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT):
            continue
        if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
            if shape and not " ".join(text).startswith(SKIPPED):
                out.append((start, " ".join(shape), " ".join(text)))
            shape, text, start = [], [], None
            continue
        if token.type in (getattr(tokenize, "FSTRING_MIDDLE", -1), getattr(tokenize, "FSTRING_END", -1)):
            continue  # an f-string counts once, as S, from its start token
        start = token.start[0] if start is None else start
        text.append(token.string)
        if token.type == tokenize.NAME and not keyword.iskeyword(token.string):
            shape.append("N")
        elif token.type == tokenize.NUMBER:
            shape.append("0")
        elif token.type in (tokenize.STRING, getattr(tokenize, "FSTRING_START", -1)):
            shape.append("S")
        else:
            shape.append(token.string)
    return out


def notebook_code(path: Path) -> str:
    cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"][2:]
    lines = "\n".join(cells).splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!")))


def repeated_recipes(units: dict[str, str], window: int = WINDOW) -> list[list[tuple[str, int]]]:
    """Places that share ``window`` logical lines of the same shape, where at least one place is a notebook."""
    places = defaultdict(list)
    for name, source in units.items():
        lines = statements(source)
        for i in range(len(lines) - window + 1):
            places["\n".join(shape for _, shape, _ in lines[i : i + window])].append((name, lines[i][0], i))
    found = []
    for where in places.values():
        # Overlapping windows of one listing (a run of alike lines) are one place, not a copy.
        distinct = [w for k, w in enumerate(where) if all(w[0] != v[0] or w[2] - v[2] >= window for v in where[:k])]
        if len(distinct) > 1 and any(name.endswith(".ipynb") for name, _, _ in distinct):
            found.append([(name, line) for name, line, _ in distinct])
    return found


def everything() -> dict[str, str]:
    units = {str(p.relative_to(ROOT)): p.read_text() for p in sorted((ROOT / "medai").rglob("*.py"))}
    units.update({str(p.relative_to(ROOT)): notebook_code(p) for p in NOTEBOOKS})
    return units


def test_no_recipe_is_written_twice_across_notebooks_and_package():
    found = repeated_recipes(everything())
    assert not found, "the same lines in more than one place (move them into medai once):\n" + "\n".join(
        ", ".join(f"{name} line {line}" for name, line in where) for where in found[:10]
    )


def test_the_check_finds_a_recipe_pasted_into_a_notebook_with_other_names():
    units = everything()
    served = (ROOT / "medai" / "evaluation" / "serve.py").read_text()
    start = served.index("    splits = {s: load_pneumoniamnist(s)")
    recipe = served[start : served.index("    card = build_model_card(", start)]
    # Pasted into a notebook, dedented, with its names changed: still the same recipe.
    pasted = "\n".join(line[4:] for line in recipe.splitlines()).replace("splits", "parts").replace("model", "net")
    units["notebooks/99_pasted.ipynb"] = "x = 1\n" + pasted
    found = repeated_recipes(units)
    assert any({name for name, _ in where} >= {"notebooks/99_pasted.ipynb", "medai/evaluation/serve.py"} for where in found)
    # A notebook whose lines are alike only among themselves (one listing) is not a copy.
    assert not repeated_recipes({"notebooks/98_listing.ipynb": "".join(f"a{i} = b['{i}'][0]\n" for i in range(9))})
