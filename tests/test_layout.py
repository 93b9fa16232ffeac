"""The package stays laid out by chapter: core imports no chapter, a chapter no later one, modules stay
small, the maps stay true."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "medai"
CHAPTERS = ("background", "theory", "imaging", "text", "records", "genomics", "monitoring", "chat", "evaluation", "trust", "appendix")
# Modules allowed past ~300 lines, each with its reason.
LONG_MODULES = {
    "datasets/registry.py": "one declaration per data set, each with its origin, licence and citation: a list, not logic",
}


def imported_modules(path: Path) -> set[str]:
    """Absolute names of every medai module ``path`` imports (relative imports resolved)."""
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n for n in names if n.startswith("medai")}


def modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).glob("*.py"))


@pytest.mark.parametrize("folder", ["core", "datasets"])
def test_core_and_datasets_import_no_chapter(folder):
    for path in modules(folder):
        for name in imported_modules(path):
            parts = name.split(".")
            assert len(parts) < 2 or parts[1] not in CHAPTERS, (
                f"{path.name} imports {name}"
            )


@pytest.mark.parametrize("folder", CHAPTERS)
def test_a_chapter_imports_only_core_datasets_and_earlier_chapters(folder):
    """d2l's rule: a later chapter builds on an earlier one, never the other way round."""
    for path in modules(folder):
        for name in imported_modules(path):
            parts = name.split(".")
            if len(parts) >= 2 and parts[1] in CHAPTERS:
                assert CHAPTERS.index(parts[1]) <= CHAPTERS.index(folder), (
                    f"{folder}/{path.name} imports {name}, a later chapter"
                )


def test_core_imports_nothing_but_core():
    for path in modules("core"):
        for name in imported_modules(path):
            assert name == "medai" or name.startswith("medai.core"), (
                f"{path.name} imports {name}"
            )


def test_modules_stay_small_unless_there_is_a_reason():
    for path in PACKAGE.rglob("*.py"):
        key = path.relative_to(PACKAGE).as_posix()
        lines = len(path.read_text().splitlines())
        if key in LONG_MODULES:
            assert lines > 300, f"{key} is short now: drop it from LONG_MODULES"
        else:
            assert lines <= 300, (
                f"{key} has {lines} lines: split it, or give a reason here"
            )


@pytest.mark.parametrize("folder", ["core", "datasets", *CHAPTERS])
def test_each_subpackage_docstring_maps_its_modules(folder):
    doc = ast.get_docstring(ast.parse((PACKAGE / folder / "__init__.py").read_text()))
    assert doc, f"medai/{folder}/__init__.py needs a docstring: the map of its modules"
    if folder == "datasets":
        return  # its map lists the public functions, checked below
    for path in modules(folder):
        if path.name != "__init__.py":
            assert f"\n{path.stem} " in f"\n{doc}", (
                f"{folder}/{path.name} is missing from the map"
            )


def test_datasets_docstring_lists_every_public_loader():
    from medai import datasets

    doc = datasets.__doc__
    for name in datasets.__all__:
        if name.startswith(("load_", "make_")):
            assert f"  {name}(" in doc, name


def test_the_package_docstring_lists_every_subpackage():
    import medai

    for folder in sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py")):
        assert f"\n{folder} " in medai.__doc__, folder


def test_medai_raises_its_own_errors_for_bad_input():
    """A deliberate ValueError/KeyError/TypeError is a medai error class (InputError and kin)."""
    generic = {"ValueError", "KeyError", "TypeError"}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                name = getattr(node.exc.func, "id", None)
                assert name not in generic, (
                    f"{path.relative_to(PACKAGE)}:{node.lineno} raises {name}; use medai.core.errors"
                )
