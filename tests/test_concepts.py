"""The concept graph of chapter 1: consistent data, and a drawn figure."""

from pathlib import Path

from medai.background import concepts

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def test_concept_graph_is_consistent_and_drawn():
    keys = concepts.by_key()
    assert len(keys) == len(concepts.CONCEPTS)
    for source, target in concepts.EDGES:
        assert source in keys and target in keys
        # arrows always point down the layers
        assert keys[source].layer < keys[target].layer
    applications = [c for c in concepts.CONCEPTS if c.layer == 2]
    assert [c.chapter for c in applications] == ["3", "4", "5", "6", "7"]
    figure = concepts.draw_concept_graph()
    labels = [t.get_text() for t in figure.axes[0].texts]
    assert sum("(ch." in label for label in labels) == len(concepts.CONCEPTS)
    assert "Genomics\n(ch. 5)" in labels
    assert "Medical QA\nchatbot\n(ch. 7)" in labels
    assert "Privacy\n(ch. 4, 9)" in labels
    assert "Medical\nimaging\n(ch. 3)" in labels
    assert "Fairness\n(ch. 10)" in labels
    assert "Explainability\n(ch. 3, 10)" in labels


def test_chapters_drawn_as_written_are_the_ones_with_a_notebook():
    written = {p.name.split("_")[0].lstrip("0") for p in NOTEBOOKS.glob("[0-9]*.ipynb")}
    assert written == set(concepts.WRITTEN_CHAPTERS), (
        "update WRITTEN_CHAPTERS in medai/background/concepts.py when a chapter is added"
    )
    assert concepts.chapter_label("2-3") == "ch. 2-3"
    assert concepts.chapter_label("1, 6, 8") == "ch. 1, 6, 8"
    assert concepts.chapter_label("8, 11") == "ch. 8; 11 planned"
