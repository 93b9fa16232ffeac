"""Numbers and sentences of the book kept true by the code that computes them.

A notebook hands each number its prose quotes to ``Prose.glue``; the text pastes it
with ``{glue:text}`key:.3f``` (or ``../notebooks/NAME.ipynb::key`` from a chapter
page), so no result is typed by hand. A sentence that interprets a result is
followed by a hidden cell calling ``Prose.claim`` with the sentence and the test of
it on the computed values.

A claim is checked only in the profiles its author checked it in (``profiles``,
default ``("default",)``), never in ``smoke`` or a dry run (``MEDAI_DRY_RUN``), whose tiny
runs are meant to be fast, not meaningful. What a false claim does depends on the environment:

- ``MEDAI_STRICT_CLAIMS=1`` (``make book``, ``make test``, CI): it raises ``ClaimError``,
  so the notebook and the build fail;
- otherwise (a reader's run: another seed, machine or GPU): it shows a warning box in
  the notebook and warns with ``ClaimWarning``; the notebook carries on;
- ``MEDAI_CLAIMS_RECORD=FILE``: every checked claim, held or not, appends one JSON line
  to FILE (with ``MEDAI_NOTEBOOK`` and ``MEDAI_SEED`` when set), and nothing raises,
  so a sweep over seeds sees every claim (``python -m medai claims``).
"""

from __future__ import annotations

import html
import json
import math
import numbers
import os
import warnings
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from .errors import InputError, InputTypeError, MedaiError
from .profiles import PROFILES, dry_run, env_switch

STRICT_ENV = "MEDAI_STRICT_CLAIMS"
RECORD_ENV = "MEDAI_CLAIMS_RECORD"
NOTEBOOK_ENV = "MEDAI_NOTEBOOK"
SEED_ENV = "MEDAI_SEED"


class ClaimError(MedaiError, AssertionError):
    """A sentence of the book no longer holds for the values the book computed."""


class ClaimWarning(UserWarning):
    """A sentence of the book does not hold in this run (reader mode: the notebook goes on)."""


def strict() -> bool:
    """Whether ``MEDAI_STRICT_CLAIMS`` asks a false claim to raise."""
    return env_switch(STRICT_ENV)


def json_safe(value: Any) -> Any:
    """``value`` as plain JSON: numbers, strings, lists and dicts as they are, anything else
    (arrays, tables, NaN) as its repr, so a record never fails on an odd value."""
    if isinstance(value, (np.generic, np.ndarray)) and np.ndim(value) == 0:
        value = value.item()
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)  # JSON has no NaN
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: json_safe(v) for k, v in value.items()}
    return repr(value)


def _profiles(profiles: str | Iterable[str]) -> tuple[str, ...]:
    """``profiles`` as a tuple of known profile names other than smoke."""
    chosen = (profiles,) if isinstance(profiles, str) else tuple(profiles)
    unknown = [p for p in chosen if p not in PROFILES]
    if unknown or not chosen:
        raise InputError(f"claim profiles must be among {', '.join(PROFILES)}; got {chosen!r}")
    if "smoke" in chosen:
        raise InputError("a claim cannot be checked in the smoke profile: its tiny runs mean nothing")
    return chosen


def _shown(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in values.items())


def _display_box(sentence: str, values: dict[str, Any], profile: str) -> None:
    """A visible box in the notebook saying what the book says and what this run shows."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # plain Python: the warning alone says it
        return
    if get_ipython() is None:
        return
    shown = _shown(values) or "values for which it does not hold"
    text = (
        f"The book says: {sentence}; this run shows: {shown}. "
        f"(profile {profile}; results differ from the book's run, the notebook carries on)"
    )
    box = (
        '<div style="border:2px solid #d08700;background:#fff8e5;padding:0.6em 0.9em;margin:0.5em 0">'
        f"<strong>The book says:</strong> {html.escape(sentence)}<br>"
        f'<strong>this run shows:</strong> <code style="white-space:pre-wrap">{html.escape(shown)}</code><br>'
        f"<small>Profile {html.escape(profile)}. Another seed, machine or profile can change a result; "
        f"the notebook carries on. Set {STRICT_ENV}=1 to stop here instead.</small></div>"
    )
    display({"text/html": box, "text/plain": text}, raw=True)


def _record(path: str, sentence: str, held: bool, profile: str, values: dict[str, Any]) -> None:
    """Append one JSON line about a checked claim to ``path``."""
    seed = os.environ.get(SEED_ENV)
    line = {
        "notebook": os.environ.get(NOTEBOOK_ENV),
        "profile": profile,
        "seed": int(seed) if seed and seed.lstrip("-").isdigit() else seed,
        "sentence": sentence,
        "held": held,
        "values": json_safe(values),
    }
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("a", encoding="utf-8") as file:  # one write per line: parallel runs do not interleave
        file.write(json.dumps(line, ensure_ascii=False) + "\n")


class Prose:
    """The glued numbers and checked claims of one notebook run in ``profile``."""

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.checked = profile != "smoke" and not dry_run()  # a dry run's numbers come from smoke-sized work
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

    def claim(
        self, sentence: str, holds: Any, *, profiles: str | Iterable[str] = ("default",), **values: Any
    ) -> None:
        """Check that ``sentence`` is true of the computed results (``holds``); ``values`` are
        shown when it is not. Checked only when this run's profile is in ``profiles``.

        A false claim raises ``ClaimError`` under ``MEDAI_STRICT_CLAIMS=1`` (unless recording),
        else shows a box and warns. Returns nothing, so a cell ending in a claim displays nothing.
        """
        chosen = _profiles(profiles)  # refused in every profile, so smoke tests catch a typo
        if not self.checked or self.profile not in chosen:
            return
        held, stop, record = bool(holds), strict(), os.environ.get(RECORD_ENV)
        if record:
            _record(record, sentence, held, self.profile, values)
        if held:
            return
        shown = _shown(values)
        if stop and not record:  # a sweep must see every claim, so recording never stops
            raise ClaimError(
                f"the book says {sentence!r}, but the computed results do not show it"
                + (f" ({shown})" if shown else "")
            )
        _display_box(sentence, values, self.profile)
        warnings.warn(
            ClaimWarning(f"The book says: {sentence}; this run shows: {shown or 'it does not hold'}"),
            stacklevel=2,
        )
