"""The concept graph of chapter 1: consistent data, and a drawn figure."""

from medai.background import concepts


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
