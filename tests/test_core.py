"""medai.core pieces that every chapter uses: subsamples and the versions block."""

from __future__ import annotations

import io

import numpy as np
import pytest

from medai.core.sampling import random_subset, stratified_subsample
from medai.core.versions import print_versions, versions


def test_stratified_subsample_keeps_each_group_share():
    labels = np.array([0] * 100 + [1] * 900)
    keep = stratified_subsample(labels, size=200, seed=3)
    assert np.all(np.diff(keep) > 0)  # sorted, no repeats
    assert np.bincount(labels[keep]).tolist() == [20, 180]
    np.testing.assert_array_equal(keep, stratified_subsample(labels, size=200, seed=3))
    assert not np.array_equal(keep, stratified_subsample(labels, size=200, seed=4))


def test_stratified_subsample_takes_the_same_number_per_group():
    records = np.array(["100"] * 50 + ["232"] * 30 + ["106"] * 40)
    keep = stratified_subsample(records, per_group=10, seed=0)
    names, counts = np.unique(records[keep], return_counts=True)
    assert names.tolist() == ["100", "106", "232"] and counts.tolist() == [10, 10, 10]
    with pytest.raises(ValueError, match="group '232' has 30 items; cannot draw 31"):
        stratified_subsample(records, per_group=31)
    with pytest.raises(ValueError, match="exactly one of size and per_group"):
        stratified_subsample(records, size=10, per_group=3)
    with pytest.raises(ValueError, match="non-empty 1-D"):
        stratified_subsample([], size=1)


def test_stratified_subsample_matches_the_draw_it_replaces():
    """The notebooks' former inline code: one choice per class, in class order, then sorted."""
    labels = np.random.default_rng(1).integers(0, 2, 500)
    rng = np.random.default_rng(7)
    inline = np.sort(
        np.concatenate(
            [
                rng.choice(
                    np.flatnonzero(labels == k),
                    round(100 * np.mean(labels == k)),
                    replace=False,
                )
                for k in (0, 1)
            ]
        )
    )
    np.testing.assert_array_equal(
        stratified_subsample(labels, size=100, seed=7), inline
    )


def test_random_subset_is_a_sorted_seeded_draw():
    keep = random_subset(50, 10, seed=2)
    assert len(set(keep)) == 10 and np.all(np.diff(keep) > 0)
    np.testing.assert_array_equal(
        keep, np.sort(np.random.default_rng(2).permutation(50)[:10])
    )
    with pytest.raises(ValueError, match="cannot draw 51 of 50"):
        random_subset(50, 51)


def test_versions_name_python_torch_the_device_and_missing_packages():
    table = versions("wfdb", "no-such-package-here")
    for key in ("python", "medai", "torch", "numpy", "device", "wfdb"):
        assert table[key]
    assert table["no-such-package-here"] == "not installed"
    out = io.StringIO()
    print_versions("wfdb", file=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("python") and any(
        line.startswith("wfdb ") for line in lines
    )
