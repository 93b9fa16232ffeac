"""A number with its confidence interval, kept as numbers and written one way.

``bootstrap_ci`` returns an ``Interval``; tables of ``value``/``ci_low``/``ci_high`` rows (``binary_report``,
the ranking metrics) turn into one column of written intervals with ``interval_column``. Claims compare the
numbers (``.low``, ``.width``), never the strings.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from .errors import InputError


class Interval(NamedTuple):
    """A point estimate and the ends of its interval; unpacks as ``value, low, high``."""

    value: float
    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low

    def covers(self, x: float) -> bool:
        return self.low <= x <= self.high

    def __format__(self, spec: str) -> str:
        # "to", not a hyphen, between the ends: an interval of differences often starts below zero.
        spec = spec or ".3f"
        return f"{self.value:{spec}} ({self.low:{spec}} to {self.high:{spec}})"

    def __str__(self) -> str:
        return format(self)


def interval_column(table: pd.DataFrame, spec: str = ".3f") -> pd.Series:
    """One written interval per row of a table with ``value``, ``ci_low`` and ``ci_high`` columns."""
    missing = {"value", "ci_low", "ci_high"} - set(table.columns)
    if missing:
        raise InputError(f"the table needs the columns value, ci_low and ci_high; missing {sorted(missing)}")
    return pd.Series(
        [format(Interval(*row), spec) for row in table[["value", "ci_low", "ci_high"]].to_numpy(dtype=float)],
        index=table.index,
    )
