"""Smaller samples of a data set that keep its make-up, for quick profiles."""

from __future__ import annotations

import numpy as np

from .errors import InputError


def stratified_subsample(
    groups, *, size: int | None = None, per_group: int | None = None, seed: int = 0
) -> np.ndarray:
    """Sorted indices of a random sample drawn separately within each group (class, record, ...).

    Give ``size`` to keep each group's share of the whole (rounded), or ``per_group``
    to take the same number from every group. Groups are visited in sorted order,
    each drawn without replacement from one seeded generator.
    """
    if (size is None) == (per_group is None):
        raise InputError("give exactly one of size and per_group")
    groups = np.asarray(groups)
    if groups.ndim != 1 or len(groups) == 0:
        raise InputError(
            f"groups must be a non-empty 1-D array, got shape {groups.shape}"
        )
    rng = np.random.default_rng(seed)
    picks = []
    for group in np.unique(groups):
        members = np.flatnonzero(groups == group)
        share = len(members) / len(groups)
        want = round(size * share) if per_group is None else per_group
        if not 0 <= want <= len(members):
            raise InputError(
                f"group {group.item()!r} has {len(members)} items; cannot draw {want} without replacement"
            )
        picks.append(rng.choice(members, want, replace=False))
    return np.sort(np.concatenate(picks))


def random_subset(n_items: int, size: int, seed: int = 0) -> np.ndarray:
    """Sorted indices of ``size`` of ``n_items`` items, drawn without replacement."""
    if not 0 <= size <= n_items:
        raise InputError(f"cannot draw {size} of {n_items} items")
    return np.sort(np.random.default_rng(seed).permutation(n_items)[:size])
