"""Run profiles: ``smoke`` (seconds, tests), ``default`` (the rendered book, 2-core CPU), ``full`` (GPU).

A dry run (``MEDAI_DRY_RUN=1``) checks a profile's settings without its cost: the shape settings
(sequence lengths, widths, generated tokens) keep the profile's values, every amount of work (data
sizes, epochs, repeats) takes the smoke profile's. ``make test`` dry-runs every notebook's ``full``
profile on the CPU, so a reader's first ``full`` run on a GPU does not die on a typo.
"""

from __future__ import annotations

import os
from numbers import Real
from typing import Any, Mapping

from .errors import InputError

PROFILES = ("smoke", "default", "full")
DRY_RUN_ENV = "MEDAI_DRY_RUN"
SHAPE_WORDS = ("length", "width", "tokens")  # settings whose names contain these set shapes, not amounts
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def env_switch(name: str) -> bool:
    """Whether the environment variable ``name`` is on (1/true/yes/on) or off (unset, 0/false/no/off);
    any other value is refused, so a typo cannot quietly leave a switch off."""
    value = os.environ.get(name, "").strip().lower()
    if value not in _TRUE + _FALSE:
        raise InputError(f"{name} must be 1 or 0 (or true/false), got {value!r}")
    return value in _TRUE


def dry_run() -> bool:
    """Whether ``MEDAI_DRY_RUN`` asks for a dry run."""
    return env_switch(DRY_RUN_ENV)


def _kind(value: Any) -> str:
    """What a setting is, for comparing profiles: an amount (a number, or None for 'all'), a flag,
    a text, or a list of those."""
    if isinstance(value, bool):
        return "a flag (True/False)"
    if isinstance(value, Real):
        return "an amount (a number)"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, (list, tuple)):
        return "a list of " + " or ".join(sorted({_kind(v) for v in value})) if value else "a list"
    return f"a {type(value).__name__}"


def _same_kind(value: Any, like: Any) -> bool:
    if value is None or like is None:  # None means "all of it" (or "the default"), whatever the kind
        return True
    if isinstance(value, (list, tuple)) and isinstance(like, (list, tuple)):
        kinds = {_kind(v) for v in like}
        return not value or not like or {_kind(v) for v in value} <= kinds
    return _kind(value) == _kind(like)


def settings_for(
    profile: str, table: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """The settings of ``profile`` from ``table``; ``full`` falls back to ``default`` where it has none.

    Every profile must define the same keys, each of the same kind as in ``default`` (an amount,
    a flag, a text, a list), so a setting cannot silently exist only in one of them or carry a typo.
    Under a dry run, a profile's amounts of work are the smoke profile's (see the module's docstring).
    """
    if profile not in PROFILES:
        raise InputError(
            f"profile must be one of {', '.join(PROFILES)}; got {profile!r}"
        )
    if "smoke" not in table or "default" not in table:
        raise InputError("a profile table needs at least 'smoke' and 'default' entries")
    keys = set(table["default"])
    for name, entry in table.items():
        if name not in PROFILES:
            raise InputError(
                f"unknown profile {name!r} in table; allowed: {', '.join(PROFILES)}"
            )
        if set(entry) != keys:
            raise InputError(
                f"profile {name!r} defines {sorted(entry)}, but 'default' defines {sorted(keys)}"
            )
        for key, value in entry.items():
            if not _same_kind(value, table["default"][key]):
                raise InputError(
                    f"profile {name!r} sets {key!r} to {value!r}, but 'default' sets it to "
                    f"{table['default'][key]!r}: {_kind(table['default'][key])} is expected"
                )
    chosen = dict(table.get(profile, table["default"]))
    if dry_run() and profile != "smoke":
        chosen = {key: value if any(word in key for word in SHAPE_WORDS) else table["smoke"][key]
                  for key, value in chosen.items()}  # fmt: skip
    return chosen
