"""The book's concept graph: from deep-learning foundations to five application areas and the
cross-cutting concerns every one of them meets. Declared as data, drawn with matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.figure import Figure


@dataclass(frozen=True)
class Concept:
    key: str
    label: str
    chapter: str  # where the book treats it
    layer: int  # 0 foundations, 1 method, 2 applications, 3 concerns


CONCEPTS: tuple[Concept, ...] = (
    Concept("theory", "Loss, gradient,\ngradient descent", "2", 0),
    Concept("dl", "Deep learning\n(CNN, RNN, Transformer)", "2-3", 1),
    Concept("imaging", "Medical\nimaging", "3", 2),
    Concept("ehr", "Clinical text\n(EHR)", "4", 2),
    Concept("genomics", "Genomics", "5", 2),
    Concept("monitoring", "Health\nmonitoring", "6", 2),
    Concept("chatbot", "Medical QA\nchatbot", "7", 2),
    Concept("evaluation", "Evaluation and\ndeployment", "8", 3),
    Concept("explain", "Explainability", "3, 10", 3),
    Concept("quality", "Data quality and\ngeneralisation", "1, 6, 8, 10", 3),
    Concept("fairness", "Fairness", "10", 3),
    Concept("privacy", "Privacy", "4, 9", 3),
)
# Chapters with a notebook today; the others are drawn as planned (a test keeps this true).
WRITTEN_CHAPTERS = frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"})

EDGES: tuple[tuple[str, str], ...] = (
    ("theory", "dl"),
    *(("dl", app) for app in ("imaging", "ehr", "genomics", "monitoring", "chatbot")),
    ("imaging", "explain"),
    ("imaging", "evaluation"),
    ("ehr", "privacy"),
    ("genomics", "explain"),
    ("monitoring", "quality"),
    ("monitoring", "evaluation"),
    ("chatbot", "fairness"),
    ("chatbot", "privacy"),
    ("ehr", "fairness"),
    ("genomics", "quality"),
)

_LAYER_COLOURS = {0: "#dbe9f6", 1: "#bcd7ee", 2: "#cfe8cf", 3: "#f6e0c8"}
_LAYER_NAMES = {0: "theory", 1: "method", 2: "applications", 3: "concerns"}


def chapter_label(chapters: str) -> str:
    """``"3, 10"`` -> ``"ch. 3; 10 planned"``: chapters not written yet are marked as planned."""
    numbers = [c.strip() for c in chapters.split(",")]
    written = [n for n in numbers if all(x in WRITTEN_CHAPTERS for x in n.split("-"))]
    planned = [n for n in numbers if n not in written]
    parts = [", ".join(written)] if written else []
    if planned:
        parts.append(", ".join(planned) + " planned")
    return "ch. " + "; ".join(parts)


def by_key() -> dict[str, Concept]:
    return {c.key: c for c in CONCEPTS}


def _positions() -> dict[str, tuple[float, float]]:
    """Each layer is a row, top to bottom; concepts spread evenly within their row."""
    rows: dict[int, list[Concept]] = {}
    for concept in CONCEPTS:
        rows.setdefault(concept.layer, []).append(concept)
    positions = {}
    for layer, members in rows.items():
        for i, concept in enumerate(members):
            positions[concept.key] = ((i + 0.5) / len(members), 1.0 - layer / 3.0)
    return positions


def draw_concept_graph(ax: plt.Axes | None = None) -> Figure:
    """Boxes for concepts (with the chapter that treats them), arrows for 'leads to'."""
    if ax is None:
        _, ax = plt.subplots(figsize=(10.5, 6.2))
    concepts = by_key()
    pos = _positions()
    for source, target in EDGES:
        ax.annotate(
            "",
            xy=pos[target],
            xytext=pos[source],
            arrowprops={
                "arrowstyle": "-|>",
                "color": "#555555",
                "lw": 1.0,
                "shrinkA": 26,
                "shrinkB": 26,
            },
        )
    for key, (x, y) in pos.items():
        concept = concepts[key]
        ax.text(
            x,
            y,
            f"{concept.label}\n({chapter_label(concept.chapter)})",
            ha="center",
            va="center",
            fontsize=10.5,
            bbox={
                "boxstyle": "round,pad=0.4",
                "fc": _LAYER_COLOURS[concept.layer],
                "ec": "#333333",
            },
        )
    for layer, name in _LAYER_NAMES.items():
        ax.text(
            -0.02,
            1.0 - layer / 3.0,
            name,
            ha="right",
            va="center",
            fontsize=10.5,
            style="italic",
            color="#555",
        )
    ax.set_xlim(-0.12, 1.02)
    ax.set_ylim(-0.12, 1.12)
    ax.axis("off")
    ax.set_title("How the chapters connect", fontsize=13)
    return ax.figure
