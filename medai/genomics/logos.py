"""Pictures of what a DNA model reads: mutagenesis heat maps and sequence logos."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .encoding import BASES


def _frame(matrix: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(np.asarray(matrix).T, columns=list(BASES))


def draw_logo(matrix: np.ndarray, ax=None, title: str = "", information: bool = False):
    """A sequence logo of ``matrix`` (4, L): letter heights are the values (importance scores,
    negative below the axis), or the information content when ``information=True`` (a PWM)."""
    import logomaker

    frame = _frame(matrix)
    if information:
        frame = frame.clip(lower=1e-6)
        frame = frame.div(frame.sum(axis=1), axis=0)  # padded edges of a window sum to less than 1
        frame = logomaker.transform_matrix(frame, from_type="probability", to_type="information")
    ax = ax or plt.subplots(figsize=(max(4, 0.22 * len(frame)), 1.8))[1]
    logomaker.Logo(frame, ax=ax, color_scheme="classic")
    ax.set(title=title, xlabel="position")
    return ax


def draw_mutagenesis(effects: np.ndarray, sequence: str, ax=None, title: str = ""):
    """Heat map of a saturation mutagenesis (4, L): blue where a mutation lowers the score."""
    ax = ax or plt.subplots(figsize=(max(4, 0.22 * effects.shape[1]), 1.8))[1]
    limit = float(np.abs(effects).max()) or 1.0
    image = ax.imshow(effects, aspect="auto", cmap="RdBu", vmin=-limit, vmax=limit)
    ax.set_yticks(range(4), list(BASES))
    ax.set_xticks(range(len(sequence)), list(sequence), fontsize=6)
    ax.set_title(title)
    plt.colorbar(image, ax=ax, fraction=0.02, pad=0.01, label="change in class score")
    return ax
