"""The book builds with warnings as errors, and the HTML works offline with math and figures.

The build uses the smoke-profile runs of the notebooks (shared with test_notebooks.py) and
``execute_notebooks: off``, so it checks the real configuration and rendering without executing
the default profile, which is ``make book``'s job.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from smoke_runs import NOTEBOOKS, ROOT, executed_copy

pytestmark = pytest.mark.book


class _Assets(HTMLParser):
    """Collects every address a page loads by itself (scripts, stylesheets, images, frames)."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"script", "img", "iframe", "source"} and attrs.get("src"):
            self.loaded.append(attrs["src"])
            if tag == "img":
                self.images.append(attrs["src"])
        if (
            tag == "link"
            and attrs.get("href")
            and {"stylesheet", "preload", "icon"}
            & set((attrs.get("rel") or "").split())
        ):
            self.loaded.append(attrs["href"])


def assets(page: Path) -> _Assets:
    parser = _Assets()
    parser.feed(page.read_text("utf-8"))
    return parser


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("book")
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "book", source / "book")
    # Recorded benchmark output that the imaging chapter includes.
    shutil.copytree(ROOT / "benchmarks", source / "benchmarks")
    (source / "notebooks").mkdir()
    for extra in (ROOT / "notebooks").iterdir():
        if extra.suffix != ".ipynb":  # images the notebooks link to
            shutil.copy(extra, source / "notebooks" / extra.name)
    for notebook in NOTEBOOKS:
        shutil.copy(executed_copy(notebook), source / "notebooks" / notebook.name)
    config = yaml.safe_load((source / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"
    (source / "_config.yml").write_text(yaml.safe_dump(config))

    build = subprocess.run(
        [
            str(Path(sys.executable).with_name("jupyter-book")),
            "build",
            str(source),
            "--warningiserror",
            "--keep-going",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert build.returncode == 0, (
        f"book build failed (warnings count as errors):\n{build.stdout[-5000:]}\n{build.stderr[-3000:]}"
    )
    return source / "_build" / "html"


def test_no_page_loads_anything_from_the_network(html):
    offenders = {
        page.relative_to(html).as_posix(): [
            a for a in assets(page).loaded if re.match(r"(https?:)?//", a)
        ]
        for page in html.rglob("*.html")
    }
    assert {page: found for page, found in offenders.items() if found} == {}


def test_mathjax_is_served_locally(html):
    page = html / "book" / "02_theory.html"
    scripts = [a for a in assets(page).loaded if "mathjax" in a.lower()]
    assert scripts, "the theory chapter loads no MathJax"
    for script in scripts:
        assert (page.parent / script.split("?")[0]).resolve().is_file(), script
    assert r"\frac{\partial \ell}{\partial z}" in page.read_text("utf-8")


def test_concept_graph_is_a_real_figure(html):
    page = html / "book" / "01_background.html"
    pngs = [src for src in assets(page).images if src.endswith(".png")]
    assert pngs, "chapter 1 shows no concept-graph image"
    assert (page.parent / pngs[0]).resolve().stat().st_size > 10_000


def test_the_site_root_has_a_favicon(html):
    # The root index.html is a bare redirect without an icon link: browsers fall back to /favicon.ico.
    from PIL import Image

    with Image.open(html / "favicon.ico") as icon:
        assert icon.format == "ICO" and icon.size[0] >= 16


def test_imaging_chapter_shows_the_recorded_benchmark(html):
    text = (html / "book" / "03_imaging.html").read_text("utf-8")
    assert "medai.core.train.fit" in text and "ONNX Runtime" in text


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_pages_show_figures_and_a_colab_button(html, notebook):
    page = html / "notebooks" / f"{notebook.stem}.html"
    found = assets(page)
    figures = [src for src in found.images if src.endswith(".png")]
    assert figures, (
        f"{page.name} shows no figure: did the kernel use a non-inline matplotlib backend?"
    )
    for src in figures + [s for s in found.images if s.endswith(".svg")]:
        assert (page.parent / src).resolve().is_file(), src
    repo = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    colab = f"https://colab.research.google.com/github/{repo.removeprefix('https://github.com/')}/blob/main/notebooks/{notebook.name}"
    assert colab in page.read_text("utf-8")


def test_every_page_reads_well_in_a_browser(html):
    from browser import browser_missing, check_book

    reason = browser_missing()
    if reason:
        pytest.skip(reason)
    problems = check_book(html, ROOT / "_build" / "screenshots")
    assert problems == {}, "\n".join(f"{page}: {found}" for page, found in problems.items())
