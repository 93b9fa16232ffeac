"""Run profiles: ``smoke`` (seconds, tests), ``default`` (the rendered book, 2-core CPU), ``full`` (GPU)."""

from __future__ import annotations

from typing import Any, Mapping

from .errors import InputError

PROFILES = ("smoke", "default", "full")


def settings_for(
    profile: str, table: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """The settings of ``profile`` from ``table``; ``full`` falls back to ``default`` where it has none.

    Every profile must define the same keys, so a setting cannot silently exist
    only in one of them.
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
    return dict(table.get(profile, table["default"]))
