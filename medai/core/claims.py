"""Numbers and sentences of the book kept true by the code that computes them.

A notebook hands each number its prose quotes to ``Prose.glue``; the text pastes it
with ``{glue:text}`key:.3f``` (or ``../notebooks/NAME.ipynb::key`` from a chapter
page), so no result is typed by hand. A sentence that interprets a result is
followed by a hidden cell calling ``Prose.claim`` with the sentence and the test of
it on the computed values: when the results change and the sentence is no longer
true, the notebook fails, and so does ``make book``. Claims are not checked in the
``smoke`` profile, whose tiny runs are meant to be fast, not meaningful.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .errors import InputError, InputTypeError, MedaiError


class ClaimError(MedaiError, AssertionError):
    """A sentence of the book no longer holds for the values the book computed."""


class Prose:
    """The glued numbers and checked claims of one notebook run in ``profile``."""

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.checked = profile != "smoke"
        self.glued: dict[str, float | int | str] = {}

    def glue(self, name: str, value: Any) -> float | int | str:
        """Store ``value`` under ``name`` for the prose (hidden in the notebook); returns it.

        Numbers are stored as plain Python numbers, so a format such as ``:.3f`` works
        on them in the text; NaN and infinity are refused (a sentence cannot quote them).
        """
        if not isinstance(name, str) or not name.replace("_", "").isalnum():
            raise InputError(f"glue name must be letters, digits and '_', got {name!r}")
        if name in self.glued:
            raise InputError(f"{name!r} is glued twice: each number in the text needs one name")
        if isinstance(value, (np.generic, np.ndarray)) and np.ndim(value) == 0:
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, (numbers.Real, str)):
            raise InputTypeError(
                f"glue {name!r}: expected a number or a string, got {type(value).__name__}"
            )
        if isinstance(value, float) and not np.isfinite(value):
            raise InputError(f"glue {name!r}: {value} cannot be quoted in the text")
        self.glued[name] = value
        try:
            from myst_nb import glue
        except ImportError:  # on Colab without the book tools there is nothing to paste into
            return value
        glue(name, value, display=False)
        return value

    def claim(self, sentence: str, holds: Any, **values: Any) -> None:
        """Check that ``sentence`` is true of the computed results (``holds``); ``values`` are
        shown when it is not. Skipped in the smoke profile."""
        if not self.checked:
            return
        if not bool(holds):
            shown = ", ".join(f"{k}={v!r}" for k, v in values.items())
            raise ClaimError(
                f"the book says {sentence!r}, but the computed results do not show it"
                + (f" ({shown})" if shown else "")
            )
