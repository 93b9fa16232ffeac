"""The one kind of object every ``load_*`` and ``make_*`` function returns."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import InputError
from .registry import get

SIMULATED = "Simulated for this book: no licence restrictions (MIT, like the code)."


@dataclass(frozen=True, kw_only=True)
class DataBundle:
    """A loaded data set, in the shape scikit-learn's ``load_*`` functions use.

    ``data`` holds the inputs (an array, a table, a list of sentences or notes),
    ``target`` what is predicted (``None`` where a data set has no single target),
    ``feature_names``/``target_names`` name the columns and classes, and
    ``frame`` is everything in one table where that is natural. ``description``,
    ``licence`` and ``citation`` travel with the data, so a figure made from it
    can be credited.
    """

    name: str
    data: Any
    target: Any = None
    feature_names: tuple[str, ...] = ()
    target_names: tuple[str, ...] = ()
    frame: pd.DataFrame | None = field(default=None, repr=False)
    description: str = ""
    licence: str = ""
    citation: str = ""

    def __len__(self) -> int:
        return len(self.data)

    def subset(self, indices) -> "DataBundle":
        """The same data set restricted to ``indices`` (rows of ``data``, ``target`` and ``frame``)."""
        indices = np.asarray(indices)
        if indices.ndim != 1 or (
            len(indices) and not np.issubdtype(indices.dtype, np.integer)
        ):
            raise InputError("indices must be a 1-D array of whole numbers")
        if len(indices) and (indices.min() < -len(self) or indices.max() >= len(self)):
            raise IndexError(f"indices outside 0..{len(self) - 1}")
        return replace(
            self,
            data=_take(self.data, indices),
            target=None if self.target is None else _take(self.target, indices),
            frame=None
            if self.frame is None
            else self.frame.iloc[indices].reset_index(drop=True),
            description=f"{self.description} Subset of {len(indices)} of {len(self)}.",
        )

    def __repr__(self) -> str:
        kind = type(self.data).__name__
        shape = getattr(self.data, "shape", None)
        size = f"shape {tuple(shape)}" if shape is not None else f"{len(self)} items"
        return f"{type(self).__name__}({self.name!r}: {kind}, {size})"


def _take(values, indices: np.ndarray):
    if isinstance(values, (pd.DataFrame, pd.Series)):
        return values.iloc[indices].reset_index(drop=True)
    if isinstance(values, np.ndarray):
        return values[indices]
    return [values[i] for i in indices]


def credits(name: str) -> dict[str, str]:
    """``licence`` and ``citation`` of a registered data set, for a ``DataBundle``."""
    source = get(name)
    return {"licence": source.licence, "citation": source.citation}
